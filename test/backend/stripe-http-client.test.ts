/**
 * Our Stripe HTTP client parses bodies from their bytes, a list page element by element
 * (json-bytes.ts): the same values as stripe-node's own decode-then-parse for any input, the same
 * SyntaxError for any malformed one, and stripe-node's errors for bodies that break off. List
 * pages of the types the service stores are parsed for the stored fields only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeFactory } from '@ui/backend/src/stripe/client.js';
import { elementKeys, parseJsonBytes } from '@ui/backend/src/stripe/json-bytes.js';
import { listedType, objectType, STRIPE_OBJECT_TYPES } from '@ui/backend/src/stripe/registry.js';
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

/** The same outcome, down to own `__proto__` keys (which toEqual does not see) and key order. */
function expectSame(bytes: Buffer): void {
  const [actual, expected] = [ours(bytes), reference(bytes)];
  expect(actual).toEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

/** A Stripe list page: the elements of its `data` are parsed one by one, the rest around them. */
const listPage = fc
  .tuple(
    fc.record({ object: fc.constant('list'), data: fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { maxLength: 20 }), has_more: fc.boolean(), url: fc.string({ unit: 'binary' }) }),
    fc.constantFrom(undefined, 2, '\t'),
  )
  .map(([page, indent]) => JSON.stringify(page, null, indent));

/** A few edits anywhere in a text: characters dropped, or a bracket, quote, escape, comma or non-ASCII letter put in. */
const edited = (text: fc.Arbitrary<string>) =>
  fc
    .tuple(text, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', ' ', 'é', '"a":')), { minLength: 1, maxLength: 3 }))
    .map(([original, edits]) =>
      edits.reduce((text, [where, put]) => {
        const at = Math.floor(where * text.length);
        return text.slice(0, at) + put + text.slice(put === '' ? at + 1 : at);
      }, original),
    );

describe('parseJsonBytes', () => {
  it('parses any JSON text, whatever its characters, as JSON.parse of its UTF-8 decoding does', () => {
    const text = fc.oneof(
      fc.json({ stringUnit: 'binary' }),
      listPage,
      // Objects keyed like prototypes' properties, given twice, or with arrays in several keys.
      fc.array(fc.tuple(fc.constantFrom('data', '__proto__', 'a', 'constructor'), fc.jsonValue({ maxDepth: 2 })), { maxLength: 5 }).map((entries) => `{${entries.map(([key, value]) => `"${key}":${JSON.stringify(value)}`).join(',')}}`),
    );
    fc.assert(
      fc.property(text, (json) => {
        expectSame(Buffer.from(json, 'utf8'));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same value or the same error for any bytes, malformed JSON and UTF-8 included', () => {
    const tokens = fc.array(fc.constantFrom('{', '}', '[', ']', ',', ':', '"data"', '"a"', '"\\"', '"\\\\"', ' ', '1', 'null', '"é"', '"x'), { maxLength: 16 }).map((parts) => `{${parts.join('')}`);
    const jsonish = fc.array(fc.oneof(fc.constantFrom('{"a":"', '"', '}', '[', ']', ',', '\\', '\\u00e9', ' '), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 12 });
    const bytes = fc.oneof(
      edited(listPage).map((text) => Buffer.from(text)),
      tokens.map((text) => Buffer.from(text)),
      fc.uint8Array({ maxLength: 64 }).map((array) => Buffer.from(array)),
      // JSON around a byte that is not UTF-8 or cuts a character short.
      fc.tuple(jsonish, fc.integer({ min: 0x80, max: 0xff }), jsonish).map(([before, byte, after]) => Buffer.concat([Buffer.from(`{"data":["${before.join('')}`), Buffer.of(byte), Buffer.from(`${after.join('')}"]}`)])),
    );
    fc.assert(
      fc.property(bytes, expectSame),
      { numRuns: 3000 },
    );
  });

  it('keeps characters outside the Basic Multilingual Plane and invalid sequences exactly', () => {
    const text = JSON.stringify({ name: 'Zoë Ñandú 😀 × €', plain: 'ascii' });
    expect(parseJsonBytes(Buffer.from(text))).toEqual({ name: 'Zoë Ñandú 😀 × €', plain: 'ascii' });
    expect(parseJsonBytes(Buffer.from([0x22, 0xe2, 0x82, 0x22]))).toBe('\ufffd');
    expect(parseJsonBytes(Buffer.from('["\\\\é"]'))).toEqual(['\\é']);
    expect(() => parseJsonBytes(Buffer.from('["\\é"]'))).toThrow(SyntaxError);
    expect(() => parseJsonBytes(Buffer.from('{"a": 1} é'))).toThrow(SyntaxError);
    expect(parseJsonBytes(Buffer.from('{"object":"list","data":[{"a":"é"},[],"\\u00e9x"],"has_more":false}'))).toEqual({ object: 'list', data: [{ a: 'é' }, [], 'éx'], has_more: false });
    expect(parseJsonBytes(Buffer.from('{"data": [ ]}'))).toEqual({ data: [] });
  });
});

describe('parseJsonBytes keeping some keys of listed objects', () => {
  const kept = ['id', 'created', 'é', 'data', 'a"b'];
  const keep = elementKeys(kept);
  /** JSON.parse, then each object element of each top-level array cut down to the kept keys, in the order written. */
  function picked(bytes: Buffer): unknown {
    const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(body)) {
      if (!Array.isArray(value)) continue;
      const cut = value.map((element: unknown) =>
        element !== null && typeof element === 'object' && !Array.isArray(element) ? Object.fromEntries(Object.entries(element).filter(([name]) => kept.includes(name))) : element,
      );
      Object.defineProperty(body, key, { value: cut, enumerable: true, writable: true, configurable: true });
    }
    return body;
  }
  /** Objects keyed from a pool with kept and dropped names, some written with escapes, some twice. */
  const element = fc.oneof(
    fc
      .array(fc.tuple(fc.constantFrom(...['id', 'created', 'é', 'a"b', 'data', 'lines', 'name', 'idx', 'i'].map((key) => JSON.stringify(key)), '"\\u0069d"', '"\\u00e9"'), fc.jsonValue({ maxDepth: 3 })), { maxLength: 8 })
      .map((pairs) => `{${pairs.map(([key, value]) => `${key}:${JSON.stringify(value)}`).join(',')}}`),
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  );
  const page = fc
    .tuple(fc.array(element, { maxLength: 12 }), fc.boolean(), fc.constantFrom('', ' ', '\n  '))
    .map(([elements, hasMore, space]) => `{"object":"list",${space}"data":[${space}${elements.join(`,${space}`)}${space}],"has_more":${hasMore},"url":"/v1/x"}`);

  it('equals JSON.parse with every listed object cut down to the kept keys', () => {
    fc.assert(
      fc.property(page, (text) => {
        const bytes = Buffer.from(text);
        expect(JSON.stringify(parseJsonBytes(bytes, keep))).toBe(JSON.stringify(picked(bytes)));
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a page cut off anywhere, and malformed kept pairs or junk beside an object', () => {
    fc.assert(
      fc.property(page, fc.double({ min: 0, max: 1, noNaN: true }), (text, where) => {
        const cut = Buffer.from(text).subarray(0, Math.floor(where * (Buffer.byteLength(text) - 1)));
        expect(() => parseJsonBytes(cut, keep)).toThrow(SyntaxError);
      }),
      { numRuns: 500 },
    );
    for (const malformed of ['{"data":[{"id" 1}]}', '{"data":[{"id":1} x]}', '{"data":[x{"id":1}]}', '{"data":[{"id":1}{"id":2}]}', '{"data":[{"id":1}"x"]}', '{"data":[{"id":1,}]}', '{"data":[{"id":1}]', '{"data":[{"id":1}}]}', '{"data":[{"id":1],{"id":2}}]}', '{"data":[{,"id":1}]}', '{"data":[{"id":1,,"x":2}]}']) {
      expect(() => parseJsonBytes(Buffer.from(malformed), keep), malformed).toThrow(SyntaxError);
    }
  });
});

describe('which list pages are cut down', () => {
  it("are the GET lists of the registry's types, whatever their query, and nothing else", () => {
    expect(listedType('GET', '/v1/invoices?limit=100&created[gte]=1')).toBe(objectType('invoice'));
    expect(listedType('GET', '/v1/customers')).toBe(objectType('customer'));
    expect(listedType('GET', '/v1/invoices/in_123')).toBeUndefined();
    expect(listedType('POST', '/v1/customers')).toBeUndefined();
    expect(listedType('GET', '/v1/customers/search?query=x')).toBeUndefined();
    expect(listedType('GET', '/v1/subscription_items?subscription=sub_1')).toBeUndefined();
    expect(listedType('GET', '/v1/events')).toBeUndefined();
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

  it("lists every type with exactly its stored fields: what `store` keeps of the whole object", async () => {
    const stripe = createStripeFactory({ apiBase: emulator.url }).forKey(account.api_keys.find((key) => key.key.startsWith('sk_'))!.key);
    for (const type of STRIPE_OBJECT_TYPES) {
      const { data } = await type.list(stripe, { limit: 100 });
      expect(data.length, type.type).toBeGreaterThan(0);
      for (const listed of data) {
        expect(Object.keys(listed).every((key) => type.fields.includes(key)), `${type.type} ${Object.keys(listed).join()}`).toBe(true);
        expect(type.store(listed)).toEqual(type.store(await type.retrieve(stripe, listed.id)));
      }
    }
    // A single object is not cut down: only the lists are.
    const customer = await stripe.customers.retrieve(account.customers[0]!.id);
    expect(customer).toHaveProperty('invoice_settings');
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
