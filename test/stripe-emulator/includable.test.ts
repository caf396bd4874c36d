/**
 * Fields Stripe includes only on request (price `tiers` and `currency_options`, coupon
 * `applies_to` and `currency_options`): absent from lists, retrieves, embedded copies and event
 * payloads, served on `expand[]` (with `data.` in lists), and expansions past four levels refused.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixtureAccount } from './generator.js';
import { startEmulator, type Emulator } from './index.js';
import { makeCoupon, makeCustomer, makeDiscount, makeList, makePrice, makeProduct, makeSubscription, makeSubscriptionItem, wireDecimal } from './objects.js';

const NOW = 1_793_491_200;
const KEY = 'sk_test_includable_fields_0123456789abcdefghijklmnopqrstuvwxyz';
const TIERS: Stripe.Price.Tier[] = [
  { up_to: 5, unit_amount: 700, unit_amount_decimal: wireDecimal(700), flat_amount: null, flat_amount_decimal: null },
  { up_to: null, unit_amount: 600, unit_amount_decimal: wireDecimal(600), flat_amount: null, flat_amount_decimal: null },
];
/** Tiers as the SDK parses them (decimal strings become Decimal objects): compared by bound and amount. */
const bounds = (tiers: Stripe.Price.Tier[] | undefined) => tiers?.map((tier) => [tier.up_to, tier.unit_amount]);
const TIER_BOUNDS = [[5, 700], [null, 600]];
const EUR: Record<string, Stripe.Price.CurrencyOptions> = { eur: { custom_unit_amount: null, tax_behavior: 'exclusive', unit_amount: 1800, unit_amount_decimal: wireDecimal(1800) } };
const eurAmount = (options: Stripe.Price['currency_options']) => options && Object.fromEntries(Object.entries(options).map(([currency, o]) => [currency, o.unit_amount]));
const EUR_AMOUNT = { eur: 1800 };

function fixture(): FixtureAccount {
  const product = makeProduct({ id: 'prod_team', created: NOW - 900, name: 'Team' });
  const tiered = makePrice({ id: 'price_tiered', created: NOW - 800, product: product.id, billing_scheme: 'tiered', tiers_mode: 'volume', unit_amount: null, tiers: TIERS });
  const multi = makePrice({ id: 'price_multi', created: NOW - 700, product: product.id, unit_amount: 2000, currency_options: EUR });
  const coupon = makeCoupon({ id: 'TEAM20', created: NOW - 600, duration: 'forever', percent_off: 20, applies_to: { products: [product.id] } });
  const customer = makeCustomer({ id: 'cus_a', created: NOW - 500, email: 'a@example.com' });
  const discount = makeDiscount({ id: 'di_a', start: NOW - 400, customer: customer.id, subscription: 'sub_a', source: { coupon: coupon.id, type: 'coupon' } });
  // Items hold the stored price whole: the emulator, not the fixture, decides what is served.
  const items = [tiered, multi].map((price, i) =>
    makeSubscriptionItem({ id: `si_${i}`, created: NOW - 400, price, quantity: 6, subscription: 'sub_a' }),
  );
  const subscription = makeSubscription({ id: 'sub_a', created: NOW - 400, customer: customer.id, status: 'active', currency: 'usd', discounts: [discount.id], items: makeList(items, '/v1/subscription_items?subscription=sub_a') });
  return {
    id: 'acct_includable',
    api_keys: [{ key: KEY, permissions: 'all' }],
    customers: [customer],
    products: [product],
    prices: [tiered, multi],
    subscriptions: [subscription],
    invoices: [],
    credit_notes: [],
    coupons: [coupon],
    discounts: [discount],
  };
}

let emulator: Emulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ fixtures: { accounts: [fixture()] }, now: NOW });
  stripe = new Stripe(KEY, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
});
afterAll(async () => {
  await emulator.close();
});

const raw = async (path: string) => (await fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } })).json();

describe('fields included only on request', () => {
  it('are absent from lists and retrieves, not null', async () => {
    const prices = await stripe.prices.list({ limit: 10 });
    for (const price of prices.data) {
      expect(price).not.toHaveProperty('tiers');
      expect(price).not.toHaveProperty('currency_options');
    }
    expect(await stripe.prices.retrieve('price_tiered')).not.toHaveProperty('tiers');
    const coupon = await stripe.coupons.retrieve('TEAM20');
    expect(coupon).not.toHaveProperty('applies_to');
    expect((await stripe.coupons.list()).data[0]).not.toHaveProperty('applies_to');
    // The raw JSON too, not only what the SDK builds from it.
    expect(Object.keys((await raw('/v1/prices/price_multi')) as object)).not.toContain('currency_options');
  });

  it('are served on expand[], with data. in lists', async () => {
    expect(bounds((await stripe.prices.retrieve('price_tiered', { expand: ['tiers'] })).tiers)).toEqual(TIER_BOUNDS);
    expect(eurAmount((await stripe.prices.retrieve('price_multi', { expand: ['currency_options'] })).currency_options)).toEqual(EUR_AMOUNT);
    const listed = await stripe.prices.list({ expand: ['data.tiers', 'data.currency_options'] });
    expect(Object.fromEntries(listed.data.map((p) => [p.id, [bounds(p.tiers), eurAmount(p.currency_options)]]))).toEqual({
      price_tiered: [TIER_BOUNDS, undefined],
      price_multi: [undefined, EUR_AMOUNT],
    });
    expect((await stripe.coupons.retrieve('TEAM20', { expand: ['applies_to'] })).applies_to).toEqual({ products: ['prod_team'] });
    expect((await stripe.coupons.list({ expand: ['data.applies_to'] })).data[0]!.applies_to).toEqual({ products: ['prod_team'] });
  });

  it('are absent from copies embedded in other objects unless the path names them', async () => {
    const [subscription] = (await stripe.subscriptions.list({ expand: ['data.discounts'] })).data;
    for (const item of subscription!.items.data) {
      expect(item.price).not.toHaveProperty('tiers');
      expect(item.price).not.toHaveProperty('currency_options');
    }
    const retrieved = await stripe.subscriptions.retrieve('sub_a', { expand: ['items.data.price.tiers', 'discounts.source.coupon.applies_to'] });
    expect(retrieved.items.data.map((item) => bounds(item.price.tiers))).toEqual([TIER_BOUNDS, undefined]);
    expect(retrieved.items.data[1]!.price).not.toHaveProperty('currency_options');
    const coupon = (retrieved.discounts[0] as Stripe.Discount).source.coupon as Stripe.Coupon;
    expect(coupon.applies_to).toEqual({ products: ['prod_team'] });
    const plain = await stripe.subscriptions.retrieve('sub_a', { expand: ['discounts.source.coupon'] });
    expect((plain.discounts[0] as Stripe.Discount).source.coupon).not.toHaveProperty('applies_to');
    const item = await stripe.subscriptionItems.retrieve('si_1', { expand: ['price.currency_options'] });
    expect(eurAmount(item.price.currency_options)).toEqual(EUR_AMOUNT);
  });

  it('are absent from event payloads', async () => {
    const created = emulator.createSubscription({ account: 'acct_includable', customer: 'cus_a', items: [{ price: 'price_tiered', quantity: 2 }, { price: 'price_multi' }] });
    const [event] = (await stripe.events.list({ type: 'customer.subscription.created', limit: 1 })).data;
    const payload = event!.data.object as Stripe.Subscription;
    expect(payload.id).toBe(created.id);
    expect(payload.items.data.map((item) => item.price.id)).toEqual(['price_tiered', 'price_multi']);
    for (const item of payload.items.data) expect(Object.keys(item.price)).not.toEqual(expect.arrayContaining(['tiers']));
    expect(Object.keys(payload.items.data[1]!.price)).not.toContain('currency_options');
  });

  it('past four levels are refused as Stripe refuses them', async () => {
    // An embedded price's tiers on a subscription list would be data.items.data.price.tiers: five levels.
    const error = await stripe.subscriptions.list({ expand: ['data.items.data.price.tiers'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, message: 'You cannot expand more than 4 levels of a property.' });
    const listed = await stripe.subscriptions.list({ expand: ['data.items.data.price'] });
    expect(listed.data[0]!.items.data[0]!.price).not.toHaveProperty('tiers');
  });
});
