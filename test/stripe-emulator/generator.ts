/**
 * Deterministic Stripe accounts for the emulator: N customers with the mix of plans, statuses,
 * discounts, invoices and credit notes a revenue-metrics engine and a sync must cope with.
 * Same seed, same account: every random choice comes from one seeded stream and the clock is
 * never read (`now` defaults to a fixed instant).
 */
import type Stripe from 'stripe';
import {
  addInterval,
  frozen,
  makeCoupon,
  makeCreditNote,
  makeCreditNoteLineItem,
  makeCustomer,
  makeDiscount,
  makeInvoice,
  makeInvoiceLineItem,
  makeList,
  makePlanFromPrice,
  makePrice,
  makeProduct,
  makeSubscription,
  makeSubscriptionItem,
  invoicePrefixFor,
  newId,
  randomToken,
  wireDecimal,
} from './objects.js';

export interface ApiKey {
  key: string;
  permissions: string[] | 'all';
}

export interface FixtureAccount {
  id: string;
  api_keys: ApiKey[];
  customers: Stripe.Customer[];
  products: Stripe.Product[];
  prices: Stripe.Price[];
  subscriptions: Stripe.Subscription[];
  invoices: Stripe.Invoice[];
  credit_notes: Stripe.CreditNote[];
  coupons: Stripe.Coupon[];
  discounts: Stripe.Discount[];
}

export type FixtureFile = { accounts: FixtureAccount[] };

export interface GenerateOptions {
  customers: number;
  seed?: number;
  accountId?: string;
  livemode?: boolean;
  /** Unix seconds the account's history ends at. */
  now?: number;
}

/** 2026-11-01T00:00:00Z, shortly after the pinned API version: fixtures never depend on the clock. */
export const DEFAULT_NOW = 1_793_491_200;
export const DEFAULT_SEED = 1;

/** What a typical read-only restricted key holds; no credit_note_read, so LTV must degrade. */
export const RESTRICTED_KEY_PERMISSIONS = [
  'customer_read',
  'subscription_read',
  'invoice_read',
  'product_read',
  'plan_read',
  'coupon_read',
  'event_read',
];

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;
const MONTH = 30.44 * DAY;
const TRIAL_DAYS = 14;
/** Stripe finalizes renewal invoices about an hour after creating them. */
const FINALIZE_DELAY = HOUR;

// Hundreds of thousands of invoices and lines carry the same empty or per-item values: they
// share one frozen instance each instead of holding copies (see objects.ts on shared values).
const EMPTY_METADATA: Stripe.Metadata = frozen({});
const NO_DISCOUNTS: string[] = frozen([]);
const NO_DISCOUNT_AMOUNTS: Stripe.InvoiceLineItem.DiscountAmount[] = frozen([]);
const NO_TOTAL_DISCOUNTS: Stripe.Invoice.TotalDiscountAmount[] = frozen([]);
const NO_TAX_IDS: Stripe.Invoice.CustomerTaxId[] = frozen([]);
const NO_TAX_RATES: Stripe.TaxRate[] = frozen([]);

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a 32-bit state is plenty for one stream of ~10^8 draws. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  readonly next = (): number => {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error('weighted pick from an empty list');
    return last[0];
  }
}

// ---------------------------------------------------------------------------------------------
// Catalog: products, prices and the subscription shapes built from them

type Currency = 'usd' | 'eur' | 'jpy';
type Interval = 'day' | 'week' | 'month' | 'year';

interface TierSpec {
  up_to: number | null;
  unit: number;
  flat: number | null;
}

interface PriceSpec {
  key: string;
  product: string;
  currency: Currency;
  nickname: string;
  /** Minor units per unit; fractional for metered usage (sent as `unit_amount_decimal` only). */
  unit: number | null;
  interval?: Interval;
  count?: number;
  metered?: boolean;
  tiers?: { mode: 'volume' | 'graduated'; tiers: TierSpec[] };
  transform?: { divide_by: number; round: 'up' | 'down' };
}

const PRODUCTS = [
  { key: 'starter', name: 'Starter', description: 'Interviews for small teams' },
  { key: 'pro', name: 'Pro', description: 'Unlimited studies and AI synthesis' },
  { key: 'team', name: 'Team', description: 'Per-seat plan for research teams', unit_label: 'seat' },
  { key: 'usage', name: 'API Usage', description: 'Metered interview minutes', unit_label: 'minute' },
  { key: 'audience', name: 'Audience', description: 'Panel contacts, billed per 10', unit_label: 'contact' },
  { key: 'digest', name: 'Insights Digest', description: 'Weekly research digest' },
  { key: 'addons', name: 'Add-ons', description: 'Optional workspace features' },
  { key: 'services', name: 'Services', description: 'One-off onboarding and research services' },
] as const;

const VOLUME_TIERS: TierSpec[] = [
  { up_to: 5, unit: 700, flat: null },
  { up_to: 10, unit: 650, flat: null },
  { up_to: null, unit: 600, flat: 500 },
];
const GRADUATED_TIERS: TierSpec[] = [
  { up_to: 5, unit: 700, flat: 1000 },
  { up_to: 10, unit: 650, flat: null },
  { up_to: null, unit: 600, flat: null },
];

const ADDONS: readonly (readonly [string, number])[] = [
  ['SSO', 5000],
  ['Audit log', 2000],
  ['Priority support', 4000],
  ['Custom domain', 1000],
  ['Data export', 1500],
  ['Advanced analytics', 3000],
  ['API access', 2500],
  ['Sandbox workspace', 1200],
  ['Webhooks', 800],
  ['Extra storage', 600],
  ['White label', 4500],
  ['Translations', 900],
  ['Panel boost', 3500],
  ['Video highlights', 1800],
];

function recurring(key: string, product: string, currency: Currency, nickname: string, unit: number | null, interval: Interval, count = 1): PriceSpec {
  return { key, product, currency, nickname, unit, interval, count };
}

const PRICE_SPECS: PriceSpec[] = [
  recurring('starter_usd_month', 'starter', 'usd', 'Starter monthly', 1900, 'month'),
  recurring('starter_usd_year', 'starter', 'usd', 'Starter yearly', 19000, 'year'),
  recurring('starter_usd_day', 'starter', 'usd', 'Starter day pass', 300, 'day'),
  recurring('starter_eur_month', 'starter', 'eur', 'Starter monthly (EUR)', 1700, 'month'),
  recurring('starter_jpy_month', 'starter', 'jpy', 'Starter monthly (JPY)', 2000, 'month'),
  recurring('pro_usd_month', 'pro', 'usd', 'Pro monthly', 4900, 'month'),
  recurring('pro_usd_quarter', 'pro', 'usd', 'Pro quarterly', 13500, 'month', 3),
  recurring('pro_usd_year', 'pro', 'usd', 'Pro yearly', 49000, 'year'),
  recurring('pro_usd_biennial', 'pro', 'usd', 'Pro every 2 years', 90000, 'year', 2),
  recurring('pro_eur_month', 'pro', 'eur', 'Pro monthly (EUR)', 4500, 'month'),
  recurring('pro_eur_year', 'pro', 'eur', 'Pro yearly (EUR)', 45000, 'year'),
  recurring('pro_jpy_month', 'pro', 'jpy', 'Pro monthly (JPY)', 5500, 'month'),
  recurring('pro_jpy_year', 'pro', 'jpy', 'Pro yearly (JPY)', 55000, 'year'),
  recurring('team_usd_seat', 'team', 'usd', 'Team per seat', 1500, 'month'),
  recurring('team_eur_seat', 'team', 'eur', 'Team per seat (EUR)', 1400, 'month'),
  { ...recurring('team_usd_volume', 'team', 'usd', 'Team volume', null, 'month'), tiers: { mode: 'volume', tiers: VOLUME_TIERS } },
  { ...recurring('team_usd_graduated', 'team', 'usd', 'Team graduated', null, 'month'), tiers: { mode: 'graduated', tiers: GRADUATED_TIERS } },
  { ...recurring('usage_usd_metered', 'usage', 'usd', 'Interview minutes', 0.5, 'month'), metered: true },
  { ...recurring('usage_eur_metered', 'usage', 'eur', 'Interview minutes (EUR)', 0.45, 'month'), metered: true },
  { ...recurring('audience_usd_month', 'audience', 'usd', 'Audience per 10 contacts', 1000, 'month'), transform: { divide_by: 10, round: 'up' } },
  recurring('digest_usd_week', 'digest', 'usd', 'Digest weekly', 500, 'week'),
  recurring('digest_jpy_week', 'digest', 'jpy', 'Digest weekly (JPY)', 600, 'week'),
  ...ADDONS.map(([name, unit], i) => recurring(`addon_usd_${i}`, 'addons', 'usd', name, unit, 'month')),
  { key: 'onboarding_usd', product: 'services', currency: 'usd', nickname: 'Onboarding workshop', unit: 50000 },
  { key: 'study_usd', product: 'services', currency: 'usd', nickname: 'Managed study', unit: 120000 },
  { key: 'onboarding_eur', product: 'services', currency: 'eur', nickname: 'Onboarding workshop (EUR)', unit: 45000 },
  { key: 'onboarding_jpy', product: 'services', currency: 'jpy', nickname: 'Onboarding workshop (JPY)', unit: 60000 },
];

interface CatalogPrice {
  spec: PriceSpec;
  price: Stripe.Price;
  /** The `pricing` every invoice line on this price carries. */
  linePricing: Stripe.InvoiceLineItem.Pricing;
  /** Shared by every subscription item on this price, as the API embeds the same plan. */
  plan: Stripe.Plan | null;
  product: Stripe.Product;
}

interface Catalog {
  products: Stripe.Product[];
  prices: Stripe.Price[];
  byKey: Map<string, CatalogPrice>;
  productByKey: Map<string, Stripe.Product>;
}

function tiersOf(spec: PriceSpec): Stripe.Price.Tier[] | undefined {
  return spec.tiers?.tiers.map((tier) => ({
    flat_amount: tier.flat,
    flat_amount_decimal: tier.flat === null ? null : wireDecimal(tier.flat),
    unit_amount: tier.unit,
    unit_amount_decimal: wireDecimal(tier.unit),
    up_to: tier.up_to,
  }));
}

function priceFromSpec(rng: Random, spec: PriceSpec, product: Stripe.Product, created: number, livemode: boolean): Stripe.Price {
  const id = newId('price', rng.next);
  const fractional = spec.unit !== null && !Number.isInteger(spec.unit);
  const price = makePrice({
    id,
    created,
    livemode,
    currency: spec.currency,
    nickname: spec.nickname,
    product: product.id,
    billing_scheme: spec.tiers ? 'tiered' : 'per_unit',
    tiers_mode: spec.tiers?.mode ?? null,
    recurring: spec.interval
      ? {
          interval: spec.interval,
          interval_count: spec.count ?? 1,
          meter: spec.metered ? newId('mtr', rng.next) : null,
          trial_period_days: null,
          usage_type: spec.metered ? 'metered' : 'licensed',
        }
      : null,
    transform_quantity: spec.transform ?? null,
    // Sub-cent prices exist only as decimals: the API leaves `unit_amount` null for them.
    unit_amount: fractional ? null : spec.unit,
    unit_amount_decimal: spec.unit === null ? null : wireDecimal(spec.unit),
  });
  // `tiers` is includable (served with expand[]=tiers); the store keeps it so it can be served.
  const tiers = tiersOf(spec);
  if (tiers) price.tiers = tiers;
  return price;
}

function buildCatalog(rng: Random, start: number, livemode: boolean): Catalog {
  const products = new Map<string, Stripe.Product>();
  PRODUCTS.forEach((spec, i) => {
    const created = start + i * HOUR;
    products.set(
      spec.key,
      makeProduct({
        id: newId('prod', rng.next),
        created,
        livemode,
        name: spec.name,
        description: spec.description,
        unit_label: 'unit_label' in spec ? spec.unit_label : null,
        updated: created,
      }),
    );
  });
  const byKey = new Map<string, CatalogPrice>();
  PRICE_SPECS.forEach((spec, i) => {
    const product = products.get(spec.product);
    if (!product) throw new Error(`price ${spec.key} names unknown product ${spec.product}`);
    const price = priceFromSpec(rng, spec, product, start + DAY + i * MINUTE, livemode);
    if (product.default_price === null) product.default_price = price.id;
    const linePricing: Stripe.InvoiceLineItem.Pricing = frozen({
      price_details: { price: price.id, product: product.id },
      type: 'price_details',
      unit_amount_decimal: price.unit_amount_decimal,
    });
    byKey.set(spec.key, { spec, price, linePricing, plan: price.recurring ? makePlanFromPrice(price) : null, product });
  });
  return { products: [...products.values()], prices: [...byKey.values()].map((entry) => entry.price), byKey, productByKey: products };
}

function catalogPrice(catalog: Catalog, key: string): CatalogPrice {
  const entry = catalog.byKey.get(key);
  if (!entry) throw new Error(`unknown price ${key}`);
  return entry;
}

interface ItemChoice {
  price: string;
  quantity?: number;
}

type Shape = (rng: Random) => ItemChoice[];

const single = (price: string): Shape => () => [{ price }];
const seats = (price: string): Shape => (rng) => [{ price, quantity: rng.int(2, 25) }];

function addons(rng: Random, count: number): ItemChoice[] {
  const indexes = ADDONS.map((_, i) => i);
  const chosen: ItemChoice[] = [];
  for (let i = 0; i < count; i++) {
    const [index] = indexes.splice(rng.int(0, indexes.length - 1), 1);
    chosen.push({ price: `addon_usd_${index}` });
  }
  return chosen;
}

/** Subscription shapes per currency, weighted roughly like a SaaS customer base. */
const SHAPES: Record<Currency, readonly (readonly [Shape, number])[]> = {
  usd: [
    [single('starter_usd_month'), 18],
    [single('starter_usd_year'), 6],
    [single('starter_usd_day'), 0.3],
    [single('pro_usd_month'), 16],
    [single('pro_usd_quarter'), 4],
    [single('pro_usd_year'), 6],
    [single('pro_usd_biennial'), 1],
    [seats('team_usd_seat'), 8],
    [(rng) => [{ price: 'team_usd_volume', quantity: rng.int(1, 20) }], 3],
    [(rng) => [{ price: 'team_usd_graduated', quantity: rng.int(1, 20) }], 3],
    [() => [{ price: 'pro_usd_month' }, { price: 'usage_usd_metered' }], 5],
    [single('usage_usd_metered'), 3],
    [single('digest_usd_week'), 2],
    [(rng) => [{ price: 'audience_usd_month', quantity: rng.int(10, 500) }], 3],
    [(rng) => [{ price: 'pro_usd_month' }, ...addons(rng, rng.int(1, 3))], 6],
    // More than 10 items: the API serves the first 10 and the client must page the rest.
    [(rng) => [{ price: 'pro_usd_month' }, ...addons(rng, rng.int(10, 14))], 1.5],
  ],
  eur: [
    [single('starter_eur_month'), 30],
    [single('pro_eur_month'), 30],
    [single('pro_eur_year'), 10],
    [seats('team_eur_seat'), 15],
    [() => [{ price: 'pro_eur_month' }, { price: 'usage_eur_metered' }], 10],
    [single('usage_eur_metered'), 5],
  ],
  jpy: [
    [single('starter_jpy_month'), 35],
    [single('pro_jpy_month'), 35],
    [single('pro_jpy_year'), 15],
    [single('digest_jpy_week'), 15],
  ],
};

const ONE_OFF_PRICES: Record<Currency, readonly string[]> = {
  usd: ['onboarding_usd', 'study_usd'],
  eur: ['onboarding_eur'],
  jpy: ['onboarding_jpy'],
};

// ---------------------------------------------------------------------------------------------
// Money

function tieredAmount(spec: PriceSpec, quantity: number): number {
  const tiers = spec.tiers;
  if (!tiers) throw new Error(`${spec.key} has no tiers`);
  if (tiers.mode === 'volume') {
    const tier = tiers.tiers.find((t) => t.up_to === null || quantity <= t.up_to);
    if (!tier) throw new Error(`${spec.key}: no tier for ${quantity}`);
    return quantity * tier.unit + (tier.flat ?? 0);
  }
  let total = 0;
  let floor = 0;
  for (const tier of tiers.tiers) {
    const units = Math.min(quantity, tier.up_to ?? Infinity) - floor;
    if (units <= 0) break;
    total += units * tier.unit + (tier.flat ?? 0);
    floor += units;
  }
  return total;
}

/** What one billing period of an item costs before discounts (usage for metered items). */
function itemAmount(spec: PriceSpec, quantity: number): number {
  if (spec.tiers) return tieredAmount(spec, quantity);
  const unit = spec.unit ?? 0;
  if (spec.transform) {
    const divided = quantity / spec.transform.divide_by;
    return unit * (spec.transform.round === 'up' ? Math.ceil(divided) : Math.floor(divided));
  }
  return Math.round(unit * quantity);
}

const ZERO_DECIMAL = new Set(['jpy']);

function money(amount: number, currency: string): string {
  const symbol = currency === 'usd' ? '$' : currency === 'eur' ? '€' : '¥';
  return ZERO_DECIMAL.has(currency) ? `${symbol}${amount}` : `${symbol}${(amount / 100).toFixed(2)}`;
}

function intervalLabel(spec: PriceSpec): string {
  const count = spec.count ?? 1;
  return count === 1 ? `${spec.interval}` : `every ${count} ${spec.interval}s`;
}

// ---------------------------------------------------------------------------------------------
// Coupons and discounts

interface CouponSpec {
  id: string;
  name: string;
  percent_off?: number;
  amount_off?: number;
  currency?: Currency;
  duration: 'forever' | 'repeating' | 'once';
  months?: number;
  productKey?: string;
}

const COUPON_SPECS: CouponSpec[] = [
  { id: 'LAUNCH50', name: 'Launch 50% off', percent_off: 50, duration: 'forever' },
  { id: 'WELCOME25', name: 'Welcome 25% for 3 months', percent_off: 25, duration: 'repeating', months: 3 },
  { id: 'FIRSTFREE', name: 'First invoice free', percent_off: 100, duration: 'once' },
  { id: 'SAVE10', name: '$10 off', amount_off: 1000, currency: 'usd', duration: 'forever' },
  { id: 'EURO5', name: '€5 off for 6 months', amount_off: 500, currency: 'eur', duration: 'repeating', months: 6 },
  { id: 'YEN500', name: '¥500 off once', amount_off: 500, currency: 'jpy', duration: 'once' },
  { id: 'PRO20', name: '20% off Pro', percent_off: 20, duration: 'forever', productKey: 'pro' },
];

function buildCoupons(catalog: Catalog, created: number, livemode: boolean): Stripe.Coupon[] {
  return COUPON_SPECS.map((spec) => {
    const coupon = makeCoupon({
      id: spec.id,
      created,
      livemode,
      name: spec.name,
      duration: spec.duration,
      duration_in_months: spec.months ?? null,
      percent_off: spec.percent_off ?? null,
      amount_off: spec.amount_off ?? null,
      currency: spec.currency ?? null,
      times_redeemed: 0,
    });
    const product = spec.productKey ? catalog.productByKey.get(spec.productKey) : undefined;
    // `applies_to` is includable (expand[]=applies_to); the store keeps it so it can be served.
    if (product) coupon.applies_to = { products: [product.id] };
    return coupon;
  });
}

interface Grant {
  discount: Stripe.Discount;
  coupon: Stripe.Coupon;
  itemId: string | null;
}

function couponFits(coupon: Stripe.Coupon, currency: string): boolean {
  return coupon.amount_off === null || coupon.currency === currency;
}

function discountEnd(coupon: Stripe.Coupon, start: number): number | null {
  return coupon.duration === 'repeating' && coupon.duration_in_months !== null ? addInterval(start, 'month', coupon.duration_in_months) : null;
}

// ---------------------------------------------------------------------------------------------
// Subscription timelines

type Scenario =
  | 'active'
  | 'active_after_trial'
  | 'active_cancel_at_period_end'
  | 'active_pause_collection'
  | 'active_send_invoice'
  | 'trialing'
  | 'past_due'
  | 'canceled'
  | 'canceled_payment_failed'
  | 'unpaid'
  | 'incomplete_expired'
  | 'incomplete'
  | 'paused';

const SCENARIOS: readonly (readonly [Scenario, number])[] = [
  ['active', 48],
  ['active_after_trial', 8],
  ['active_cancel_at_period_end', 4],
  ['active_pause_collection', 3],
  ['active_send_invoice', 4],
  ['trialing', 7],
  ['past_due', 5],
  ['canceled', 10],
  ['canceled_payment_failed', 3],
  ['unpaid', 3],
  ['incomplete_expired', 3],
  ['incomplete', 1],
  ['paused', 3],
];

const STATUS_OF: Record<Scenario, Stripe.Subscription.Status> = {
  active: 'active',
  active_after_trial: 'active',
  active_cancel_at_period_end: 'active',
  active_pause_collection: 'active',
  active_send_invoice: 'active',
  trialing: 'trialing',
  past_due: 'past_due',
  canceled: 'canceled',
  canceled_payment_failed: 'canceled',
  unpaid: 'unpaid',
  incomplete_expired: 'incomplete_expired',
  incomplete: 'incomplete',
  paused: 'paused',
};

interface Timeline {
  created: number;
  /** Start of the first paid period (the trial end when there was a trial). */
  anchor: number;
  trial: { start: number; end: number } | null;
  /** Renewals stop here: `now`, or when the subscription ended or paused. */
  until: number;
  endedAt: number | null;
}

interface Cadence {
  interval: Interval;
  count: number;
}

function cadenceOf(spec: PriceSpec): Cadence {
  if (!spec.interval) throw new Error(`${spec.key} is not recurring`);
  return { interval: spec.interval, count: spec.count ?? 1 };
}

function monthsAgo(now: number, months: number): number {
  return Math.floor(now - months * MONTH);
}

/** 3–18 months of renewals; daily and weekly plans renew so often that a few months is plenty. */
function historyMonths(rng: Random, cadence: Cadence): number {
  if (cadence.interval === 'day') return 3 + rng.next();
  if (cadence.interval === 'week') return 3 + rng.next() * 3;
  return 3 + rng.next() * 15;
}

function timelineFor(scenario: Scenario, rng: Random, now: number, cadence: Cadence): Timeline {
  const ongoing = (created: number, trial: boolean): Timeline => {
    const trialWindow = trial ? { start: created, end: created + TRIAL_DAYS * DAY } : null;
    return { created, anchor: trialWindow?.end ?? created, trial: trialWindow, until: now, endedAt: null };
  };
  switch (scenario) {
    case 'trialing': {
      return ongoing(now - rng.int(HOUR, (TRIAL_DAYS - 1) * DAY), true);
    }
    case 'paused': {
      const created = monthsAgo(now, 1 + rng.next() * 10);
      return { ...ongoing(created, true), until: created + TRIAL_DAYS * DAY };
    }
    case 'incomplete':
      return ongoing(now - rng.int(HOUR, 20 * HOUR), false);
    case 'incomplete_expired': {
      const created = monthsAgo(now, 1 + rng.next() * 19);
      return { ...ongoing(created, false), until: created, endedAt: created + 23 * HOUR };
    }
    case 'canceled':
    case 'canceled_payment_failed': {
      const lived = Math.min(14, historyMonths(rng, cadence));
      const created = monthsAgo(now, lived + 0.5 + rng.next() * 5.5);
      const endedAt = Math.floor(created + lived * MONTH);
      return { ...ongoing(created, false), until: endedAt - 1, endedAt };
    }
    case 'active_after_trial':
      return ongoing(monthsAgo(now, historyMonths(rng, cadence)), true);
    default:
      return ongoing(monthsAgo(now, historyMonths(rng, cadence)), false);
  }
}

/** Period starts from the anchor up to `until` (at least the first one). */
function periodStarts(anchor: number, cadence: Cadence, until: number): number[] {
  const starts = [anchor];
  for (let next = addInterval(anchor, cadence.interval, cadence.count); next <= until; next = addInterval(next, cadence.interval, cadence.count)) {
    starts.push(next);
  }
  return starts;
}

// ---------------------------------------------------------------------------------------------
// Invoices

interface LineDraft {
  entry: CatalogPrice;
  quantity: number;
  amount: number;
  period: { start: number; end: number };
  item: ItemDraft | null;
  description: string;
}

interface InvoiceDraft {
  id: string;
  created: number;
  reason: Stripe.Invoice.BillingReason;
  periodStart: number;
  periodEnd: number;
  status: Stripe.Invoice.Status;
  /** Share of `amount_due` already paid on open/uncollectible invoices. */
  paidShare: number;
  attempts: number;
  lines: LineDraft[];
  subscription: SubscriptionDraft | null;
  collection: Stripe.Invoice.CollectionMethod;
  /** Terminal status time (void/uncollectible) when it is not derived from creation. */
  settledAt: number | null;
}

interface ItemDraft {
  id: string;
  entry: CatalogPrice;
  quantity: number;
  /** The `parent` every invoice line billing this item carries. */
  lineParent: Stripe.InvoiceLineItem.Parent;
  description: string;
}

interface SubscriptionDraft {
  id: string;
  metadata: Stripe.Metadata;
  /** The `parent` of every invoice this subscription generates. */
  invoiceParent: Stripe.Invoice.Parent;
  scenario: Scenario;
  timeline: Timeline;
  cadence: Cadence;
  items: ItemDraft[];
  grants: Grant[];
  invoices: InvoiceDraft[];
  collection: Stripe.Subscription.CollectionMethod;
}

function lineDescription(entry: CatalogPrice, quantity: number, currency: string): string {
  const name = entry.product.name;
  const spec = entry.spec;
  if (spec.metered) return `${quantity} × ${name} (usage)`;
  if (spec.tiers || spec.unit === null) return `${quantity} × ${name} (${spec.nickname})`;
  if (!spec.interval) return `${quantity} × ${spec.nickname}`;
  return `${quantity} × ${name} (at ${money(spec.unit, currency)} / ${intervalLabel(spec)})`;
}

function linesForPeriod(sub: SubscriptionDraft, start: number, previousStart: number | null, rng: Random, currency: string, trial: boolean): LineDraft[] {
  const end = addInterval(start, sub.cadence.interval, sub.cadence.count);
  return sub.items.map((item) => {
    const metered = item.entry.spec.metered === true;
    // Usage is billed in arrears, so the first invoice of a metered item charges nothing.
    const quantity = metered ? (previousStart === null || trial ? 0 : rng.int(0, 20_000)) : item.quantity;
    const period = metered ? { start: previousStart ?? start, end: start } : { start, end: trial ? start + TRIAL_DAYS * DAY : end };
    return {
      entry: item.entry,
      quantity,
      amount: trial ? 0 : itemAmount(item.entry.spec, quantity),
      period,
      item,
      description: trial ? `Trial period for ${item.entry.product.name}` : metered ? lineDescription(item.entry, quantity, currency) : item.description,
    };
  });
}

function subscriptionInvoices(sub: SubscriptionDraft, rng: Random, currency: string): InvoiceDraft[] {
  const { timeline } = sub;
  const drafts: InvoiceDraft[] = [];
  const draft = (created: number, reason: Stripe.Invoice.BillingReason, periodStart: number, lines: LineDraft[]): InvoiceDraft => ({
    id: newId('in', rng.next),
    created,
    reason,
    periodStart,
    periodEnd: created,
    status: 'paid',
    paidShare: 1,
    attempts: 1,
    lines,
    subscription: sub,
    collection: sub.collection,
    settledAt: null,
  });
  const firstCreated = timeline.created + rng.int(1, 5);
  if (timeline.trial) {
    drafts.push(draft(firstCreated, 'subscription_create', firstCreated, linesForPeriod(sub, timeline.created, null, rng, currency, true)));
    // Still in trial, or paused when the trial ended: nothing has been billed yet.
    if (timeline.anchor >= timeline.until) return drafts;
  }
  const starts = periodStarts(timeline.anchor, sub.cadence, timeline.until);
  starts.forEach((start, i) => {
    const previous = i === 0 ? (timeline.trial ? timeline.trial.start : null) : (starts[i - 1] ?? null);
    const first = i === 0 && !timeline.trial;
    const created = first ? firstCreated : start + rng.int(1, 59);
    drafts.push(draft(created, first ? 'subscription_create' : 'subscription_cycle', previous ?? created, linesForPeriod(sub, start, previous, rng, currency, false)));
  });
  return drafts;
}

/** Bends the invoice history of a subscription to what its status implies. */
function settleInvoices(sub: SubscriptionDraft, rng: Random, now: number): void {
  const invoices = sub.invoices;
  const last = invoices[invoices.length - 1];
  if (!last) return;
  for (const invoice of invoices.slice(0, -1)) {
    if (invoice.lines.some((line) => line.amount > 0) && rng.chance(0.03)) invoice.status = 'void';
  }
  const open = (invoice: InvoiceDraft, partial: boolean, attempts: number) => {
    invoice.status = 'open';
    invoice.paidShare = partial ? 0.2 + rng.next() * 0.6 : 0;
    invoice.attempts = attempts;
  };
  switch (sub.scenario) {
    case 'active_send_invoice':
      if (rng.chance(0.5)) open(last, rng.chance(0.4), 0);
      break;
    case 'past_due':
      open(last, rng.chance(0.25), rng.int(1, 4));
      break;
    case 'unpaid': {
      // Once unpaid, Stripe keeps creating renewal invoices but leaves them as drafts.
      const failed = invoices.length > 1 ? invoices[invoices.length - 2] : last;
      if (failed) open(failed, rng.chance(0.2), 4);
      if (failed !== last) last.status = 'draft';
      break;
    }
    case 'canceled_payment_failed':
      last.status = rng.chance(0.7) ? 'uncollectible' : 'void';
      last.paidShare = last.status === 'uncollectible' && rng.chance(0.3) ? 0.2 + rng.next() * 0.5 : 0;
      last.attempts = 4;
      last.settledAt = Math.min(now, last.created + rng.int(7, 20) * DAY);
      break;
    case 'incomplete':
      open(last, false, 1);
      break;
    case 'incomplete_expired':
      last.status = 'void';
      last.paidShare = 0;
      last.settledAt = sub.timeline.endedAt;
      break;
    default:
      break;
  }
}

function applyPauseCollection(sub: SubscriptionDraft, behavior: Stripe.Subscription.PauseCollection.Behavior, pausedFrom: number): void {
  for (const invoice of sub.invoices) {
    if (invoice.created < pausedFrom) continue;
    invoice.status = behavior === 'keep_as_draft' ? 'draft' : behavior === 'void' ? 'void' : 'uncollectible';
    invoice.paidShare = 0;
    invoice.attempts = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Assembling one customer

interface Context {
  rng: Random;
  now: number;
  livemode: boolean;
  catalog: Catalog;
  coupons: Stripe.Coupon[];
  account: FixtureAccount;
  emails: string[];
}

const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Vik', 'Wen', 'Yuki', 'Zoe'];
const LAST_NAMES = ['Okafor', 'Schmidt', 'García', 'Nguyen', 'Tanaka', 'Rossi', 'Dubois', 'Kowalski', 'Smith', 'Haddad', 'Silva', 'Johansson', 'Murphy', 'Cohen', 'Patel', 'Kim', "O'Brien", 'Müller'];
const DOMAINS = ['example.com', 'acme.io', 'globex.dev', 'initech.co', 'umbrella.org', 'mail.example.net'];
const PHONE_PREFIX: Record<Currency, string> = { usd: '+1415555', eur: '+4930555', jpy: '+8135550' };
const LOCALES: Record<Currency, string[]> = { usd: [], eur: ['de'], jpy: ['ja'] };

interface Person {
  name: string | null;
  email: string | null;
  phone: string | null;
  metadata: Stripe.Metadata;
}

function person(ctx: Context, index: number, currency: Currency): Person {
  const { rng } = ctx;
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  let email: string | null = null;
  if (rng.chance(0.92)) {
    const earlier = ctx.emails.length > 0 && rng.chance(0.005) ? rng.pick(ctx.emails) : null;
    // A few customers share an address with another in a different case, as real accounts do.
    email = earlier ? earlier.toUpperCase() : `${first}.${last}.${index}@${rng.pick(DOMAINS)}`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    if (!earlier) ctx.emails.push(email);
  }
  const metadata: Stripe.Metadata = {};
  if (rng.chance(0.35)) {
    metadata.crm_id = `crm_${rng.int(10_000, 99_999)}`;
    if (rng.chance(0.5)) metadata.segment = rng.pick(['smb', 'mid_market', 'enterprise']);
  }
  return {
    name: rng.chance(0.88) ? `${first} ${last}` : null,
    email,
    phone: rng.chance(0.3) ? `${PHONE_PREFIX[currency]}${rng.int(1000, 9999)}` : null,
    metadata,
  };
}

function itemDraft(rng: Random, subscriptionId: string, entry: CatalogPrice, quantity: number, currency: string): ItemDraft {
  const id = newId('si', rng.next);
  const lineParent: Stripe.InvoiceLineItem.Parent = frozen({
    invoice_item_details: null,
    subscription_item_details: {
      invoice_item: null,
      proration: false,
      proration_details: { credited_items: null },
      subscription: subscriptionId,
      subscription_item: id,
    },
    type: 'subscription_item_details',
  });
  return { id, entry, quantity, lineParent, description: lineDescription(entry, quantity, currency) };
}

function subscriptionDraft(ctx: Context, currency: Currency, taken: Set<string>): SubscriptionDraft {
  const { rng, catalog } = ctx;
  let choices = rng.weighted(SHAPES[currency])(rng);
  // A customer rarely holds two subscriptions to the same price; pick again once if so.
  if (choices.some((choice) => taken.has(choice.price))) choices = rng.weighted(SHAPES[currency])(rng);
  for (const choice of choices) taken.add(choice.price);
  const id = newId('sub', rng.next);
  const items = choices.map((choice) => itemDraft(rng, id, catalogPrice(catalog, choice.price), choice.quantity ?? 1, currency));
  const first = items[0];
  if (!first) throw new Error('a subscription shape produced no items');
  const cadence = cadenceOf(first.entry.spec);
  const scenario = rng.weighted(SCENARIOS);
  const metadata: Stripe.Metadata = rng.chance(0.2) ? { source: rng.pick(['website', 'sales', 'partner']) } : {};
  return {
    id,
    metadata,
    // A snapshot: invoices keep the metadata the subscription had when they were finalized.
    invoiceParent: frozen({ quote_details: null, subscription_details: { metadata: { ...metadata }, subscription: id }, type: 'subscription_details' }),
    scenario,
    timeline: timelineFor(scenario, rng, ctx.now, cadence),
    cadence,
    items,
    grants: [],
    invoices: [],
    collection: scenario === 'active_send_invoice' ? 'send_invoice' : 'charge_automatically',
  };
}

function grantDiscount(ctx: Context, customerId: string, coupon: Stripe.Coupon, start: number, subscriptionId: string | null, itemId: string | null): Grant {
  const discount = makeDiscount({
    id: newId('di', ctx.rng.next),
    start,
    customer: customerId,
    end: discountEnd(coupon, start),
    source: { coupon: coupon.id, type: 'coupon' },
    subscription: subscriptionId,
    subscription_item: itemId,
  });
  coupon.times_redeemed += 1;
  ctx.account.discounts.push(discount);
  return { discount, coupon, itemId };
}

function attachSubscriptionDiscounts(ctx: Context, customerId: string, currency: string, sub: SubscriptionDraft): void {
  const { rng } = ctx;
  const fitting = ctx.coupons.filter((coupon) => couponFits(coupon, currency));
  if (rng.chance(0.1)) {
    sub.grants.push(grantDiscount(ctx, customerId, rng.pick(fitting), sub.timeline.created, sub.id, null));
  }
  if (rng.chance(0.04)) {
    const item = rng.pick(sub.items);
    const percentOnly = fitting.filter((coupon) => coupon.percent_off !== null);
    sub.grants.push(grantDiscount(ctx, customerId, rng.pick(percentOnly), sub.timeline.created, sub.id, item.id));
  }
}

function couponApplies(grant: Grant, created: number, productId: string, usedOnce: Set<string>): boolean {
  const { discount, coupon } = grant;
  if (created < discount.start) return false;
  if (discount.end !== null && created >= discount.end) return false;
  if (coupon.duration === 'once' && usedOnce.has(discount.id)) return false;
  return !coupon.applies_to || coupon.applies_to.products.includes(productId);
}

interface DiscountedLine {
  draft: LineDraft;
  /** After every discount. */
  net: number;
  /** Taken by item-level discounts, which the invoice `subtotal` already includes. */
  itemCut: number;
  amounts: Stripe.InvoiceLineItem.DiscountAmount[];
  itemDiscounts: string[];
}

/** Item discounts first, then the subscription's (or else the customer's), as Stripe applies them. */
function discountLines(lines: LineDraft[], itemGrants: Grant[], invoiceGrants: Grant[], created: number, usedOnce: Set<string>): { lines: DiscountedLine[]; applied: Set<Grant> } {
  const applied = new Set<Grant>();
  const result: DiscountedLine[] = lines.map((draft) => ({ draft, net: draft.amount, itemCut: 0, amounts: [], itemDiscounts: [] }));
  const take = (line: DiscountedLine, grant: Grant, budget: { left: number }) => {
    const percent = grant.coupon.percent_off;
    const cut = percent !== null ? Math.round((line.net * percent) / 100) : Math.min(line.net, budget.left);
    if (percent === null) budget.left -= cut;
    if (grant.itemId !== null) line.itemCut += cut;
    line.net -= cut;
    line.amounts.push({ amount: cut, discount: grant.discount.id });
    applied.add(grant);
  };
  for (const line of result) {
    const productId = line.draft.entry.product.id;
    for (const grant of itemGrants) {
      if (grant.itemId !== line.draft.item?.id || !couponApplies(grant, created, productId, usedOnce)) continue;
      line.itemDiscounts.push(grant.discount.id);
      take(line, grant, { left: grant.coupon.amount_off ?? 0 });
    }
  }
  for (const grant of invoiceGrants) {
    const budget = { left: grant.coupon.amount_off ?? 0 };
    for (const line of result) {
      if (couponApplies(grant, created, line.draft.entry.product.id, usedOnce)) take(line, grant, budget);
    }
  }
  for (const grant of applied) if (grant.coupon.duration === 'once') usedOnce.add(grant.discount.id);
  return { lines: result, applied };
}

interface CustomerFacts {
  id: string;
  currency: Currency;
  person: Person;
  prefix: string;
  grant: Grant | null;
}

function oneOffParent(rng: Random): Stripe.InvoiceLineItem.Parent {
  return {
    invoice_item_details: { invoice_item: newId('ii', rng.next), proration: false, proration_details: { credited_items: null }, subscription: null },
    subscription_item_details: null,
    type: 'invoice_item_details',
  };
}

function lineItem(ctx: Context, invoiceId: string, line: DiscountedLine, sub: SubscriptionDraft | null, currency: string): Stripe.InvoiceLineItem {
  const { draft } = line;
  return makeInvoiceLineItem({
    id: newId('il', ctx.rng.next),
    livemode: ctx.livemode,
    amount: draft.amount,
    currency,
    description: draft.description,
    discount_amounts: line.amounts.length > 0 ? line.amounts : NO_DISCOUNT_AMOUNTS,
    discounts: line.itemDiscounts.length > 0 ? line.itemDiscounts : NO_DISCOUNTS,
    invoice: invoiceId,
    metadata: EMPTY_METADATA,
    parent: draft.item?.lineParent ?? oneOffParent(ctx.rng),
    period: draft.period,
    pricing: draft.entry.linePricing,
    quantity: draft.quantity,
    subscription: sub?.id ?? null,
    subtotal: draft.amount,
  });
}

function totalsByDiscount(lines: DiscountedLine[]): Stripe.Invoice.TotalDiscountAmount[] {
  const totals = new Map<string, number>();
  for (const line of lines) {
    for (const { amount, discount } of line.amounts) {
      const id = typeof discount === 'string' ? discount : discount.id;
      totals.set(id, (totals.get(id) ?? 0) + amount);
    }
  }
  return [...totals].map(([discount, amount]) => ({ amount, discount }));
}

interface Transitions {
  finalized: number | null;
  paid: number | null;
  voided: number | null;
  uncollectible: number | null;
}

function transitionsOf(draft: InvoiceDraft, rng: Random, now: number): Transitions {
  if (draft.status === 'draft') return { finalized: null, paid: null, voided: null, uncollectible: null };
  const delayed = draft.reason === 'subscription_cycle' && draft.created + FINALIZE_DELAY <= now;
  const finalized = draft.created + (delayed ? FINALIZE_DELAY : 0);
  const settled = draft.settledAt ?? Math.min(now, finalized + rng.int(1, 10) * DAY);
  return {
    finalized,
    paid: draft.status === 'paid' ? finalized + rng.int(1, 30) : null,
    voided: draft.status === 'void' ? settled : null,
    uncollectible: draft.status === 'uncollectible' ? settled : null,
  };
}

function buildInvoice(ctx: Context, customer: CustomerFacts, draft: InvoiceDraft, number: string | null, usedOnce: Set<string>): Stripe.Invoice {
  const { rng, now } = ctx;
  const sub = draft.subscription;
  const itemGrants = sub ? sub.grants.filter((grant) => grant.itemId !== null) : [];
  const subGrants = sub ? sub.grants.filter((grant) => grant.itemId === null) : [];
  const invoiceGrants = subGrants.length > 0 ? subGrants : customer.grant ? [customer.grant] : [];
  const { lines, applied } = discountLines(draft.lines, itemGrants, invoiceGrants, draft.created, usedOnce);
  const subtotal = lines.reduce((sum, line) => sum + line.draft.amount - line.itemCut, 0);
  const total = lines.reduce((sum, line) => sum + line.net, 0);
  const paid = draft.status === 'paid' ? total : draft.status === 'open' || draft.status === 'uncollectible' ? Math.floor(total * draft.paidShare) : 0;
  const transitions = transitionsOf(draft, rng, now);
  const open = draft.status === 'open';
  const sendInvoice = draft.collection === 'send_invoice';
  const discounts = invoiceGrants.filter((grant) => applied.has(grant)).map((grant) => grant.discount.id);
  const totalDiscounts = totalsByDiscount(lines);
  return makeInvoice({
    id: draft.id,
    created: draft.created,
    livemode: ctx.livemode,
    amount_due: total,
    amount_paid: paid,
    amount_remaining: total - paid,
    attempt_count: draft.status === 'draft' ? 0 : sendInvoice ? 0 : draft.attempts,
    attempted: draft.status !== 'draft' && !sendInvoice && draft.attempts > 0,
    auto_advance: draft.status === 'draft' || open,
    automatically_finalizes_at: draft.status === 'draft' && draft.created + HOUR > now ? draft.created + HOUR : null,
    billing_reason: draft.reason,
    collection_method: draft.collection,
    currency: customer.currency,
    customer: customer.id,
    customer_email: customer.person.email,
    customer_name: customer.person.name,
    customer_phone: customer.person.phone,
    customer_tax_ids: NO_TAX_IDS,
    default_tax_rates: NO_TAX_RATES,
    discounts: discounts.length > 0 ? discounts : NO_DISCOUNTS,
    due_date: sendInvoice && transitions.finalized !== null ? transitions.finalized + 30 * DAY : null,
    effective_at: transitions.finalized,
    ending_balance: transitions.finalized === null ? null : 0,
    lines: makeList(
      lines.map((line) => lineItem(ctx, draft.id, line, sub, customer.currency)),
      `/v1/invoices/${draft.id}/lines`,
    ),
    metadata: EMPTY_METADATA,
    next_payment_attempt: open && !sendInvoice && sub?.scenario === 'past_due' ? now + rng.int(1, 3) * DAY : null,
    number,
    parent: sub?.invoiceParent ?? null,
    period_end: draft.periodEnd,
    period_start: draft.periodStart,
    status: draft.status,
    status_transitions: {
      finalized_at: transitions.finalized,
      marked_uncollectible_at: transitions.uncollectible,
      paid_at: transitions.paid,
      voided_at: transitions.voided,
    },
    subtotal,
    subtotal_excluding_tax: subtotal,
    total,
    total_discount_amounts: totalDiscounts.length > 0 ? totalDiscounts : NO_TOTAL_DISCOUNTS,
    total_excluding_tax: total,
    webhooks_delivered_at: draft.status === 'draft' ? null : draft.created + rng.int(1, 5),
  });
}

type RefundKind = 'full' | 'partial_refund' | 'out_of_band' | 'mixed' | 'void';

const REFUND_KINDS: readonly (readonly [RefundKind, number])[] = [
  ['full', 40],
  ['partial_refund', 25],
  ['out_of_band', 10],
  ['mixed', 10],
  ['void', 15],
];

function maybeCreditNote(ctx: Context, customer: CustomerFacts, invoice: Stripe.Invoice): void {
  const { rng, now } = ctx;
  const paidAt = invoice.status_transitions.paid_at;
  if (invoice.status !== 'paid' || invoice.amount_paid <= 0 || paidAt === null || paidAt + DAY > now || !rng.chance(0.015)) return;
  const kind = rng.weighted(REFUND_KINDS);
  const created = Math.min(now, paidAt + rng.int(1, 45) * DAY);
  const amount = kind === 'full' || kind === 'void' ? invoice.amount_paid : Math.max(1, Math.floor(invoice.amount_paid * (0.1 + rng.next() * 0.5)));
  const outOfBand = kind === 'out_of_band' ? amount : kind === 'mixed' ? Math.floor(amount / 2) : 0;
  const refunded = amount - outOfBand;
  const id = newId('cn', rng.next);
  const firstLine = invoice.lines.data[0];
  const voided = kind === 'void';
  const note = makeCreditNote({
    id,
    created,
    livemode: ctx.livemode,
    amount,
    currency: customer.currency,
    customer: customer.id,
    discount_amount: 0,
    invoice: invoice.id,
    lines: makeList(
      [
        makeCreditNoteLineItem({
          id: newId('cnli', rng.next),
          livemode: ctx.livemode,
          amount,
          description: firstLine?.description ?? 'Refund',
          discount_amount: 0,
          discount_amounts: [],
          invoice_line_item: firstLine?.id ?? '',
          quantity: 1,
          type: 'invoice_line_item',
          metadata: {},
        }),
      ],
      `/v1/credit_notes/${id}/lines`,
    ),
    memo: null,
    number: `${invoice.number ?? customer.prefix}-CN-01`,
    out_of_band_amount: outOfBand > 0 ? outOfBand : null,
    post_payment_amount: amount,
    reason: rng.pick(['duplicate', 'order_change', 'product_unsatisfactory', null] as const),
    refunds: refunded > 0 ? [{ amount_refunded: refunded, payment_record_refund: null, refund: newId('re', rng.next), type: 'refund' }] : [],
    status: voided ? 'void' : 'issued',
    subtotal: amount,
    subtotal_excluding_tax: amount,
    total: amount,
    total_excluding_tax: amount,
    voided_at: voided ? Math.min(now, created + rng.int(1, 5) * DAY) : null,
  });
  if (!voided) invoice.post_payment_credit_notes_amount += amount;
  ctx.account.credit_notes.push(note);
}

function oneOffInvoices(ctx: Context, customerCreated: number, currency: Currency): InvoiceDraft[] {
  const { rng, now } = ctx;
  const count = rng.int(1, 3);
  const drafts: InvoiceDraft[] = [];
  for (let i = 0; i < count; i++) {
    const entry = catalogPrice(ctx.catalog, rng.pick(ONE_OFF_PRICES[currency]));
    const created = customerCreated + rng.int(1, Math.max(1, now - customerCreated - 1));
    const quantity = rng.int(1, 2);
    drafts.push({
      id: newId('in', rng.next),
      created,
      reason: 'manual',
      periodStart: created,
      periodEnd: created,
      status: rng.weighted([['paid', 70], ['draft', 10], ['open', 10], ['void', 5], ['uncollectible', 5]] as const),
      paidShare: rng.chance(0.4) ? 0.3 + rng.next() * 0.4 : 0,
      attempts: 0,
      lines: [{ entry, quantity, amount: itemAmount(entry.spec, quantity), period: { start: created, end: created }, item: null, description: lineDescription(entry, quantity, currency) }],
      subscription: null,
      collection: 'send_invoice',
      settledAt: null,
    });
  }
  return drafts;
}

function subscriptionItems(ctx: Context, sub: SubscriptionDraft, period: { start: number; end: number }): Stripe.SubscriptionItem[] {
  return sub.items.map((item) => {
    const plan = item.entry.plan;
    if (!plan) throw new Error(`${item.entry.spec.key} has no plan`);
    return makeSubscriptionItem({
      id: item.id,
      created: sub.timeline.created,
      current_period_start: period.start,
      current_period_end: period.end,
      discounts: sub.grants.filter((grant) => grant.itemId === item.id).map((grant) => grant.discount.id),
      plan,
      price: item.entry.price,
      quantity: item.entry.spec.metered ? undefined : item.quantity,
      subscription: sub.id,
    });
  });
}

function currentPeriod(sub: SubscriptionDraft): { start: number; end: number } {
  const { timeline, cadence } = sub;
  if (timeline.trial && timeline.anchor >= timeline.until) return timeline.trial;
  const starts = periodStarts(timeline.anchor, cadence, timeline.until);
  const start = starts[starts.length - 1] ?? timeline.anchor;
  return { start, end: addInterval(start, cadence.interval, cadence.count) };
}

const CANCELLATION_FEEDBACK = ['too_expensive', 'missing_features', 'switched_service', 'unused', 'other', null] as const;

function buildSubscription(ctx: Context, customer: CustomerFacts, sub: SubscriptionDraft, pause: Stripe.Subscription.PauseCollection | null): Stripe.Subscription {
  const { rng, now } = ctx;
  const { timeline, scenario } = sub;
  const period = currentPeriod(sub);
  const status = STATUS_OF[scenario];
  const latest = sub.invoices[sub.invoices.length - 1];
  const fields: Partial<Stripe.Subscription> = {};
  if (scenario === 'active_cancel_at_period_end') {
    fields.cancel_at_period_end = true;
    fields.cancel_at = period.end;
    fields.canceled_at = Math.max(period.start + 1, now - rng.int(1, 10) * DAY);
    fields.cancellation_details = { comment: null, feedback: rng.pick(CANCELLATION_FEEDBACK), feedback_option: null, reason: 'cancellation_requested' };
  }
  if (timeline.endedAt !== null && status === 'canceled') {
    const atPeriodEnd = scenario === 'canceled' && rng.chance(0.5);
    fields.canceled_at = atPeriodEnd ? Math.max(timeline.created + 1, timeline.endedAt - rng.int(1, 20) * DAY) : timeline.endedAt;
    fields.cancel_at = atPeriodEnd ? timeline.endedAt : null;
    fields.cancellation_details = {
      comment: null,
      feedback: scenario === 'canceled' ? rng.pick(CANCELLATION_FEEDBACK) : null,
      feedback_option: null,
      reason: scenario === 'canceled' ? 'cancellation_requested' : 'payment_failed',
    };
  }
  if (scenario === 'paused') fields.trial_settings = { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'pause' } };
  if (sub.collection === 'send_invoice') fields.days_until_due = 30;
  return makeSubscription({
    id: sub.id,
    created: timeline.created,
    livemode: ctx.livemode,
    billing_cycle_anchor: timeline.anchor,
    currency: customer.currency,
    customer: customer.id,
    collection_method: sub.collection,
    discounts: sub.grants.filter((grant) => grant.itemId === null).map((grant) => grant.discount.id),
    ended_at: timeline.endedAt,
    items: makeList(subscriptionItems(ctx, sub, period), `/v1/subscription_items?subscription=${sub.id}`),
    latest_invoice: latest?.id ?? null,
    metadata: sub.metadata,
    pause_collection: pause,
    start_date: timeline.created,
    status,
    trial_end: timeline.trial?.end ?? null,
    trial_start: timeline.trial?.start ?? null,
    ...fields,
  });
}

function pauseFor(ctx: Context, sub: SubscriptionDraft): Stripe.Subscription.PauseCollection | null {
  if (sub.scenario !== 'active_pause_collection') return null;
  const { rng, now } = ctx;
  const behavior = rng.pick(['keep_as_draft', 'mark_uncollectible', 'void'] as const);
  const renewals = sub.invoices.filter((invoice) => invoice.reason === 'subscription_cycle');
  const from = renewals[Math.max(0, renewals.length - rng.int(1, 3))];
  applyPauseCollection(sub, behavior, from?.created ?? now);
  return { behavior, resumes_at: rng.chance(0.5) ? now + rng.int(7, 60) * DAY : null };
}

function subscriptionCount(rng: Random): number {
  return rng.weighted([
    [0, 14],
    [1, 70],
    [2, 13],
    [3, 3],
  ] as const);
}

function generateCustomer(ctx: Context, index: number): void {
  const { rng, now, account } = ctx;
  const currency = rng.weighted([
    ['usd', 78],
    ['eur', 15],
    ['jpy', 7],
  ] as const);
  const id = newId('cus', rng.next);
  const who = person(ctx, index, currency);
  const taken = new Set<string>();
  const subs = Array.from({ length: subscriptionCount(rng) }, () => subscriptionDraft(ctx, currency, taken));
  const earliest = Math.min(...subs.map((sub) => sub.timeline.created));
  const created = subs.length > 0 ? earliest - rng.int(MINUTE, 60 * DAY) : now - rng.int(DAY, 730 * DAY);
  const prefix = invoicePrefixFor(id);
  const customerGrant = rng.chance(0.04) ? customerDiscount(ctx, id, currency, created) : null;
  const facts: CustomerFacts = { id, currency, person: who, prefix, grant: customerGrant };

  for (const sub of subs) {
    attachSubscriptionDiscounts(ctx, id, currency, sub);
    sub.invoices = subscriptionInvoices(sub, rng, currency);
    settleInvoices(sub, rng, now);
  }
  const pauses = subs.map((sub) => pauseFor(ctx, sub));
  const drafts = subs.flatMap((sub) => sub.invoices);
  if (rng.chance(subs.length === 0 ? 0.4 : 0.03)) drafts.push(...oneOffInvoices(ctx, created, currency));
  drafts.sort((a, b) => a.created - b.created);

  const usedOnce = new Set<string>();
  let sequence = 0;
  for (const draft of drafts) {
    const number = draft.status === 'draft' ? null : `${prefix}-${String(++sequence).padStart(4, '0')}`;
    const invoice = buildInvoice(ctx, facts, draft, number, usedOnce);
    account.invoices.push(invoice);
    maybeCreditNote(ctx, facts, invoice);
  }
  subs.forEach((sub, i) => account.subscriptions.push(buildSubscription(ctx, facts, sub, pauses[i] ?? null)));
  account.customers.push(
    makeCustomer({
      id,
      created,
      livemode: ctx.livemode,
      // Stripe sets a customer's currency with its first subscription or invoice.
      currency: drafts.length > 0 ? currency : null,
      delinquent: subs.some((sub) => sub.scenario === 'past_due' || sub.scenario === 'unpaid'),
      discount: customerGrant?.discount ?? null,
      email: who.email,
      invoice_prefix: prefix,
      metadata: who.metadata,
      name: who.name,
      next_invoice_sequence: sequence + 1,
      phone: who.phone,
      preferred_locales: LOCALES[currency],
    }),
  );
}

function customerDiscount(ctx: Context, customerId: string, currency: string, customerCreated: number): Grant {
  const { rng, now } = ctx;
  const coupon = rng.pick(ctx.coupons.filter((candidate) => couponFits(candidate, currency)));
  const start = Math.min(now, customerCreated + rng.int(MINUTE, 30 * DAY));
  return grantDiscount(ctx, customerId, coupon, start, null, null);
}

function apiKeys(rng: Random, livemode: boolean): ApiKey[] {
  const mode = livemode ? 'live' : 'test';
  return [
    // Real keys are `sk_test_` + ~99 alphanumerics; these derive from the seed.
    { key: randomToken(`sk_${mode}`, 99, rng.next), permissions: 'all' },
    { key: randomToken(`rk_${mode}`, 99, rng.next), permissions: [...RESTRICTED_KEY_PERMISSIONS] },
  ];
}

export function generateAccount(options: GenerateOptions): FixtureAccount {
  if (!Number.isInteger(options.customers) || options.customers < 0) throw new Error(`customers must be a non-negative integer, got ${options.customers}`);
  const rng = new Random(options.seed ?? DEFAULT_SEED);
  const now = options.now ?? DEFAULT_NOW;
  const livemode = options.livemode ?? false;
  // Drawn even when an id is given, so the rest of the account does not depend on that choice.
  const generatedId = newId('acct', rng.next);
  const account: FixtureAccount = {
    id: options.accountId ?? generatedId,
    api_keys: apiKeys(rng, livemode),
    customers: [],
    products: [],
    prices: [],
    subscriptions: [],
    invoices: [],
    credit_notes: [],
    coupons: [],
    discounts: [],
  };
  const catalog = buildCatalog(rng, now - 760 * DAY, livemode);
  account.products = catalog.products;
  account.prices = catalog.prices;
  account.coupons = buildCoupons(catalog, now - 750 * DAY, livemode);
  const ctx: Context = { rng, now, livemode, catalog, coupons: account.coupons, account, emails: [] };
  for (let i = 0; i < options.customers; i++) generateCustomer(ctx, i);
  return account;
}
