import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

const SECRET = 'whsec_emulator_test_secret';

interface Delivery {
  body: string;
  signature: string;
  contentType: string;
}

let emulator: Emulator;
let receiver: Server;
let deliveries: Delivery[] = [];
/** Status the receiver answers with, consumed per request (then 200). */
let failures: number[] = [];
let stripe: Stripe;

function startReceiver(): Promise<string> {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = failures.shift() ?? 200;
      if (status === 200) {
        deliveries.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(request.headers['stripe-signature']),
          contentType: String(request.headers['content-type']),
        });
      }
      response.writeHead(status).end();
    });
  });
  return new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`)));
}

function events(): Stripe.Event[] {
  return deliveries.map((delivery) => stripe.webhooks.constructEvent(delivery.body, delivery.signature, SECRET, 300));
}

beforeAll(async () => {
  const url = await startReceiver();
  emulator = await startEmulator({ generate: { customers: 20, seed: 5 }, webhook: { url, secret: SECRET } });
  stripe = new Stripe(emulator.accounts()[0]!.api_keys[0]!.key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
});

beforeEach(async () => {
  await emulator.flushWebhooks();
  emulator.setWebhookDelivery({ duplicate: false, reorder: false, delayMs: 0 });
  deliveries = [];
  failures = [];
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('events and webhooks', () => {
  it('delivers signed events that verify with constructEvent', async () => {
    const customer = emulator.createCustomer({ email: 'ada@example.com', name: 'Ada' });
    emulator.updateCustomer(customer.id, { name: 'Ada Lovelace', metadata: { plan: 'pro' } });
    await emulator.flushWebhooks();

    expect(deliveries.every((delivery) => delivery.contentType === 'application/json; charset=utf-8')).toBe(true);
    const [created, updated] = events();
    const account = emulator.accounts()[0]!;
    expect(created).toMatchObject({ type: 'customer.created', account: account.id, livemode: false, data: { object: { id: customer.id } } });
    expect(updated).toMatchObject({ type: 'customer.updated', data: { object: { name: 'Ada Lovelace' }, previous_attributes: { name: 'Ada', metadata: { plan: null } } } });
    expect(() => stripe.webhooks.constructEvent(deliveries[0]!.body, deliveries[0]!.signature, 'whsec_wrong', 300)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it('retries deliveries answered with non-2xx', async () => {
    failures = [500, 503];
    emulator.createCustomer({ email: 'retry@example.com' });
    await emulator.flushWebhooks();
    expect(events().map((event) => event.type)).toEqual(['customer.created']);
  });

  it('duplicates and reorders deliveries when asked', async () => {
    emulator.setWebhookDelivery({ duplicate: true });
    const customer = emulator.createCustomer({ email: 'twice@example.com' });
    await emulator.flushWebhooks();
    expect(events().map((event) => event.id)).toHaveLength(2);
    expect(new Set(events().map((event) => event.id)).size).toBe(1);

    deliveries = [];
    emulator.setWebhookDelivery({ duplicate: false, reorder: true });
    const emitted = ['a', 'b', 'c', 'd', 'e'].map((tag) => emulator.updateCustomer(customer.id, { metadata: { tag } }));
    await emulator.flushWebhooks();
    const received = events().map((event) => (event.data.object as Stripe.Customer).metadata.tag);
    expect(received.slice().sort()).toEqual(emitted.map((c) => c.metadata.tag));
    expect(received).not.toEqual(emitted.map((c) => c.metadata.tag));
  });

  it('emits subscription, invoice and credit note events and lists them at GET /v1/events', async () => {
    const customer = emulator.createCustomer({ email: 'subscriber@example.com' });
    const product = emulator.createProduct({ name: 'Pro' });
    const price = emulator.createPrice({ product: product.id, unit_amount: 4900 });
    const subscription = emulator.createSubscription({ customer: customer.id, items: [{ price: price.id }] });
    emulator.pauseSubscription(subscription.id);
    emulator.resumeSubscription(subscription.id);
    const invoice = emulator.createInvoice({ customer: customer.id, subscription: subscription.id });
    emulator.payInvoice(invoice.id);
    emulator.createCreditNote({ invoice: invoice.id, amount: 1000 });
    emulator.cancelSubscription(subscription.id);
    await emulator.flushWebhooks();

    const expected = [
      'customer.created',
      'product.created',
      'price.created',
      'customer.subscription.created',
      'customer.subscription.updated',
      'customer.subscription.paused',
      'customer.subscription.updated',
      'customer.subscription.resumed',
      'invoice.created',
      'invoice.paid',
      'invoice.payment_succeeded',
      'credit_note.created',
      'customer.subscription.deleted',
    ];
    expect(events().map((event) => event.type)).toEqual(expected);

    const listed = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    const listedTypes = listed.slice(0, expected.length).map((event) => event.type);
    expect(listedTypes).toEqual(expected.slice().reverse());
    const subscriptionEvents = await stripe.events.list({ type: 'customer.subscription.*', limit: 100 });
    expect(subscriptionEvents.data.every((event) => event.type.startsWith('customer.subscription.'))).toBe(true);
    const paid = await stripe.events.list({ types: ['invoice.paid', 'credit_note.created'] });
    expect(paid.data.map((event) => event.type).sort()).toEqual(['credit_note.created', 'invoice.paid']);
    const one = await stripe.events.retrieve(listed[0]!.id);
    expect(one.type).toBe('customer.subscription.deleted');
  });

  it('records control-route changes with their request id', async () => {
    const response = await fetch(`${emulator.url}/_emulator/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'http@example.com' }),
    });
    const customer = (await response.json()) as Stripe.Customer;
    await emulator.flushWebhooks();
    const [event] = events();
    expect(event).toMatchObject({ type: 'customer.created', data: { object: { id: customer.id, email: 'http@example.com' } } });
    expect(event!.request?.id).toBe(response.headers.get('request-id'));
  });
});
