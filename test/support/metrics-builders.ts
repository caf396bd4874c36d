/**
 * Test-only builders over the Stripe emulator's factories (canonical Stripe examples with
 * overrides), with the defaults of the spec's vectors: USD, monthly, quantity 1, licensed, per
 * unit, exclusive tax, no discount.
 */
import type Stripe from 'stripe';
import {
  makeCoupon,
  makeCreditNote,
  makeCustomer,
  makeDiscount,
  makeInvoice,
  makeList,
  makePrice,
  makeProduct,
  makeSubscription,
  makeSubscriptionItem,
  wireDecimal,
} from '../stripe-emulator/objects.js';
import type { ParticipantInput } from '@ui/backend/src/stripe/metrics/index.js';

/** A fixed "now": period starts, discount ends and creation times are placed around it. */
export const T0 = 1_750_000_000;
const DAY = 86_400;

let sequence = 0;
export const nextId = (prefix: string): string => `${prefix}_test${String(++sequence).padStart(6, '0')}`;

export function product(name: string): Stripe.Product {
  return makeProduct({ id: nextId('prod'), created: T0 - 400 * DAY, name });
}

export interface PriceSpec {
  unit?: number | string;
  interval?: Stripe.Price.Recurring.Interval;
  count?: number;
  usage?: Stripe.Price.Recurring.UsageType;
  currency?: string;
  /** An id (looked up in the products map) or an expanded product. */
  product?: Stripe.Product | string;
  nickname?: string | null;
  tiers?: Array<Partial<Stripe.Price.Tier> & Pick<Stripe.Price.Tier, 'up_to'>>;
  tiersMode?: Stripe.Price.TiersMode;
  transform?: Stripe.Price.TransformQuantity;
  taxBehavior?: Stripe.Price.TaxBehavior;
  currencyOptions?: Stripe.Price['currency_options'];
}

function tier(t: Partial<Stripe.Price.Tier> & Pick<Stripe.Price.Tier, 'up_to'>): Stripe.Price.Tier {
  return { flat_amount: null, flat_amount_decimal: null, unit_amount: null, unit_amount_decimal: null, ...t };
}

export function price(spec: PriceSpec = {}): Stripe.Price {
  const unit = spec.unit ?? 2000;
  const tiered = spec.tiers !== undefined;
  return makePrice({
    id: nextId('price'),
    created: T0 - 400 * DAY,
    currency: spec.currency ?? 'usd',
    product: spec.product ?? 'prod_default',
    nickname: spec.nickname ?? null,
    recurring: {
      interval: spec.interval ?? 'month',
      interval_count: spec.count ?? 1,
      meter: null,
      trial_period_days: null,
      usage_type: spec.usage ?? 'licensed',
    },
    billing_scheme: tiered ? 'tiered' : 'per_unit',
    tiers_mode: tiered ? (spec.tiersMode ?? 'volume') : null,
    ...(spec.tiers ? { tiers: spec.tiers.map(tier) } : {}),
    unit_amount: tiered || typeof unit === 'string' ? null : unit,
    unit_amount_decimal: tiered ? null : wireDecimal(unit),
    transform_quantity: spec.transform ?? null,
    tax_behavior: spec.taxBehavior ?? 'exclusive',
    ...(spec.currencyOptions ? { currency_options: spec.currencyOptions } : {}),
  });
}

export interface ItemSpec {
  quantity?: number;
  discounts?: Array<string | Stripe.Discount>;
  taxRates?: Stripe.TaxRate[];
  created?: number;
  id?: string;
  periodStart?: number;
}

export function item(itemPrice: Stripe.Price, spec: ItemSpec = {}): Stripe.SubscriptionItem {
  const metered = itemPrice.recurring?.usage_type === 'metered';
  return makeSubscriptionItem({
    id: spec.id ?? nextId('si'),
    created: spec.created ?? T0 - 100 * DAY,
    current_period_start: spec.periodStart ?? T0 - 10 * DAY,
    price: itemPrice,
    ...(metered && spec.quantity === undefined ? {} : { quantity: spec.quantity ?? 1 }),
    discounts: spec.discounts ?? [],
    tax_rates: spec.taxRates ?? [],
  });
}

export function subscription(items: Stripe.SubscriptionItem[], overrides: Partial<Stripe.Subscription> = {}): Stripe.Subscription {
  const id = overrides.id ?? nextId('sub');
  return makeSubscription({
    currency: items[0]?.price.currency ?? 'usd',
    status: 'active',
    customer: 'cus_test',
    ...overrides,
    id,
    created: overrides.created ?? T0 - 100 * DAY,
    items: makeList(items, `/v1/subscription_items?subscription=${id}`),
  });
}

/** A subscription of one item at `spec`'s price. */
export function simple(spec: PriceSpec & ItemSpec = {}, overrides: Partial<Stripe.Subscription> = {}): Stripe.Subscription {
  return subscription([item(price(spec), spec)], overrides);
}

export function invoice(status: Stripe.Invoice.Status, amountPaid: number, overrides: Partial<Stripe.Invoice> = {}): Stripe.Invoice {
  return makeInvoice({
    id: nextId('in'),
    created: T0 - 30 * DAY,
    customer: 'cus_test',
    currency: 'usd',
    status,
    amount_paid: amountPaid,
    ...overrides,
  });
}

export function creditNote(on: Stripe.Invoice, refunded: number, overrides: Partial<Stripe.CreditNote> = {}): Stripe.CreditNote {
  return makeCreditNote({
    id: nextId('cn'),
    created: T0 - 5 * DAY,
    customer: 'cus_test',
    currency: on.currency,
    invoice: on.id,
    amount: refunded,
    status: 'issued',
    out_of_band_amount: null,
    refunds: refunded > 0 ? [{ amount_refunded: refunded, refund: nextId('re'), payment_record_refund: null, type: 'refund' }] : [],
    ...overrides,
  });
}

export function coupon(overrides: Partial<Stripe.Coupon> & Pick<Stripe.Coupon, 'duration'>): Stripe.Coupon {
  return makeCoupon({ id: nextId('coupon'), created: T0 - 200 * DAY, ...overrides });
}

export function percentOff(percent: number, duration: Stripe.Coupon.Duration = 'forever', overrides: Partial<Stripe.Coupon> = {}): Stripe.Coupon {
  return coupon({ duration, percent_off: percent, ...overrides });
}

export function amountOff(amount: number, currency = 'usd', duration: Stripe.Coupon.Duration = 'forever', overrides: Partial<Stripe.Coupon> = {}): Stripe.Coupon {
  return coupon({ duration, amount_off: amount, currency, ...overrides });
}

export function discount(of: Stripe.Coupon | string, overrides: Partial<Stripe.Discount> = {}): Stripe.Discount {
  return makeDiscount({ id: nextId('di'), start: T0 - 50 * DAY, source: { coupon: of, type: 'coupon' }, end: null, ...overrides });
}

export function customer(overrides: Partial<Stripe.Customer> = {}): Stripe.Customer {
  return makeCustomer({ id: 'cus_test', created: T0 - 365 * DAY, currency: 'usd', ...overrides });
}

export function taxRate(percentage: number, inclusive: boolean): Stripe.TaxRate {
  return {
    id: nextId('txr'),
    object: 'tax_rate',
    active: true,
    country: null,
    created: T0 - 400 * DAY,
    description: null,
    display_name: 'VAT',
    effective_percentage: percentage,
    flat_amount: null,
    inclusive,
    jurisdiction: null,
    jurisdiction_level: null,
    livemode: false,
    metadata: {},
    percentage,
    rate_type: 'percentage',
    state: null,
    tax_type: 'vat',
  };
}

export type MetricsSpec = Partial<Omit<ParticipantInput, 'products'>> & { products?: Stripe.Product[] };

/**
 * A participant's Stripe objects as the metric rules take them, the spec's defaults filled in.
 * Only the input: each test calls the rules itself, and its expected figures are written by hand.
 */
export function participantInput(spec: MetricsSpec = {}): ParticipantInput {
  const { products = [], ...rest } = spec;
  return {
    customer: customer(),
    subscriptions: [],
    invoices: [],
    creditNotes: [],
    creditNotesAvailable: true,
    ...rest,
    products: new Map(products.map((p) => [p.id, p])),
  };
}
