/**
 * Errors in the exact JSON shapes Stripe answers with, so stripe-node maps them to the same
 * error classes (it decides by HTTP status, then by `code`/`type`).
 */
export interface StripeErrorBody {
  type: 'invalid_request_error' | 'api_error' | 'idempotency_error';
  code?: string;
  message: string;
  param?: string;
  doc_url?: string;
  request_log_url?: string;
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: StripeErrorBody } | OAuthErrorBody,
    /** Response headers that go with the error (a 429's reason). */
    readonly headers: Record<string, string> = {},
  ) {
    super('error_description' in body ? body.error_description : body.error.message);
  }
}

function stripeError(status: number, error: StripeErrorBody): EmulatorError {
  // Stripe moved its documentation to docs.stripe.com; error bodies link there.
  const doc_url = error.code ? `https://docs.stripe.com/error-codes/${error.code.replace(/_/g, '-')}` : undefined;
  return new EmulatorError(status, { error: { ...(doc_url ? { doc_url } : {}), ...error } });
}

/** Stripe shows keys as their prefix plus the last four characters. */
export function maskKey(key: string): string {
  const prefix = /^[a-z]+_(test|live)_/.exec(key)?.[0] ?? /^[a-z]+_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(4)}${key.slice(-4)}`;
}

const SUPPORT = 'See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.';

export const errors = {
  missingKey: () =>
    stripeError(401, {
      type: 'invalid_request_error',
      message: `You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). ${SUPPORT}`,
    }),
  invalidKey: (key: string) =>
    stripeError(401, { type: 'invalid_request_error', code: 'api_key_invalid', message: `Invalid API Key provided: ${maskKey(key)}` }),
  expiredKey: (key: string) =>
    stripeError(401, { type: 'invalid_request_error', code: 'api_key_expired', message: `Expired API Key provided: ${maskKey(key)}` }),
  platformKeyRequired: (key: string) =>
    stripeError(401, {
      type: 'invalid_request_error',
      code: 'api_key_invalid',
      message: `The provided key '${maskKey(key)}' cannot exchange OAuth grants: use your platform's secret key of the same mode.`,
    }),
  permission: (key: string, account: string, permission: string) =>
    stripeError(403, {
      type: 'invalid_request_error',
      message: `The provided key '${maskKey(key)}' does not have the required permissions for this endpoint on account '${account}'. Having the 'rak_${permission}' permission would allow this request to continue.`,
    }),
  accountInvalid: (key: string, account: string) =>
    stripeError(403, {
      type: 'invalid_request_error',
      code: 'account_invalid',
      message: `The provided key '${maskKey(key)}' does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
    }),
  notFound: (noun: string, id: string, param = 'id') =>
    stripeError(404, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${noun}: '${id}'` }),
  /** A parameter naming an object the request cannot use: a 400, unlike a missing path id's 404. */
  missingReference: (noun: string, id: string, param: string) =>
    stripeError(400, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${noun}: '${id}'` }),
  unknownParam: (param: string) =>
    stripeError(400, { type: 'invalid_request_error', code: 'parameter_unknown', param, message: `Received unknown parameter: ${param}` }),
  invalidInteger: (param: string, value: string) =>
    stripeError(400, { type: 'invalid_request_error', code: 'parameter_invalid_integer', param, message: `Invalid integer: ${value}` }),
  integerTooSmall: (param: string, min: number) =>
    stripeError(400, { type: 'invalid_request_error', code: 'parameter_invalid_integer', param, message: `This value must be greater than or equal to ${min}.` }),
  integerTooLarge: (param: string, max: number, value: string) =>
    stripeError(400, {
      type: 'invalid_request_error',
      code: 'parameter_invalid_integer',
      param,
      message: `This value must be less than or equal to ${max} (it currently is '${value}').`,
    }),
  invalidValue: (param: string, message: string) =>
    stripeError(400, { type: 'invalid_request_error', code: 'parameter_invalid_empty', param, message }),
  missingParam: (param: string) =>
    stripeError(400, { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.` }),
  cannotExpand: (path: string) =>
    stripeError(400, { type: 'invalid_request_error', param: 'expand', message: `This property cannot be expanded (${path}).` }),
  // The message Stripe gives (quoted in stripe/stripe-java#2011) for paths past the documented four levels.
  expandTooDeep: () =>
    stripeError(400, { type: 'invalid_request_error', param: 'expand', message: 'You cannot expand more than 4 levels of a property.' }),
  unrecognizedUrl: (method: string, url: string) =>
    stripeError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${url}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    }),
  /** Stripe names the limiter that refused in `Stripe-Rate-Limited-Reason` (docs.stripe.com/rate-limits). */
  rateLimit: (reason: string) => {
    const error = stripeError(429, {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message:
        'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
    });
    return new EmulatorError(error.status, error.body, { 'Stripe-Rate-Limited-Reason': reason });
  },
  apiError: () =>
    new EmulatorError(500, {
      error: { type: 'api_error', message: 'An unknown error occurred. Please try again or contact support (https://support.stripe.com/).' },
    }),
  idempotencyMismatch: (key: string) =>
    new EmulatorError(400, {
      error: {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      },
    }),
  oauth: (error: string, description: string, status = 400) => new EmulatorError(status, { error, error_description: description }),
};
