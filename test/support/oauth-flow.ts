import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Emulator } from '../stripe-emulator/index.js';
import type { TestApp } from './test-app.js';

/** The backend's env pointing at a running emulator. */
export const emulatorEnv = (emulator: Emulator): Record<string, string> => ({
  STRIPE_API_BASE: emulator.url,
  STRIPE_AUTHORIZE_URL: `${emulator.url}/oauth/v2/authorize`,
  PUBLIC_URL: 'http://backend.test',
  APP_URL: 'http://app.test',
  // The emulator is not Stripe: tests need not wait on Stripe's test-mode rate.
  STRIPE_RATE_LIMIT_TEST: '500',
});

export interface BrowserStep {
  status: number;
  location: string;
  cookie?: string;
}

/** What a browser does from the backend's start URL to Stripe's authorize page and back. */
export async function authorizeViaEmulator(t: TestApp, startPath: string, headers: Record<string, string> = {}) {
  const start = await t.http.get(startPath).set(headers).redirects(0);
  expect(start.status, JSON.stringify(start.body)).toBe(302);
  const cookie = (start.headers['set-cookie'] as unknown as string[] | undefined)?.map((c) => c.split(';')[0]).join('; ');
  const authorize = await fetch(start.headers.location!, { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  const callback = new URL(authorize.headers.get('location')!);
  return { start, cookie, authorizeUrl: new URL(start.headers.location!), callbackPath: `${callback.pathname}${callback.search}`, callback };
}

/** Runs the callback as the browser would, with the cookie the start set. */
export const followCallback = (t: TestApp, callbackPath: string, cookie?: string) => {
  const request = t.http.get(callbackPath).redirects(0);
  return cookie ? request.set('cookie', cookie) : request;
};

/** The whole integrations-page round trip for a workspace. */
export async function connectWithOAuth(t: TestApp, auth: string, mode: 'test' | 'live' = 'test') {
  const flow = await authorizeViaEmulator(t, `/connect/stripe/start?mode=${mode}`, { authorization: auth });
  const done = await followCallback(t, flow.callbackPath, flow.cookie);
  return { ...flow, done };
}

/** A Dashboard/Marketplace install: Stripe sends the browser to the callback with a code and no state. */
export async function installFromDashboard(t: TestApp, emulator: Emulator) {
  const query = new URLSearchParams({ client_id: emulator.clientIds.test, redirect_uri: `${t.config.PUBLIC_URL}/connect/stripe/callback` });
  const authorize = await fetch(`${emulator.url}/oauth/v2/authorize?${query}`, { redirect: 'manual' });
  const callback = new URL(authorize.headers.get('location')!);
  return { callbackPath: `${callback.pathname}${callback.search}`, code: callback.searchParams.get('code')! };
}

/** Every value in a text-like column of every table, to look for secrets at rest. */
export async function allStoredText(t: TestApp): Promise<string> {
  // Every schema the app writes: its tables and the job queue's (a job's data is stored too).
  const columns = await t.database.rows<{ table_schema: string; table_name: string; column_name: string }>(
    sql`select table_schema, table_name, column_name from information_schema.columns
      where table_schema not in ('pg_catalog', 'information_schema') and data_type in ('text', 'character varying', 'jsonb', 'json')`,
  );
  const values: string[] = [];
  for (const c of columns) {
    const rows = await t.database.rows<{ v: string | null }>(sql.raw(`select "${c.column_name}"::text as v from "${c.table_schema}"."${c.table_name}"`));
    values.push(...rows.map((r) => r.v ?? ''));
  }
  return values.join('\n');
}
