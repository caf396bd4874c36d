/**
 * MRR excludes tax. Exclusive and unspecified prices are already net of it; an inclusive price
 * carries its tax inside, which can be taken out only when the rates are known (manual tax rates
 * on the item). Stripe Tax computes rates per invoice, so such inclusive prices stay as they are.
 */
import type Stripe from 'stripe';
import { type Fraction, ONE, add, div, fraction, parseDecimal, sum } from './money.js';

/** Item rates override the subscription's default rates, as on Stripe's invoices. */
export function itemTaxRates(item: Stripe.SubscriptionItem, subscription: Stripe.Subscription): ReadonlyArray<Stripe.TaxRate> {
  if (item.tax_rates?.length) return item.tax_rates;
  return subscription.default_tax_rates ?? [];
}

/** Percentage rates only: a flat-amount rate is not part of the price and has no divisor. */
const isInclusivePercentage = (rate: Stripe.TaxRate): boolean => rate.inclusive && rate.rate_type !== 'flat_amount';

/** 1 + the inclusive rates, which Stripe adds up rather than compounds. */
export function inclusiveDivisor(rates: ReadonlyArray<Stripe.TaxRate>): Fraction {
  const inclusive = rates.filter(isInclusivePercentage).map((rate) => parseDecimal(rate.percentage));
  return add(ONE, div(sum(inclusive), fraction(100)));
}

export function excludeTax(amount: Fraction, taxBehavior: Stripe.Price.TaxBehavior | null, rates: ReadonlyArray<Stripe.TaxRate>): Fraction {
  if (taxBehavior !== 'inclusive') return amount;
  return div(amount, inclusiveDivisor(rates));
}
