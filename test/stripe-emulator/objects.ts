/**
 * Stripe API objects as API version 2026-10-28.endive (stripe-node 23) returns them, built from
 * Stripe's canonical examples (openapi fixtures3.json) with fields overridden.
 *
 * Each factory passes `{...canonicalExample, ...defaults}` where the SDK type is expected, so the
 * compiler checks the canonical JSON's inferred type against the SDK type: a field the SDK
 * renamed, retyped or newly requires fails `tsc` here instead of surprising a consumer. Where the
 * example predates the pinned version, the factory says so next to the field it adds or drops.
 *
 * Nested values taken from the canonical example are shared, frozen objects (cloning them per
 * object would cost gigabytes at 100,000 customers): replace them, never mutate them in place.
 * Values a factory creates (metadata, lists, discounts arrays, …) belong to the one object.
 */
import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type Stripe from 'stripe';

type CanonicalResources = (typeof import('../../vendor/stripe-reference/openapi-fixtures3.json'))['resources'];

const FIXTURES_URL = new URL('../../vendor/stripe-reference/openapi-fixtures3.json', import.meta.url);

/** The stripe package pins this version; the type makes `tsc` fail if the pin moves. */
export const API_VERSION: Stripe.LatestApiVersion = '2026-10-28.endive';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

type Canonical = Pick<
  CanonicalResources,
  | 'account'
  | 'coupon'
  | 'credit_note'
  | 'credit_note_line_item'
  | 'customer'
  | 'discount'
  | 'event'
  | 'invoice'
  | 'line_item'
  | 'plan'
  | 'price'
  | 'product'
  | 'subscription'
  | 'subscription_item'
>;

function loadCanonical(): Canonical {
  const parsed: { resources: CanonicalResources } = JSON.parse(readFileSync(FIXTURES_URL, 'utf8'));
  const r = parsed.resources;
  // Only the examples used here are kept; the rest of the 187 KB file is dropped after load.
  const used: Canonical = {
    account: r.account,
    coupon: r.coupon,
    credit_note: r.credit_note,
    credit_note_line_item: r.credit_note_line_item,
    customer: r.customer,
    discount: r.discount,
    event: r.event,
    invoice: r.invoice,
    line_item: r.line_item,
    plan: r.plan,
    price: r.price,
    product: r.product,
    subscription: r.subscription,
    subscription_item: r.subscription_item,
  };
  // Templates are spread, never handed out, so only the values they share need freezing (and a
  // non-frozen template keeps V8's fast object cloning).
  for (const resource of Object.values(used)) for (const value of Object.values(resource)) deepFreeze(value);
  return used;
}

const canonical = loadCanonical();

/** The canonical invoice still carries `subscription`, which API 2025-03-31 removed from invoices. */
const { subscription: _removedInvoiceSubscription, ...invoiceTemplate } = canonical.invoice;

/**
 * The API sends decimals as strings ("0.5"); stripe-node 23 turns them into `Stripe.Decimal`
 * objects only while parsing a response. The emulator stores and serves the wire form.
 */
export function wireDecimal(value: string | number): Stripe.Decimal {
  return String(value) as unknown as Stripe.Decimal;
}

function wireDecimalOrNull(value: number | null): Stripe.Decimal | null {
  return value === null ? null : wireDecimal(value);
}

const ALPHANUMERIC_CODES = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'].map((c) => c.charCodeAt(0));

/** Random part lengths seen on real ids (`cus_QXg1o8vcGmoR32`, `sub_1Pgc6rB7WZ01zgkWNy0Cn5nw`). */
const ID_LENGTH: Record<string, number> = { acct: 16, cus: 14, prod: 14, si: 14 };

function cryptoRandom(): number {
  return randomInt(0, 2 ** 32) / 2 ** 32;
}

/**
 * `prefix_` + `length` random alphanumerics. Built from char codes in one go: appending char by
 * char leaves a chain of V8 cons-strings per id, several hundred bytes each across 10^6 ids.
 */
export function randomToken(prefix: string, length: number, rng: () => number = cryptoRandom): string {
  const codes = codeBuffer(prefix.length + 1 + length);
  for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
  codes[prefix.length] = 95; // '_'
  for (let i = prefix.length + 1; i < codes.length; i++) codes[i] = ALPHANUMERIC_CODES[Math.floor(rng() * ALPHANUMERIC_CODES.length)] ?? 48;
  return String.fromCharCode.apply(null, codes);
}

/** One reusable buffer per token length: millions of ids should not leave millions of arrays. */
const codeBuffers = new Map<number, number[]>();

function codeBuffer(length: number): number[] {
  let buffer = codeBuffers.get(length);
  if (!buffer) codeBuffers.set(length, (buffer = new Array<number>(length).fill(0)));
  return buffer;
}

/** A Stripe-like id: `newId('cus')` → `cus_` + 14 alphanumerics (24 for most other prefixes). */
export function newId(prefix: string, rng: () => number = cryptoRandom): string {
  const bare = prefix.endsWith('_') ? prefix.slice(0, -1) : prefix;
  return randomToken(bare, ID_LENGTH[bare] ?? 24, rng);
}

/** Stripe derives a customer's invoice number prefix once; a hash of the id keeps it stable. */
export function invoicePrefixFor(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/**
 * Applies the caller's fields over the defaults in place (an absent or `undefined` field keeps
 * the default). Assigning keeps the object's shape, which keeps 10^6 objects cheap to build.
 */
function withOverrides<T extends object>(base: T, overrides: Partial<T>): T {
  for (const key in overrides) {
    const value = overrides[key];
    if (value !== undefined) base[key] = value;
  }
  return base;
}

/** Deep-freezes a value meant to be shared by many objects, so a stray mutation fails loudly. */
export function frozen<T>(value: T): T {
  return deepFreeze(value);
}

export function makeList<T>(data: T[], url: string): Stripe.ApiList<T> {
  return { object: 'list', data, has_more: false, url };
}

type Identified = { id: string; livemode?: boolean };
type Timestamped = Identified & { created: number };

const EMPTY_ADDRESS = canonical.customer.address;

export function makeCustomer(o: Partial<Stripe.Customer> & Timestamped): Stripe.Customer {
  return withOverrides<Stripe.Customer>({
    ...canonical.customer,
    object: 'customer',
    address: EMPTY_ADDRESS,
    discount: null,
    invoice_prefix: o.invoice_prefix ?? invoicePrefixFor(o.id),
    livemode: false,
    metadata: {},
    preferred_locales: [],
    shipping: null,
  }, o);
}

export function makeProduct(o: Partial<Stripe.Product> & Timestamped): Stripe.Product {
  return withOverrides<Stripe.Product>({
    ...canonical.product,
    object: 'product',
    default_price: null,
    description: null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: {},
    package_dimensions: null,
    // Added to the API after the canonical example was captured.
    tax_details: null,
    type: 'service',
    updated: o.created,
  }, o);
}

function priceType(o: Partial<Stripe.Price>): Stripe.Price.Type {
  return o.recurring === null ? 'one_time' : 'recurring';
}

export function makePrice(o: Partial<Stripe.Price> & Timestamped): Stripe.Price {
  const unitAmount = o.unit_amount !== undefined ? o.unit_amount : canonical.price.unit_amount;
  return withOverrides<Stripe.Price>({
    ...canonical.price,
    object: 'price',
    custom_unit_amount: null,
    livemode: false,
    metadata: {},
    transform_quantity: null,
    type: priceType(o),
    unit_amount: unitAmount,
    unit_amount_decimal: wireDecimalOrNull(unitAmount),
  }, o);
}

function productId(product: Stripe.Price['product']): string {
  return typeof product === 'string' ? product : product.id;
}

/** The legacy `plan` mirror every subscription item carries next to its recurring price. */
export function makePlanFromPrice(price: Stripe.Price): Stripe.Plan {
  const recurring = price.recurring;
  if (!recurring) throw new Error(`price ${price.id} is not recurring: subscription items need a recurring price`);
  return {
    ...canonical.plan,
    object: 'plan',
    id: price.id,
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: price.livemode,
    metadata: price.metadata,
    meter: recurring.meter,
    nickname: price.nickname,
    product: productId(price.product),
    tiers_mode: price.tiers_mode,
    transform_usage: price.transform_quantity,
    trial_period_days: recurring.trial_period_days,
    usage_type: recurring.usage_type,
  };
}

const DAY = 86_400;

/**
 * Whole seconds as a small integer where it fits: V8 then stores the field inline instead of
 * boxing every timestamp of every object in a heap number once one double has been stored.
 */
export function seconds(value: number): number {
  const whole = Math.floor(value);
  return whole >= -0x80000000 && whole <= 0x7fffffff ? whole | 0 : whole;
}

function daysInMonth(year: number, month: number): number {
  return (Date.UTC(year, month + 1, 1) - Date.UTC(year, month, 1)) / 86_400_000;
}

/** Adds billing intervals the way Stripe does: calendar months, clamped to the month's end. */
export function addInterval(timestamp: number, interval: Stripe.Price.Recurring.Interval, count = 1): number {
  if (interval === 'day') return timestamp + count * DAY;
  if (interval === 'week') return timestamp + count * 7 * DAY;
  const date = new Date(timestamp * 1000);
  const monthIndex = date.getUTCMonth() + (interval === 'year' ? 12 * count : count);
  const year = date.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  const timeOfDay = ((timestamp % DAY) + DAY) % DAY;
  return seconds(Date.UTC(year, month, day) / 1000 + timeOfDay);
}

const DEFAULT_PRICE = makePrice({ id: canonical.price.id, created: canonical.price.created });

/** Metered items have no quantity (usage is reported, not subscribed to): the field is absent. */
const { quantity: _licensedQuantity, ...meteredItemTemplate } = canonical.subscription_item;

export function makeSubscriptionItem(o: Partial<Stripe.SubscriptionItem> & Timestamped): Stripe.SubscriptionItem {
  const price = o.price ?? DEFAULT_PRICE;
  const recurring = price.recurring;
  const start = o.current_period_start ?? o.created;
  const metered = recurring?.usage_type === 'metered' && o.quantity === undefined;
  return withOverrides<Stripe.SubscriptionItem>({
    ...(metered ? meteredItemTemplate : canonical.subscription_item),
    object: 'subscription_item',
    billing_thresholds: null,
    current_period_start: start,
    current_period_end: o.current_period_end ?? (recurring ? addInterval(start, recurring.interval, recurring.interval_count) : start),
    // Added to the API after the canonical example was captured.
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: o.plan ?? makePlanFromPrice(price),
    price,
    tax_rates: [],
  }, o);
}

const NO_CANCELLATION: Stripe.Subscription.CancellationDetails = deepFreeze({
  comment: null,
  feedback: null,
  feedback_option: null,
  reason: null,
});

const DEFAULT_TRIAL_SETTINGS: Stripe.Subscription.TrialSettings = deepFreeze({
  end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
});

export function makeSubscription(o: Partial<Stripe.Subscription> & Timestamped): Stripe.Subscription {
  return withOverrides<Stripe.Subscription>({
    ...canonical.subscription,
    object: 'subscription',
    billing_cycle_anchor: o.created,
    billing_cycle_anchor_config: null,
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: NO_CANCELLATION,
    default_tax_rates: [],
    discounts: [],
    ended_at: null,
    items: o.items ?? makeList([], `/v1/subscription_items?subscription=${o.id}`),
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    pause_collection: null,
    pending_invoice_item_interval: null,
    pending_update: null,
    start_date: o.created,
    transfer_data: null,
    trial_end: null,
    trial_settings: DEFAULT_TRIAL_SETTINGS,
    trial_start: null,
  }, o);
}

const NO_TRANSITIONS: Stripe.Invoice.StatusTransitions = deepFreeze({
  finalized_at: null,
  marked_uncollectible_at: null,
  paid_at: null,
  voided_at: null,
});

export function makeInvoice(o: Partial<Stripe.Invoice> & Timestamped): Stripe.Invoice {
  return withOverrides<Stripe.Invoice>({
    ...invoiceTemplate,
    object: 'invoice',
    amount_overpaid: 0,
    automatically_finalizes_at: null,
    customer_shipping: null,
    customer_tax_ids: [],
    default_tax_rates: [],
    discounts: [],
    due_date: null,
    effective_at: null,
    from_invoice: null,
    last_finalization_error: null,
    lines: o.lines ?? makeList([], `/v1/invoices/${o.id}/lines`),
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    parent: null,
    period_end: o.created,
    period_start: o.created,
    shipping_cost: null,
    shipping_details: null,
    status_transitions: NO_TRANSITIONS,
    total_discount_amounts: [],
    webhooks_delivered_at: null,
  }, o);
}

/** Invoice lines have no `created`: they live and die with their invoice. */
export function makeInvoiceLineItem(o: Partial<Stripe.InvoiceLineItem> & Identified): Stripe.InvoiceLineItem {
  const amount = o.amount ?? canonical.line_item.amount;
  const quantity = o.quantity !== undefined ? o.quantity : canonical.line_item.quantity;
  return withOverrides<Stripe.InvoiceLineItem>({
    ...canonical.line_item,
    object: 'line_item',
    amount,
    discount_amounts: [],
    discounts: [],
    livemode: false,
    metadata: {},
    parent: null,
    pricing: null,
    quantity,
    quantity_decimal: wireDecimalOrNull(quantity),
    subtotal: amount,
  }, o);
}

export function makeCreditNoteLineItem(o: Partial<Stripe.CreditNoteLineItem> & Identified): Stripe.CreditNoteLineItem {
  return withOverrides<Stripe.CreditNoteLineItem>({
    ...canonical.credit_note_line_item,
    object: 'credit_note_line_item',
    livemode: false,
    pretax_credit_amounts: [],
    tax_rates: [],
    unit_amount_decimal: null,
  }, o);
}

export function makeCreditNote(o: Partial<Stripe.CreditNote> & Timestamped): Stripe.CreditNote {
  return withOverrides<Stripe.CreditNote>({
    ...canonical.credit_note,
    object: 'credit_note',
    customer_balance_transaction: null,
    discount_amounts: [],
    effective_at: o.created,
    lines: o.lines ?? makeList([], `/v1/credit_notes/${o.id}/lines`),
    livemode: false,
    metadata: {},
    pdf: o.pdf ?? `https://pay.stripe.com/credit_notes/${o.id}/pdf`,
    post_payment_amount: 0,
    pre_payment_amount: 0,
    pretax_credit_amounts: [],
    refunds: [],
    shipping_cost: null,
    type: 'post_payment',
    voided_at: null,
  }, o);
}

export function makeCoupon(o: Partial<Stripe.Coupon> & Timestamped): Stripe.Coupon {
  const amountOff = o.amount_off ?? null;
  return withOverrides<Stripe.Coupon>({
    ...canonical.coupon,
    object: 'coupon',
    amount_off: amountOff,
    // Percentage coupons have no currency; amount coupons are in one.
    currency: amountOff === null ? null : (o.currency ?? canonical.coupon.currency),
    duration_in_months: o.duration === 'repeating' ? canonical.coupon.duration_in_months : null,
    livemode: false,
    metadata: {},
    name: null,
    percent_off: amountOff === null ? canonical.coupon.percent_off : null,
    redeem_by: null,
  }, o);
}

export function makeDiscount(o: Partial<Stripe.Discount> & Identified & { start: number }): Stripe.Discount {
  return withOverrides<Stripe.Discount>({
    ...canonical.discount,
    object: 'discount',
    customer: null,
    end: null,
    source: { coupon: null, type: 'coupon' },
  }, o);
}

export function makeAccount(o: Partial<Stripe.Account> & { id: string; created: number }): Stripe.Account {
  const requirements: Stripe.Account.Requirements = {
    ...canonical.account.requirements,
    currently_due: [],
    disabled_reason: null,
    eventually_due: [],
  };
  const businessProfile: Stripe.Account.BusinessProfile = {
    ...canonical.account.business_profile,
    // Added to the API after the canonical example was captured.
    specified_commercial_transactions_act_url: null,
  };
  return withOverrides<Stripe.Account>({
    ...canonical.account,
    object: 'account',
    business_profile: businessProfile,
    charges_enabled: true,
    details_submitted: true,
    external_accounts: makeList([], `/v1/accounts/${o.id}/external_accounts`),
    metadata: {},
    payouts_enabled: true,
    requirements,
  }, o);
}

type EventType = Stripe.Event['type'];
export type EventOf<T extends EventType> = Extract<Stripe.Event, { type: T }>;

export interface EventInput<T extends EventType> {
  id: string;
  type: T;
  created: number;
  /** The connected account the event belongs to (Connect endpoints receive it). */
  account: string;
  livemode: boolean;
  object: EventOf<T>['data']['object'];
  previous_attributes?: EventOf<T>['data']['previous_attributes'];
  api_version?: string | null;
}

export function makeEvent<T extends EventType>(o: EventInput<T>): EventOf<T> {
  const data: Stripe.Event.Data = { object: o.object };
  if (o.previous_attributes !== undefined) data.previous_attributes = o.previous_attributes;
  const event: Stripe.EventBase = {
    ...canonical.event,
    object: 'event',
    id: o.id,
    account: o.account,
    api_version: o.api_version === undefined ? API_VERSION : o.api_version,
    created: o.created,
    data,
    livemode: o.livemode,
    request: { id: null, idempotency_key: null },
    type: o.type,
  };
  // The SDK's Event is a union keyed by `type`; the generic parameter ties `type` to `object`.
  return event as EventOf<T>;
}
