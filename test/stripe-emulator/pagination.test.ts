import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

let emulator: Emulator;
let stripe: Stripe;

function client(key: string): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
}

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 1050, seed: 7 } });
  stripe = client(emulator.accounts()[0]!.api_keys.find((key) => key.permissions === 'all')!.key);
});

afterAll(async () => {
  await emulator.close();
});

function isNewestFirst(items: { created: number }[]): boolean {
  return items.every((item, i) => i === 0 || items[i - 1]!.created >= item.created);
}

describe('lists', () => {
  it('auto-paginates 1,050 customers once each, newest first', async () => {
    const customers = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 2000 });
    expect(customers).toHaveLength(1050);
    expect(new Set(customers.map((customer) => customer.id)).size).toBe(1050);
    expect(isNewestFirst(customers)).toBe(true);

    const iterated: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 37 })) iterated.push(customer.id);
    expect(iterated).toEqual(customers.map((customer) => customer.id));
  });

  it('pages backwards with ending_before', async () => {
    const all = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 2000 });
    const anchor = all[250]!;
    const page = await stripe.customers.list({ limit: 10, ending_before: anchor.id });
    expect(page.data.map((customer) => customer.id)).toEqual(all.slice(240, 250).map((customer) => customer.id));
    expect(page.has_more).toBe(true);

    // stripe-node walks ending_before pages towards the newest, yielding oldest first.
    const newer = await stripe.customers.list({ limit: 7, ending_before: anchor.id }).autoPagingToArray({ limit: 1000 });
    expect(newer.map((customer) => customer.id)).toEqual(all.slice(0, 250).reverse().map((customer) => customer.id));
  });

  it('filters on created ranges and exact values', async () => {
    const all = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 2000 });
    const upper = all[100]!.created;
    const lower = all[600]!.created;
    const expected = all.filter((customer) => customer.created >= lower && customer.created < upper);
    const ranged = await stripe.customers.list({ limit: 100, created: { gte: lower, lt: upper } }).autoPagingToArray({ limit: 2000 });
    expect(ranged.map((customer) => customer.id)).toEqual(expected.map((customer) => customer.id));

    const exact = await stripe.customers.list({ created: all[42]!.created });
    expect(exact.data.map((customer) => customer.id)).toContain(all[42]!.id);
    expect(exact.data.every((customer) => customer.created === all[42]!.created)).toBe(true);
  });

  it('lists subscriptions without canceled ones unless status=all, and filters by customer', async () => {
    const open = await stripe.subscriptions.list({ limit: 100 }).autoPagingToArray({ limit: 5000 });
    const all = await stripe.subscriptions.list({ limit: 100, status: 'all' }).autoPagingToArray({ limit: 5000 });
    // The reference: "If no value is supplied, all subscriptions that have not been canceled are returned."
    expect(open.map((subscription) => subscription.id)).toEqual(all.filter((subscription) => subscription.status !== 'canceled').map((subscription) => subscription.id));
    expect(open.some((subscription) => subscription.status === 'incomplete_expired')).toBe(true);
    expect(all.length).toBeGreaterThan(open.length);
    const ended = await stripe.subscriptions.list({ limit: 100, status: 'ended' }).autoPagingToArray({ limit: 5000 });
    expect(ended.map((subscription) => subscription.id)).toEqual(all.filter((subscription) => ['canceled', 'incomplete_expired'].includes(subscription.status)).map((subscription) => subscription.id));
    const one = all[0]!;
    const customerId = typeof one.customer === 'string' ? one.customer : one.customer.id;
    const mine = await stripe.subscriptions.list({ customer: customerId, status: 'all' });
    expect(mine.data.length).toBeGreaterThan(0);
    expect(mine.data.every((subscription) => subscription.customer === customerId)).toBe(true);
  });

  it('expands ids into objects on lists and retrieves', async () => {
    const page = await stripe.subscriptions.list({ limit: 20, status: 'all', expand: ['data.customer', 'data.discounts.source.coupon'] });
    const withCustomer = page.data[0]!;
    expect(typeof withCustomer.customer).toBe('object');
    const discounted = (await stripe.subscriptions.list({ limit: 100, status: 'all', expand: ['data.discounts.source.coupon'] }).autoPagingToArray({ limit: 5000 })).find(
      (subscription) => subscription.discounts.length > 0,
    );
    expect(discounted).toBeDefined();
    const discount = discounted!.discounts[0] as Stripe.Discount;
    expect(discount.object).toBe('discount');
    expect((discount.source.coupon as Stripe.Coupon).object).toBe('coupon');

    const retrieved = await stripe.subscriptions.retrieve(discounted!.id, { expand: ['customer', 'discounts'] });
    expect(typeof retrieved.customer).toBe('object');
    expect((retrieved.discounts[0] as Stripe.Discount).object).toBe('discount');
  });

  it('truncates nested lists to 10 with has_more, the full list staying reachable', async () => {
    const customer = emulator.createCustomer({ email: 'many-items@example.com' });
    const product = emulator.createProduct({ name: 'Seats' });
    const prices = Array.from({ length: 12 }, (_, i) => emulator.createPrice({ product: product.id, unit_amount: 100 + i }));
    const created = emulator.createSubscription({ customer: customer.id, items: prices.map((price) => ({ price: price.id })) });

    const subscription = await stripe.subscriptions.retrieve(created.id);
    expect(subscription.items.data).toHaveLength(10);
    expect(subscription.items.has_more).toBe(true);
    const items = await stripe.subscriptionItems.list({ subscription: created.id, limit: 100 });
    expect(items.data).toHaveLength(12);
    const paged = await stripe.subscriptionItems.list({ subscription: created.id, limit: 5 }).autoPagingToArray({ limit: 100 });
    expect(paged.map((item) => item.id)).toEqual(items.data.map((item) => item.id));

    const invoice = emulator.createInvoice({ customer: customer.id, subscription: created.id });
    const served = await stripe.invoices.retrieve(invoice.id);
    expect(served.lines.data).toHaveLength(10);
    expect(served.lines.has_more).toBe(true);
    const lines = await stripe.invoices.listLineItems(invoice.id, { limit: 100 });
    expect(lines.data).toHaveLength(12);
  });

  it("leaves a test clock's customers and subscriptions out of lists unless asked for that clock", async () => {
    const clock = 'clock_1PaginationTest';
    const simulated = emulator.createCustomer({ email: 'simulated@example.com', test_clock: clock });
    const product = emulator.createProduct({ name: 'Simulated plan' });
    const price = emulator.createPrice({ product: product.id, unit_amount: 900 });
    const subscription = emulator.createSubscription({ customer: simulated.id, items: [{ price: price.id }] });
    const invoice = emulator.createInvoice({ customer: simulated.id, subscription: subscription.id });
    expect([subscription.test_clock, invoice.test_clock]).toEqual([clock, clock]);

    const ids = (list: { id: string }[]) => list.map((o) => o.id);
    // "The response will not include customers with test clocks if this parameter is not set."
    expect(ids(await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 5000 }))).not.toContain(simulated.id);
    expect(ids((await stripe.customers.list({ test_clock: clock })).data)).toEqual([simulated.id]);
    // Subscriptions: left out unless `test_clock` or `customer` is set.
    expect(ids(await stripe.subscriptions.list({ limit: 100, status: 'all' }).autoPagingToArray({ limit: 5000 }))).not.toContain(subscription.id);
    expect(ids((await stripe.subscriptions.list({ test_clock: clock })).data)).toEqual([subscription.id]);
    expect(ids((await stripe.subscriptions.list({ customer: simulated.id })).data)).toEqual([subscription.id]);
    // The invoices list takes no `test_clock` parameter: it lists them all.
    expect(ids((await stripe.invoices.list({ limit: 5 })).data)).toContain(invoice.id);
    await expect(stripe.invoices.list({ test_clock: clock } as Stripe.InvoiceListParams)).rejects.toMatchObject({ statusCode: 400, param: 'test_clock' });
    emulator.deleteCustomer(simulated.id);
  });

  it('answers deleted customers with a stub and drops them from lists', async () => {
    const customer = emulator.createCustomer({ email: 'leaving@example.com' });
    emulator.deleteCustomer(customer.id);
    const retrieved = await stripe.customers.retrieve(customer.id);
    expect(retrieved).toMatchObject({ id: customer.id, object: 'customer', deleted: true });
    expect(Object.keys(retrieved).sort()).toEqual(['deleted', 'id', 'object']);
    const newest = await stripe.customers.list({ limit: 5 });
    expect(newest.data.map((c) => c.id)).not.toContain(customer.id);
  });

  it('refuses a deleted object as a cursor with 400 resource_missing, as Stripe does, and still retrieves it', async () => {
    const before = await stripe.customers.list({ limit: 6 });
    const [, , middle] = before.data;
    emulator.deleteCustomer(middle!.id);
    for (const params of [{ starting_after: middle!.id }, { ending_before: middle!.id }]) {
      const error = await stripe.customers.list({ limit: 3, ...params }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({
        statusCode: 400,
        rawType: 'invalid_request_error',
        code: 'resource_missing',
        param: Object.keys(params)[0],
        message: `No such customer: '${middle!.id}'`,
      });
    }
    await expect(stripe.customers.retrieve(middle!.id)).resolves.toMatchObject({ id: middle!.id, deleted: true });
    await expect(stripe.customers.list({ starting_after: 'cus_never_existed' })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'starting_after' });
  });

  it('serves the account and the guest-customer 404', async () => {
    const account = await stripe.accounts.retrieveCurrent();
    expect(account.id).toBe(emulator.accounts()[0]!.id);
    await expect(stripe.customers.retrieve('gcus_1Abc')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});
