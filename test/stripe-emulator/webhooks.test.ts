import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';
import { API_VERSION, makeDiscount } from './objects.js';

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
let receiverUrl: string;

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
  const url = (receiverUrl = await startReceiver());
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

  describe("an endpoint on an older API version (the endpoint's api_version)", () => {
    /** A customer with a coupon, subscribed: the discount and the billing period are what changed shape. */
    async function subscribedWithCoupon() {
      const coupon = (await stripe.coupons.list({ limit: 100 })).data.find((c) => c.valid && c.percent_off !== null)!;
      const now = emulator.clock.now();
      const discount = makeDiscount({ id: 'di_versions_1', start: now, end: null, customer: null, source: { coupon: coupon.id, type: 'coupon' } });
      const customer = emulator.createCustomer({ email: 'versions@example.com', discount: { ...discount, customer: null } });
      const product = emulator.createProduct({ name: 'Versioned' });
      const price = emulator.createPrice({ product: product.id, unit_amount: 2000 });
      const subscription = emulator.createSubscription({ customer: customer.id, items: [{ price: price.id }] });
      await emulator.flushWebhooks();
      return { coupon, customer, subscription };
    }

    it('renders discounts with `coupon` (expanded) before 2025-09-30.clover and periods on the subscription before 2025-03-31.basil; the event carries that api_version', async () => {
      emulator.setWebhookEndpoint({ url: receiverUrl, secret: SECRET, apiVersion: '2024-06-20' });
      try {
        const { coupon, customer, subscription } = await subscribedWithCoupon();
        const received = events();
        expect(received.every((event) => event.api_version === '2024-06-20')).toBe(true);
        const customerEvent = received.find((e) => e.type === 'customer.created')!.data.object as unknown as Record<string, any>;
        expect(customerEvent.id).toBe(customer.id);
        expect(customerEvent.discount).not.toHaveProperty('source');
        expect(customerEvent.discount.coupon).toMatchObject({ id: coupon.id, object: 'coupon', percent_off: coupon.percent_off, duration: coupon.duration });
        const subscriptionEvent = received.find((e) => e.type === 'customer.subscription.created')!.data.object as unknown as Record<string, any>;
        const item = subscription.items.data[0]!;
        expect(subscriptionEvent).toMatchObject({ id: subscription.id, current_period_start: item.current_period_start, current_period_end: item.current_period_end });
        expect(subscriptionEvent.items.data[0]).not.toHaveProperty('current_period_start');
        expect(subscriptionEvent.items.data[0]).not.toHaveProperty('current_period_end');
        // The API itself answers in the requested (pinned) version, and GET /v1/events keeps the account's.
        const fetched = await stripe.customers.retrieve(customer.id);
        expect((fetched as Stripe.Customer).discount?.source).toEqual({ coupon: coupon.id, type: 'coupon' });
        const listed = await stripe.events.retrieve(received.find((e) => e.type === 'customer.created')!.id);
        expect(listed.api_version).toBe(API_VERSION);
      } finally {
        emulator.setWebhookEndpoint({ url: receiverUrl, secret: SECRET });
      }
    });

    it('between basil and clover: periods on the items, discounts still with `coupon`', async () => {
      emulator.setWebhookEndpoint({ url: receiverUrl, secret: SECRET, apiVersion: '2025-08-27.basil' });
      try {
        const { coupon } = await subscribedWithCoupon();
        const received = events();
        expect(received.every((event) => event.api_version === '2025-08-27.basil')).toBe(true);
        const customerEvent = received.find((e) => e.type === 'customer.created')!.data.object as unknown as Record<string, any>;
        expect(customerEvent.discount.coupon).toMatchObject({ id: coupon.id });
        const subscriptionEvent = received.find((e) => e.type === 'customer.subscription.created')!.data.object as unknown as Record<string, any>;
        expect(subscriptionEvent).not.toHaveProperty('current_period_start');
        expect(subscriptionEvent.items.data[0]).toHaveProperty('current_period_start');
      } finally {
        emulator.setWebhookEndpoint({ url: receiverUrl, secret: SECRET });
      }
    });

    it('an endpoint on the pinned version gets the objects as the API serves them', async () => {
      const { coupon } = await subscribedWithCoupon();
      const received = events();
      expect(received.every((event) => event.api_version === API_VERSION)).toBe(true);
      const customerEvent = received.find((e) => e.type === 'customer.created')!.data.object as unknown as Record<string, any>;
      expect(customerEvent.discount.source).toEqual({ coupon: coupon.id, type: 'coupon' });
      expect(customerEvent.discount).not.toHaveProperty('coupon');
    });

    it("events are created in the account's default version: GET /v1/events serves them so, and an endpoint without a version of its own gets it", async () => {
      emulator.setAccountApiVersion('2024-06-20');
      try {
        const { coupon, customer } = await subscribedWithCoupon();
        const delivered = events().find((e) => e.type === 'customer.created')!;
        expect(delivered.api_version).toBe('2024-06-20');
        // Rendered in the version it was created in, whatever version the listing request asks for.
        const listed = await stripe.events.retrieve(delivered.id);
        expect(listed.api_version).toBe('2024-06-20');
        expect((listed.data.object as unknown as Record<string, any>).discount.coupon).toMatchObject({ id: coupon.id, object: 'coupon' });
        const fetched = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
        expect(fetched.discount?.source).toEqual({ coupon: coupon.id, type: 'coupon' });

        deliveries = [];
        emulator.setWebhookEndpoint({ url: receiverUrl, secret: SECRET, apiVersion: API_VERSION });
        emulator.updateCustomer(customer.id, { name: 'Endpoint on the pinned version' });
        await emulator.flushWebhooks();
        const [updated] = events();
        expect(updated!.api_version).toBe(API_VERSION);
        expect((await stripe.events.retrieve(updated!.id)).api_version).toBe('2024-06-20');
      } finally {
        emulator.setAccountApiVersion(undefined);
        emulator.setWebhookEndpoint({ url: receiverUrl, secret: SECRET });
      }
    });

    it('refuses a version that is not one, or is newer than the emulator', async () => {
      for (const apiVersion of ['yesterday', '2099-01-01.zeta']) {
        const response = await fetch(`${emulator.url}/_emulator/webhooks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: receiverUrl, secret: SECRET, apiVersion }),
        });
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { message: string } }).error.message).toContain(apiVersion);
      }
    });
  });
});
