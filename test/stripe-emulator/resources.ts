/**
 * The one registry of resource types: how each is addressed, which permission a restricted
 * key needs, which list filters it takes and which fields can be expanded. Routes, store
 * indexes, auth and expansion all read from here instead of switching per endpoint.
 */
import {
  booleanField,
  byField,
  eventTypeMatches,
  field,
  INVOICE_STATUSES,
  invoiceSubscription,
  itemsOf,
  oneOf,
  parseBoolean,
  parseString,
  stringField,
  subscriptionStatusMatches,
  SUBSCRIPTION_STATUSES,
  testClockFilter,
  idOf,
  type Filter,
} from './filters.js';

export { idOf, invoiceSubscription, type Filter };

export interface StripeObject {
  id: string;
  object: string;
  created?: number;
  [field: string]: unknown;
}

export type Permission =
  | 'customer_read'
  | 'subscription_read'
  | 'invoice_read'
  | 'product_read'
  | 'plan_read'
  | 'coupon_read'
  | 'credit_note_read'
  | 'event_read'
  /** What GET /v1/account asks of a restricted key (see routes/account.ts). */
  | 'accounts_kyc_basic_read';

export interface ResourceType {
  object: string;
  /** Path under /v1. */
  path: string;
  /** Noun used in "No such …" messages. */
  noun: string;
  permission: Permission;
  filters: Record<string, Filter>;
  /** Secondary indexes: name → the key an object is filed under. */
  indexes: Record<string, (obj: StripeObject) => string | undefined>;
  /** Expandable paths relative to one object. */
  expandable: string[];
}

/** A list nested in a parent object (subscription items, invoice lines). */
export interface NestedListType {
  object: string;
  noun: string;
  permission: Permission;
  parent: string;
  field: string;
  url(parentId: string): string;
  expandable: string[];
}

const DISCOUNTS = ['discounts', 'discounts.source.coupon', 'discounts.source.coupon.applies_to', 'discounts.source.coupon.currency_options', 'discounts.customer'];
/** A price embedded at `prefix` (an item's), with its includable fields. */
const embeddedPrice = (prefix: string) => [prefix, `${prefix}.product`, `${prefix}.tiers`, `${prefix}.currency_options`];
const nestedDiscounts = (prefix: string) => DISCOUNTS.map((path) => `${prefix}.${path}`);

export const RESOURCES: readonly ResourceType[] = [
  {
    object: 'customer',
    path: 'customers',
    noun: 'customer',
    permission: 'customer_read',
    filters: { email: { ...stringField('email'), index: 'email' }, test_clock: testClockFilter() },
    indexes: { email: (obj) => (typeof obj.email === 'string' ? obj.email : undefined) },
    expandable: ['default_source', 'invoice_settings.default_payment_method'],
  },
  {
    object: 'product',
    path: 'products',
    noun: 'product',
    permission: 'product_read',
    filters: { active: booleanField('active'), shippable: booleanField('shippable') },
    indexes: {},
    expandable: ['default_price'],
  },
  {
    object: 'price',
    path: 'prices',
    noun: 'price',
    permission: 'plan_read',
    filters: {
      product: byField('product'),
      active: booleanField('active'),
      currency: stringField('currency'),
      type: { parse: oneOf(['one_time', 'recurring']), matches: (obj, value) => obj.type === value },
    },
    indexes: { product: field('product') },
    expandable: ['product', 'tiers', 'currency_options'],
  },
  {
    object: 'subscription',
    path: 'subscriptions',
    noun: 'subscription',
    permission: 'subscription_read',
    filters: {
      customer: byField('customer'),
      price: { parse: parseString, matches: (obj, value) => itemsOf(obj).some((item) => idOf(item.price) === value) },
      // "If no value is supplied, all subscriptions that have not been canceled are returned."
      status: { parse: oneOf(SUBSCRIPTION_STATUSES), matches: subscriptionStatusMatches, whenAbsent: (obj) => obj.status !== 'canceled' },
      test_clock: testClockFilter(['customer']),
    },
    indexes: { customer: field('customer') },
    expandable: [
      'customer',
      'latest_invoice',
      'default_payment_method',
      'schedule',
      ...DISCOUNTS,
      ...nestedDiscounts('items.data'),
      ...embeddedPrice('items.data.price'),
    ],
  },
  {
    object: 'invoice',
    path: 'invoices',
    noun: 'invoice',
    permission: 'invoice_read',
    filters: {
      customer: byField('customer'),
      status: { parse: oneOf(INVOICE_STATUSES), matches: (obj, value) => obj.status === value },
      subscription: { index: 'subscription', parse: parseString, matches: (obj, value) => invoiceSubscription(obj) === value },
    },
    indexes: { customer: field('customer'), subscription: invoiceSubscription },
    expandable: [
      'customer',
      'parent.subscription_details.subscription',
      'default_payment_method',
      ...DISCOUNTS,
      ...nestedDiscounts('lines.data'),
    ],
  },
  {
    object: 'credit_note',
    path: 'credit_notes',
    noun: 'credit note',
    permission: 'credit_note_read',
    filters: { customer: byField('customer'), invoice: byField('invoice') },
    indexes: { customer: field('customer'), invoice: field('invoice') },
    expandable: ['customer', 'invoice'],
  },
  {
    object: 'coupon',
    path: 'coupons',
    noun: 'coupon',
    permission: 'coupon_read',
    filters: {},
    indexes: {},
    expandable: ['applies_to', 'currency_options'],
  },
  {
    object: 'event',
    path: 'events',
    noun: 'event',
    permission: 'event_read',
    filters: {
      type: {
        index: 'type',
        indexable: (value) => typeof value === 'string' && !value.includes('*'),
        parse: parseString,
        matches: (obj, value) => eventTypeMatches(obj.type, value as string),
      },
      types: {
        parse: (raw, param) => {
          const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [raw];
          return list.map((value, i) => parseString(value, `${param}[${i}]`));
        },
        matches: (obj, value) => (value as string[]).some((pattern) => eventTypeMatches(obj.type, pattern)),
      },
      delivery_success: { parse: parseBoolean, matches: () => true },
    },
    indexes: { type: field('type') },
    expandable: [],
  },
];

export const NESTED_LISTS: readonly NestedListType[] = [
  {
    object: 'subscription_item',
    noun: 'subscription',
    permission: 'subscription_read',
    parent: 'subscription',
    field: 'items',
    url: () => '/v1/subscription_items',
    expandable: [...DISCOUNTS, ...embeddedPrice('price')],
  },
  {
    object: 'line_item',
    noun: 'invoice',
    permission: 'invoice_read',
    parent: 'invoice',
    field: 'lines',
    url: (id) => `/v1/invoices/${id}/lines`,
    expandable: [...DISCOUNTS],
  },
];

const PERMISSION_BY_OBJECT: Record<string, Permission> = {
  ...Object.fromEntries(RESOURCES.map((type) => [type.object, type.permission])),
  ...Object.fromEntries(NESTED_LISTS.map((type) => [type.object, type.permission])),
};

/** The permission a restricted key needs to see an object of this type, if any. */
export function permissionFor(object: string): Permission | undefined {
  return PERMISSION_BY_OBJECT[object];
}

export function resourceByObject(object: string): ResourceType | undefined {
  return RESOURCES.find((type) => type.object === object);
}

/**
 * Fields Stripe leaves out of every response (lists, retrieves, embedded copies, event payloads)
 * unless a request expands them: "This field is not included by default" in the API reference,
 * optional (`tiers?:`) in stripe-node's types, absent from Stripe's canonical examples. Stored
 * objects keep them so that an `expand[]` can serve them.
 */
export const INCLUDABLE: Record<string, readonly string[]> = {
  price: ['tiers', 'currency_options'],
  coupon: ['applies_to', 'currency_options'],
};

/** Types whose objects embed, unexpanded, an object with includable fields (items embed their price). */
export const EMBEDS_INCLUDABLE: ReadonlySet<string> = new Set(['subscription', 'subscription_item']);

/** Fields holding nested lists that are served truncated, by object type. */
export const NESTED_FIELDS: Record<string, string[]> = {
  subscription: ['items'],
  invoice: ['lines'],
  credit_note: ['lines'],
};
