/**
 * What the emulator serves for the types the product stores, field by field against stripe-node's
 * declarations (sdk-shapes.ts): no field the SDK does not declare, no required field missing, in
 * nested objects too. The account mixes the generator's objects with the hand-written vectors
 * (tiers, transform_quantity, metered items, discounts at every level, credit notes) and objects
 * made through the control API.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVectorAccount, NOW } from '../sync/vector-account.js';
import { generateAccount } from './generator.js';
import { startEmulator, type Emulator } from './index.js';
import { declaredShapes, shapeProblems } from './sdk-shapes.js';

const SDK_FILES = ['Customers.d.ts', 'Subscriptions.d.ts', 'SubscriptionItems.d.ts', 'Invoices.d.ts', 'InvoiceLineItems.d.ts', 'CreditNotes.d.ts', 'CreditNoteLineItems.d.ts', 'Products.d.ts', 'Prices.d.ts', 'Coupons.d.ts', 'Discounts.d.ts'];
const shapes = declaredShapes(SDK_FILES);
let emulator: Emulator;
const vectors = buildVectorAccount();

beforeAll(async () => {
  emulator = await startEmulator({ fixtures: { accounts: [vectors.account, generateAccount({ customers: 200, seed: 11, now: NOW })] }, now: NOW });
  // The control API's objects, too: they are built by other code than the fixtures'.
  const [, generated] = emulator.accounts();
  const customer = emulator.createCustomer({ account: generated!.id, email: 'shapes@example.com', currency: 'usd' });
  const product = emulator.createProduct({ account: generated!.id, name: 'Shapes' });
  const price = emulator.createPrice({ account: generated!.id, product: product.id, unit_amount: 1200 });
  const subscription = emulator.createSubscription({ account: generated!.id, customer: customer.id, items: [{ price: price.id, quantity: 2 }] });
  emulator.payInvoice(emulator.createInvoice({ account: generated!.id, customer: customer.id, subscription: subscription.id }).id);
});
afterAll(async () => {
  await emulator?.close();
});

/** Each problem once per path, list positions left out. */
const problemsOf = (name: string, objects: unknown[]) => [...new Set(shapeProblems(shapes, name, objects).map((p) => p.replace(/\[\d+\]/g, '[]')))];

describe('served objects against the SDK types', () => {
  it('finds what it looks for: an undeclared or a missing field is reported, in nested objects too', () => {
    expect(problemsOf('Price', [{ ...vectors.account.prices[0], bogus: 1, recurring: { ...vectors.account.prices[0]!.recurring!, extra: 2 } }])).toEqual([
      'Price[].bogus: not declared by the SDK',
      'Price[].recurring.extra: not declared by the SDK',
    ]);
    const { livemode: _dropped, ...withoutLivemode } = vectors.account.customers[0]!;
    expect(problemsOf('Customer', [withoutLivemode])).toEqual(['Customer[].livemode: declared required, absent']);
  });

  it.each([0, 1])('account %i: customers, subscriptions and items, invoices and lines, credit notes, products, prices, coupons, discounts', async (index) => {
    const account = emulator.accounts()[index]!;
    const stripe = new Stripe(account.api_keys.find((k) => k.permissions === 'all')!.key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
    const all = <T>(list: Stripe.ApiListPromise<T>) => list.autoPagingToArray({ limit: 10_000 });
    const subscriptions = await all(stripe.subscriptions.list({ limit: 100, status: 'all', expand: ['data.discounts', 'data.items.data.discounts'] }));
    const invoices = await all(stripe.invoices.list({ limit: 100 }));
    const creditNotes = await all(stripe.creditNotes.list({ limit: 100 }));
    const customers = await all(stripe.customers.list({ limit: 100 }));
    const served: Array<[string, unknown[]]> = [
      ['Customer', customers],
      ['Subscription', subscriptions],
      ['SubscriptionItem', await all(stripe.subscriptionItems.list({ subscription: subscriptions[0]!.id, limit: 100 }))],
      ['Invoice', invoices],
      ['InvoiceLineItem', invoices.length ? await all(stripe.invoices.listLineItems(invoices.find((i) => i.lines.data.length > 0)?.id ?? invoices[0]!.id, { limit: 100 })) : []],
      ['CreditNote', creditNotes],
      ['Product', await all(stripe.products.list({ limit: 100 }))],
      ['Price', await all(stripe.prices.list({ limit: 100, expand: ['data.tiers'] }))],
      ['Coupon', await all(stripe.coupons.list({ limit: 100, expand: ['data.applies_to'] }))],
      ['Customer', [await stripe.customers.retrieve(customers.at(-1)!.id)]],
      ['Invoice', [await stripe.invoices.retrieve(invoices.at(-1)!.id)]],
    ];
    expect(subscriptions.flatMap((s) => s.discounts).length).toBeGreaterThan(0);
    for (const [name, objects] of served) expect({ name, problems: problemsOf(name, objects) }).toEqual({ name, problems: [] });
  });
});
