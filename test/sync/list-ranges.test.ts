/**
 * A first sync whose long lists are read in parallel `created` ranges, on an account laid out so
 * that objects share the seconds where ranges meet: each list's first page falls in one second
 * (the backfill then plans SYNC_CONCURRENCY equal ranges down to the account's creation), three
 * more objects share that second, three share each boundary between two ranges and one lies in
 * the second below it. An object at a boundary read by neither range, or by both, shows in the
 * counts and in its customer's figures, which are the hand-written vectors' (vector-copies.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { requestRecorder } from '../support/request-log.js';
import { waitForComplete } from '../support/sync-status.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { buildVectorCopies, NOW } from './vector-copies.js';

const RANGES = 16;
const fixture = buildVectorCopies({ copies: 10, layout: { kind: 'boundaries', ranges: RANGES, width: 86_400 } });
let emulator: Emulator;
let recorder: ReturnType<typeof requestRecorder>;
let t: TestApp;

beforeAll(async () => {
  recorder = requestRecorder();
  emulator = await startEmulator({ fixtures: { accounts: [fixture.account] }, now: NOW, logger: recorder.logger });
  t = await startTestApp({ env: { ...emulatorEnv(emulator), SYNC_CONCURRENCY: String(RANGES) } });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

/** The `created` bounds of each full-page list request for one path. */
function rangeRequests(path: string) {
  return recorder.answered
    .map(({ url }) => new URL(url, 'http://emulator'))
    .filter((url) => url.pathname === `/v1/${path}` && url.searchParams.get('limit') === '100')
    // Either operator: which one the bound takes is what the counts below check.
    .map(({ searchParams: q }) => ({ lower: q.get('created[gte]') ?? q.get('created[gt]'), upper: q.get('created[lt]') ?? q.get('created[lte]') }));
}

describe('lists read in created ranges', () => {
  it('read every object once, those sharing a boundary second included', async () => {
    const { customers, invoices } = fixture.account;
    const burst = fixture.burst!;
    const at = (list: { created: number }[], second: number) => list.filter((o) => o.created === second).length;
    // The layout holds what the test is about: more than a page in the newest second, three at each boundary.
    for (const list of [customers, invoices]) {
      expect(at(list, burst)).toBeGreaterThan(100);
      for (const boundary of fixture.boundaries) expect({ boundary, n: at(list, boundary) }).toEqual({ boundary, n: 3 });
    }

    const ws = await t.createWorkspace('Ranges');
    await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fixture.secretKey }).expect(200);
    const status = await waitForComplete(t, ws.auth, 60_000);

    // The backfill did cut both lists at exactly those seconds: the ranges' lower bounds are the
    // boundaries (and the head range's, the first page's second), their upper bounds the boundaries and the burst.
    for (const path of ['customers', 'invoices']) {
      const requests = rangeRequests(path);
      const lowers = new Set(requests.map((r) => r.lower).filter((v) => v !== null));
      const uppers = new Set(requests.map((r) => r.upper).filter((v) => v !== null));
      expect({ path, lowers: [...lowers].map(Number).sort() }).toEqual({ path, lowers: [...fixture.boundaries, burst].sort() });
      expect({ path, uppers: [...uppers].map(Number).sort() }).toEqual({ path, uppers: [...fixture.boundaries, burst].sort() });
    }

    // Read once each: the counts are the account's, not one more or less.
    expect(status.sync_progress).toMatchObject({ customer: customers.length, invoice: invoices.length, credit_note: fixture.account.credit_notes.length });
    expect(status.participant_count).toBe(customers.length);
    const participants: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.http.get('/api/participants').query({ limit: 100, ...(cursor ? { cursor } : {}) }).set('authorization', ws.auth).expect(200);
      participants.push(...res.body.data);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(participants.map((p) => p.stripe_customer_id).sort()).toEqual([...fixture.expected.keys()].sort());
    // A lost invoice shows in its customer's LTV.
    const figures = (p: { mrr: number; ltv: number; status: string; plan: string | null }) => ({ mrr: p.mrr, ltv: p.ltv, status: p.status, plan: p.plan });
    expect(participants.map((p) => [p.stripe_customer_id, figures(p)])).toEqual(participants.map((p) => [p.stripe_customer_id, figures(fixture.expected.get(p.stripe_customer_id)!)]));
  });
});
