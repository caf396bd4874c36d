import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import type { Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

export const SECRET = 'whsec_webhooks_current';
export const OLD_SECRET = 'whsec_webhooks_rotated_out';

/** The app with two webhook secrets (rotation), listening on a real port so the emulator can deliver. */
export async function startListeningApp(emulator: Emulator, options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp & { webhookUrl: string }> {
  const t = await startTestApp({ ...options, env: { ...emulatorEnv(emulator), STRIPE_WEBHOOK_SECRETS: `${SECRET},${OLD_SECRET}`, ...options.env } });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(t, { webhookUrl: `${address}/webhooks/stripe` });
}

export const sign = (payload: string, secret = SECRET, timestamp?: number) => Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });

/** A POST as Stripe sends it. */
export async function post(url: string, payload: string, signature: string | undefined, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(signature ? { 'stripe-signature': signature } : {}), ...headers },
    body: payload,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

let counter = 0;
/** An event in Stripe's shape around a given object. */
export function makeEvent(type: string, object: Record<string, unknown>, fields: Partial<{ id: string; account: string | null; livemode: boolean; created: number; api_version: string }> = {}) {
  counter += 1;
  const { account = null, ...rest } = fields;
  return {
    id: `evt_test_${Date.now().toString(36)}_${counter}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
    ...(account ? { account } : {}),
    ...rest,
  };
}

export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, { timeoutMs = 15_000, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const eventRows = (t: TestApp, where = sql`true`) =>
  t.database.rows<{ id: string; type: string; status: string; reason: string | null; source: string; connection_id: string | null; workspace_id: string | null; object: Record<string, unknown> | null }>(
    sql`select id, type, status, reason, source, connection_id, workspace_id, object from webhook_events where ${where} order by created, id`,
  );

export const connectionOf = async (t: TestApp, workspaceId: string) =>
  (await t.database.rows<{ id: string; status: string; access_token_sealed: string | null; refresh_token_sealed: string | null }>(
    sql`select id, status, access_token_sealed, refresh_token_sealed from connections where workspace_id = ${workspaceId} order by updated_at desc limit 1`,
  ))[0]!;

/** Participants and segments of a workspace, by Stripe identity: what two ways of syncing must agree on. */
export async function panelSnapshot(t: TestApp, workspaceId: string, options: { includeDeleted?: boolean } = {}) {
  const participants = await t.database.rows<Record<string, unknown>>(sql`
    select stripe_customer_id, email, name, phone, metadata, mrr, ltv, plan, plan_products, status, currency, deleted_in_stripe
    from participants where workspace_id = ${workspaceId} and stripe_customer_id is not null
      and (${options.includeDeleted ?? true} or not deleted_in_stripe)
    order by stripe_customer_id`);
  const segments = await t.database.rows<Record<string, unknown>>(sql`
    select s.key, s.name, s.participant_count::int as participant_count, s.mrr_by_currency,
      coalesce((select jsonb_agg(p.stripe_customer_id order by p.stripe_customer_id) from segment_members m join participants p on p.id = m.participant_id where m.segment_id = s.id), '[]'::jsonb) as members
    from segments s where s.workspace_id = ${workspaceId} order by s.key`);
  return { participants, segments };
}
