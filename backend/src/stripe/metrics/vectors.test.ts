/**
 * The 32 vectors of revenue-metrics.md, one test each, through the single entry point, and 33–36
 * added by hand for fields a sync must ask for or keep (test/sync/vector-account.ts encodes
 * the same figures end to end).
 */
import { describe, expect, it } from 'vitest';
import type { ParticipantMetrics } from './index.js';
import {
  T0,
  amountOff,
  creditNote,
  customer,
  discount,
  invoice,
  item,
  percentOff,
  price,
  product,
  simple,
  subscription,
  taxRate,
  participantInput,
  type MetricsSpec,
} from '../../../../test/support/metrics-builders.js';
import { wireDecimal } from '../../../../test/stripe-emulator/objects.js';
import { computeParticipantMetrics } from './index.js';
/** The rules under test, over a participant's objects (figures expected below are written by hand). */
const metricsOf = (spec?: MetricsSpec) => computeParticipantMetrics(participantInput(spec));

const DAY = 86_400;

function expectFigures(metrics: ParticipantMetrics, mrr: number, ltv: number, status: ParticipantMetrics['status']): void {
  expect({ mrr: metrics.mrr, ltv: metrics.ltv, status: metrics.status }).toEqual({ mrr, ltv, status });
  expect(metrics.warnings).toEqual([]);
}

const TIERS = [
  { up_to: 5, unit_amount: 700, unit_amount_decimal: null },
  { up_to: 10, unit_amount: 650 },
  { up_to: null, unit_amount: 600 },
];

describe('revenue-metrics.md vectors', () => {
  it('vector 1: active 2000/mo; 3 paid invoices of 2000', () => {
    const m = metricsOf({ subscriptions: [simple({ unit: 2000 })], invoices: [1, 2, 3].map(() => invoice('paid', 2000)) });
    expectFigures(m, 2000, 6000, 'active');
  });

  it('vector 2: active 120000/year; one paid invoice 120000', () => {
    const m = metricsOf({ subscriptions: [simple({ unit: 120000, interval: 'year' })], invoices: [invoice('paid', 120000)] });
    expectFigures(m, 10000, 120000, 'active');
  });

  it('vector 3: 30000 every 3 months', () => {
    expectFigures(metricsOf({ subscriptions: [simple({ unit: 30000, interval: 'month', count: 3 })] }), 10000, 0, 'active');
  });

  it('vector 4: 240000 every 2 years', () => {
    expectFigures(metricsOf({ subscriptions: [simple({ unit: 240000, interval: 'year', count: 2 })] }), 10000, 0, 'active');
  });

  it('vector 5: 1000/week', () => {
    expectFigures(metricsOf({ subscriptions: [simple({ unit: 1000, interval: 'week' })] }), 4333, 0, 'active');
  });

  it('vector 6: 100/day', () => {
    expectFigures(metricsOf({ subscriptions: [simple({ unit: 100, interval: 'day' })] }), 3042, 0, 'active');
  });

  it('vector 7: 1500 × quantity 10', () => {
    expectFigures(metricsOf({ subscriptions: [simple({ unit: 1500, quantity: 10 })] }), 15000, 0, 'active');
  });

  it("vector 8: items 5000 + 1000 × 3 (plan: the 5000 item's product)", () => {
    const pro = product('Pro');
    const seats = product('Extra seats');
    const sub = subscription([item(price({ unit: 1000, product: seats }), { quantity: 3 }), item(price({ unit: 5000, product: pro }))]);
    const m = metricsOf({ subscriptions: [sub], products: [pro, seats] });
    expectFigures(m, 8000, 0, 'active');
    expect(m.plan).toBe('Pro');
  });

  it('vector 9: base 2000 + a metered item; invoices paid 5500', () => {
    const sub = subscription([item(price({ unit: 2000 })), item(price({ unit: 10, usage: 'metered' }))]);
    expectFigures(metricsOf({ subscriptions: [sub], invoices: [invoice('paid', 2000), invoice('paid', 3500)] }), 2000, 5500, 'active');
  });

  it('vector 10: metered only; paid 3200', () => {
    const m = metricsOf({ subscriptions: [simple({ unit: 10, usage: 'metered' })], invoices: [invoice('paid', 3200)] });
    expectFigures(m, 0, 3200, 'active');
  });

  it('vector 11: volume tiers ≤5 @700, ≤10 @650, ∞ @600; qty 6 / qty 20', () => {
    const at = (quantity: number) => metricsOf({ subscriptions: [simple({ tiers: TIERS, tiersMode: 'volume', quantity })] });
    expectFigures(at(6), 3900, 0, 'active');
    expectFigures(at(20), 12000, 0, 'active');
  });

  it('vector 12: the same tiers graduated; qty 6 / qty 20', () => {
    const at = (quantity: number) => metricsOf({ subscriptions: [simple({ tiers: TIERS, tiersMode: 'graduated', quantity })] });
    expectFigures(at(6), 4150, 0, 'active');
    expectFigures(at(20), 12750, 0, 'active');
  });

  it('vector 13: per unit 1000, transform divide_by 10 round up, qty 25', () => {
    const sub = simple({ unit: 1000, transform: { divide_by: 10, round: 'up' }, quantity: 25 });
    expectFigures(metricsOf({ subscriptions: [sub] }), 3000, 0, 'active');
  });

  it('vector 14: unit_amount_decimal "0.5" × qty 1000', () => {
    expectFigures(metricsOf({ subscriptions: [simple({ unit: '0.5', quantity: 1000 })] }), 500, 0, 'active');
  });

  it('vector 15: forever 50%', () => {
    const sub = simple({ unit: 2000 }, { discounts: [discount(percentOff(50))] });
    expectFigures(metricsOf({ subscriptions: [sub] }), 1000, 0, 'active');
  });

  it('vector 16: repeating 25%, end after current_period_start', () => {
    const sub = simple({ unit: 2000, periodStart: T0 }, { discounts: [discount(percentOff(25, 'repeating'), { end: T0 + 60 * DAY })] });
    expectFigures(metricsOf({ subscriptions: [sub] }), 1500, 0, 'active');
  });

  it('vector 17: repeating 25%, end before current_period_start', () => {
    const sub = simple({ unit: 2000, periodStart: T0 }, { discounts: [discount(percentOff(25, 'repeating'), { end: T0 - DAY })] });
    expectFigures(metricsOf({ subscriptions: [sub] }), 2000, 0, 'active');
  });

  it('vector 18: once 100%', () => {
    const sub = simple({ unit: 2000 }, { discounts: [discount(percentOff(100, 'once'))] });
    expectFigures(metricsOf({ subscriptions: [sub] }), 2000, 0, 'active');
  });

  it('vector 19: forever amount_off 500', () => {
    const sub = simple({ unit: 2000 }, { discounts: [discount(amountOff(500))] });
    expectFigures(metricsOf({ subscriptions: [sub] }), 1500, 0, 'active');
  });

  it('vector 20: forever amount_off 3000', () => {
    const sub = simple({ unit: 2000 }, { discounts: [discount(amountOff(3000))] });
    expectFigures(metricsOf({ subscriptions: [sub] }), 0, 0, 'active');
  });

  it('vector 21: trialing 5000; a $0 trial invoice', () => {
    const m = metricsOf({ subscriptions: [simple({ unit: 5000 }, { status: 'trialing' })], invoices: [invoice('paid', 0)] });
    expectFigures(m, 0, 0, 'trial');
  });

  it('vector 22: past_due 2000; one paid 2000, one open 0', () => {
    const m = metricsOf({ subscriptions: [simple({ unit: 2000 }, { status: 'past_due' })], invoices: [invoice('paid', 2000), invoice('open', 0)] });
    expectFigures(m, 2000, 2000, 'active');
  });

  it('vector 23: unpaid 2000; two paid 2000', () => {
    const m = metricsOf({ subscriptions: [simple({ unit: 2000 }, { status: 'unpaid' })], invoices: [invoice('paid', 2000), invoice('paid', 2000)] });
    expectFigures(m, 0, 4000, 'churned');
  });

  it('vector 24: active, cancel_at_period_end', () => {
    const sub = simple({ unit: 2000 }, { cancel_at_period_end: true, cancel_at: T0 + 20 * DAY });
    expectFigures(metricsOf({ subscriptions: [sub] }), 2000, 0, 'active');
  });

  it('vector 25: only incomplete_expired', () => {
    const sub = simple({ unit: 2000 }, { status: 'incomplete_expired', ended_at: T0 - DAY });
    expectFigures(metricsOf({ subscriptions: [sub] }), 0, 0, 'churned');
  });

  it('vector 26: active with pause_collection', () => {
    const sub = simple({ unit: 2000 }, { pause_collection: { behavior: 'void', resumes_at: null } });
    expectFigures(metricsOf({ subscriptions: [sub] }), 0, 0, 'active');
  });

  it('vector 27: no subscription; one-off invoice paid 5000', () => {
    const m = metricsOf({ invoices: [invoice('paid', 5000)] });
    expectFigures(m, 0, 5000, 'none');
    expect(m.plan).toBeNull();
  });

  it('vector 28: paid 2000 + paid 2000 refunded in full by a credit note', () => {
    const refunded = invoice('paid', 2000);
    const m = metricsOf({ invoices: [invoice('paid', 2000), refunded], creditNotes: [creditNote(refunded, 2000)] });
    expectFigures(m, 0, 2000, 'none');
  });

  it('vector 29: invoices: paid 1000, open partially paid 300, uncollectible partially paid 200, void, draft', () => {
    const invoices = [
      invoice('paid', 1000),
      invoice('open', 300, { amount_due: 1000, amount_remaining: 700 }),
      invoice('uncollectible', 200, { amount_due: 1000, amount_remaining: 800 }),
      invoice('void', 0),
      invoice('draft', 0),
    ];
    expectFigures(metricsOf({ invoices }), 0, 1500, 'none');
  });

  it('vector 30: JPY 1000/month; JPY 1000/week', () => {
    const jpy = customer({ currency: 'jpy' });
    const monthly = metricsOf({ customer: jpy, subscriptions: [simple({ unit: 1000, currency: 'jpy' })] });
    const weekly = metricsOf({ customer: jpy, subscriptions: [simple({ unit: 1000, currency: 'jpy', interval: 'week' })] });
    expectFigures(monthly, 1000, 0, 'active');
    expectFigures(weekly, 4333, 0, 'active');
    expect(weekly.currency).toBe('jpy');
  });

  it('vector 31: three items of 1000/week', () => {
    const sub = subscription([1, 2, 3].map(() => item(price({ unit: 1000, interval: 'week' }))));
    expectFigures(metricsOf({ subscriptions: [sub] }), 13000, 0, 'active');
  });

  it('vector 32: 1001 every 2 months', () => {
    expectFigures(metricsOf({ subscriptions: [simple({ unit: 1001, count: 2 })] }), 501, 0, 'active');
  });

  it('vector 33: forever 20% restricted to one product, items of it 5000 + another product 3000', () => {
    const pro = product('Pro');
    const addon = product('Add-on');
    const restricted = percentOff(20, 'forever', { applies_to: { products: [pro.id] } });
    const sub = subscription([item(price({ unit: 5000, product: pro })), item(price({ unit: 3000, product: addon }))], { discounts: [discount(restricted.id)] });
    // 5000 × 0.8 + 3000; the coupon comes from the catalog, where it was listed with applies_to.
    const m = metricsOf({ subscriptions: [sub], products: [pro, addon], coupons: new Map([[restricted.id, restricted]]) });
    expectFigures(m, 7000, 0, 'active');
    expect(m.plan).toBe('Pro');
  });

  it('vector 34: a 2000 USD price with a 1800 EUR currency option, subscribed to in EUR', () => {
    const multi = price({ unit: 2000, currency: 'usd', currencyOptions: { eur: { custom_unit_amount: null, tax_behavior: 'exclusive', unit_amount: 1800, unit_amount_decimal: wireDecimal(1800) } } });
    const m = metricsOf({ customer: customer({ currency: 'eur' }), subscriptions: [subscription([item(multi)], { currency: 'eur' })] });
    expectFigures(m, 1800, 0, 'active');
    expect(m.currency).toBe('eur');
  });

  it('vector 35: graduated tiers ≤10 @500 plus a flat 1000, ∞ @400; qty 15', () => {
    const tiers = [{ up_to: 10, unit_amount: 500, flat_amount: 1000 }, { up_to: null, unit_amount: 400 }];
    // 1000 + 10 × 500 + 5 × 400
    expectFigures(metricsOf({ subscriptions: [simple({ tiers, tiersMode: 'graduated', quantity: 15 })] }), 8000, 0, 'active');
  });

  it("vector 36: an inclusive price of 2400 with the subscription's default tax rate of 20% inclusive", () => {
    const sub = simple({ unit: 2400, taxBehavior: 'inclusive' }, { default_tax_rates: [taxRate(20, true)] });
    // 2400 / 1.2
    expectFigures(metricsOf({ subscriptions: [sub] }), 2000, 0, 'active');
  });
});
