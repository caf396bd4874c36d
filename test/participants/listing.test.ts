import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let ws: Awaited<ReturnType<TestApp['createWorkspace']>>;
let other: Awaited<ReturnType<TestApp['createWorkspace']>>;
let segmentId: string;

interface Seed {
  email: string | null;
  name?: string;
  source?: string;
  stripe?: string;
  mrr?: number;
  ltv?: number;
  plan?: string;
  status?: string;
}

const people: Seed[] = [
  { email: 'alice@acme.com', name: 'Alice Archer', source: 'stripe', stripe: 'cus_Alice1', mrr: 5000, ltv: 60000, plan: 'Pro', status: 'active' },
  { email: 'Bob@Beta.io', name: 'Bob Baker', source: 'stripe', stripe: 'cus_Bob2', mrr: 1000, ltv: 3000, plan: 'Basic', status: 'active' },
  { email: 'carol@acme.com', name: 'Carol Chen', source: 'csv', stripe: 'gcus_Carol3', mrr: 2500, ltv: 10000, plan: null as unknown as string, status: 'none' },
  { email: 'dave@delta.org', name: 'Dave Dune', source: 'api', mrr: 0, ltv: 0, status: 'none' },
  { email: 'erin@acme.com', name: 'Erin Eve', source: 'stripe', stripe: 'cus_Erin5', mrr: 0, ltv: 45000, plan: 'Pro', status: 'churned' },
  { email: null, name: 'Frank No-Mail', source: 'stripe', stripe: 'cus_Frank6', mrr: 9900, ltv: 9900, plan: 'Enterprise', status: 'trial' },
  { email: 'gina_x%@acme.com', name: 'Gina', source: 'sso', mrr: 300, ltv: 300, status: 'none' },
];

beforeAll(async () => {
  t = await startTestApp({ work: false });
  ws = await t.createWorkspace('Listing');
  other = await t.createWorkspace('Other');
  let i = 0;
  for (const p of people) {
    // Distinct creation times, in the order above.
    await t.database.rows(sql`insert into participants (workspace_id, source, stripe_customer_id, email, name, mrr, ltv, plan, status, created_at)
      values (${ws.id}, ${p.source ?? 'api'}, ${p.stripe ?? null}, ${p.email}, ${p.name ?? null}, ${p.mrr ?? 0}, ${p.ltv ?? 0}, ${p.plan ?? null}, ${p.status ?? 'none'}, ${new Date(Date.UTC(2024, 0, 1 + i++)).toISOString()}::timestamptz)`);
  }
  // Another workspace's people match every filter below too: none may leak.
  await t.database.rows(sql`insert into participants (workspace_id, source, stripe_customer_id, email, name, mrr, ltv, plan, status)
    values (${other.id}, 'stripe', 'cus_Alice1', 'alice@acme.com', 'Alice Archer', 5000, 60000, 'Pro', 'active')`);
  const [segment] = await t.database.rows<{ id: string }>(sql`insert into segments (workspace_id, key, name) values (${ws.id}, 'active', 'Active') returning id`);
  segmentId = segment!.id;
  await t.database.rows(sql`insert into segment_members (segment_id, participant_id) select ${segmentId}, id from participants where workspace_id = ${ws.id} and status = 'active'`);
});
afterAll(async () => {
  await t?.close();
});

const list = async (query: string, auth = ws.auth) => {
  const res = await t.http.get(`/api/participants?${query}`).set('authorization', auth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { data: Record<string, unknown>[]; next_cursor: string | null };
};
const emails = async (query: string) => (await list(query)).data.map((p) => p.email);
const names = async (query: string) => (await list(query)).data.map((p) => p.name);

/** Every page of a query, following next_cursor. */
async function allPages(query: string) {
  const seen: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(`${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return seen;
}

describe('GET /api/participants filters', () => {
  it('mrr_min / mrr_max are inclusive bounds in minor units', async () => {
    expect(await names('mrr_min=2500')).toEqual(['Alice Archer', 'Carol Chen', 'Frank No-Mail']);
    expect(await names('mrr_max=1000')).toEqual(['Bob Baker', 'Dave Dune', 'Erin Eve', 'Gina']);
    expect(await names('mrr_min=1000&mrr_max=5000')).toEqual(['Alice Archer', 'Bob Baker', 'Carol Chen']);
  });

  it('ltv_min / ltv_max', async () => {
    expect(await names('ltv_min=45000')).toEqual(['Alice Archer', 'Erin Eve']);
    expect(await names('ltv_min=300&ltv_max=9900')).toEqual(['Bob Baker', 'Frank No-Mail', 'Gina']);
  });

  it('plan, status (one or several) and source (one or several)', async () => {
    expect(await names('plan=Pro')).toEqual(['Alice Archer', 'Erin Eve']);
    expect(await names('status=active')).toEqual(['Alice Archer', 'Bob Baker']);
    expect(await names('status=trial,churned')).toEqual(['Erin Eve', 'Frank No-Mail']);
    expect(await names('source=csv')).toEqual(['Carol Chen']);
    expect(await names('source=api,sso')).toEqual(['Dave Dune', 'Gina']);
    expect(await names('plan=Pro&status=active&mrr_min=1')).toEqual(['Alice Archer']);
  });

  it('segment_id keeps the members of that segment', async () => {
    expect(await names(`segment_id=${segmentId}`)).toEqual(['Alice Archer', 'Bob Baker']);
  });

  it('q matches the start of an email or name case-insensitively, and wildcards are literal', async () => {
    expect(await names('q=bob')).toEqual(['Bob Baker']);
    expect(await names('q=BOB%40BETA')).toEqual(['Bob Baker']);
    expect(await names('q=carol')).toEqual(['Carol Chen']);
    expect(await names('q=frank')).toEqual(['Frank No-Mail']);
    expect(await names('q=gina_x%25')).toEqual(['Gina']);
    expect(await names('q=%25')).toEqual([]);
    expect(await names('q=_')).toEqual([]);
  });

  it('q that is a Stripe id matches it exactly (cus_ and gcus_)', async () => {
    expect(await names('q=cus_Bob2')).toEqual(['Bob Baker']);
    expect(await names('q=gcus_Carol3')).toEqual(['Carol Chen']);
    expect(await names('q=cus_Bob')).toEqual([]);
  });

  it('rejects an unknown filter, a bad status and a negative amount with the field named', async () => {
    for (const [query, field] of [
      ['colour=red', 'querystring.colour'],
      ['status=gold', 'querystring.status.0'],
      ['mrr_min=-1', 'querystring.mrr_min'],
      ['sort=name', 'querystring.sort'],
      ['fields=password', 'querystring.fields.0'],
      ['segment_id=nope', 'querystring.segment_id'],
      ['limit=101', 'querystring.limit'],
      ['limit=0', 'querystring.limit'],
    ]) {
      const res = await t.http.get(`/api/participants?${query}`).set('authorization', ws.auth).expect(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
  });
});

describe('GET /api/participants sort and pagination', () => {
  it('sorts by created (default: oldest first) either way', async () => {
    expect(await names('')).toEqual(people.map((p) => p.name));
    expect(await names('sort=created&order=desc')).toEqual(people.map((p) => p.name).reverse());
  });

  it('sorts by mrr and ltv either way, ties broken by id', async () => {
    const byMrr = await list('sort=mrr&order=desc');
    expect(byMrr.data.map((p) => p.mrr)).toEqual([9900, 5000, 2500, 1000, 300, 0, 0]);
    expect((await list('sort=mrr')).data.map((p) => p.mrr)).toEqual([0, 0, 300, 1000, 2500, 5000, 9900]);
    expect((await list('sort=ltv&order=desc')).data.map((p) => p.ltv)).toEqual([60000, 45000, 10000, 9900, 3000, 300, 0]);
  });

  it('sorts by email case-insensitively, people without one first', async () => {
    expect(await emails('sort=email')).toEqual([null, 'alice@acme.com', 'Bob@Beta.io', 'carol@acme.com', 'dave@delta.org', 'erin@acme.com', 'gina_x%@acme.com']);
    expect((await emails('sort=email&order=desc'))[0]).toBe('gina_x%@acme.com');
  });

  it('pages through every sort and direction without gaps or repeats, with filters kept', async () => {
    for (const sort of ['created', 'mrr', 'ltv', 'email']) {
      for (const order of ['asc', 'desc']) {
        const whole = (await list(`sort=${sort}&order=${order}`)).data.map((p) => p.id);
        expect((await allPages(`sort=${sort}&order=${order}`)).map((p) => p.id), `${sort} ${order}`).toEqual(whole);
      }
    }
    expect((await allPages('sort=mrr&order=desc&mrr_min=1')).map((p) => p.mrr)).toEqual([9900, 5000, 2500, 1000, 300]);
  });

  it('keeps the original cursor format for the default order, and refuses a cursor from another sort', async () => {
    const first = await list('limit=2');
    expect(Buffer.from(first.next_cursor!, 'base64url').toString()).toMatch(/^\d{4}-.+Z\|[0-9a-f-]{36}$/);
    const mrrPage = await list('limit=2&sort=mrr');
    const res = await t.http.get(`/api/participants?sort=ltv&cursor=${mrrPage.next_cursor}`).set('authorization', ws.auth).expect(422);
    expect(res.body.error.fields[0].field).toBe('query.cursor');
    await t.http.get(`/api/participants?sort=mrr&cursor=${first.next_cursor}`).set('authorization', ws.auth).expect(422);
    await t.http.get('/api/participants?cursor=garbage').set('authorization', ws.auth).expect(422);
  });
});

describe('GET /api/participants fields and isolation', () => {
  it('returns id and the chosen fields only; every field (with sync status) by default', async () => {
    const page = await list('fields=mrr,ltv,plan,status,stripe_customer_id&sort=mrr&order=desc&limit=1');
    expect(page.data).toEqual([{ id: expect.any(String), mrr: 9900, ltv: 9900, plan: 'Enterprise', status: 'trial', stripe_customer_id: 'cus_Frank6' }]);
    const full = (await list('limit=1')).data[0]!;
    for (const key of ['last_synced_at', 'last_sync_error', 'company', 'groups', 'custom_fields', 'sso_uid', 'email', 'mrr']) expect(full).toHaveProperty(key);
  });

  it("never shows another workspace's participants, whatever the filter", async () => {
    const mine = await list('q=cus_Alice1', other.auth);
    expect(mine.data).toHaveLength(1);
    expect((await list('', other.auth)).data).toHaveLength(1);
    expect((await list(`segment_id=${segmentId}`, other.auth)).data).toEqual([]);
    expect((await list('plan=Pro')).data).toHaveLength(2);
  });
});
