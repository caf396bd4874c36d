import Stripe from 'stripe';
import { AppError } from '../../http/app-error.js';

/** Stripe's default: a signed delivery older (or newer) than this is refused as a possible replay. */
export const TOLERANCE_SECONDS = 300;

/** What the receiver reads of an event; the rest of the payload is not kept. */
export interface VerifiedEvent {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  account: string | null;
  /** The version Stripe rendered the event in: the webhook endpoint's (null for events before 2014). */
  apiVersion: string | null;
  object: Record<string, unknown> & { id: string };
}

const badRequest = (code: string, message: string) => new AppError(400, code, message);

function shapeOf(event: unknown): VerifiedEvent {
  const e = event as Partial<Stripe.Event> | null;
  const object = e?.data?.object as (Record<string, unknown> & { id?: unknown }) | undefined;
  if (
    !e ||
    typeof e.id !== 'string' ||
    !e.id.startsWith('evt_') ||
    typeof e.type !== 'string' ||
    !Number.isInteger(e.created) ||
    typeof e.livemode !== 'boolean' ||
    !object ||
    typeof object !== 'object' ||
    typeof object.id !== 'string'
  ) {
    throw badRequest('invalid_event', 'the payload is not a Stripe event (id, type, created, livemode, data.object.id)');
  }
  return { id: e.id, type: e.type, created: e.created!, livemode: e.livemode, account: typeof e.account === 'string' ? e.account : null, apiVersion: typeof e.api_version === 'string' ? e.api_version : null, object: object as VerifiedEvent['object'] };
}

/**
 * `constructEvent` against every configured secret (test and live endpoints, and the old secret
 * during a rotation): the first that verifies wins. It checks the HMAC of the raw bytes, then the
 * timestamp (both ways), then parses the JSON; each failure is a 400 so Stripe shows it on the endpoint.
 */
export function verifyStripeEvent(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): VerifiedEvent {
  if (!header) throw badRequest('missing_signature', 'the Stripe-Signature header is missing');
  let stale = false;
  for (const secret of secrets) {
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, header, secret, TOLERANCE_SECONDS);
    } catch (error) {
      if (error instanceof SyntaxError) throw badRequest('invalid_payload', 'the body is not JSON');
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) throw error;
      if (/tolerance/i.test(error.message)) stale = true;
      continue;
    }
    // stripe-node checks the age only: a timestamp from the future is refused here as well.
    const timestamp = Number(/(?:^|,)\s*t=(\d+)/.exec(header)?.[1]);
    if (timestamp - Math.floor(Date.now() / 1000) > TOLERANCE_SECONDS) {
      stale = true;
      break;
    }
    return shapeOf(event);
  }
  throw stale
    ? badRequest('stale_signature', `the Stripe-Signature timestamp is more than ${TOLERANCE_SECONDS} s away from now`)
    : badRequest('invalid_signature', 'the Stripe-Signature does not match the body with any configured webhook secret');
}
