/** Helpers shared by the mutations: typed reads of stored objects and Stripe's metadata merge. */
import type Stripe from 'stripe';
import type { AccountState } from '../accounts.js';
import { errors } from '../errors.js';
import type { StripeObject } from '../resources.js';

export interface Scoped {
  /** The account to create in; the first account when omitted. */
  account?: string;
}

export function stored(obj: object): StripeObject {
  return obj as unknown as StripeObject;
}

/** A live (not deleted) top-level object of the given type, or a 404 like the API's. */
export function getLive<T>(account: AccountState, object: string, id: string, noun = object): T {
  const entry = account.store.entry(object, id);
  if (!entry || entry.deleted) throw errors.notFound(noun, id);
  return entry.obj as unknown as T;
}

/** Stripe merges metadata per key; an empty string removes a key. */
export function mergeMetadata(current: Stripe.Metadata | null | undefined, patch: Record<string, string> | undefined): Stripe.Metadata {
  const merged: Stripe.Metadata = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Drops keys whose value is undefined so a spread never erases a stored field. */
export function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
