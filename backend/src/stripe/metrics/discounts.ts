/**
 * Coupons applied to monthly amounts. Discounts arrive as ids or expanded objects, and their
 * coupon as an id or an expanded object; what cannot be resolved through the lookups is ignored
 * (with a warning) because guessing a coupon would invent revenue changes.
 */
import type Stripe from 'stripe';
import { type Fraction, ONE, ZERO, compare, currencyKey, div, fraction, isZero, mul, parseDecimal, sub, sum } from './money.js';
import { toMonthly } from './normalize.js';
import type { Warn } from './warnings.js';

export interface DiscountLookups {
  /** Coupons by id, for discounts whose `source.coupon` is not expanded. */
  coupons?: ReadonlyMap<string, Stripe.Coupon>;
  /** Discounts by id, for subscriptions and items whose `discounts` are not expanded. */
  discounts?: ReadonlyMap<string, Stripe.Discount>;
}

export interface ResolvedDiscount {
  readonly discount: Stripe.Discount;
  readonly coupon: Stripe.Coupon;
}

/** A monthly amount one item contributes, as far as discounts are concerned. */
export interface DiscountLine {
  readonly productId: string | undefined;
  /** The item's `current_period_start`: a repeating discount counts while it has not ended by then. */
  readonly periodStart: number;
  readonly amount: Fraction;
}

type Recurring = Pick<Stripe.Price.Recurring, 'interval' | 'interval_count'>;

/**
 * The catalog's copy first: it is listed with `applies_to` expanded, which an embedded coupon never
 * carries (under a subscription list it would be five levels deep, past Stripe's four), and a
 * coupon's terms cannot change after creation. An expanded coupon missing from the lookups still counts.
 */
function couponOf(discount: Stripe.Discount, lookups: DiscountLookups): Stripe.Coupon | undefined {
  const coupon = discount.source.coupon;
  const id = typeof coupon === 'string' ? coupon : coupon?.id;
  const listed = id === undefined ? undefined : lookups.coupons?.get(id);
  return listed ?? (typeof coupon === 'string' ? undefined : (coupon ?? undefined));
}

export function resolveDiscount(ref: string | Stripe.Discount, lookups: DiscountLookups): ResolvedDiscount | undefined {
  const discount = typeof ref === 'string' ? lookups.discounts?.get(ref) : ref;
  const coupon = discount && couponOf(discount, lookups);
  return discount && coupon ? { discount, coupon } : undefined;
}

export function resolveAll(refs: ReadonlyArray<string | Stripe.Discount>, lookups: DiscountLookups, warn: Warn): ResolvedDiscount[] {
  const resolved: ResolvedDiscount[] = [];
  for (const ref of refs) {
    const found = resolveDiscount(ref, lookups);
    if (found) resolved.push(found);
    else warn(`discount ${typeof ref === 'string' ? ref : ref.id} ignored: its discount or coupon is not expanded nor in the lookups`);
  }
  return resolved;
}

/**
 * A subscription that lists discounts of its own ignores the customer's, even when one of its own
 * cannot be resolved: Stripe would not apply the customer's there either.
 */
export function subscriptionLevelDiscounts(
  subscription: Stripe.Subscription,
  customer: Stripe.Customer,
  lookups: DiscountLookups,
  warn: Warn,
): ResolvedDiscount[] {
  const refs = subscription.discounts.length > 0 ? subscription.discounts : customer.discount ? [customer.discount] : [];
  return resolveAll(refs, lookups, warn);
}

/** `once` was used up on the first invoice; a repeating one lasts until its `end`. */
export function isInEffect({ discount, coupon }: ResolvedDiscount, periodStart: number): boolean {
  if (coupon.duration === 'forever') return true;
  if (coupon.duration === 'repeating') return discount.end === null || discount.end > periodStart;
  return false;
}

/** `applies_to` is only present when expanded (the catalog's coupons are); absent, the coupon covers every product. */
export function appliesToProduct(coupon: Stripe.Coupon, productId: string | undefined): boolean {
  const products = coupon.applies_to?.products;
  return !products || (productId !== undefined && products.includes(productId));
}

/** amount_off in the billed currency: the coupon's own or its `currency_options` entry, never a conversion. */
export function amountOffIn(coupon: Stripe.Coupon, currency: string): number | undefined {
  if (coupon.amount_off === null) return undefined;
  if (coupon.currency && currencyKey(coupon.currency) === currencyKey(currency)) return coupon.amount_off;
  return coupon.currency_options?.[currencyKey(currency)]?.amount_off;
}

function applyPercent(lines: DiscountLine[], eligible: boolean[], percentOff: number): DiscountLine[] {
  const keep = sub(ONE, div(parseDecimal(percentOff), fraction(100)));
  return lines.map((line, i) => (eligible[i] ? { ...line, amount: mul(line.amount, keep) } : line));
}

/** One amount for the whole eligible subtotal, shared in proportion like Stripe's discount_amounts. */
function applyAmount(lines: DiscountLine[], eligible: boolean[], monthlyOff: Fraction): DiscountLine[] {
  const total = sum(lines.filter((_, i) => eligible[i]).map((line) => line.amount));
  if (isZero(total)) return lines;
  const taken = compare(monthlyOff, total) < 0 ? monthlyOff : total;
  const keep = sub(ONE, div(taken, total));
  return lines.map((line, i) => (eligible[i] ? { ...line, amount: mul(line.amount, keep) } : line));
}

/**
 * Applies discounts in the order listed. `billing` is the interval an amount_off is taken per
 * (the item's for item discounts, the subscription's for subscription and customer ones).
 */
export function applyDiscounts(
  lines: DiscountLine[],
  discounts: ReadonlyArray<ResolvedDiscount>,
  context: { currency: string; billing: Recurring | undefined; warn: Warn },
): DiscountLine[] {
  let current = lines;
  for (const resolved of discounts) {
    const { coupon } = resolved;
    const eligible = current.map((line) => isInEffect(resolved, line.periodStart) && appliesToProduct(coupon, line.productId));
    if (!eligible.some(Boolean)) continue;
    if (coupon.percent_off !== null) {
      current = applyPercent(current, eligible, coupon.percent_off);
      continue;
    }
    const amountOff = amountOffIn(coupon, context.currency);
    const monthlyOff = amountOff !== undefined && context.billing ? toMonthly(fraction(amountOff), context.billing) : undefined;
    if (monthlyOff) current = applyAmount(current, eligible, monthlyOff);
    else context.warn(`coupon ${coupon.id} ignored: no amount_off in ${currencyKey(context.currency)}`);
  }
  return current.map((line) => (compare(line.amount, ZERO) < 0 ? { ...line, amount: ZERO } : line));
}
