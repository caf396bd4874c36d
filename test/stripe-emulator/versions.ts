/**
 * Older API versions, as far as the fields a billing integration reads: each step undoes one
 * breaking change of Stripe's changelog, turning an object of its version into the shape of the
 * version before. A webhook endpoint on version V gets every event through the steps newer than
 * V, newest first (a Stripe webhook endpoint's `api_version` is "the API version events are
 * rendered as for this webhook endpoint").
 */
import type Stripe from 'stripe';
import { errors } from './errors.js';
import { API_VERSION } from './objects.js';

/** What a step may need beyond the object: the account's coupons, for discounts that embed them. */
export interface VersionLookups {
  coupon(id: string): Stripe.Coupon | undefined;
}

type Json = Record<string, unknown>;

interface VersionStep {
  /** The version that made the change: objects are turned back for any endpoint older than this. */
  version: string;
  /** Applied to every nested object, innermost first. */
  older(object: Json, lookups: VersionLookups): Json;
}

/**
 * 2025-09-30.clover "Adds the Discount source property and removes the Discount coupon property":
 * before it a discount carried `coupon`, auto-expanded (in event payloads too), and no `source`.
 */
const discountCoupon: VersionStep = {
  version: '2025-09-30.clover',
  older(object, lookups) {
    if (object.object !== 'discount' || !object.source || typeof object.source !== 'object') return object;
    const { source, ...rest } = object;
    const coupon = (source as { coupon?: unknown }).coupon;
    return { ...rest, coupon: typeof coupon === 'string' ? (lookups.coupon(coupon) ?? coupon) : (coupon ?? null) };
  },
};

/**
 * 2025-03-31.basil "Adds subscription item-level billing periods and removes subscription-level
 * periods": before it the subscription held one `current_period_start/end` for all its items.
 */
const subscriptionPeriod: VersionStep = {
  version: '2025-03-31.basil',
  older(object) {
    if (object.object !== 'subscription') return object;
    const items = object.items as { data?: Json[] } | undefined;
    const data = items?.data ?? [];
    const first = data[0];
    const strip = ({ current_period_start: _start, current_period_end: _end, ...item }: Json) => item;
    return {
      ...object,
      current_period_start: first?.current_period_start ?? object.start_date ?? null,
      current_period_end: first?.current_period_end ?? null,
      ...(items ? { items: { ...items, data: data.map(strip) } } : {}),
    };
  },
};

/** Newest first. */
const STEPS: readonly VersionStep[] = [discountCoupon, subscriptionPeriod];

const VERSION_FORMAT = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;
const dateOf = (version: string) => version.slice(0, 10);

/** An endpoint's version as Stripe accepts it: a dated version no newer than the emulator's. */
export function checkApiVersion(version: string): string {
  if (!VERSION_FORMAT.test(version)) throw errors.invalidValue('api_version', `Invalid API version: '${version}' (YYYY-MM-DD or YYYY-MM-DD.name).`);
  if (dateOf(version) > dateOf(API_VERSION)) throw errors.invalidValue('api_version', `API version '${version}' is newer than the emulator's ${API_VERSION}.`);
  return version;
}

function mapObjects(value: unknown, fn: (object: Json) => Json): unknown {
  if (Array.isArray(value)) return value.map((item) => mapObjects(item, fn));
  if (!value || typeof value !== 'object') return value;
  const mapped: Json = {};
  for (const [key, child] of Object.entries(value)) mapped[key] = mapObjects(child, fn);
  return fn(mapped);
}

/** `value` (an object of API_VERSION, or anything holding some) as version `version` renders it. */
export function renderAs(value: unknown, version: string, lookups: VersionLookups): unknown {
  const steps = STEPS.filter((step) => dateOf(version) < dateOf(step.version));
  if (steps.length === 0) return value;
  let rendered = value;
  for (const step of steps) rendered = mapObjects(rendered, (object) => step.older(object, lookups));
  return rendered;
}

/** An event as an endpoint on `version` receives it: its object and previous attributes rendered, `api_version` the endpoint's. */
export function renderEvent(event: Stripe.Event, version: string, lookups: VersionLookups): Stripe.Event {
  if (version === event.api_version) return event;
  const data = event.data as { object: unknown; previous_attributes?: unknown };
  return {
    ...event,
    api_version: version,
    data: {
      ...data,
      object: renderAs(data.object, version, lookups),
      ...(data.previous_attributes ? { previous_attributes: renderAs(data.previous_attributes, version, lookups) } : {}),
    },
  } as Stripe.Event;
}
