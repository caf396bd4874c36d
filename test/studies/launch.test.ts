import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { onPostgres } from '../support/test-database.js';
import { createStudy, invitesOf, seedParticipants, seedSegment } from './support.js';

// Nothing works the delivery queue here: invites stay `queued`, launches are all that runs.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ work: false });
});
afterAll(async () => {
  await t?.close();
});

const launch = (auth: string, studyId: string, body: Record<string, unknown>) => t.http.post(`/api/studies/${studyId}/invites`).set('authorization', auth).send(body);

describe('launching a study to a segment', () => {
  it('invites each participant with an email once, skips those without, and one participant per shared address', async () => {
    const ws = await t.createWorkspace('Launch');
    const ids = await seedParticipants(t, ws.id, [
      { email: 'ada@example.com', name: 'Ada', mrr: 5000 },
      { email: null, mrr: 9000 },
      { email: '   ', mrr: 8000 },
      { email: 'not-an-address', mrr: 100 },
      { email: ' Grace@Example.com ', name: 'Grace', mrr: 7000, deletedInStripe: true },
      { email: 'grace@example.com', name: 'Grace (second account)', mrr: 300 },
      { email: 'linus@example.com', mrr: 0, currency: null },
    ]);
    const segmentId = await seedSegment(t, ws.id, 'all', ids);
    const studyId = await createStudy(t, ws.auth);

    const first = await launch(ws.auth, studyId, { segment_id: segmentId }).expect(200);
    expect(first.body).toEqual({ invited: 3, skipped_no_email: 3, already_invited: 1 });

    const rows = await invitesOf(t, studyId);
    // Highest revenue first; the shared address went to the higher-MRR participant, trimmed.
    expect(rows.map((r) => [r.participant_id, r.email, r.status])).toEqual([
      [ids[4], 'Grace@Example.com', 'queued'],
      [ids[0], 'ada@example.com', 'queued'],
      [ids[6], 'linus@example.com', 'queued'],
    ]);

    const again = await launch(ws.auth, studyId, { segment_id: segmentId }).expect(200);
    expect(again.body).toEqual({ invited: 0, skipped_no_email: 3, already_invited: 4 });
    expect(await invitesOf(t, studyId)).toHaveLength(3);

    const detail = await t.http.get(`/api/studies/${studyId}`).set('authorization', ws.auth).expect(200);
    expect(detail.body).toMatchObject({
      id: studyId,
      title: 'Pricing interviews',
      interview_url_template: null,
      invites: { total: 3, queued: 3, sent: 0, failed: 0 },
      invited_mrr: { usd: 12000 },
    });
  });

  it('invites the highest-revenue participants first with order_by and limit, and a larger limit adds the next ones', async () => {
    const ws = await t.createWorkspace('Priority');
    const people = Array.from({ length: 10 }, (_, i) => ({ email: `p${i}@example.com`, mrr: (i * 37) % 10 * 100, ltv: (9 - i) * 1000, currency: i % 2 ? 'eur' : 'usd' }));
    const ids = await seedParticipants(t, ws.id, [...people, { email: null, mrr: 99_999 }]);
    const segmentId = await seedSegment(t, ws.id, 'active', ids);
    const byMrr = people.map((p, i) => ({ ...p, id: ids[i]! })).sort((a, b) => b.mrr - a.mrr || b.ltv - a.ltv);

    const studyId = await createStudy(t, ws.auth);
    expect((await launch(ws.auth, studyId, { segment_id: segmentId, order_by: 'mrr_desc', limit: 3 }).expect(200)).body).toEqual({
      invited: 3,
      skipped_no_email: 1,
      already_invited: 0,
    });
    expect((await invitesOf(t, studyId)).map((r) => r.participant_id)).toEqual(byMrr.slice(0, 3).map((p) => p.id));

    expect((await launch(ws.auth, studyId, { segment_id: segmentId, limit: 3 }).expect(200)).body).toEqual({ invited: 0, skipped_no_email: 1, already_invited: 3 });
    expect((await launch(ws.auth, studyId, { segment_id: segmentId, limit: 5 }).expect(200)).body).toEqual({ invited: 2, skipped_no_email: 1, already_invited: 3 });
    expect((await invitesOf(t, studyId)).map((r) => r.participant_id)).toEqual(byMrr.slice(0, 5).map((p) => p.id));
    const detail = await t.http.get(`/api/studies/${studyId}`).set('authorization', ws.auth).expect(200);
    const expected: Record<string, number> = {};
    for (const p of byMrr.slice(0, 5)) expected[p.currency] = (expected[p.currency] ?? 0) + p.mrr;
    expect(detail.body.invited_mrr).toEqual(expected);

    const byLtv = await createStudy(t, ws.auth, { title: 'LTV first' });
    await launch(ws.auth, byLtv, { segment_id: segmentId, order_by: 'ltv_desc', limit: 2 }).expect(200);
    expect((await invitesOf(t, byLtv)).map((r) => r.participant_id)).toEqual([ids[0], ids[1]]);
  });

  it('does not invite a participant again through another segment, and a failed invite frees its address', async () => {
    const ws = await t.createWorkspace('Overlap');
    const [a, b, c] = await seedParticipants(t, ws.id, [
      { email: 'a@example.com', mrr: 300 },
      { email: 'b@example.com', mrr: 200 },
      { email: 'shared@example.com', mrr: 100 },
    ]);
    const [d] = await seedParticipants(t, ws.id, [{ email: 'SHARED@example.com', mrr: 50 }]);
    const trialing = await seedSegment(t, ws.id, 'trialing', [a!, b!, c!]);
    const all = await seedSegment(t, ws.id, 'all', [a!, b!, c!, d!]);
    const studyId = await createStudy(t, ws.auth);

    expect((await launch(ws.auth, studyId, { segment_id: trialing }).expect(200)).body).toEqual({ invited: 3, skipped_no_email: 0, already_invited: 0 });
    expect((await launch(ws.auth, studyId, { segment_id: all }).expect(200)).body).toEqual({ invited: 0, skipped_no_email: 0, already_invited: 4 });

    // The address bounced for c: d, who shares it, may be invited; c never again.
    await t.database.rows(sql`update invites set status = 'failed' where study_id = ${studyId} and participant_id = ${c!}`);
    expect((await launch(ws.auth, studyId, { segment_id: all }).expect(200)).body).toEqual({ invited: 1, skipped_no_email: 0, already_invited: 3 });
    const rows = await invitesOf(t, studyId);
    expect(rows.find((r) => r.participant_id === d)).toMatchObject({ email: 'SHARED@example.com', status: 'queued' });
  });

  it('gives a shared address to the highest ranked under the launch\'s order and limit, and never to a second participant', async () => {
    const ws = await t.createWorkspace('Shared');
    const [a, b, c, d] = await seedParticipants(t, ws.id, [
      { email: 'x@example.com', mrr: 100, ltv: 900 },
      { email: ' X@EXAMPLE.COM ', mrr: 900, ltv: 100 },
      { email: 'y@example.com', mrr: 500, ltv: 500 },
      { email: 'Y@example.com', mrr: 50, ltv: 50 },
    ]);
    const segmentId = await seedSegment(t, ws.id, 'all', [a!, b!, c!, d!]);
    const ids = async (studyId: string) => (await invitesOf(t, studyId)).map((r) => r.participant_id);

    // By MRR: b ranks above a, c above d.
    const byMrr = await createStudy(t, ws.auth);
    expect((await launch(ws.auth, byMrr, { segment_id: segmentId }).expect(200)).body).toEqual({ invited: 2, skipped_no_email: 0, already_invited: 2 });
    expect(await ids(byMrr)).toEqual([b, c]);

    // By LTV: a above c above b above d. The limit ranks first: b and d are out of the first two.
    const byLtv = await createStudy(t, ws.auth);
    expect((await launch(ws.auth, byLtv, { segment_id: segmentId, order_by: 'ltv_desc', limit: 2 }).expect(200)).body).toEqual({
      invited: 2,
      skipped_no_email: 0,
      already_invited: 0,
    });
    // The whole segment now: b's and d's addresses are taken by a's and c's invites.
    expect((await launch(ws.auth, byLtv, { segment_id: segmentId, order_by: 'ltv_desc' }).expect(200)).body).toEqual({ invited: 0, skipped_no_email: 0, already_invited: 4 });
    expect(await ids(byLtv)).toEqual([a, c]);

    // Once a's invite failed, the address is free: b gets it, a is never invited again.
    await t.database.rows(sql`update invites set status = 'failed' where study_id = ${byLtv} and participant_id = ${a!}`);
    expect((await launch(ws.auth, byLtv, { segment_id: segmentId, order_by: 'ltv_desc' }).expect(200)).body).toEqual({ invited: 1, skipped_no_email: 0, already_invited: 3 });
    expect(await ids(byLtv)).toEqual([a, c, b]);
  });

  // PGlite runs one transaction at a time: launches never overlap there, and the study's row lock is never contended.
  it.runIf(onPostgres)('creates each invite exactly once under ten parallel launches of the same segment (PostgreSQL only)', async () => {
    const ws = await t.createWorkspace('Parallel');
    // 3,000 participants: every tenth without email, the last 100 sharing addresses with the first.
    const [segment] = await t.database.rows<{ id: string }>(sql`insert into segments (workspace_id, key, name) values (${ws.id}, 'all', 'All') returning id`);
    await t.database.rows(sql`
      with p as (
        insert into participants (workspace_id, source, email, mrr, currency)
        select ${ws.id}, 'stripe', case when g % 10 = 0 then null else 'p' || (g % 2900) || '@example.com' end, g, 'usd'
        from generate_series(1, 3000) g
        returning id)
      insert into segment_members (segment_id, participant_id) select ${segment!.id}, id from p`);
    const studyId = await createStudy(t, ws.auth);

    const results = await Promise.all(Array.from({ length: 10 }, () => launch(ws.auth, studyId, { segment_id: segment!.id })));
    const bodies = results.map((r) => {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body as { invited: number; skipped_no_email: number; already_invited: number };
    });
    const [{ addresses }] = (await t.database.rows<{ addresses: number }>(sql`
      select count(distinct lower(email))::int as addresses from participants where workspace_id = ${ws.id} and email is not null`)) as [{ addresses: number }];
    expect(bodies.reduce((sum, b) => sum + b.invited, 0)).toBe(addresses);
    expect(addresses).toBe(2610);
    for (const b of bodies) expect(b).toEqual({ invited: b.invited, skipped_no_email: 300, already_invited: 2700 - b.invited });

    const [stored] = await t.database.rows<{ rows: number; participants: number; addresses: number }>(sql`
      select count(*)::int as rows, count(distinct participant_id)::int as participants, count(distinct lower(email))::int as addresses
      from invites where study_id = ${studyId}`);
    expect(stored).toEqual({ rows: addresses, participants: addresses, addresses });
  });
});

describe('studies API', () => {
  it('creates, lists newest first with a cursor, and keeps workspaces apart', async () => {
    const ws = await t.createWorkspace('Studies');
    const other = await t.createWorkspace('Other');
    const created = await t.http
      .post('/api/studies')
      .set('authorization', ws.auth)
      .send({ title: '  Onboarding  ', interview_url_template: 'https://interviews.example.com/start?t={token}' })
      .expect(201);
    expect(created.body).toMatchObject({ title: 'Onboarding', interview_url_template: 'https://interviews.example.com/start?t={token}', invites: { total: 0 } });
    const ids = [created.body.id as string];
    for (const title of ['Second', 'Third']) ids.push(await createStudy(t, ws.auth, { title }));

    const page1 = await t.http.get('/api/studies?limit=2').set('authorization', ws.auth).expect(200);
    expect(page1.body.data.map((s: { title: string }) => s.title)).toEqual(['Third', 'Second']);
    const page2 = await t.http.get(`/api/studies?limit=2&cursor=${page1.body.next_cursor}`).set('authorization', ws.auth).expect(200);
    expect(page2.body).toMatchObject({ data: [{ title: 'Onboarding' }], next_cursor: null });
    await t.http.get('/api/studies?cursor=nonsense').set('authorization', ws.auth).expect(422);

    expect((await t.http.get('/api/studies').set('authorization', other.auth).expect(200)).body.data).toEqual([]);
    const hidden = await t.http.get(`/api/studies/${ids[0]}`).set('authorization', other.auth).expect(404);
    expect(hidden.body.error.code).toBe('not_found');
    const otherSegment = await seedSegment(t, other.id, 'all', []);
    const foreign = await launch(ws.auth, ids[0]!, { segment_id: otherSegment }).expect(404);
    expect(foreign.body.error.message).toBe('segment not found');
    await launch(other.auth, ids[0]!, { segment_id: otherSegment }).expect(404);
  });

  it('rejects invalid requests with the fields named', async () => {
    const ws = await t.createWorkspace('Invalid');
    const bad = await t.http.post('/api/studies').set('authorization', ws.auth).send({ title: '', interview_url_template: 'https://x.test/no-token' }).expect(422);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['body.interview_url_template', 'body.title']);
    const studyId = await createStudy(t, ws.auth);
    const launchBad = await launch(ws.auth, studyId, { segment_id: 'nope', order_by: 'random', limit: 0 }).expect(422);
    expect(launchBad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['body.limit', 'body.order_by', 'body.segment_id']);
    await t.http.get('/api/studies/not-a-uuid').set('authorization', ws.auth).expect(422);
    await t.http.get('/api/studies').expect(401);
  });

  it('lists invites in launch order with a cursor and a status filter', async () => {
    const ws = await t.createWorkspace('List');
    const ids = await seedParticipants(t, ws.id, Array.from({ length: 5 }, (_, i) => ({ email: `l${i}@example.com`, name: `L${i}`, mrr: 100 * i })));
    const segmentId = await seedSegment(t, ws.id, 'all', ids);
    const studyId = await createStudy(t, ws.auth);
    await launch(ws.auth, studyId, { segment_id: segmentId }).expect(200);
    await t.database.rows(sql`update invites set status = 'failed', last_error = '550 no such user' where participant_id = ${ids[2]!}`);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.http.get(`/api/studies/${studyId}/invites?limit=2${cursor ? `&cursor=${cursor}` : ''}`).set('authorization', ws.auth).expect(200);
      const body = res.body as { data: Array<{ participant: { id: string } }>; next_cursor: string | null };
      seen.push(...body.data.map((i) => i.participant.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const failed = await t.http.get(`/api/studies/${studyId}/invites?status=failed`).set('authorization', ws.auth).expect(200);
    expect(failed.body.data).toEqual([
      expect.objectContaining({
        study_id: studyId,
        participant: { id: ids[2], name: 'L2', email: 'l2@example.com' },
        segment_id: segmentId,
        status: 'failed',
        attempts: 0,
        last_error: '550 no such user',
        mrr: 200,
        currency: 'usd',
        sent_at: null,
      }),
    ]);
    await t.http.get(`/api/studies/${studyId}/invites`).set('authorization', (await t.createWorkspace('Else')).auth).expect(404);
  });

  it('documents every studies route with a summary, tags and response schemas', async () => {
    const doc = (await t.http.get('/docs/json').expect(200)).body as { paths: Record<string, Record<string, { summary?: string; tags?: string[]; responses?: Record<string, unknown> }>> };
    const routes = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/studies') || path.startsWith('/api/invites'));
    expect(routes.map(([path]) => path).sort()).toEqual(['/api/invites/resolve', '/api/studies', '/api/studies/{id}', '/api/studies/{id}/invites']);
    for (const [path, methods] of routes) {
      for (const [method, op] of Object.entries(methods)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(Object.keys(op.responses ?? {}).some((code) => code.startsWith('2')), `${method} ${path}`).toBe(true);
      }
    }
  });
});
