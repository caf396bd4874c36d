/**
 * List filters as Stripe validates and applies them. A filter may name a secondary index that
 * answers it exactly (so `customer=cus_…` does not scan every subscription).
 */
import { errors } from './errors.js';
import type { StripeObject } from './resources.js';

export interface Filter {
  /** Secondary index (see `indexes`) that answers an exact value of this filter. */
  index?: string;
  /** Whether `value` can be looked up in the index (a wildcard cannot). */
  indexable?(value: unknown): boolean;
  /** Validates the raw query value; throws an EmulatorError. */
  parse?(raw: unknown, param: string): unknown;
  matches(obj: StripeObject, value: unknown): boolean;
  /**
   * Applied when the parameter is absent (subscriptions hide canceled ones by default); `present`
   * holds the filters that were given, for defaults that depend on another parameter.
   */
  whenAbsent?(obj: StripeObject, present: ReadonlyMap<string, unknown>): boolean;
}

export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return undefined;
}

export function field(name: string): (obj: StripeObject) => string | undefined {
  return (obj) => idOf(obj[name]);
}

/** A filter comparing the id (or value) held in an indexed field. */
export function byField(name: string): Filter {
  return { index: name, parse: parseString, matches: (obj, value) => idOf(obj[name]) === value };
}

export function parseString(raw: unknown, param: string): string {
  if (typeof raw !== 'string') throw errors.invalidValue(param, `Invalid string: ${JSON.stringify(raw)}`);
  return raw;
}

export function parseBoolean(raw: unknown, param: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw errors.invalidValue(param, `Invalid boolean: ${String(raw)}`);
}

export function oneOf(values: readonly string[]) {
  return (raw: unknown, param: string): string => {
    const value = parseString(raw, param);
    if (!values.includes(value)) {
      throw errors.invalidValue(param, `Invalid ${param}: must be one of ${values.join(', ')}`);
    }
    return value;
  };
}

/**
 * `test_clock=clock_…` lists the objects of that clock; without it, objects attached to a test
 * clock are left out (subscriptions only when `customer` is not given either: a customer's own
 * subscriptions are all listed).
 */
export function testClockFilter(unlessGiven: string[] = []): Filter {
  return {
    parse: parseString,
    matches: (obj, value) => idOf(obj.test_clock) === value,
    whenAbsent: (obj, present) => obj.test_clock == null || unlessGiven.some((param) => present.has(param)),
  };
}

export const booleanField = (name: string): Filter => ({ parse: parseBoolean, matches: (obj, value) => obj[name] === value });
export const stringField = (name: string): Filter => ({ parse: parseString, matches: (obj, value) => obj[name] === value });

export const SUBSCRIPTION_STATUSES = ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'] as const;
export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;

export function subscriptionStatusMatches(obj: StripeObject, status: unknown): boolean {
  if (status === 'all') return true;
  if (status === 'ended') return obj.status === 'canceled' || obj.status === 'incomplete_expired';
  return obj.status === status;
}

export function itemsOf(obj: StripeObject): StripeObject[] {
  const items = obj.items as { data?: StripeObject[] } | undefined;
  return items?.data ?? [];
}

/** Invoices name their subscription under `parent.subscription_details` since API 2025-03-31. */
export function invoiceSubscription(obj: StripeObject): string | undefined {
  const parent = obj.parent as { subscription_details?: { subscription?: unknown } } | null | undefined;
  return idOf(parent?.subscription_details?.subscription) ?? idOf(obj.subscription);
}

/** Stripe's event `type` filter accepts one `*` wildcard, e.g. `customer.*`. */
export function eventTypeMatches(type: unknown, pattern: string): boolean {
  if (!pattern.includes('*')) return type === pattern;
  const [head = '', tail = ''] = pattern.split('*', 2);
  return typeof type === 'string' && type.startsWith(head) && type.endsWith(tail) && type.length >= head.length + tail.length;
}

