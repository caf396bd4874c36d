import type Stripe from 'stripe';
import { type DiscountLine, type DiscountLookups, applyDiscounts, resolveAll, subscriptionLevelDiscounts } from './discounts.js';
import { type ExactByCurrency, type Fraction, ZERO, addIn, sum } from './money.js';
import { toMonthly } from './normalize.js';
import { type Pricing, amountPerPeriod, pricingIn } from './price-amount.js';
import { excludeTax, itemTaxRates } from './tax.js';
import type { Warn } from './warnings.js';

export interface MrrContext extends DiscountLookups {
  /** Its `discount` applies to subscriptions that have none of their own. */
  customer: Stripe.Customer;
  warn: Warn;
}

/** Recurring revenue is what is being collected now: trials, pauses and unpaid ones bring none. */
export function countsTowardMrr(subscription: Stripe.Subscription): boolean {
  const billing = subscription.status === 'active' || subscription.status === 'past_due';
  return billing && !subscription.pause_collection;
}

/** Metered usage varies month to month, so it is revenue (LTV) but not recurring revenue. */
export function isLicensedRecurring(item: Stripe.SubscriptionItem): boolean {
  return item.price.recurring?.usage_type === 'licensed';
}

export function productIdOf(price: Stripe.Price): string {
  return typeof price.product === 'string' ? price.product : price.product.id;
}

function itemPricing(item: Stripe.SubscriptionItem, subscription: Stripe.Subscription, warn: Warn): Pricing | undefined {
  const pricing = pricingIn(item.price, subscription.currency);
  if (!pricing) warn(`item ${item.id} ignored: price ${item.price.id} has no amount in ${subscription.currency}`);
  return pricing;
}

/** Monthly amount as priced (tax as the price has it), before discounts; 0 for metered items. */
function monthlyListAmount(item: Stripe.SubscriptionItem, pricing: Pricing | undefined, warn: Warn): Fraction {
  const recurring = item.price.recurring;
  if (!pricing || !recurring || !isLicensedRecurring(item)) return ZERO;
  const perPeriod = amountPerPeriod(pricing, item.quantity);
  if (!perPeriod) warn(`item ${item.id} ignored: tiered price ${item.price.id} came without its tiers (expand them)`);
  const monthly = perPeriod && toMonthly(perPeriod, recurring);
  if (perPeriod && !monthly) warn(`item ${item.id} ignored: unknown interval ${recurring.interval}`);
  return monthly ?? ZERO;
}

/** The plan is chosen on this: normalized, net of tax, before discounts. */
export function itemMonthlyBeforeDiscounts(item: Stripe.SubscriptionItem, subscription: Stripe.Subscription, warn: Warn): Fraction {
  const pricing = itemPricing(item, subscription, warn);
  const monthly = monthlyListAmount(item, pricing, warn);
  return excludeTax(monthly, pricing?.tax_behavior ?? null, itemTaxRates(item, subscription));
}

/** Items of one subscription share its interval; an amount_off is taken once per that period. */
function subscriptionBilling(items: ReadonlyArray<Stripe.SubscriptionItem>): Stripe.Price.Recurring | undefined {
  return items.find(isLicensedRecurring)?.price.recurring ?? undefined;
}

function discountedItemLine(item: Stripe.SubscriptionItem, pricing: Pricing | undefined, subscription: Stripe.Subscription, context: MrrContext): DiscountLine {
  const line: DiscountLine = {
    productId: productIdOf(item.price),
    periodStart: item.current_period_start,
    amount: monthlyListAmount(item, pricing, context.warn),
  };
  const discounts = resolveAll(item.discounts, context, context.warn);
  const terms = { currency: subscription.currency, billing: item.price.recurring ?? undefined, warn: context.warn };
  return applyDiscounts([line], discounts, terms)[0] ?? line;
}

/**
 * A subscription's MRR in its own currency, whatever its status: amounts normalized to a month,
 * item discounts, then subscription (or customer) discounts, then inclusive tax taken out. Tax comes
 * last because a coupon reduces the tax-inclusive price and the tax inside shrinks with it.
 */
export function subscriptionMrr(subscription: Stripe.Subscription, context: MrrContext): Fraction {
  if (subscription.items.has_more) context.warn(`subscription ${subscription.id} has more items than were passed: MRR counts those given`);
  const items = subscription.items.data.filter(isLicensedRecurring);
  const pricings = items.map((item) => itemPricing(item, subscription, context.warn));
  const itemLines = items.map((item, i) => discountedItemLine(item, pricings[i], subscription, context));
  const discounts = subscriptionLevelDiscounts(subscription, context.customer, context, context.warn);
  const terms = { currency: subscription.currency, billing: subscriptionBilling(items), warn: context.warn };
  const lines = applyDiscounts(itemLines, discounts, terms);
  const rates = items.map((item) => itemTaxRates(item, subscription));
  return sum(lines.map((line, i) => excludeTax(line.amount, pricings[i]?.tax_behavior ?? null, rates[i] ?? [])));
}

/** MRR of the subscriptions that bring revenue now, per currency (never added across currencies). */
export function mrrByCurrency(subscriptions: ReadonlyArray<Stripe.Subscription>, context: MrrContext): ExactByCurrency {
  let total: ExactByCurrency = new Map();
  for (const subscription of subscriptions.filter(countsTowardMrr)) {
    total = addIn(total, subscription.currency, subscriptionMrr(subscription, context));
  }
  return total;
}
