import { fetchStripeSignature } from '@stripe/ui-extension-sdk/utils';
import type { AppConnectionResponse, AppCustomerResponse, AppSegmentsResponse, AppSyncResponse, ErrorResponse } from '@ui/shared';
import { backendPaths } from './paths';

/** What went wrong with a backend call, in the terms a view explains to the merchant. */
export type BackendProblem =
  | { kind: 'unreachable' }
  | { kind: 'unauthorized' }
  | { kind: 'not_installed' }
  | { kind: 'not_linked' }
  | { kind: 'needs_reauth' }
  | { kind: 'failed'; status: number; message: string; requestId?: string };

export class BackendError extends Error {
  constructor(readonly problem: BackendProblem) {
    super(`backend call failed: ${problem.kind}`);
    this.name = 'BackendError';
  }
}

/** The call was refused because the connection is not in the state the view showed. */
export const changedState = (problem: BackendProblem) => problem.kind === 'not_installed' || problem.kind === 'not_linked' || problem.kind === 'needs_reauth';

export const problemOf = (error: unknown): BackendProblem =>
  error instanceof BackendError ? error.problem : { kind: 'failed', status: 0, message: error instanceof Error ? error.message : String(error) };

export interface SignedUser {
  user_id: string;
  account_id: string;
}

export interface BackendClientOptions {
  /** The backend's origin, e.g. `https://api.userintuition.ai`. */
  apiBase: string;
  user: SignedUser;
  /** Stripe's signature over `{user_id, account_id}`; the Dashboard host provides it. */
  sign?: () => Promise<string>;
  fetch?: typeof fetch;
}

const KNOWN_CODES: Record<string, BackendProblem['kind']> = {
  missing_signature: 'unauthorized',
  invalid_signature: 'unauthorized',
  not_installed: 'not_installed',
  not_linked: 'not_linked',
  needs_reauth: 'needs_reauth',
};

async function problemFrom(response: Response): Promise<BackendProblem> {
  const body = (await response.json().catch(() => null)) as ErrorResponse | null;
  const code = body?.error?.code ?? '';
  const kind = KNOWN_CODES[code];
  if (kind && kind !== 'failed') return { kind } as BackendProblem;
  if (response.status === 401) return { kind: 'unauthorized' };
  // A gateway answering for a backend that is down or restarting.
  if ([502, 503, 504].includes(response.status)) return { kind: 'unreachable' };
  return { kind: 'failed', status: response.status, message: body?.error?.message ?? response.statusText, requestId: body?.error?.request_id };
}

/**
 * The one way the views reach the backend: a POST signed by Stripe's host, carrying the signed
 * `{user_id, account_id}` in its body. Failures become a `BackendError` with a `BackendProblem`.
 */
export function createBackendClient(options: BackendClientOptions) {
  const sign = options.sign ?? (() => fetchStripeSignature());
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const base = options.apiBase.replace(/\/+$/, '');

  async function post<T>(path: string): Promise<T> {
    if (!options.user.user_id || !options.user.account_id) throw new BackendError({ kind: 'unauthorized' });
    let signature: string;
    try {
      signature = await sign();
    } catch {
      throw new BackendError({ kind: 'unauthorized' });
    }
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
        body: JSON.stringify({ user_id: options.user.user_id, account_id: options.user.account_id }),
      });
    } catch {
      throw new BackendError({ kind: 'unreachable' });
    }
    if (!response.ok) throw new BackendError(await problemFrom(response));
    try {
      return (await response.json()) as T;
    } catch {
      throw new BackendError({ kind: 'failed', status: response.status, message: 'the answer was not JSON' });
    }
  }

  return {
    connection: () => post<AppConnectionResponse>(backendPaths.connection()),
    segments: () => post<AppSegmentsResponse>(backendPaths.segments()),
    sync: () => post<AppSyncResponse>(backendPaths.sync()),
    disconnect: () => post<AppConnectionResponse>(backendPaths.disconnect()),
    customer: (customerId: string) => post<AppCustomerResponse>(backendPaths.customer(customerId)),
    syncCustomer: (customerId: string) => post<AppSyncResponse>(backendPaths.customerSync(customerId)),
  };
}

export type BackendClient = ReturnType<typeof createBackendClient>;
