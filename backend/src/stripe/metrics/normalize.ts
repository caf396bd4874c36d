import type Stripe from 'stripe';
import { type Fraction, fraction, mul } from './money.js';

/** Months per interval unit, the convention of Stripe Billing analytics and ChartMogul. */
const PER_MONTH: ReadonlyMap<string, Fraction> = new Map([
  ['day', fraction(365, 12)],
  ['week', fraction(52, 12)],
  ['month', fraction(1)],
  ['year', fraction(1, 12)],
]);

/** What one billing period's amount is worth per month; undefined for an interval Stripe may add later. */
export function monthlyFactor(recurring: Pick<Stripe.Price.Recurring, 'interval' | 'interval_count'>): Fraction | undefined {
  const perUnit = PER_MONTH.get(recurring.interval);
  if (!perUnit || !Number.isInteger(recurring.interval_count) || recurring.interval_count <= 0) return undefined;
  return mul(perUnit, fraction(1, recurring.interval_count));
}

export function toMonthly(amountPerPeriod: Fraction, recurring: Pick<Stripe.Price.Recurring, 'interval' | 'interval_count'>): Fraction | undefined {
  const factor = monthlyFactor(recurring);
  return factor && mul(amountPerPeriod, factor);
}
