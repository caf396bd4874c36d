import type { WebhookEventSource } from '../../db/schema/index.js';
import { objectType, type StoredObject, type StripeObjectType } from '../../stripe/registry.js';

type ObjectTypeName = StripeObjectType['type'];

/** A stored event, as the apply job reads it back. */
export interface PendingEvent {
  id: string;
  type: string;
  /** Unix seconds. */
  created: number;
  /** `event.api_version`: the payload is read only when it is the pinned version (api-version.ts). */
  apiVersion: string | null;
  source: WebhookEventSource;
  object: StoredObject;
}

/** What a handler may ask of the batch it runs in (see batch.ts); the batch does the writes. */
export interface EventSink {
  /**
   * This state of an object was observed at `event.created`. `complete: false` when the event's
   * copy lacks what the metrics read (unexpanded discounts, items past the first 10, includable fields): it
   * then orders like any copy but is re-fetched instead of stored.
   */
  observe(type: ObjectTypeName, object: StoredObject, created: number, complete: boolean): void;
  /** The app was uninstalled from the account: the connection is disconnected after the batch. */
  deauthorize(reason: string): void;
}

export interface EventHandler {
  /** The registry type of `data.object`: the receiver trims it with the registry's `store()`. */
  object?: ObjectTypeName;
  apply(event: PendingEvent, sink: EventSink): void;
}

const isId = (value: unknown) => typeof value === 'string';

/** Discounts arrive as ids in event payloads and nested lists stop at 10 entries. */
function subscriptionComplete(subscription: StoredObject): boolean {
  const items = subscription.items as { has_more?: boolean; data?: Array<{ discounts?: unknown[] }> } | undefined;
  if (items?.has_more) return false;
  if ((subscription.discounts as unknown[] | undefined)?.some(isId)) return false;
  return !(items?.data ?? []).some((item) => item.discounts?.some(isId));
}

/**
 * `tiers` and `currency_options` are only given when expanded, never in event payloads: without
 * `currency_options` a price cannot value an item billed in another currency, so a price event is
 * re-fetched (through the registry, which expands them) unless its copy carries them.
 */
const priceComplete = (price: StoredObject) => 'currency_options' in price && (price.billing_scheme !== 'tiered' || Array.isArray(price.tiers));

/** `applies_to` (which products a coupon is restricted to) is only given when expanded. */
const couponComplete = (coupon: StoredObject) => 'applies_to' in coupon && (coupon.amount_off === null || 'currency_options' in coupon);

/** Stores the event's object (through the registry's versioned mirror) and recomputes what it touches. */
function mirror(type: ObjectTypeName, options: { deleted?: boolean; complete?: (o: StoredObject) => boolean } = {}): EventHandler {
  return {
    object: type,
    apply(event, sink) {
      const object = options.deleted ? { ...event.object, deleted: true } : event.object;
      sink.observe(type, object, event.created, options.complete?.(object) ?? true);
    },
  };
}

/**
 * A customer on a test clock is a simulation, not someone to interview: Stripe's customer and
 * subscription lists leave such customers out unless asked for their clock, so the backfill never
 * sees them, and their events are acknowledged without making them participants either.
 */
function notSimulated(handler: EventHandler): EventHandler {
  return { object: handler.object, apply: (event, sink) => (event.object.test_clock == null ? handler.apply(event, sink) : undefined) };
}

const customer = notSimulated(mirror('customer'));
const subscription = mirror('subscription', { complete: subscriptionComplete });
const product = mirror('product');
const price = mirror('price', { complete: priceComplete });
const coupon = mirror('coupon', { complete: couponComplete });
const invoice = mirror('invoice');
const creditNote = mirror('credit_note');

/**
 * The events the product acts on, by type. Every other type is acknowledged and stored as
 * ignored. Ordering, dedupe and recomputation are the batch's job, so each entry only says what
 * the event observed.
 */
export const EVENT_HANDLERS: Readonly<Record<string, EventHandler>> = {
  'customer.created': customer,
  // Also sent when a coupon is attached to or removed from the customer ("whenever any property
  // of a customer changes"), with the customer's `discount` in it: customer.discount.* add nothing.
  'customer.updated': customer,
  // Kept as a participant (studies may use it), marked deleted, out of Stripe-derived segments.
  'customer.deleted': notSimulated(mirror('customer', { deleted: true })),

  'customer.subscription.created': subscription,
  'customer.subscription.updated': subscription,
  'customer.subscription.deleted': subscription,
  'customer.subscription.paused': subscription,
  'customer.subscription.resumed': subscription,
  // Carries the subscription as it is: a harmless refresh.
  'customer.subscription.trial_will_end': subscription,

  'product.created': product,
  'product.updated': product,
  'product.deleted': mirror('product', { deleted: true }),
  'price.created': price,
  'price.updated': price,
  'price.deleted': mirror('price', { deleted: true, complete: priceComplete }),
  'coupon.created': coupon,
  'coupon.updated': coupon,
  'coupon.deleted': mirror('coupon', { deleted: true, complete: couponComplete }),

  'invoice.created': invoice,
  'invoice.finalized': invoice,
  'invoice.updated': invoice,
  'invoice.paid': invoice,
  'invoice.payment_succeeded': invoice,
  'invoice.voided': invoice,
  'invoice.marked_uncollectible': invoice,
  'credit_note.created': creditNote,
  'credit_note.updated': creditNote,
  'credit_note.voided': creditNote,

  'account.application.deauthorized': {
    apply: (_event, sink) => sink.deauthorize('The app was uninstalled from the Stripe account (account.application.deauthorized).'),
  },
};

export const handlerFor = (type: string): EventHandler | undefined => (Object.hasOwn(EVENT_HANDLERS, type) ? EVENT_HANDLERS[type] : undefined);

/** The event's object as the registry keeps it (never payment data); other kinds keep their id only. */
export function trimmedObject(event: { type: string; object: Record<string, unknown> & { id: string } }): StoredObject {
  const type = handlerFor(event.type)?.object;
  return type ? objectType(type).store(event.object) : { id: event.object.id, object: event.object.object };
}
