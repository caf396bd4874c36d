/**
 * Our Stripe HTTP client parses bodies from their bytes (json-bytes.ts): the same values as
 * stripe-node's own decode-then-parse for any input, and stripe-node's errors for bodies that
 * break off or are not JSON.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeFactory } from '@ui/backend/src/stripe/client.js';
import { parseJsonBytes } from '@ui/backend/src/stripe/json-bytes.js';
import { generateAccount, type FixtureAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';

/** What stripe-node does with a body: the parsed value, or the kind of error. */
function reference(bytes: Buffer): unknown {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

function ours(bytes: Buffer): unknown {
  try {
    return { value: parseJsonBytes(bytes) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe('parseJsonBytes', () => {
  it('parses any JSON text, whatever its characters, as JSON.parse of its UTF-8 decoding does', () => {
    fc.assert(
      // Long arrays of strings too, so that non-ASCII runs fall in many blocks and across their edges.
      fc.property(fc.oneof(fc.json({ stringUnit: 'binary' }), fc.array(fc.string({ unit: 'binary' }), { maxLength: 300 }).map((strings) => JSON.stringify(strings))), (text) => {
        const bytes = Buffer.from(text, 'utf8');
        expect(ours(bytes)).toEqual(reference(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same value or the same error for any bytes, malformed UTF-8 and non-JSON included', () => {
    const filler = fc.nat({ max: 600 }).map((length) => 'x'.repeat(length));
    const jsonish = fc.array(fc.oneof(fc.constantFrom('{"a":"', '"', '}', '[', ']', ',', '\\', '\\u00e9', ' '), fc.string({ unit: 'binary', maxLength: 4 }), filler), { maxLength: 12 });
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((array) => Buffer.from(array)),
      // Valid JSON around a byte that is not UTF-8 or cuts a character short.
      fc.tuple(jsonish, fc.integer({ min: 0x80, max: 0xff }), jsonish).map(([before, byte, after]) => Buffer.concat([Buffer.from(`["${before.join('')}`), Buffer.of(byte), Buffer.from(`${after.join('')}"]`)])),
    );
    fc.assert(
      fc.property(bytes, (input) => {
        expect(ours(input)).toEqual(reference(input));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps characters outside the Basic Multilingual Plane and invalid sequences exactly', () => {
    const text = JSON.stringify({ name: 'Zoë Ñandú 😀 × €', plain: 'ascii' });
    expect(parseJsonBytes(Buffer.from(text))).toEqual({ name: 'Zoë Ñandú 😀 × €', plain: 'ascii' });
    expect(parseJsonBytes(Buffer.from([0x22, 0xe2, 0x82, 0x22]))).toBe('\ufffd');
    expect(parseJsonBytes(Buffer.from('["\\\\é"]'))).toEqual(['\\é']);
    expect(() => parseJsonBytes(Buffer.from('["\\é"]'))).toThrow(SyntaxError);
    expect(() => parseJsonBytes(Buffer.from('{"a": 1} é'))).toThrow(SyntaxError);
  });
});

describe('the Stripe client over HTTP', () => {
  const names = ['Zoë Ñandú', 'José 😀 Müller', '株式会社 × €'];
  let account: FixtureAccount;
  let emulator: Emulator;
  let server: Server;
  let serverUrl: string;
  /** Bodies the test server answers with, in order. */
  const bodies: ((response: import('node:http').ServerResponse) => void)[] = [];

  beforeAll(async () => {
    account = generateAccount({ customers: names.length, seed: 3 });
    account.customers.forEach((customer, i) => (customer.name = names[i]!));
    emulator = await startEmulator({ fixtures: { accounts: [account] } });
    server = createServer((_request, response) => bodies.shift()!(response));
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await emulator?.close();
    await new Promise((closed) => server?.close(closed));
  });

  it('reads non-ASCII names back from a list page exactly as they were written', async () => {
    const stripe = createStripeFactory({ apiBase: emulator.url }).forKey(account.api_keys.find((key) => key.key.startsWith('sk_'))!.key);
    const page = await stripe.customers.list({ limit: 100 });
    expect(page.data.map((customer) => customer.name).sort()).toEqual([...names].sort());
  });

  it('reports a body that breaks off as a connection error and a body that is not JSON as an API error', async () => {
    const stripe = createStripeFactory({ apiBase: serverUrl }).forKey('sk_test_x');
    const cutOff = (response: import('node:http').ServerResponse) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"object":"list","data":[');
      setTimeout(() => response.destroy(), 20);
    };
    bodies.push(cutOff); // stripe-node retries on a status, not on a body that broke off
    await expect(stripe.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);

    bodies.push((response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list", é'));
    await expect(stripe.customers.list()).rejects.toMatchObject({ type: 'StripeAPIError', message: 'Invalid JSON received from the Stripe API' });
  });
});
