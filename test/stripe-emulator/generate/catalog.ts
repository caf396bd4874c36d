/**
 * What an account sells: products, prices (flat, tiered, metered, one-off; three currencies), the
 * item shapes subscriptions are drawn from, line amounts and descriptions, and the coupons with the
 * rules for when a granted discount applies.
 */
import type Stripe from 'stripe';
import { frozen, makeCoupon, makePlanFromPrice, makePrice, makeProduct, newId, wireDecimal } from '../objects.js';
import type { Random } from './random.js';
import { DAY, HOUR, MINUTE } from './time.js';

export type Currency = 'usd' | 'eur' | 'jpy';
export type Interval = 'day' | 'week' | 'month' | 'year';

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

export interface CatalogPrice {
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

export interface Catalog {
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

export function buildCatalog(rng: Random, start: number, livemode: boolean): Catalog {
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

export function catalogPrice(catalog: Catalog, key: string): CatalogPrice {
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
export const SHAPES: Record<Currency, readonly (readonly [Shape, number])[]> = {
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

export const ONE_OFF_PRICES: Record<Currency, readonly string[]> = {
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
export function itemAmount(spec: PriceSpec, quantity: number): number {
  if (spec.tiers) return tieredAmount(spec.tiers, quantity);
  const units = spec.transform ? (spec.transform.round === 'up' ? Math.ceil : Math.floor)(quantity / spec.transform.divide_by) : quantity;
  return Math.round((spec.unit ?? 0) * units);
}

function money(amount: number, currency: string): string {
  if (currency === 'jpy') return `¥${amount}`;
  return `${currency === 'eur' ? '€' : '$'}${(amount / 100).toFixed(2)}`;
}

export function lineDescription(entry: CatalogPrice, quantity: number): string {
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

export function buildCoupons(catalog: Catalog, created: number, livemode: boolean): Stripe.Coupon[] {
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
export interface Grant {
  discount: Stripe.Discount;
  coupon: Stripe.Coupon;
  itemId: string | null;
}

export function couponFits(coupon: Stripe.Coupon, currency: string): boolean {
  return coupon.amount_off === null || coupon.currency === currency;
}

export function grantApplies(grant: Grant, created: number, productId: string, usedOnce: ReadonlySet<string>): boolean {
  const { discount, coupon } = grant;
  if (created < discount.start || (discount.end !== null && created >= discount.end)) return false;
  if (coupon.duration === 'once' && usedOnce.has(discount.id)) return false;
  return !coupon.applies_to || coupon.applies_to.products.includes(productId);
}
