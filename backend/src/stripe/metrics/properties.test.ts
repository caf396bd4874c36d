/**
 * Property tests. fast-check is a dependency of the `test` package only and does not resolve from
 * backend/, so cases come from a small seeded generator instead; a failure names its seed.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { fraction, mul } from './money.js';
import { subscriptionMrr } from './mrr.js';
import { ignoreWarnings } from './warnings.js';
import {
  amountOff,
  creditNote,
  customer,
  discount,
  invoice,
  item,
  percentOff,
  price,
  subscription,
  taxRate,
  T0,
  participantInput,
  type MetricsSpec,
} from '../../../../test/support/metrics-builders.js';
import { computeParticipantMetrics } from './index.js';
/** The rules under test, over a participant's objects (figures expected below are written by hand). */
const metricsOf = (spec?: MetricsSpec) => computeParticipantMetrics(participantInput(spec));

type Random = () => number;

/** mulberry32: tiny, seedable, good enough to spread cases. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const int = (r: Random, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));
function pick<T>(r: Random, values: readonly T[]): T {
  const value = values[Math.floor(r() * values.length)];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
}

function forAll(runs: number, check: (r: Random, seed: number) => void): void {
  for (let seed = 1; seed <= runs; seed++) {
    try {
      check(seeded(seed), seed);
    } catch (error) {
      throw new Error(`property failed for seed ${seed}: ${(error as Error).message}`);
    }
  }
}

const INTERVALS = ['day', 'week', 'month', 'year'] as const;
const STATUSES = ['active', 'past_due', 'trialing', 'incomplete', 'incomplete_expired', 'unpaid', 'canceled', 'paused'] as const;
const PRODUCTS = ['prod_a', 'prod_b', 'prod_c'];

function randomTiers(r: Random): NonNullable<Parameters<typeof price>[0]>['tiers'] {
  const first = int(r, 1, 10);
  return [
    { up_to: first, unit_amount: int(r, 0, 5000), flat_amount: r() < 0.5 ? int(r, 0, 3000) : null },
    { up_to: first + int(r, 1, 10), unit_amount: int(r, 0, 5000) },
    { up_to: null, unit_amount: int(r, 0, 5000), flat_amount: int(r, 0, 100) },
  ];
}

function randomPrice(r: Random, currency: string, interval: Stripe.Price.Recurring.Interval, count: number): Stripe.Price {
  const base = { currency, interval, count, product: pick(r, PRODUCTS), taxBehavior: pick(r, ['exclusive', 'inclusive', 'unspecified'] as const) };
  const kind = int(r, 0, 4);
  if (kind === 0) return price({ ...base, tiers: randomTiers(r), tiersMode: pick(r, ['volume', 'graduated'] as const) });
  if (kind === 1) return price({ ...base, unit: `${int(r, 0, 999)}.${int(r, 0, 999)}` });
  if (kind === 2) return price({ ...base, unit: int(r, 0, 100000), transform: { divide_by: int(r, 1, 12), round: pick(r, ['up', 'down'] as const) } });
  if (kind === 3) return price({ ...base, unit: int(r, 0, 100000), usage: 'metered' });
  return price({ ...base, unit: int(r, 0, 100000) });
}

function randomDiscount(r: Random): Stripe.Discount {
  const duration = pick(r, ['forever', 'repeating', 'once'] as const);
  const appliesTo = r() < 0.3 ? { applies_to: { products: [pick(r, PRODUCTS)] } } : {};
  const coupon = r() < 0.5 ? percentOff(int(r, 1, 100), duration, appliesTo) : amountOff(int(r, 1, 200000), pick(r, ['usd', 'eur']), duration, appliesTo);
  return discount(coupon, { end: r() < 0.5 ? null : T0 + int(r, -60, 60) * 86_400 });
}

function randomDiscounts(r: Random): Stripe.Discount[] {
  return Array.from({ length: int(r, 0, 2) }, () => randomDiscount(r));
}

function randomSubscription(r: Random, currency = pick(r, ['usd', 'eur', 'jpy'])): Stripe.Subscription {
  const interval = pick(r, INTERVALS);
  const count = int(r, 1, 3);
  const items = Array.from({ length: int(r, 1, 3) }, () =>
    item(randomPrice(r, currency, interval, count), {
      quantity: int(r, 0, 40),
      discounts: randomDiscounts(r),
      taxRates: r() < 0.3 ? [taxRate(pick(r, [5, 7.7, 19, 20]), r() < 0.7)] : [],
    }),
  );
  return subscription(items, { currency, status: pick(r, STATUSES), discounts: randomDiscounts(r) });
}

describe('properties', () => {
  it('MRR is never negative, per currency or headline', () => {
    forAll(300, (r) => {
      const subs = Array.from({ length: int(r, 0, 4) }, () => randomSubscription(r));
      const m = metricsOf({ subscriptions: subs, customer: customer({ currency: pick(r, ['usd', 'eur', 'jpy']), discount: r() < 0.3 ? randomDiscount(r) : null }) });
      expect(m.mrr).toBeGreaterThanOrEqual(0);
      for (const amount of Object.values(m.mrrByCurrency)) expect(amount).toBeGreaterThanOrEqual(0);
    });
  });

  it("a subscription's MRR scales linearly with quantity for per-unit prices", () => {
    forAll(300, (r) => {
      const interval = pick(r, INTERVALS);
      const count = int(r, 1, 3);
      const prices = Array.from({ length: int(r, 1, 3) }, () =>
        price({ unit: r() < 0.5 ? int(r, 0, 100000) : `${int(r, 0, 99)}.${int(r, 1, 99)}`, interval, count, product: pick(r, PRODUCTS) }),
      );
      const quantities = prices.map(() => int(r, 0, 50));
      const factor = int(r, 0, 20);
      const percentages = r() < 0.5 ? [discount(percentOff(int(r, 1, 100), 'forever', r() < 0.5 ? { applies_to: { products: [pick(r, PRODUCTS)] } } : {}))] : [];
      const build = (k: number) =>
        subscription(prices.map((p, i) => item(p, { quantity: (quantities[i] ?? 0) * k })), { discounts: percentages });
      const context = { customer: customer(), warn: ignoreWarnings };
      expect(subscriptionMrr(build(factor), context)).toEqual(mul(subscriptionMrr(build(1), context), fraction(factor)));
    });
  });

  it('adding a paid invoice increases LTV by its amount_paid', () => {
    forAll(300, (r) => {
      const currency = pick(r, ['usd', 'eur', 'jpy']);
      const statuses = ['paid', 'open', 'uncollectible', 'void', 'draft'] as const;
      const invoices = Array.from({ length: int(r, 0, 6) }, () => invoice(pick(r, statuses), int(r, 0, 50000), { currency: pick(r, ['usd', 'eur', 'jpy']) }));
      const creditNotes = invoices.filter(() => r() < 0.4).map((on) => creditNote(on, int(r, 0, on.amount_paid), { status: r() < 0.8 ? 'issued' : 'void' }));
      const input = { customer: customer({ currency }), invoices, creditNotes, creditNotesAvailable: r() < 0.8 };
      const added = invoice('paid', int(r, 0, 1_000_000), { currency });
      const before = metricsOf(input);
      const after = metricsOf({ ...input, invoices: [...invoices, added] });
      expect(after.ltv - before.ltv).toBe(added.amount_paid);
      expect((after.ltvByCurrency[currency] ?? 0) - (before.ltvByCurrency[currency] ?? 0)).toBe(added.amount_paid);
    });
  });

  it('with one currency, the per-currency figures add up to the headline', () => {
    forAll(300, (r) => {
      const currency = pick(r, ['usd', 'eur', 'jpy']);
      const subs = Array.from({ length: int(r, 0, 4) }, () => randomSubscription(r, currency));
      const invoices = Array.from({ length: int(r, 0, 4) }, () => invoice(pick(r, ['paid', 'open', 'void'] as const), int(r, 0, 50000), { currency }));
      const m = metricsOf({ customer: customer({ currency: null }), subscriptions: subs, invoices });
      const total = (map: Record<string, number>) => Object.values(map).reduce((a, b) => a + b, 0);
      expect(total(m.mrrByCurrency)).toBe(m.mrr);
      expect(total(m.ltvByCurrency)).toBe(m.ltv);
      if (subs.length + invoices.length > 0) expect(m.currency).toBe(currency);
    });
  });
});
