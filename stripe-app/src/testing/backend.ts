import type { ViewBackend } from './backend-contract';

export type { ViewBackend } from './backend-contract';

/**
 * Starts the real backend (and the Stripe emulator behind it) for a view test file. It lives with
 * the other backend test support in test/stripe-app/support; the path is not a literal so that the
 * app's own type check does not pull the backend's sources in (the contract types both sides).
 */
const SUPPORT = ['..', '..', '..', 'test', 'stripe-app', 'support', 'view-backend.ts'].join('/');

export async function startViewBackend(): Promise<ViewBackend> {
  const support = (await import(/* @vite-ignore */ SUPPORT)) as { startViewBackend(): Promise<ViewBackend> };
  return support.startViewBackend();
}
