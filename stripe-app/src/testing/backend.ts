import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ViewBackend } from './backend-contract';
import { recordBackendCalls } from './views';

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

/**
 * The backend of a view test file: started once before its tests, with every call the views make
 * to it recorded and forgotten after each test, and closed after the last.
 */
export function viewBackendForFile(): { backend: ViewBackend; recorder: ReturnType<typeof recordBackendCalls> } {
  const file = {} as ReturnType<typeof viewBackendForFile>;
  beforeAll(async () => {
    file.backend = await startViewBackend();
    file.recorder = recordBackendCalls(file.backend);
  });
  afterEach(() => file.recorder.clear());
  afterAll(async () => {
    file.recorder?.restore();
    await file.backend?.close();
  });
  return file;
}
