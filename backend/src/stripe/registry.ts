import type Stripe from 'stripe';

/** The slice of a Stripe object the service keeps: what metrics and segments read, no payment data. */
export type StoredObject = Record<string, unknown> & { id: string };

export interface ListParams {
  limit: number;
  starting_after?: string;
  created?: { gte?: number; lt?: number };
  /** One customer's objects ("sync now"); types without a customer filter ignore it. */
  customer?: string;
}

export interface SearchParams {
  query: string;
  limit: number;
  page?: string;
}

/**
 * One entry per Stripe object type the sync mirrors: how to list it, the permission that gates
 * it, which customer it belongs to and what of it is stored. The backfill, the per-participant
 * sync and the webhook handlers all go through this table instead of switching on types.
 */
export interface StripeObjectType {
  type: 'product' | 'price' | 'coupon' | 'subscription' | 'customer' | 'invoice' | 'credit_note';
  /** The list endpoint `list` calls. */
  path: string;
  /** The top-level fields stored (and all that list pages are parsed for, see `listedType`). */
  fields: readonly string[];
  permission: string;
  /** Shown when the connection may not read this type. */
  skipped: string;
  list(stripe: Stripe, params: ListParams): Promise<Stripe.ApiList<{ id: string; created: number }>>;
  /** Stripe's Search API for the type, expanded like `list` (its endpoint is `path` + `/search`). */
  search?(stripe: Stripe, params: SearchParams): Promise<Stripe.ApiSearchResult<{ id: string; created: number }>>;
  /** One object as it is now, expanded like `list` (a deleted one answers `{id, deleted: true}` or 404). */
  retrieve(stripe: Stripe, id: string): Promise<unknown>;
  customerOf(object: StoredObject): string | null;
  store(object: unknown): StoredObject;
}

/**
 * Fields the rules read that Stripe leaves out unless expanded ("This field is not included by
 * default"): a price's `tiers` and `currency_options`, a coupon's `applies_to` and
 * `currency_options`. They are expanded on the catalog lists and retrieves only: the copies
 * embedded in subscriptions would need five levels (`data.items.data.price.tiers`,
 * `data.discounts.source.coupon.applies_to`) where Stripe allows four, so the metric rules take
 * prices and coupons from the catalog (recompute.ts, discounts.ts).
 */
const PRICE_INCLUDABLE = ['tiers', 'currency_options'];
const COUPON_INCLUDABLE = ['applies_to', 'currency_options'];
/** What subscriptions embed as ids unless expanded: their discounts and their items' discounts. */
const SUBSCRIPTION_EXPAND = ['discounts', 'items.data.discounts'];
const inList = (paths: readonly string[]) => paths.map((path) => `data.${path}`);

const pick = (object: unknown, keys: readonly string[]): StoredObject => {
  const source = object as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const key of keys) if (key in source) kept[key] = source[key];
  return kept as StoredObject;
};

const idOf = (value: unknown): string | null =>
  typeof value === 'string' ? value : value && typeof value === 'object' && 'id' in value ? String((value as { id: unknown }).id) : null;

// Allow-lists, not deny-lists: a field Stripe adds later is not stored until someone decides to.
// `test_clock`: a simulated customer, which the product leaves out (see the customer handler).
const CUSTOMER_FIELDS = ['id', 'object', 'created', 'email', 'name', 'phone', 'currency', 'metadata', 'discount', 'livemode', 'deleted', 'test_clock'] as const;
const PRODUCT_FIELDS = ['id', 'object', 'created', 'name', 'active', 'metadata', 'livemode'] as const;
const PRICE_FIELDS = [
  'id', 'object', 'created', 'active', 'currency', 'product', 'nickname', 'type', 'recurring', 'billing_scheme', 'unit_amount',
  'unit_amount_decimal', 'tiers', 'tiers_mode', 'transform_quantity', 'tax_behavior', 'livemode', 'currency_options', 'custom_unit_amount', 'lookup_key', 'metadata',
] as const;
const SUBSCRIPTION_FIELDS = [
  'id', 'object', 'created', 'customer', 'status', 'currency', 'items', 'discounts', 'pause_collection', 'cancel_at_period_end', 'cancel_at',
  'canceled_at', 'ended_at', 'start_date', 'trial_start', 'trial_end', 'livemode', 'metadata',
  // Read by the tax rule (items without rates of their own take these).
  'default_tax_rates',
] as const;
const ITEM_FIELDS = ['id', 'object', 'created', 'price', 'quantity', 'current_period_start', 'current_period_end', 'discounts', 'tax_rates', 'subscription'] as const;
// Not `parent` (the subscription that billed it): no rule reads it, and it was 40% of every stored invoice.
const INVOICE_FIELDS = ['id', 'object', 'created', 'customer', 'status', 'currency', 'amount_paid', 'amount_due', 'total', 'livemode'] as const;
const CREDIT_NOTE_FIELDS = ['id', 'object', 'created', 'customer', 'invoice', 'status', 'currency', 'amount', 'refunds', 'out_of_band_amount', 'livemode'] as const;
const COUPON_FIELDS = ['id', 'object', 'created', 'percent_off', 'amount_off', 'currency', 'currency_options', 'duration', 'duration_in_months', 'applies_to', 'valid', 'livemode'] as const;

/** A type stored as the allow-listed top-level fields of its objects. */
const storedAs = (fields: readonly string[]) => ({ fields, store: (object: unknown) => pick(object, fields) });

/** Subscription items keep their full list; the backfill fills in items past the first page. */
export function storeSubscription(subscription: unknown): StoredObject {
  const stored = pick(subscription, SUBSCRIPTION_FIELDS);
  const items = stored.items as { data: unknown[]; has_more: boolean } | undefined;
  if (items) stored.items = { ...pick(items, ['object', 'has_more', 'total_count', 'url']), data: items.data.map((item) => pick(item, ITEM_FIELDS)) };
  return stored;
}

export const STRIPE_OBJECT_TYPES: readonly StripeObjectType[] = [
  {
    type: 'product',
    path: '/v1/products',
    ...storedAs(PRODUCT_FIELDS),
    permission: 'product_read',
    skipped: 'products (no per-product segments or plan names)',
    list: (stripe, { customer: _catalog, ...params }) => stripe.products.list(params),
    retrieve: (stripe, id) => stripe.products.retrieve(id),
    customerOf: () => null,
  },
  {
    type: 'price',
    path: '/v1/prices',
    ...storedAs(PRICE_FIELDS),
    permission: 'plan_read',
    skipped: 'prices (tiered prices cannot be valued)',
    list: (stripe, { customer: _catalog, ...params }) => stripe.prices.list({ ...params, expand: inList(PRICE_INCLUDABLE) }),
    retrieve: (stripe, id) => stripe.prices.retrieve(id, { expand: PRICE_INCLUDABLE }),
    customerOf: () => null,
  },
  {
    type: 'coupon',
    path: '/v1/coupons',
    ...storedAs(COUPON_FIELDS),
    permission: 'coupon_read',
    skipped: 'coupons (MRR before discounts)',
    list: (stripe, { customer: _catalog, ...params }) => stripe.coupons.list({ ...params, expand: inList(COUPON_INCLUDABLE) }),
    retrieve: (stripe, id) => stripe.coupons.retrieve(id, { expand: COUPON_INCLUDABLE }),
    customerOf: () => null,
  },
  {
    type: 'subscription',
    path: '/v1/subscriptions',
    fields: SUBSCRIPTION_FIELDS,
    permission: 'subscription_read',
    skipped: 'subscriptions (no MRR, plan, status or subscriber segments)',
    list: (stripe, params) => stripe.subscriptions.list({ ...params, status: 'all', expand: inList(SUBSCRIPTION_EXPAND) }),
    retrieve: (stripe, id) => stripe.subscriptions.retrieve(id, { expand: SUBSCRIPTION_EXPAND }),
    customerOf: (o) => idOf(o.customer),
    store: storeSubscription,
  },
  {
    type: 'customer',
    path: '/v1/customers',
    ...storedAs(CUSTOMER_FIELDS),
    permission: 'customer_read',
    skipped: 'customers (no participants can be imported)',
    list: (stripe, { customer: _itself, ...params }) => stripe.customers.list(params),
    retrieve: (stripe, id) => stripe.customers.retrieve(id),
    customerOf: (o) => o.id,
  },
  {
    type: 'invoice',
    path: '/v1/invoices',
    ...storedAs(INVOICE_FIELDS),
    permission: 'invoice_read',
    skipped: 'invoices (no LTV)',
    list: (stripe, params) => stripe.invoices.list(params),
    search: (stripe, params) => stripe.invoices.search(params),
    retrieve: (stripe, id) => stripe.invoices.retrieve(id),
    customerOf: (o) => idOf(o.customer),
  },
  {
    type: 'credit_note',
    path: '/v1/credit_notes',
    ...storedAs(CREDIT_NOTE_FIELDS),
    permission: 'credit_note_read',
    skipped: 'credit notes (LTV is gross of refunds)',
    list: (stripe, params) => stripe.creditNotes.list(params),
    retrieve: (stripe, id) => stripe.creditNotes.retrieve(id),
    customerOf: (o) => idOf(o.customer),
  },
];

/** The items of a subscription past the 10 it embeds, with their discounts expanded like the subscription's. */
export function listSubscriptionItems(stripe: Stripe, subscription: string, startingAfter: string | undefined, limit = 100): Promise<Stripe.ApiList<Stripe.SubscriptionItem>> {
  return stripe.subscriptionItems.list({ subscription, limit, expand: ['data.discounts'], ...(startingAfter ? { starting_after: startingAfter } : {}) });
}

/**
 * The type whose list a request reads (any query), if any. Our HTTP client parses only the
 * type's `fields` of each listed object (client.ts): every caller of these lists stores what it
 * reads, and `store` picks no more than `fields`, so nothing is lost, and the fields never stored
 * (payment details among them) are never even parsed.
 */
export function listedType(method: string, path: string): StripeObjectType | undefined {
  if (method !== 'GET') return undefined;
  const endpoint = path.split('?', 1)[0];
  // A search page lists its objects in `data` as a list page does.
  return STRIPE_OBJECT_TYPES.find((type) => type.path === endpoint || (type.search && `${type.path}/search` === endpoint));
}

export const objectType = (type: StripeObjectType['type']): StripeObjectType => STRIPE_OBJECT_TYPES.find((t) => t.type === type)!;

/** Read before segments can be built (status `segments_synced`), then the per-customer data. */
export const CATALOG_TYPES = ['product', 'price', 'coupon', 'subscription'] as const;
export const CUSTOMER_TYPES = ['customer', 'invoice', 'credit_note'] as const;
