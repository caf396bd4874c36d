/**
 * Every change becomes an event in Stripe's shape: stored for GET /v1/events and handed to
 * webhook delivery. Control routes run mutations inside `withRequest` so their events carry
 * the request id, as Stripe's do for API-made changes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Stripe from 'stripe';
import type { AccountState } from './accounts.js';
import { served } from './expand.js';
import { makeEvent, newId } from './objects.js';
import type { StripeObject } from './resources.js';
import { renderEvent, type VersionLookups } from './versions.js';
import type { WebhookDispatcher } from './webhooks.js';

const requestScope = new AsyncLocalStorage<{ id: string; idempotencyKey?: string }>();

export function withRequest<T>(request: { id: string; idempotencyKey?: string }, run: () => T): T {
  return requestScope.run(request, run);
}

export type EventType = Stripe.Event['type'];

/** Deleted coupons included: a discount still names the coupon it was made from. */
const lookupsOf = (account: AccountState): VersionLookups => ({
  coupon: (id) => account.store.entry('coupon', id)?.obj as unknown as Stripe.Coupon | undefined,
});

export class EventLog {
  constructor(
    private readonly now: () => number,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  record(account: AccountState, type: EventType, object: object, previous?: Record<string, unknown>): Stripe.Event {
    const event = makeEvent({
      id: newId('evt'),
      type,
      created: this.now(),
      account: account.id,
      livemode: account.livemode,
      // As an API response without expand[] shows it: no includable fields, nested lists cut at 10.
      object: served(object as StripeObject) as never,
      ...(previous ? { previous_attributes: previous as never } : {}),
    });
    const request = requestScope.getStore();
    const current = {
      ...event,
      pending_webhooks: this.webhooks.configured ? 1 : 0,
      request: { id: request?.id ?? null, idempotency_key: request?.idempotencyKey ?? null },
    } as Stripe.Event;
    const lookups = lookupsOf(account);
    // Created in the account's default version, as GET /v1/events serves it from then on.
    const stored = account.apiVersion ? renderEvent(current, account.apiVersion, lookups) : current;
    account.store.put(stored as unknown as StripeObject);
    // A deauthorized app stops receiving the account's events, except the deauthorization itself.
    // An endpoint without a version of its own gets the account's default.
    if (account.connected || type === 'account.application.deauthorized') {
      this.webhooks.enqueue(current, (version) => renderEvent(current, version ?? account.apiVersion ?? current.api_version!, lookups));
    }
    return stored;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `data.previous_attributes`: the old values of changed fields only. Hashes (metadata) are
 * diffed per key, with `null` for keys that did not exist, like Stripe.
 */
export function previousAttributes(before: object, after: object): Record<string, unknown> {
  const old = before as Record<string, unknown>;
  const next = after as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) {
    const a = old[key];
    const b = next[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (key === 'metadata' && isPlainObject(a) && isPlainObject(b)) {
      changed[key] = Object.fromEntries(
        Object.keys({ ...a, ...b })
          .filter((k) => a[k] !== b[k])
          .map((k) => [k, a[k] ?? null]),
      );
    } else {
      changed[key] = a ?? null;
    }
  }
  return changed;
}
