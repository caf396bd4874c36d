import { describe, expect, it } from 'vitest';
import { appliesToProduct, isInEffect, resolveDiscount } from './discounts.js';
import {
  T0,
  amountOff,
  customer,
  discount,
  item,
  percentOff,
  price,
  product,
  simple,
  subscription,
  participantInput,
  type MetricsSpec,
} from '../../../../test/support/metrics-builders.js';
import { computeParticipantMetrics } from './index.js';
/** The rules under test, over a participant's objects (figures expected below are written by hand). */
const metricsOf = (spec?: MetricsSpec) => computeParticipantMetrics(participantInput(spec));

const DAY = 86_400;

describe('which discounts apply', () => {
  it('repeating: while end is null or after the period start; once: never; forever: always', () => {
    const repeating = percentOff(25, 'repeating');
    expect(isInEffect({ discount: discount(repeating, { end: null }), coupon: repeating }, T0)).toBe(true);
    expect(isInEffect({ discount: discount(repeating, { end: T0 }), coupon: repeating }, T0)).toBe(false);
    expect(isInEffect({ discount: discount(repeating, { end: T0 + 1 }), coupon: repeating }, T0)).toBe(true);
    const once = percentOff(100, 'once');
    expect(isInEffect({ discount: discount(once), coupon: once }, T0)).toBe(false);
  });

  it('applies_to.products limits a coupon; without applies_to it covers every product', () => {
    const limited = percentOff(50, 'forever', { applies_to: { products: ['prod_a'] } });
    expect(appliesToProduct(limited, 'prod_a')).toBe(true);
    expect(appliesToProduct(limited, 'prod_b')).toBe(false);
    expect(appliesToProduct(percentOff(50), 'prod_b')).toBe(true);
  });

  it('resolves ids and unexpanded coupons through the lookups, else gives up', () => {
    const coupon = percentOff(10);
    const byId = discount(coupon.id);
    const lookups = { coupons: new Map([[coupon.id, coupon]]), discounts: new Map([[byId.id, byId]]) };
    expect(resolveDiscount(byId.id, lookups)?.coupon).toBe(coupon);
    expect(resolveDiscount(byId, {})).toBeUndefined();
    expect(resolveDiscount('di_unknown', lookups)).toBeUndefined();
    expect(resolveDiscount(discount(coupon), {})?.coupon).toBe(coupon);
  });
});

describe('discounts on MRR', () => {
  it("an expanded coupon is replaced by the catalog's copy, which alone carries applies_to", () => {
    const listed = percentOff(50, 'forever', { applies_to: { products: ['prod_a'] } });
    const { applies_to: _onlyWhenExpanded, ...embedded } = listed;
    const sub = subscription([item(price({ unit: 2000, product: 'prod_a' })), item(price({ unit: 1000, product: 'prod_b' }))], { discounts: [discount(embedded)] });
    expect(metricsOf({ subscriptions: [sub], coupons: new Map([[listed.id, listed]]) }).mrr).toBe(1000 + 1000);
    // Missing from the catalog (a deleted coupon still discounts), the expanded copy counts as it is.
    expect(metricsOf({ subscriptions: [sub] }).mrr).toBe(1000 + 500);
  });

  it('a coupon with applies_to only reduces items of those products', () => {
    const a = product('A');
    const b = product('B');
    const coupon = percentOff(50, 'forever', { applies_to: { products: [a.id] } });
    const sub = subscription([item(price({ unit: 2000, product: a })), item(price({ unit: 1000, product: b }))], { discounts: [discount(coupon)] });
    expect(metricsOf({ subscriptions: [sub], products: [a, b] }).mrr).toBe(2000);
  });

  it('an amount_off limited to a product is taken from that product only, never below 0', () => {
    const a = product('A');
    const b = product('B');
    const coupon = amountOff(1500, 'usd', 'forever', { applies_to: { products: [b.id] } });
    const sub = subscription([item(price({ unit: 2000, product: a })), item(price({ unit: 1000, product: b }))], { discounts: [discount(coupon)] });
    expect(metricsOf({ subscriptions: [sub], products: [a, b] }).mrr).toBe(2000);
  });

  it('an amount_off in another currency is ignored (with a warning)', () => {
    const m = metricsOf({ subscriptions: [simple({ unit: 2000 }, { discounts: [discount(amountOff(500, 'eur'))] })] });
    expect(m.mrr).toBe(2000);
    expect(m.warnings).toHaveLength(1);
  });

  it("an amount_off applies in the subscription's currency through the coupon's currency_options", () => {
    const coupon = amountOff(500, 'usd', 'forever', { currency_options: { eur: { amount_off: 400 } } });
    const eur = customer({ currency: 'eur' });
    const m = metricsOf({ customer: eur, subscriptions: [simple({ unit: 2000, currency: 'eur' }, { discounts: [discount(coupon)] })] });
    expect(m).toMatchObject({ mrr: 1600, currency: 'eur', warnings: [] });
  });

  it("an amount_off is taken once per the subscription's billing period", () => {
    const sub = simple({ unit: 120000, interval: 'year' }, { discounts: [discount(amountOff(12000))] });
    expect(metricsOf({ subscriptions: [sub] }).mrr).toBe(9000);
    const quarterly = simple({ unit: 30000, count: 3 }, { discounts: [discount(amountOff(3000))] });
    expect(metricsOf({ subscriptions: [quarterly] }).mrr).toBe(9000);
  });

  it('item discounts come before subscription discounts', () => {
    const sub = simple({ unit: 2000, discounts: [discount(percentOff(50))] }, { discounts: [discount(amountOff(500))] });
    expect(metricsOf({ subscriptions: [sub] }).mrr).toBe(500);
  });

  it('several discounts at one level apply in the order listed', () => {
    const halfThen500 = simple({ unit: 2000 }, { discounts: [discount(percentOff(50)), discount(amountOff(500))] });
    const fiveHundredThenHalf = simple({ unit: 2000 }, { discounts: [discount(amountOff(500)), discount(percentOff(50))] });
    expect(metricsOf({ subscriptions: [halfThen500] }).mrr).toBe(500);
    expect(metricsOf({ subscriptions: [fiveHundredThenHalf] }).mrr).toBe(750);
    const twoPercentages = simple({ unit: 2000 }, { discounts: [discount(percentOff(50)), discount(percentOff(10))] });
    expect(metricsOf({ subscriptions: [twoPercentages] }).mrr).toBe(900);
  });

  it("the customer's discount applies only to subscriptions without their own", () => {
    const withCustomerDiscount = customer({ discount: discount(percentOff(10)) });
    const plain = simple({ unit: 2000 });
    const own = simple({ unit: 2000 }, { discounts: [discount(percentOff(50))] });
    expect(metricsOf({ customer: withCustomerDiscount, subscriptions: [plain] }).mrr).toBe(1800);
    expect(metricsOf({ customer: withCustomerDiscount, subscriptions: [own] }).mrr).toBe(1000);
    expect(metricsOf({ customer: withCustomerDiscount, subscriptions: [plain, own] }).mrr).toBe(2800);
  });

  it('a repeating discount is checked against each item’s current_period_start', () => {
    const coupon = percentOff(50, 'repeating');
    const sub = subscription(
      [item(price({ unit: 2000 }), { periodStart: T0 }), item(price({ unit: 2000 }), { periodStart: T0 + 20 * DAY })],
      { discounts: [discount(coupon, { end: T0 + 10 * DAY })] },
    );
    expect(metricsOf({ subscriptions: [sub] }).mrr).toBe(3000);
  });

  it('discounts given as ids resolve through the lookups; unresolvable ones are ignored with a warning', () => {
    const coupon = percentOff(25);
    const stored = discount(coupon.id);
    const sub = simple({ unit: 2000 }, { discounts: [stored.id, 'di_missing'] });
    const m = metricsOf({ subscriptions: [sub], discounts: new Map([[stored.id, stored]]), coupons: new Map([[coupon.id, coupon]]) });
    expect(m.mrr).toBe(1500);
    expect(m.warnings).toEqual([expect.stringContaining('di_missing')]);
  });

  it("an unresolvable subscription discount is ignored and still replaces the customer's", () => {
    const withCustomerDiscount = customer({ discount: discount(percentOff(10)) });
    const m = metricsOf({ customer: withCustomerDiscount, subscriptions: [simple({ unit: 2000 }, { discounts: ['di_missing'] })] });
    expect(m.mrr).toBe(2000);
    expect(m.warnings).toHaveLength(1);
  });
});
