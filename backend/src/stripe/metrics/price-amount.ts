import type Stripe from 'stripe';
import { type Fraction, ZERO, add, currencyKey, decimalOr, fraction, mul } from './money.js';

/** The fields that price an item, in one currency (the price's own or one of its `currency_options`). */
export type Pricing = Pick<Stripe.Price, 'billing_scheme' | 'tiers_mode' | 'transform_quantity' | 'unit_amount' | 'unit_amount_decimal' | 'tax_behavior'> & {
  tiers?: ReadonlyArray<Stripe.Price.Tier>;
};

/**
 * A multi-currency price bills a subscription in the subscription's currency through
 * `currency_options`; without that entry the amount in that currency is unknown.
 */
export function pricingIn(price: Stripe.Price, currency: string): Pricing | undefined {
  if (currencyKey(price.currency) === currencyKey(currency)) return price;
  const options = price.currency_options?.[currencyKey(currency)];
  if (!options) return undefined;
  return {
    billing_scheme: price.billing_scheme,
    tiers_mode: price.tiers_mode,
    transform_quantity: price.transform_quantity,
    unit_amount: options.unit_amount,
    unit_amount_decimal: options.unit_amount_decimal,
    tax_behavior: options.tax_behavior ?? price.tax_behavior,
    ...(options.tiers ? { tiers: options.tiers } : {}),
  };
}

/** Quantity after `transform_quantity` (bill per 10 seats: 25 seats rounded up are 3 packs). */
export function billedQuantity(quantity: number, transform: Stripe.Price.TransformQuantity | null): bigint {
  const q = BigInt(quantity);
  if (!transform || transform.divide_by <= 0) return q;
  const by = BigInt(transform.divide_by);
  const down = q / by;
  return transform.round === 'up' && q % by !== 0n ? down + 1n : down;
}

const unitAmount = (tier: Stripe.Price.Tier): Fraction => decimalOr(tier.unit_amount_decimal, tier.unit_amount) ?? ZERO;
const flatAmount = (tier: Stripe.Price.Tier): Fraction => decimalOr(tier.flat_amount_decimal, tier.flat_amount) ?? ZERO;

/** Stripe lists tiers ascending with the open-ended one last; sorting guards hand-built objects. */
function sortedTiers(tiers: ReadonlyArray<Stripe.Price.Tier>): Stripe.Price.Tier[] {
  const bound = (tier: Stripe.Price.Tier): number => tier.up_to ?? Number.POSITIVE_INFINITY;
  return [...tiers].sort((a, b) => bound(a) - bound(b));
}

export function volumeAmount(tiers: ReadonlyArray<Stripe.Price.Tier>, quantity: bigint): Fraction {
  const tier = sortedTiers(tiers).find((t) => t.up_to === null || quantity <= BigInt(t.up_to));
  return tier ? add(mul(unitAmount(tier), fraction(quantity)), flatAmount(tier)) : ZERO;
}

export function graduatedAmount(tiers: ReadonlyArray<Stripe.Price.Tier>, quantity: bigint): Fraction {
  let total = ZERO;
  let below = 0n;
  for (const tier of sortedTiers(tiers)) {
    if (quantity <= below) break;
    const top = tier.up_to === null ? quantity : BigInt(tier.up_to);
    const units = (quantity < top ? quantity : top) - below;
    if (units > 0n) total = add(total, add(mul(unitAmount(tier), fraction(units)), flatAmount(tier)));
    below = top;
  }
  return total;
}

/**
 * One billing period's amount for `quantity` (missing = 1). Undefined when the price is tiered but
 * its `tiers` were not expanded: Stripe only returns them on request.
 */
export function amountPerPeriod(pricing: Pricing, quantity: number | undefined): Fraction | undefined {
  const q = quantity ?? 1;
  if (pricing.billing_scheme === 'tiered') {
    if (!pricing.tiers?.length) return undefined;
    const units = BigInt(q);
    return pricing.tiers_mode === 'graduated' ? graduatedAmount(pricing.tiers, units) : volumeAmount(pricing.tiers, units);
  }
  const unit = decimalOr(pricing.unit_amount_decimal, pricing.unit_amount) ?? ZERO;
  return mul(unit, fraction(billedQuantity(q, pricing.transform_quantity)));
}
