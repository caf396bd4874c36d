import { isDeepStrictEqual } from 'node:util';
import Stripe from 'stripe';
import { listSubscriptionItems, objectType, storeSubscription, type StoredObject, type StripeObjectType } from '../../stripe/registry.js';
import { withStripeRetry } from '../sync/stripe-retry.js';
import { versionIndependent } from './api-version.js';
import type { EventSink } from './handlers.js';

type TypeName = StripeObjectType['type'];

/** One observed state of an object: from an event (version = event.created in ms) or from our mirror. */
interface Copy {
  version: number;
  data: StoredObject;
  complete: boolean;
  /** From a payload in another API version: `data` holds only what no version changes (api-version.ts). */
  foreign?: boolean;
}

/** What the batch decided for one object. */
export interface Resolved {
  type: StripeObjectType;
  id: string;
  /** `write`: store `data` at `version`; `fetch`: Stripe's current copy is needed (ties, incomplete payloads). */
  action: 'write' | 'fetch';
  data: StoredObject;
  version: number;
  /**
   * Observed in another API version: `data` is then the stored copy, or only the id when none is
   * stored (`stored: false`), never the payload. Such an object is re-fetched, left alone, or
   * (a deleted customer never stored) written as a tombstone: id and deletion only.
   */
  foreign?: { stored: boolean };
}

const SECOND = 1000;
const normalized = (data: StoredObject): StoredObject => JSON.parse(JSON.stringify(data)) as StoredObject;
const endOfSecond = (version: number) => Math.floor(version / SECOND) * SECOND + SECOND - 1;

function newestInPinnedVersion(stored: Copy | undefined, observed: Copy[]): Copy | undefined {
  let newest = stored;
  for (const copy of observed) if (!copy.foreign && copy.data.deleted !== true && (!newest || copy.version > newest.version)) newest = copy;
  return newest;
}

/**
 * Folds the copies of one object, oldest first, onto the stored one. Event times are whole
 * seconds, so an event is newer than the stored copy only when its second is later than the
 * stored version, older when the stored version is in a later second, and in doubt when both
 * fall in the same second with different contents: then the object is re-fetched. A deleted
 * object stays deleted. A copy from another API version orders like any other but is never
 * written: it is re-fetched, except a deletion, which only marks the stored copy deleted.
 */
export function resolve(stored: Copy | undefined, observed: Copy[]): { action: 'skip' } | { action: 'write' | 'fetch'; copy: Copy } {
  // Deletion is final and its event carries the last state: it wins, whatever arrived around it.
  const deletion = observed.filter((c) => c.data.deleted === true).sort((a, b) => a.version - b.version).at(-1);
  if (deletion) {
    // In another version the deletion says only which object is gone: the fields are those of the
    // newest copy known in the pinned version (stored, or observed alongside), as if applied in
    // order. None known: a tombstone (id and deletion only), so that no older copy revives it.
    const known = deletion.foreign ? newestInPinnedVersion(stored, observed) : undefined;
    if (deletion.foreign && !known) return { action: 'write', copy: deletion };
    const data = known ? { ...known.data, deleted: true } : deletion.data;
    if (stored && isDeepStrictEqual(stored.data, data)) return { action: 'skip' };
    return { action: 'write', copy: { data, complete: true, version: Math.max(deletion.version, stored?.version ?? 0) } };
  }
  if (stored?.data.deleted === true) return { action: 'skip' };
  let current = stored;
  let changed = false;
  let doubt = false;
  for (const copy of [...observed].sort((a, b) => a.version - b.version)) {
    if (!current || current.version < copy.version) {
      current = copy;
      changed = true;
      doubt = !copy.complete;
    } else if (current.version >= copy.version + SECOND) {
      continue;
    } else if (!isDeepStrictEqual(current.data, copy.data)) {
      changed = true;
      doubt = true;
    }
  }
  if (!current || !changed) return { action: 'skip' };
  return { action: doubt ? 'fetch' : 'write', copy: current };
}

/** Collects what a batch of events observed, object by object; `decide` then folds each one. */
export function createObservations() {
  const objects = new Map<string, { type: TypeName; copies: Copy[] }>();
  const deauthorizations: string[] = [];
  const add = (type: TypeName, copy: Copy) => {
    const entry = objects.get(copy.data.id) ?? { type, copies: [] };
    entry.copies.push(copy);
    objects.set(copy.data.id, entry);
  };
  const deauthorize = (reason: string) => void deauthorizations.push(reason);
  const sink: EventSink = {
    observe: (type, object, created, complete) => add(type, { version: created * SECOND, data: normalized(object), complete }),
    deauthorize,
  };
  /** For events in another API version: what they observed is kept as the object's id (and deletion) only. */
  const foreignSink: EventSink = {
    observe: (type, object, created) => add(type, { version: created * SECOND, data: versionIndependent(object), complete: false, foreign: true }),
    deauthorize,
  };
  return {
    sink,
    foreignSink,
    deauthorizations,
    ids: () => [...objects.keys()],
    decide(stored: Map<string, { version: number; data: StoredObject }>): Resolved[] {
      const decisions: Resolved[] = [];
      for (const [id, { type, copies }] of objects) {
        const mirrored = stored.get(id);
        const outcome = resolve(mirrored && { version: mirrored.version, data: mirrored.data, complete: true }, copies);
        if (outcome.action === 'skip') continue;
        const { copy } = outcome;
        // A tombstone has no fields: a customer's holds its participant out of Stripe's segments,
        // a catalog object's would stand for the real one in the metrics (its price, coupon or name).
        if (copy.foreign && outcome.action === 'write' && type !== 'customer') continue;
        decisions.push(
          copy.foreign
            ? { type: objectType(type), id, action: outcome.action, data: mirrored?.data ?? copy.data, version: copy.version, foreign: { stored: mirrored !== undefined } }
            : { type: objectType(type), id, action: outcome.action, data: copy.data, version: copy.version },
        );
      }
      return decisions;
    },
  };
}

const DELETABLE = new Set<TypeName>(['customer', 'product', 'price', 'coupon']);

/** Every item of a subscription whose nested list was cut at 10. */
async function allItems(stripe: Stripe, subscription: Stripe.Subscription): Promise<unknown[]> {
  if (!subscription.items.has_more) return subscription.items.data;
  const items: unknown[] = [];
  for (let startingAfter: string | undefined; ; ) {
    const page = await withStripeRetry(() => listSubscriptionItems(stripe, subscription.id, startingAfter));
    items.push(...page.data);
    if (!page.has_more) return items;
    startingAfter = page.data.at(-1)!.id;
  }
}

/**
 * Stripe's copy as of now, stored at a version that outranks every event of the seconds it
 * settles (and any copy observed before now). A deleted object keeps its last known fields;
 * null when none is known (seen only in another API version): there is nothing to store.
 */
export async function refetch(stripe: Stripe, decision: Resolved, now = Date.now()): Promise<Resolved | null> {
  const version = Math.max(now, endOfSecond(decision.version));
  // What is written is Stripe's copy, or the stored one: in the pinned version either way.
  const { foreign, ...base } = decision;
  let fetched: unknown;
  try {
    fetched = await withStripeRetry(() => base.type.retrieve(stripe, base.id));
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404)) throw error;
    fetched = { id: base.id, deleted: true };
  }
  if ((fetched as { deleted?: boolean }).deleted) {
    if (foreign && !foreign.stored) return null;
    const data = DELETABLE.has(base.type.type) ? { ...base.data, deleted: true } : base.data;
    return { ...base, action: 'write', data, version };
  }
  if (base.type.type === 'subscription') {
    const subscription = fetched as Stripe.Subscription;
    const items = await allItems(stripe, subscription);
    const data = storeSubscription({ ...subscription, items: { ...subscription.items, data: items, has_more: false } });
    return { ...base, action: 'write', data: normalized(data), version };
  }
  return { ...base, action: 'write', data: normalized(base.type.store(fetched)), version };
}
