import Stripe from 'stripe';
import type { StatusMessage } from '../../db/schema/index.js';
import type { StoredObject } from '../../stripe/registry.js';

/**
 * The version stripe-node pins: every API call of the service is made in it, and the metric rules
 * read objects in its shapes. An event is rendered in its webhook endpoint's version (or, listed
 * from GET /v1/events, in the account's default version when it was created), which may be older:
 * a discount with `coupon` instead of `source.coupon` before 2025-09-30.clover, the billing period
 * on the subscription instead of its items before 2025-03-31.basil.
 */
export const PINNED_API_VERSION: string = Stripe.API_VERSION;

export const API_VERSION_MISMATCH = 'webhook_api_version_mismatch';

export const isPinnedVersion = (event: { apiVersion: string | null }): boolean => event.apiVersion === PINNED_API_VERSION;

/**
 * All that a payload of another version says for certain: which object it is, and (for the
 * deletion events) that it is deleted. Ids and deletion mean the same in every version.
 */
export function versionIndependent(object: StoredObject): StoredObject {
  return { id: object.id, ...(object.object !== undefined ? { object: object.object } : {}), ...(object.deleted === true ? { deleted: true } : {}) };
}

export function apiVersionMismatch(version: string | null): StatusMessage {
  return {
    code: API_VERSION_MISMATCH,
    message:
      `Stripe sends this connection's webhook events in API version ${version ?? '(none)'}, not ${PINNED_API_VERSION}: ` +
      `each event's object is fetched again from Stripe instead of read from the event, which costs an API request per event. ` +
      `Create the Connect webhook endpoint with API version ${PINNED_API_VERSION} (an endpoint keeps the version it was created with), then delete the old one.`,
  };
}
