/**
 * Deterministic Stripe accounts for the emulator: N customers with the mix of plans, statuses,
 * discounts, invoices and credit notes that a sync and a revenue-metrics engine must cope with.
 * Same seed, same account: every choice comes from one seeded stream and the clock is never read
 * (`now` defaults to a fixed instant).
 *
 * 100,000 customers make about a million invoices, so the hot paths copy shared "blank" objects
 * (factory output whose nested values are frozen and shared) and avoid per-line garbage.
 */
import type Stripe from 'stripe';
import {
  addInterval,
  frozen,
  invoicePrefixFor,
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
  newId,
  randomToken,
  seconds,
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
  /** Unix seconds at which the account's history ends. */
  now?: number;
}

/** 2026-11-01T00:00:00Z, just after the pinned API version: fixtures never depend on the clock. */
export const DEFAULT_NOW = 1_793_491_200;
export const DEFAULT_SEED = 1;

/** A typical read-only restricted key; it lacks credit_note_read, so LTV has to degrade. */
export const RESTRICTED_KEY_PERMISSIONS = ['customer_read', 'subscription_read', 'invoice_read', 'product_read', 'plan_read', 'coupon_read', 'event_read'];

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;
const MONTH = 30.44 * DAY;
const TRIAL_DAYS = 14;
/** Stripe finalizes a renewal invoice about an hour after creating it. */
const FINALIZE_DELAY = HOUR;

/** Factory defaults with their nested values frozen, copied by every object of the type. */
function blank<T extends object>(object: T): T {
  for (const value of Object.values(object)) frozen(value);
  return object;
}

const METERED_RECURRING: Stripe.Price.Recurring = { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'metered' };
const BLANK_INVOICE = blank(makeInvoice({ id: '', created: 0 }));
const BLANK_LINE = blank(makeInvoiceLineItem({ id: '' }));
const BLANK_ITEM = blank(makeSubscriptionItem({ id: '', created: 0 }));
const BLANK_METERED_ITEM = blank(makeSubscriptionItem({ id: '', created: 0, price: makePrice({ id: '', created: 0, recurring: METERED_RECURRING }) }));
const NO_TRANSITIONS = BLANK_INVOICE.status_transitions;

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: one stream of ~10^8 draws stays far below its 2^32 period. */
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
    return this.pick(entries)[0];
  }
}

// ---------------------------------------------------------------------------------------------
// Catalog

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
  /** Minor units per unit; fractional for metered usage (the API then sends only the decimal). */
  unit: number | null;
  interval?: Interval;
  count?: number;
  metered?: boolean;
  tiers?: { mode: 'volume' | 'graduated'; tiers: TierSpec[] };
  transform?: { divide_by: number; round: 'up' | 'down' };
}

const PRODUCTS = [
  { key: 'starter', name: 'Starter', description: 'Interviews for small teams', unit_label: null },
  { key: 'pro', name: 'Pro', description: 'Unlimited studies and AI synthesis', unit_label: null },
  { key: 'team', name: 'Team', description: 'Per-seat plan for research teams', unit_label: 'seat' },
  { key: 'usage', name: 'API Usage', description: 'Metered interview minutes', unit_label: 'minute' },
  { key: 'audience', name: 'Audience', description: 'Panel contacts, billed per 10', unit_label: 'contact' },
  { key: 'digest', name: 'Insights Digest', description: 'Weekly research digest', unit_label: null },
  { key: 'addons', name: 'Add-ons', description: 'Optional workspace features', unit_label: null },
  { key: 'services', name: 'Services', description: 'One-off onboarding and research services', unit_label: null },
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

function oneTime(key: string, currency: Currency, nickname: string, unit: number): PriceSpec {
  return { key, product: 'services', currency, nickname, unit };
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
  oneTime('onboarding_usd', 'usd', 'Onboarding workshop', 50000),
  oneTime('study_usd', 'usd', 'Managed study', 120000),
  oneTime('onboarding_eur', 'eur', 'Onboarding workshop (EUR)', 45000),
  oneTime('onboarding_jpy', 'jpy', 'Onboarding workshop (JPY)', 60000),
];

interface CatalogPrice {
  spec: PriceSpec;
  price: Stripe.Price;
  /** The price as subscription items embed it: `tiers` only comes with expand[]=tiers. */
  embedded: Stripe.Price;
  product: Stripe.Product;
  /** Shared by every subscription item on this price, as the API embeds the same plan. */
  plan: Stripe.Plan | null;
  /** Shared by every invoice line on this price. */
  linePricing: Stripe.InvoiceLineItem.Pricing;
  trialDescription: string;
}

interface Catalog {
  products: Map<string, Stripe.Product>;
  prices: Map<string, CatalogPrice>;
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

function recurringOf(rng: Random, spec: PriceSpec): Stripe.Price.Recurring | null {
  if (!spec.interval) return null;
  return {
    interval: spec.interval,
    interval_count: spec.count ?? 1,
    meter: spec.metered ? newId('mtr', rng.next) : null,
    trial_period_days: null,
    usage_type: spec.metered ? 'metered' : 'licensed',
  };
}

function priceFromSpec(rng: Random, spec: PriceSpec, product: Stripe.Product, created: number, livemode: boolean): Stripe.Price {
  const fractional = spec.unit !== null && !Number.isInteger(spec.unit);
  const price = makePrice({
    id: newId('price', rng.next),
    created,
    livemode,
    billing_scheme: spec.tiers ? 'tiered' : 'per_unit',
    currency: spec.currency,
    nickname: spec.nickname,
    product: product.id,
    recurring: recurringOf(rng, spec),
    tiers_mode: spec.tiers?.mode ?? null,
    transform_quantity: spec.transform ?? null,
    // Sub-cent prices exist only as decimals: the API leaves `unit_amount` null for them.
    unit_amount: fractional ? null : spec.unit,
    unit_amount_decimal: spec.unit === null ? null : wireDecimal(spec.unit),
  });
  // Includable (expand[]=tiers): the store keeps tiers so that the server can serve them.
  const tiers = tiersOf(spec);
  if (tiers) price.tiers = tiers;
  return price;
}

function catalogEntry(spec: PriceSpec, price: Stripe.Price, product: Stripe.Product): CatalogPrice {
  const linePricing: Stripe.InvoiceLineItem.Pricing = frozen({
    price_details: { price: price.id, product: product.id },
    type: 'price_details',
    unit_amount_decimal: price.unit_amount_decimal,
  });
  const plan = price.recurring ? makePlanFromPrice(price) : null;
  const { tiers: _includable, ...embedded } = price;
  return { spec, price, embedded, product, plan, linePricing, trialDescription: `Trial period for ${product.name}` };
}

function buildCatalog(rng: Random, start: number, livemode: boolean): Catalog {
  const products = new Map<string, Stripe.Product>();
  PRODUCTS.forEach((spec, i) => {
    const created = start + i * HOUR;
    const { name, description, unit_label } = spec;
    products.set(spec.key, makeProduct({ id: newId('prod', rng.next), created, livemode, name, description, unit_label, updated: created }));
  });
  const prices = new Map<string, CatalogPrice>();
  PRICE_SPECS.forEach((spec, i) => {
    const product = products.get(spec.product);
    if (!product) throw new Error(`price ${spec.key} names unknown product ${spec.product}`);
    const price = priceFromSpec(rng, spec, product, start + DAY + i * MINUTE, livemode);
    if (product.default_price === null) product.default_price = price.id;
    prices.set(spec.key, catalogEntry(spec, price, product));
  });
  return { products, prices };
}

function catalogPrice(catalog: Catalog, key: string): CatalogPrice {
  const entry = catalog.prices.get(key);
  if (!entry) throw new Error(`unknown price ${key}`);
  return entry;
}

interface ItemChoice {
  price: string;
  quantity?: number;
}

type Shape = (rng: Random) => ItemChoice[];

const single = (price: string): Shape => () => [{ price }];
const quantity = (price: string, min: number, max: number): Shape => (rng) => [{ price, quantity: rng.int(min, max) }];

function withAddons(rng: Random, count: number): ItemChoice[] {
  const left = ADDONS.map((_, i) => i);
  const chosen: ItemChoice[] = [{ price: 'pro_usd_month' }];
  for (let i = 0; i < count; i++) chosen.push({ price: `addon_usd_${left.splice(rng.int(0, left.length - 1), 1)[0]}` });
  return chosen;
}

/** What a customer subscribes to, per currency, weighted roughly like a SaaS customer base. */
const SHAPES: Record<Currency, readonly (readonly [Shape, number])[]> = {
  usd: [
    [single('starter_usd_month'), 18],
    [single('starter_usd_year'), 6],
    [single('starter_usd_day'), 0.3],
    [single('pro_usd_month'), 16],
    [single('pro_usd_quarter'), 4],
    [single('pro_usd_year'), 6],
    [single('pro_usd_biennial'), 1],
    [quantity('team_usd_seat', 2, 25), 8],
    [quantity('team_usd_volume', 1, 20), 3],
    [quantity('team_usd_graduated', 1, 20), 3],
    [() => [{ price: 'pro_usd_month' }, { price: 'usage_usd_metered' }], 5],
    [single('usage_usd_metered'), 3],
    [single('digest_usd_week'), 2],
    [quantity('audience_usd_month', 10, 500), 3],
    [(rng) => withAddons(rng, rng.int(1, 3)), 6],
    // More than 10 items: the API serves the first 10 and the client must page the rest.
    [(rng) => withAddons(rng, rng.int(10, 14)), 1.5],
  ],
  eur: [
    [single('starter_eur_month'), 30],
    [single('pro_eur_month'), 30],
    [single('pro_eur_year'), 10],
    [quantity('team_eur_seat', 2, 25), 15],
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

function tieredAmount(tiers: NonNullable<PriceSpec['tiers']>, quantity: number): number {
  if (tiers.mode === 'volume') {
    const tier = tiers.tiers.find((t) => t.up_to === null || quantity <= t.up_to) ?? { unit: 0, flat: null };
    return quantity * tier.unit + (tier.flat ?? 0);
  }
  let total = 0;
  let billed = 0;
  for (const tier of tiers.tiers) {
    const units = Math.min(quantity, tier.up_to ?? Infinity) - billed;
    if (units <= 0) break;
    total += units * tier.unit + (tier.flat ?? 0);
    billed += units;
  }
  return total;
}

/** One billing period of an item before discounts (for a metered item, `quantity` is usage). */
function itemAmount(spec: PriceSpec, quantity: number): number {
  if (spec.tiers) return tieredAmount(spec.tiers, quantity);
  const units = spec.transform ? (spec.transform.round === 'up' ? Math.ceil : Math.floor)(quantity / spec.transform.divide_by) : quantity;
  return Math.round((spec.unit ?? 0) * units);
}

function money(amount: number, currency: string): string {
  if (currency === 'jpy') return `¥${amount}`;
  return `${currency === 'eur' ? '€' : '$'}${(amount / 100).toFixed(2)}`;
}

function lineDescription(entry: CatalogPrice, quantity: number): string {
  const { spec, product } = entry;
  if (spec.metered) return `${quantity} × ${product.name} (usage)`;
  if (!spec.interval) return `${quantity} × ${spec.nickname}`;
  if (spec.unit === null) return `${quantity} × ${product.name} (${spec.nickname})`;
  const count = spec.count ?? 1;
  const every = count === 1 ? spec.interval : `every ${count} ${spec.interval}s`;
  return `${quantity} × ${product.name} (at ${money(spec.unit, spec.currency)} / ${every})`;
}

// ---------------------------------------------------------------------------------------------
// Coupons and discounts

interface CouponSpec {
  id: string;
  name: string;
  duration: 'forever' | 'repeating' | 'once';
  percent_off?: number;
  amount_off?: number;
  currency?: Currency;
  months?: number;
  product?: string;
}

const COUPON_SPECS: CouponSpec[] = [
  { id: 'LAUNCH50', name: 'Launch 50% off', percent_off: 50, duration: 'forever' },
  { id: 'WELCOME25', name: 'Welcome 25% for 3 months', percent_off: 25, duration: 'repeating', months: 3 },
  { id: 'FIRSTFREE', name: 'First invoice free', percent_off: 100, duration: 'once' },
  { id: 'SAVE10', name: '$10 off', amount_off: 1000, currency: 'usd', duration: 'forever' },
  { id: 'EURO5', name: '€5 off for 6 months', amount_off: 500, currency: 'eur', duration: 'repeating', months: 6 },
  { id: 'YEN500', name: '¥500 off once', amount_off: 500, currency: 'jpy', duration: 'once' },
  { id: 'PRO20', name: '20% off Pro', percent_off: 20, duration: 'forever', product: 'pro' },
];

function buildCoupons(catalog: Catalog, created: number, livemode: boolean): Stripe.Coupon[] {
  return COUPON_SPECS.map((spec) => {
    const coupon = makeCoupon({
      id: spec.id,
      created,
      livemode,
      amount_off: spec.amount_off ?? null,
      currency: spec.currency ?? null,
      duration: spec.duration,
      duration_in_months: spec.months ?? null,
      name: spec.name,
      percent_off: spec.percent_off ?? null,
      times_redeemed: 0,
    });
    const product = spec.product === undefined ? undefined : catalog.products.get(spec.product);
    // Includable (expand[]=applies_to): the store keeps it so that the server can serve it.
    if (product) coupon.applies_to = { products: [product.id] };
    return coupon;
  });
}

/** A discount together with its coupon; `itemId` is set for item-level discounts. */
interface Grant {
  discount: Stripe.Discount;
  coupon: Stripe.Coupon;
  itemId: string | null;
}

function couponFits(coupon: Stripe.Coupon, currency: string): boolean {
  return coupon.amount_off === null || coupon.currency === currency;
}

function grantApplies(grant: Grant, created: number, productId: string, usedOnce: ReadonlySet<string>): boolean {
  const { discount, coupon } = grant;
  if (created < discount.start || (discount.end !== null && created >= discount.end)) return false;
  if (coupon.duration === 'once' && usedOnce.has(discount.id)) return false;
  return !coupon.applies_to || coupon.applies_to.products.includes(productId);
}

// ---------------------------------------------------------------------------------------------
// Subscription histories

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

/** How a subscription's story goes, the status it ends in, and how often. */
const SCENARIOS: readonly (readonly [readonly [Scenario, Stripe.Subscription.Status], number])[] = [
  [['active', 'active'], 48],
  [['active_after_trial', 'active'], 8],
  [['active_cancel_at_period_end', 'active'], 4],
  [['active_pause_collection', 'active'], 3],
  [['active_send_invoice', 'active'], 4],
  [['trialing', 'trialing'], 7],
  [['past_due', 'past_due'], 5],
  [['canceled', 'canceled'], 10],
  [['canceled_payment_failed', 'canceled'], 3],
  [['unpaid', 'unpaid'], 3],
  [['incomplete_expired', 'incomplete_expired'], 3],
  [['incomplete', 'incomplete'], 1],
  [['paused', 'paused'], 3],
];

interface Cadence {
  interval: Interval;
  count: number;
}

interface Window {
  start: number;
  end: number;
}

interface Timeline {
  created: number;
  trial: Window | null;
  /** Start of the first paid period: creation, or the end of the trial. */
  anchor: number;
  /** Renewals happen up to here: `now`, or when the subscription ended or paused. */
  until: number;
  endedAt: number | null;
  /** Canceled to take effect when the period ended, rather than at once. */
  endedAtPeriodEnd: boolean;
}

function monthsAgo(now: number, months: number): number {
  return seconds(now - months * MONTH);
}

/** 3–18 months of renewals; daily and weekly plans renew so often that a few months is plenty. */
function historyMonths(rng: Random, cadence: Cadence): number {
  if (cadence.interval === 'day') return 3 + rng.next();
  if (cadence.interval === 'week') return 3 + rng.next() * 3;
  return 3 + rng.next() * 15;
}

function ongoing(created: number, trial: boolean, now: number): Timeline {
  const window = trial ? { start: created, end: created + TRIAL_DAYS * DAY } : null;
  return { created, trial: window, anchor: window?.end ?? created, until: now, endedAt: null, endedAtPeriodEnd: false };
}

function timelineFor(scenario: Scenario, rng: Random, now: number, cadence: Cadence): Timeline {
  switch (scenario) {
    case 'trialing':
      return ongoing(now - rng.int(HOUR, (TRIAL_DAYS - 1) * DAY), true, now);
    case 'paused': {
      // The trial ended without a payment method and the subscription paused then.
      const created = monthsAgo(now, 1 + rng.next() * 10);
      return { ...ongoing(created, true, now), until: created + TRIAL_DAYS * DAY };
    }
    case 'incomplete':
      return ongoing(now - rng.int(HOUR, 20 * HOUR), false, now);
    case 'incomplete_expired': {
      const created = monthsAgo(now, 1 + rng.next() * 19);
      return { ...ongoing(created, false, now), until: created, endedAt: created + 23 * HOUR };
    }
    case 'canceled':
    case 'canceled_payment_failed': {
      const lived = Math.min(14, historyMonths(rng, cadence));
      const created = monthsAgo(now, lived + 0.5 + rng.next() * 5.5);
      const endedAt = seconds(created + lived * MONTH);
      return { ...ongoing(created, false, now), until: endedAt - 1, endedAt };
    }
    default:
      return ongoing(monthsAgo(now, historyMonths(rng, cadence)), scenario === 'active_after_trial', now);
  }
}

/** A cancellation at period end takes effect at the end of the last billed period. */
function endAtPeriodEnd(rng: Random, timeline: Timeline, cadence: Cadence, starts: number[], now: number): void {
  const last = starts[starts.length - 1];
  if (timeline.endedAt === null || last === undefined || !rng.chance(0.5)) return;
  const periodEnd = addInterval(last, cadence.interval, cadence.count);
  if (periodEnd > now) return;
  timeline.endedAt = periodEnd;
  timeline.endedAtPeriodEnd = true;
}

/** Starts of the billed periods: from the anchor while renewals happen (none before a trial ends). */
function periodStarts(timeline: Timeline, cadence: Cadence): number[] {
  if (timeline.trial && timeline.anchor >= timeline.until) return [];
  const starts = [timeline.anchor];
  for (let next = addInterval(timeline.anchor, cadence.interval, cadence.count); next <= timeline.until; next = addInterval(next, cadence.interval, cadence.count)) {
    starts.push(next);
  }
  return starts;
}

interface ItemDraft {
  id: string;
  entry: CatalogPrice;
  quantity: number;
  /** The `parent` of every invoice line that bills this item. */
  lineParent: Stripe.InvoiceLineItem.Parent;
  description: string;
}

interface SubscriptionDraft {
  id: string;
  scenario: Scenario;
  status: Stripe.Subscription.Status;
  cadence: Cadence;
  timeline: Timeline;
  starts: number[];
  items: ItemDraft[];
  collection: Stripe.Subscription.CollectionMethod;
  metadata: Stripe.Metadata;
  /** The `parent` of every invoice this subscription generates. */
  invoiceParent: Stripe.Invoice.Parent;
  /** Item-level and subscription-level discounts. */
  grants: Grant[];
  subscriptionGrants: Grant[];
  invoices: InvoiceDraft[];
}

interface LineDraft {
  entry: CatalogPrice;
  item: ItemDraft | null;
  quantity: number;
  amount: number;
  period: Window;
  description: string;
  /** Filled in when discounts are applied. */
  net: number;
  itemCut: number;
  discountAmounts: Stripe.InvoiceLineItem.DiscountAmount[];
  itemDiscounts: string[];
}

interface InvoiceDraft {
  id: string;
  created: number;
  reason: Stripe.Invoice.BillingReason;
  periodStart: number;
  status: Stripe.Invoice.Status;
  /** Share of `amount_due` paid on an open or uncollectible invoice. */
  paidShare: number;
  attempts: number;
  lines: LineDraft[];
  subscription: SubscriptionDraft | null;
  collection: Stripe.Invoice.CollectionMethod;
  /** When it was voided or marked uncollectible, if not some days after finalization. */
  settledAt: number | null;
}

function itemDraft(rng: Random, subscriptionId: string, entry: CatalogPrice, quantity: number): ItemDraft {
  const id = newId('si', rng.next);
  const details = { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: subscriptionId, subscription_item: id };
  const lineParent: Stripe.InvoiceLineItem.Parent = frozen({ invoice_item_details: null, subscription_item_details: details, type: 'subscription_item_details' });
  return { id, entry, quantity, lineParent, description: lineDescription(entry, quantity) };
}

function lineDraft(entry: CatalogPrice, item: ItemDraft | null, quantity: number, amount: number, period: Window, description: string): LineDraft {
  return { entry, item, quantity, amount, period, description, net: amount, itemCut: 0, discountAmounts: [], itemDiscounts: [] };
}

function trialLines(sub: SubscriptionDraft, trial: Window): LineDraft[] {
  const lines: LineDraft[] = [];
  for (const item of sub.items) lines.push(lineDraft(item.entry, item, item.entry.spec.metered ? 0 : item.quantity, 0, trial, item.entry.trialDescription));
  return lines;
}

/** Licensed items are billed in advance for the period; metered usage in arrears for the last one. */
function periodLines(rng: Random, sub: SubscriptionDraft, service: Window, usage: Window | null): LineDraft[] {
  const lines: LineDraft[] = [];
  for (const item of sub.items) {
    const { entry } = item;
    if (!entry.spec.metered) {
      lines.push(lineDraft(entry, item, item.quantity, itemAmount(entry.spec, item.quantity), service, item.description));
      continue;
    }
    const used = usage ? rng.int(0, 20_000) : 0;
    lines.push(lineDraft(entry, item, used, itemAmount(entry.spec, used), usage ?? { start: service.start, end: service.start }, lineDescription(entry, used)));
  }
  return lines;
}

function invoiceDraft(rng: Random, sub: SubscriptionDraft, created: number, reason: Stripe.Invoice.BillingReason, periodStart: number, lines: LineDraft[]): InvoiceDraft {
  const id = newId('in', rng.next);
  return { id, created, reason, periodStart, status: 'paid', paidShare: 1, attempts: 1, lines, subscription: sub, collection: sub.collection, settledAt: null };
}

function subscriptionInvoices(rng: Random, sub: SubscriptionDraft): InvoiceDraft[] {
  const { timeline, starts, cadence } = sub;
  const invoices: InvoiceDraft[] = [];
  const firstCreated = timeline.created + rng.int(1, 5);
  if (timeline.trial) invoices.push(invoiceDraft(rng, sub, firstCreated, 'subscription_create', firstCreated, trialLines(sub, timeline.trial)));
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] ?? timeline.anchor;
    const service = { start, end: starts[i + 1] ?? addInterval(start, cadence.interval, cadence.count) };
    // Usage during a trial is free, so metered lines charge from the first paid period on.
    const previous = i > 0 ? (starts[i - 1] ?? null) : null;
    const usage = previous === null ? null : { start: previous, end: start };
    const first = i === 0 && !timeline.trial;
    // Renewal invoices appear within a minute of the period start, never after the history ends.
    const created = first ? firstCreated : Math.min(start + rng.int(1, 59), timeline.until);
    const periodStart = previous ?? timeline.trial?.start ?? created;
    invoices.push(invoiceDraft(rng, sub, created, first ? 'subscription_create' : 'subscription_cycle', periodStart, periodLines(rng, sub, service, usage)));
  }
  return invoices;
}

function markOpen(rng: Random, invoice: InvoiceDraft, partial: boolean, attempts: number): void {
  invoice.status = 'open';
  invoice.paidShare = partial ? 0.2 + rng.next() * 0.6 : 0;
  invoice.attempts = attempts;
}

/** Bends a subscription's invoice history to what its status implies. */
function settleInvoices(rng: Random, sub: SubscriptionDraft, now: number): void {
  const { invoices } = sub;
  const last = invoices[invoices.length - 1];
  if (!last) return;
  for (let i = 0; i < invoices.length - 1; i++) {
    const invoice = invoices[i];
    if (invoice && invoice.reason === 'subscription_cycle' && rng.chance(0.03)) invoice.status = 'void';
  }
  switch (sub.scenario) {
    case 'active_send_invoice':
      if (rng.chance(0.5)) markOpen(rng, last, rng.chance(0.4), 0);
      return;
    case 'past_due':
      return markOpen(rng, last, rng.chance(0.25), rng.int(1, 4));
    case 'unpaid': {
      // Once unpaid, Stripe still creates renewal invoices but leaves them as drafts.
      const failed = invoices[invoices.length - 2] ?? last;
      markOpen(rng, failed, rng.chance(0.2), 4);
      if (failed !== last) last.status = 'draft';
      return;
    }
    case 'canceled_payment_failed':
      last.status = rng.chance(0.7) ? 'uncollectible' : 'void';
      last.paidShare = last.status === 'uncollectible' && rng.chance(0.3) ? 0.2 + rng.next() * 0.5 : 0;
      last.attempts = 4;
      last.settledAt = Math.min(now, last.created + rng.int(7, 20) * DAY);
      return;
    case 'incomplete':
      return markOpen(rng, last, false, 1);
    case 'incomplete_expired':
      last.status = 'void';
      last.paidShare = 0;
      last.settledAt = sub.timeline.endedAt;
      return;
    default:
      return;
  }
}

/** `pause_collection` from one of the last renewals on: those invoices follow its behavior. */
function pauseCollection(rng: Random, sub: SubscriptionDraft, now: number): Stripe.Subscription.PauseCollection | null {
  if (sub.scenario !== 'active_pause_collection') return null;
  const behavior = rng.pick(['keep_as_draft', 'mark_uncollectible', 'void'] as const);
  const renewals = sub.invoices.filter((invoice) => invoice.reason === 'subscription_cycle');
  const from = renewals[Math.max(0, renewals.length - rng.int(1, 3))]?.created ?? now;
  for (const invoice of sub.invoices) {
    if (invoice.created < from) continue;
    invoice.status = behavior === 'keep_as_draft' ? 'draft' : behavior === 'void' ? 'void' : 'uncollectible';
    invoice.paidShare = 0;
    invoice.attempts = 0;
  }
  return { behavior, resumes_at: rng.chance(0.5) ? now + rng.int(7, 60) * DAY : null };
}

// ---------------------------------------------------------------------------------------------
// One customer

interface Context {
  rng: Random;
  now: number;
  livemode: boolean;
  catalog: Catalog;
  coupons: Stripe.Coupon[];
  account: FixtureAccount;
  /** Earlier customers' emails, a few of which are reused in another case. */
  emails: string[];
}

interface CustomerFacts {
  id: string;
  currency: Currency;
  email: string | null;
  name: string | null;
  phone: string | null;
  metadata: Stripe.Metadata;
  prefix: string;
  grant: Grant | null;
  /** `[grant]` when there is one: what applies to invoices without discounts of their own. */
  grants: Grant[];
}

const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Vik', 'Wen', 'Yuki', 'Zoe'];
const LAST_NAMES = ['Okafor', 'Schmidt', 'García', 'Nguyen', 'Tanaka', 'Rossi', 'Dubois', 'Kowalski', 'Smith', 'Haddad', 'Silva', 'Johansson', 'Murphy', 'Cohen', 'Patel', 'Kim', "O'Brien", 'Müller'];
const DOMAINS = ['example.com', 'acme.io', 'globex.dev', 'initech.co', 'umbrella.org', 'mail.example.net'];
const PHONE_PREFIX: Record<Currency, string> = { usd: '+1415555', eur: '+4930555', jpy: '+8135550' };
const LOCALES: Record<Currency, string[]> = { usd: [], eur: ['de'], jpy: ['ja'] };

function emailFor(ctx: Context, first: string, last: string, index: number): string | null {
  const { rng } = ctx;
  if (!rng.chance(0.92)) return null;
  // The same person signing up twice, in another case: invites must dedupe on lower(email).
  if (ctx.emails.length > 0 && rng.chance(0.005)) return rng.pick(ctx.emails).toUpperCase();
  const email = `${first}.${last}.${index}@${rng.pick(DOMAINS)}`.normalize('NFD').replace(/[^A-Za-z0-9.@-]/g, '').toLowerCase();
  ctx.emails.push(email);
  return email;
}

function customerFacts(ctx: Context, index: number): CustomerFacts {
  const { rng } = ctx;
  const currency = rng.weighted([['usd', 78], ['eur', 15], ['jpy', 7]] as const);
  const id = newId('cus', rng.next);
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const email = emailFor(ctx, first, last, index);
  const metadata: Stripe.Metadata = {};
  if (rng.chance(0.35)) metadata.crm_id = `crm_${rng.int(10_000, 99_999)}`;
  if (rng.chance(0.15)) metadata.segment = rng.pick(['smb', 'mid_market', 'enterprise']);
  return {
    id,
    currency,
    email,
    name: rng.chance(0.88) ? `${first} ${last}` : null,
    phone: rng.chance(0.3) ? `${PHONE_PREFIX[currency]}${rng.int(1000, 9999)}` : null,
    metadata,
    prefix: invoicePrefixFor(id),
    grant: null,
    grants: [],
  };
}

function subscriptionDraft(ctx: Context, currency: Currency, taken: Set<string>): SubscriptionDraft {
  const { rng, catalog } = ctx;
  let choices = rng.weighted(SHAPES[currency])(rng);
  // A customer rarely subscribes to the same price twice: draw once more if so.
  if (choices.some((choice) => taken.has(choice.price))) choices = rng.weighted(SHAPES[currency])(rng);
  for (const choice of choices) taken.add(choice.price);
  const id = newId('sub', rng.next);
  const items = choices.map((choice) => itemDraft(rng, id, catalogPrice(catalog, choice.price), choice.quantity ?? 1));
  const spec = items[0]?.entry.spec;
  if (!spec?.interval) throw new Error('a subscription needs a recurring first item');
  const cadence = { interval: spec.interval, count: spec.count ?? 1 };
  const [scenario, status] = rng.weighted(SCENARIOS);
  const timeline = timelineFor(scenario, rng, ctx.now, cadence);
  const starts = periodStarts(timeline, cadence);
  if (scenario === 'canceled') endAtPeriodEnd(rng, timeline, cadence, starts, ctx.now);
  const metadata: Stripe.Metadata = rng.chance(0.2) ? { source: rng.pick(['website', 'sales', 'partner']) } : {};
  // A snapshot: invoices keep the subscription metadata they were finalized with.
  const invoiceParent: Stripe.Invoice.Parent = frozen({ quote_details: null, subscription_details: { metadata: { ...metadata }, subscription: id }, type: 'subscription_details' });
  const collection = scenario === 'active_send_invoice' ? 'send_invoice' : 'charge_automatically';
  return { id, scenario, status, cadence, timeline, starts, items, collection, metadata, invoiceParent, grants: [], subscriptionGrants: [], invoices: [] };
}

function grantDiscount(ctx: Context, customerId: string, coupon: Stripe.Coupon, start: number, subscriptionId: string | null, itemId: string | null): Grant {
  const discount = makeDiscount({
    id: newId('di', ctx.rng.next),
    start,
    customer: customerId,
    end: coupon.duration === 'repeating' && coupon.duration_in_months !== null ? addInterval(start, 'month', coupon.duration_in_months) : null,
    source: { coupon: coupon.id, type: 'coupon' },
    subscription: subscriptionId,
    subscription_item: itemId,
  });
  coupon.times_redeemed += 1;
  ctx.account.discounts.push(discount);
  return { discount, coupon, itemId };
}

function attachDiscounts(ctx: Context, customer: CustomerFacts, sub: SubscriptionDraft): void {
  const { rng } = ctx;
  const fitting = ctx.coupons.filter((coupon) => couponFits(coupon, customer.currency));
  const start = sub.timeline.created;
  if (rng.chance(0.1)) {
    const grant = grantDiscount(ctx, customer.id, rng.pick(fitting), start, sub.id, null);
    sub.grants.push(grant);
    sub.subscriptionGrants.push(grant);
  }
  if (rng.chance(0.04)) {
    const percentOnly = fitting.filter((coupon) => coupon.percent_off !== null);
    sub.grants.push(grantDiscount(ctx, customer.id, rng.pick(percentOnly), start, sub.id, rng.pick(sub.items).id));
  }
}

function cut(line: LineDraft, grant: Grant, budget: { left: number }): void {
  const percent = grant.coupon.percent_off;
  // Percentages apply to what is left; an amount is taken once per invoice, line after line.
  const amount = percent !== null ? Math.round((line.net * percent) / 100) : Math.min(line.net, budget.left);
  if (percent === null) budget.left -= amount;
  if (grant.itemId !== null) line.itemCut += amount;
  line.net -= amount;
  line.discountAmounts.push({ amount, discount: grant.discount.id });
}

/** Item discounts first, then the subscription's (or else the customer's), as Stripe applies them. */
function applyDiscounts(draft: InvoiceDraft, invoiceGrants: Grant[], usedOnce: Set<string>): Grant[] {
  const applied: Grant[] = [];
  const itemGrants = draft.subscription?.grants ?? [];
  for (const line of draft.lines) {
    for (const grant of itemGrants) {
      if (grant.itemId === null || grant.itemId !== line.item?.id || !grantApplies(grant, draft.created, line.entry.product.id, usedOnce)) continue;
      line.itemDiscounts.push(grant.discount.id);
      cut(line, grant, { left: 0 });
      if (!applied.includes(grant)) applied.push(grant);
    }
  }
  for (const grant of invoiceGrants) {
    const budget = { left: grant.coupon.amount_off ?? 0 };
    for (const line of draft.lines) {
      if (!grantApplies(grant, draft.created, line.entry.product.id, usedOnce)) continue;
      cut(line, grant, budget);
      if (!applied.includes(grant)) applied.push(grant);
    }
  }
  for (const grant of applied) if (grant.coupon.duration === 'once') usedOnce.add(grant.discount.id);
  return applied;
}

function oneOffInvoices(ctx: Context, customerCreated: number, currency: Currency): InvoiceDraft[] {
  const { rng, now } = ctx;
  const drafts: InvoiceDraft[] = [];
  for (let count = rng.int(1, 3); count > 0; count--) {
    const entry = catalogPrice(ctx.catalog, rng.pick(ONE_OFF_PRICES[currency]));
    const created = customerCreated + rng.int(1, Math.max(1, now - customerCreated - 1));
    const quantity = rng.int(1, 2);
    const line = lineDraft(entry, null, quantity, itemAmount(entry.spec, quantity), { start: created, end: created }, lineDescription(entry, quantity));
    const status = rng.weighted([['paid', 70], ['draft', 10], ['open', 10], ['void', 5], ['uncollectible', 5]] as const);
    const paidShare = rng.chance(0.4) ? 0.3 + rng.next() * 0.4 : 0;
    drafts.push({ id: newId('in', rng.next), created, reason: 'manual', periodStart: created, status, paidShare, attempts: 0, lines: [line], subscription: null, collection: 'send_invoice', settledAt: null });
  }
  return drafts;
}

// ---------------------------------------------------------------------------------------------
// Stripe objects from drafts

function oneOffParent(rng: Random): Stripe.InvoiceLineItem.Parent {
  return {
    invoice_item_details: { invoice_item: newId('ii', rng.next), proration: false, proration_details: { credited_items: null }, subscription: null },
    subscription_item_details: null,
    type: 'invoice_item_details',
  };
}

function invoiceLine(ctx: Context, invoiceId: string, line: LineDraft, currency: string, subscriptionId: string | null): Stripe.InvoiceLineItem {
  return {
    ...BLANK_LINE,
    id: newId('il', ctx.rng.next),
    amount: line.amount,
    currency,
    description: line.description,
    discount_amounts: line.discountAmounts.length > 0 ? line.discountAmounts : BLANK_LINE.discount_amounts,
    discounts: line.itemDiscounts.length > 0 ? line.itemDiscounts : BLANK_LINE.discounts,
    invoice: invoiceId,
    livemode: ctx.livemode,
    parent: line.item?.lineParent ?? oneOffParent(ctx.rng),
    period: line.period,
    pricing: line.entry.linePricing,
    quantity: line.quantity,
    quantity_decimal: wireDecimal(line.quantity),
    subscription: subscriptionId,
    subtotal: line.amount,
  };
}

function discountTotals(lines: LineDraft[], applied: Grant[]): Stripe.Invoice['total_discount_amounts'] {
  if (applied.length === 0) return BLANK_INVOICE.total_discount_amounts;
  const totals: Stripe.Invoice.TotalDiscountAmount[] = [];
  for (const line of lines) {
    for (const { amount, discount } of line.discountAmounts) {
      const total = totals.find((entry) => entry.discount === discount);
      if (total) total.amount += amount;
      else totals.push({ amount, discount });
    }
  }
  return totals.length > 0 ? totals : BLANK_INVOICE.total_discount_amounts;
}

function statusTransitions(rng: Random, draft: InvoiceDraft, now: number): Stripe.Invoice.StatusTransitions {
  if (draft.status === 'draft') return NO_TRANSITIONS;
  const delayed = draft.reason === 'subscription_cycle' && draft.created + FINALIZE_DELAY <= now;
  const finalized = draft.created + (delayed ? FINALIZE_DELAY : 0);
  const settled = draft.settledAt ?? Math.min(now, finalized + rng.int(1, 10) * DAY);
  return {
    finalized_at: finalized,
    marked_uncollectible_at: draft.status === 'uncollectible' ? settled : null,
    paid_at: draft.status === 'paid' ? Math.min(now, finalized + rng.int(1, 30)) : null,
    voided_at: draft.status === 'void' ? settled : null,
  };
}

function paidAmount(draft: InvoiceDraft, total: number): number {
  if (draft.status === 'paid') return total;
  return draft.status === 'open' || draft.status === 'uncollectible' ? Math.floor(total * draft.paidShare) : 0;
}

function buildInvoice(ctx: Context, customer: CustomerFacts, draft: InvoiceDraft, number: string | null, usedOnce: Set<string>): Stripe.Invoice {
  const { rng, now } = ctx;
  const sub = draft.subscription;
  const invoiceGrants = sub && sub.subscriptionGrants.length > 0 ? sub.subscriptionGrants : customer.grants;
  const applied = applyDiscounts(draft, invoiceGrants, usedOnce);
  let subtotal = 0;
  let total = 0;
  for (const line of draft.lines) {
    subtotal += line.amount - line.itemCut;
    total += line.net;
  }
  // `map` sizes the array exactly; pushing would reserve room for 17 lines on every invoice.
  const lines = draft.lines.map((line) => invoiceLine(ctx, draft.id, line, customer.currency, sub?.id ?? null));
  const paid = paidAmount(draft, total);
  const transitions = statusTransitions(rng, draft, now);
  const finalized = transitions.finalized_at;
  const isDraft = draft.status === 'draft';
  const sendInvoice = draft.collection === 'send_invoice';
  const discounts = applied.length === 0 ? [] : applied.filter((grant) => grant.itemId === null).map((grant) => grant.discount.id);
  return {
    ...BLANK_INVOICE,
    id: draft.id,
    amount_due: total,
    amount_paid: paid,
    amount_remaining: total - paid,
    attempt_count: isDraft || sendInvoice ? 0 : draft.attempts,
    attempted: !isDraft && !sendInvoice && draft.attempts > 0,
    auto_advance: isDraft || draft.status === 'open',
    automatically_finalizes_at: isDraft && draft.created + HOUR > now ? draft.created + HOUR : null,
    billing_reason: draft.reason,
    collection_method: draft.collection,
    created: draft.created,
    currency: customer.currency,
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name,
    customer_phone: customer.phone,
    discounts: discounts.length > 0 ? discounts : BLANK_INVOICE.discounts,
    due_date: sendInvoice && finalized !== null ? finalized + 30 * DAY : null,
    effective_at: finalized,
    ending_balance: finalized === null ? null : 0,
    lines: makeList(lines, `/v1/invoices/${draft.id}/lines`),
    livemode: ctx.livemode,
    next_payment_attempt: draft.status === 'open' && sub?.scenario === 'past_due' ? now + rng.int(1, 3) * DAY : null,
    number,
    parent: sub?.invoiceParent ?? null,
    period_end: draft.created,
    period_start: draft.periodStart,
    status: draft.status,
    status_transitions: transitions,
    subtotal,
    subtotal_excluding_tax: subtotal,
    total,
    total_discount_amounts: discountTotals(draft.lines, applied),
    total_excluding_tax: total,
    webhooks_delivered_at: isDraft ? null : Math.min(now, draft.created + rng.int(1, 5)),
  };
}

type RefundKind = 'full' | 'partial' | 'out_of_band' | 'mixed' | 'void';

const REFUND_KINDS: readonly (readonly [RefundKind, number])[] = [
  ['full', 40],
  ['partial', 25],
  ['out_of_band', 10],
  ['mixed', 10],
  ['void', 15],
];

/** A few paid invoices get a credit note: refunded in full or in part, out of band, or voided. */
function maybeCreditNote(ctx: Context, customer: CustomerFacts, invoice: Stripe.Invoice): void {
  const { rng, now } = ctx;
  const paidAt = invoice.status_transitions.paid_at;
  const invoiceLine = invoice.lines.data[0];
  if (invoice.status !== 'paid' || invoice.amount_paid <= 0 || paidAt === null || paidAt + DAY > now || !invoiceLine) return;
  if (!rng.chance(0.015)) return;
  const kind = rng.weighted(REFUND_KINDS);
  const created = Math.min(now, paidAt + rng.int(1, 45) * DAY);
  const amount = kind === 'full' || kind === 'void' ? invoice.amount_paid : Math.max(1, Math.floor(invoice.amount_paid * (0.1 + rng.next() * 0.5)));
  const outOfBand = kind === 'out_of_band' ? amount : kind === 'mixed' ? Math.floor(amount / 2) : 0;
  const refunded = amount - outOfBand;
  const id = newId('cn', rng.next);
  const line = makeCreditNoteLineItem({
    id: newId('cnli', rng.next),
    livemode: ctx.livemode,
    amount,
    description: invoiceLine.description,
    discount_amount: 0,
    invoice_line_item: invoiceLine.id,
    quantity: 1,
    type: 'invoice_line_item',
  });
  const voided = kind === 'void';
  ctx.account.credit_notes.push(
    makeCreditNote({
      id,
      created,
      livemode: ctx.livemode,
      amount,
      currency: customer.currency,
      customer: customer.id,
      discount_amount: 0,
      invoice: invoice.id,
      lines: makeList([line], `/v1/credit_notes/${id}/lines`),
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
    }),
  );
  if (!voided) invoice.post_payment_credit_notes_amount += amount;
}

function subscriptionItem(sub: SubscriptionDraft, item: ItemDraft, period: Window): Stripe.SubscriptionItem {
  const { entry } = item;
  if (!entry.plan) throw new Error(`${entry.spec.key} is not recurring`);
  const discounts = sub.grants.filter((grant) => grant.itemId === item.id).map((grant) => grant.discount.id);
  const fields = {
    id: item.id,
    created: sub.timeline.created,
    current_period_end: period.end,
    current_period_start: period.start,
    discounts: discounts.length > 0 ? discounts : BLANK_ITEM.discounts,
    plan: entry.plan,
    price: entry.embedded,
    subscription: sub.id,
  };
  // Metered items carry no quantity at all.
  return entry.spec.metered ? { ...BLANK_METERED_ITEM, ...fields } : { ...BLANK_ITEM, ...fields, quantity: item.quantity };
}

function currentPeriod(sub: SubscriptionDraft): Window {
  const start = sub.starts[sub.starts.length - 1];
  if (start === undefined) return sub.timeline.trial ?? { start: sub.timeline.created, end: sub.timeline.created };
  return { start, end: addInterval(start, sub.cadence.interval, sub.cadence.count) };
}

const FEEDBACK = ['too_expensive', 'missing_features', 'switched_service', 'unused', 'other', null] as const;

function cancellation(rng: Random, sub: SubscriptionDraft, period: Window, now: number): Partial<Stripe.Subscription> {
  const { scenario, timeline } = sub;
  const requested = { comment: null, feedback: rng.pick(FEEDBACK), feedback_option: null, reason: 'cancellation_requested' };
  if (scenario === 'active_cancel_at_period_end') {
    return { cancel_at: period.end, cancel_at_period_end: true, canceled_at: Math.max(period.start + 1, now - rng.int(1, 10) * DAY), cancellation_details: requested };
  }
  if (scenario === 'canceled' && timeline.endedAt !== null) {
    const atPeriodEnd = timeline.endedAtPeriodEnd;
    return {
      cancel_at: atPeriodEnd ? timeline.endedAt : null,
      canceled_at: atPeriodEnd ? Math.max(period.start + 1, timeline.endedAt - rng.int(1, 20) * DAY) : timeline.endedAt,
      cancellation_details: requested,
    };
  }
  if (scenario === 'canceled_payment_failed') {
    return { canceled_at: timeline.endedAt, cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: 'payment_failed' } };
  }
  return {};
}

function buildSubscription(ctx: Context, customer: CustomerFacts, sub: SubscriptionDraft, pause: Stripe.Subscription.PauseCollection | null): Stripe.Subscription {
  const { timeline } = sub;
  const period = currentPeriod(sub);
  const items = sub.items.map((item) => subscriptionItem(sub, item, period));
  return makeSubscription({
    id: sub.id,
    created: timeline.created,
    livemode: ctx.livemode,
    billing_cycle_anchor: timeline.anchor,
    collection_method: sub.collection,
    currency: customer.currency,
    customer: customer.id,
    days_until_due: sub.collection === 'send_invoice' ? 30 : null,
    discounts: sub.subscriptionGrants.map((grant) => grant.discount.id),
    ended_at: timeline.endedAt,
    items: makeList(items, `/v1/subscription_items?subscription=${sub.id}`),
    latest_invoice: sub.invoices[sub.invoices.length - 1]?.id ?? null,
    metadata: sub.metadata,
    pause_collection: pause,
    start_date: timeline.created,
    status: sub.status,
    trial_end: timeline.trial?.end ?? null,
    trial_settings: sub.scenario === 'paused' ? { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'pause' } } : undefined,
    trial_start: timeline.trial?.start ?? null,
    ...cancellation(ctx.rng, sub, period, ctx.now),
  });
}

function customerDiscount(ctx: Context, customer: CustomerFacts, created: number): Grant | null {
  const { rng, now } = ctx;
  if (!rng.chance(0.04)) return null;
  const coupon = rng.pick(ctx.coupons.filter((candidate) => couponFits(candidate, customer.currency)));
  return grantDiscount(ctx, customer.id, coupon, Math.min(now, created + rng.int(MINUTE, 30 * DAY)), null, null);
}

function invoiceNumber(customer: CustomerFacts, sequence: number): string {
  return `${customer.prefix}-${String(sequence).padStart(4, '0')}`;
}

function generateCustomer(ctx: Context, index: number): void {
  const { rng, now, account } = ctx;
  const customer = customerFacts(ctx, index);
  const taken = new Set<string>();
  const subs: SubscriptionDraft[] = [];
  for (let n = rng.weighted([[0, 14], [1, 70], [2, 13], [3, 3]] as const); n > 0; n--) subs.push(subscriptionDraft(ctx, customer.currency, taken));
  const created = subs.length > 0 ? Math.min(...subs.map((sub) => sub.timeline.created)) - rng.int(MINUTE, 60 * DAY) : now - rng.int(DAY, 730 * DAY);
  customer.grant = customerDiscount(ctx, customer, created);
  if (customer.grant) customer.grants.push(customer.grant);

  const drafts: InvoiceDraft[] = [];
  const pauses: (Stripe.Subscription.PauseCollection | null)[] = [];
  for (const sub of subs) {
    attachDiscounts(ctx, customer, sub);
    sub.invoices = subscriptionInvoices(rng, sub);
    settleInvoices(rng, sub, now);
    pauses.push(pauseCollection(rng, sub, now));
    drafts.push(...sub.invoices);
  }
  if (rng.chance(subs.length === 0 ? 0.4 : 0.03)) drafts.push(...oneOffInvoices(ctx, created, customer.currency));
  drafts.sort((a, b) => a.created - b.created);

  const usedOnce = new Set<string>();
  let sequence = 0;
  for (const draft of drafts) {
    const invoice = buildInvoice(ctx, customer, draft, draft.status === 'draft' ? null : invoiceNumber(customer, ++sequence), usedOnce);
    account.invoices.push(invoice);
    maybeCreditNote(ctx, customer, invoice);
  }
  subs.forEach((sub, i) => account.subscriptions.push(buildSubscription(ctx, customer, sub, pauses[i] ?? null)));
  account.customers.push(
    makeCustomer({
      id: customer.id,
      created,
      livemode: ctx.livemode,
      // Stripe sets a customer's currency with its first subscription or invoice.
      currency: drafts.length > 0 ? customer.currency : null,
      delinquent: subs.some((sub) => sub.status === 'past_due' || sub.status === 'unpaid'),
      discount: customer.grant?.discount ?? null,
      email: customer.email,
      invoice_prefix: customer.prefix,
      metadata: customer.metadata,
      name: customer.name,
      next_invoice_sequence: sequence + 1,
      phone: customer.phone,
      preferred_locales: [...LOCALES[customer.currency]],
    }),
  );
}

function apiKeys(rng: Random, livemode: boolean): ApiKey[] {
  const mode = livemode ? 'live' : 'test';
  return [
    // Real secret keys are `sk_test_` plus about 99 alphanumerics.
    { key: randomToken(`sk_${mode}`, 99, rng.next), permissions: 'all' },
    { key: randomToken(`rk_${mode}`, 99, rng.next), permissions: [...RESTRICTED_KEY_PERMISSIONS] },
  ];
}

export function generateAccount(options: GenerateOptions): FixtureAccount {
  const { customers } = options;
  if (!Number.isInteger(customers) || customers < 0) throw new Error(`customers must be a non-negative integer, got ${customers}`);
  const rng = new Random(options.seed ?? DEFAULT_SEED);
  const now = options.now ?? DEFAULT_NOW;
  const livemode = options.livemode ?? false;
  // Drawn even when an id is given, so that the rest of the account does not depend on it.
  const generatedId = newId('acct', rng.next);
  const api_keys = apiKeys(rng, livemode);
  const catalog = buildCatalog(rng, now - 760 * DAY, livemode);
  const account: FixtureAccount = {
    id: options.accountId ?? generatedId,
    api_keys,
    customers: [],
    products: [...catalog.products.values()],
    prices: [...catalog.prices.values()].map((entry) => entry.price),
    subscriptions: [],
    invoices: [],
    credit_notes: [],
    coupons: buildCoupons(catalog, now - 750 * DAY, livemode),
    discounts: [],
  };
  const ctx: Context = { rng, now, livemode, catalog, coupons: account.coupons, account, emails: [] };
  for (let i = 0; i < customers; i++) generateCustomer(ctx, i);
  return account;
}
