/**
 * `pnpm bench:participants`: 1,000,000 participants in one workspace (plus 100,000 in another)
 * on PostgreSQL, inserted set-based, then p50/p95 of filtered, sorted listing pages through the
 * participant repository (the statement `GET /api/participants` runs). Target: p95 ≤ 30 ms.
 * For each case it also prints the indexes the queries used (pg_stat_user_indexes deltas).
 *
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is only used to create
 * and drop the benchmark's own database.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type Database } from '@ui/backend/src/db/database.js';
import { runMigrations } from '@ui/backend/src/db/migrate.js';
import { createParticipantRepository, sortValue, type ListOptions, type ParticipantRow } from '@ui/backend/src/modules/participants/repository.js';
import { admin, adminUrl } from '../support/postgres-admin.js';

const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 1_000_000);
const OTHER_WORKSPACE = Math.round(PARTICIPANTS / 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const PAGE = 25;
const TARGET_P95_MS = 30;


const FIRST = ['Maria', 'Mark', 'James', 'Anna', 'John', 'Linda', 'David', 'Sarah', 'Michael', 'Laura', 'Peter', 'Emma', 'Paul', 'Olivia', 'Tom', 'Sophie', 'Lucas', 'Mia', 'Noah', 'Zoe'];
const LAST = ['Smith', 'Jones', 'Garcia', 'Müller', 'Rossi', 'Dubois', 'Kowalski', 'Tanaka', 'Silva', 'Novak', 'Jensen', 'Brown', 'Martin', 'Lopez', 'Nguyen', 'Kim'];

/** Set-based seed: one INSERT … SELECT generate_series per workspace. */
async function seed(database: Database, workspaceId: string, count: number, segments?: { all: string; product: string }) {
  const first = `(array[${FIRST.map((n) => `'${n}'`).join(',')}])`;
  const last = `(array[${LAST.map((n) => `'${n}'`).join(',')}])`;
  // Pseudo-random but reproducible spreads: h is a hash of g in [0, 1e6).
  await database.rows(
    sql.raw(`
    insert into participants (workspace_id, source, stripe_customer_id, email, name, company, mrr, ltv, plan, status, currency, created_at)
    select '${workspaceId}', src, case when src = 'stripe' then 'cus_' || g when src = 'csv' and h % 2 = 0 then 'gcus_' || g end,
      case when g % 50 = 0 then null else substr(md5(g::text), 1, 10) || '@example.com' end,
      ${first}[1 + h % ${FIRST.length}] || ' ' || ${last}[1 + (h / 7) % ${LAST.length}], 'Company ' || (h % 5000),
      case when st in ('active', 'trial') then (h * 7919) % 200000 else 0 end,
      (h::bigint * 104729) % 5000000,
      case when st = 'none' then null when h % 200 = 0 then 'Enterprise' when h % 8 = 0 then 'Business' when h % 3 = 0 then 'Pro' else 'Starter' end,
      st, 'usd', timestamp '2023-01-01' + g * interval '90 seconds'
    from (
      select g, h,
        case when h % 100 < 90 then 'stripe' when h % 100 < 95 then 'csv' when h % 100 < 98 then 'api' else 'sso' end as src,
        case when h % 20 < 8 then 'active' when h % 20 = 8 then 'trial' when h % 20 < 14 then 'churned' else 'none' end as st
      from (select g, (g::bigint * 2654435761) % 1000003 as h from generate_series(1, ${count}) g) x
    ) s`),
  );
  if (segments) {
    await database.rows(sql`insert into segment_members (segment_id, participant_id) select ${segments.all}, id from participants where workspace_id = ${workspaceId} and source = 'stripe'`);
    // A product segment of about 2%.
    await database.rows(sql`insert into segment_members (segment_id, participant_id) select ${segments.product}, id from participants where workspace_id = ${workspaceId} and plan = 'Business' and status = 'active' and mrr > 100000`);
  }
}

interface Case {
  name: string;
  options(i: number): Omit<ListOptions, 'limit' | 'after'>;
  /** Pages to follow with the cursor before the timed page (0: the first page). */
  depth?: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const hex = (i: number) => ((i * 2654435761) % 4096).toString(16).padStart(3, '0');

/** The indexes in the plan of one statement (EXPLAIN, not timed). */
async function indexesUsed(database: Database, query: { sql: string; params: unknown[] }): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(`explain (format json) ${query.sql}`, query.params);
    const names = new Set<string>();
    const walk = (node: Record<string, unknown>) => {
      if (typeof node['Index Name'] === 'string') names.add(`${node['Node Type'] === 'Bitmap Index Scan' ? 'bitmap ' : ''}${(node['Index Name'] as string).replace(/^participants_workspace_|^participants_|_idx$/g, '')}`);
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
    return [...names];
  } finally {
    await client.end();
  }
}

async function main() {
  // BENCH_DATABASE reuses a seeded database (kept with BENCH_KEEP_DATABASE=1) while tuning.
  const reuse = process.env.BENCH_DATABASE;
  const name = reuse ?? `ui_bench_participants_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  if (!reuse) await admin(`CREATE DATABASE ${name}`);
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
  try {
    await runMigrations(database);
    const start = Date.now();
    if (!reuse) {
      const [ws] = await database.rows<{ id: string }>(sql`insert into workspaces (name) values ('Benchmark') returning id`);
      const [other] = await database.rows<{ id: string }>(sql`insert into workspaces (name) values ('Neighbour') returning id`);
      const [all] = await database.rows<{ id: string }>(sql`insert into segments (workspace_id, key, name) values (${ws!.id}, 'all', 'All customers') returning id`);
      const [product] = await database.rows<{ id: string }>(sql`insert into segments (workspace_id, key, name) values (${ws!.id}, 'product:prod_x', 'Product X') returning id`);
      await seed(database, ws!.id, PARTICIPANTS, { all: all!.id, product: product!.id });
      await seed(database, other!.id, OTHER_WORKSPACE);
    }
    await database.rows(sql`vacuum analyze participants`);
    await database.rows(sql`vacuum analyze segment_members`);
    const [ws] = await database.rows<{ id: string }>(sql`select id from workspaces where name = 'Benchmark'`);
    const [all] = await database.rows<{ id: string }>(sql`select id from segments where key = 'all'`);
    const [product] = await database.rows<{ id: string }>(sql`select id from segments where key = 'product:prod_x'`);
    const [counts] = await database.rows<{ n: string; members: string; product: string }>(
      sql`select (select count(*) from participants) as n, (select count(*) from segment_members) as members, (select count(*) from segment_members where segment_id = ${product!.id}) as product`,
    );
    console.log(`seeded ${Number(counts!.n).toLocaleString('en')} participants (${PARTICIPANTS.toLocaleString('en')} in the measured workspace), ${Number(counts!.members).toLocaleString('en')} segment memberships (product segment ${Number(counts!.product).toLocaleString('en')}) in ${((Date.now() - start) / 1000).toFixed(1)} s`);

    const repository = createParticipantRepository(database.db);
    const cases: Case[] = [
      { name: 'default order (created asc), no filter', options: () => ({}) },
      { name: 'default order, page 20 by cursor', options: () => ({}), depth: 19 },
      { name: 'created desc', options: () => ({ sort: 'created', order: 'desc' }) },
      { name: 'status=active, sort mrr desc', options: () => ({ sort: 'mrr', order: 'desc', filters: { status: ['active'] } }) },
      { name: 'status=active, sort mrr desc, page 20', options: () => ({ sort: 'mrr', order: 'desc', filters: { status: ['active'] } }), depth: 19 },
      { name: 'mrr 50,000–60,000 (varied), sort ltv desc', options: (i) => ({ sort: 'ltv', order: 'desc', filters: { mrrMin: 50_000 + (i % 10) * 1000, mrrMax: 60_000 + (i % 10) * 1000 } }) },
      { name: 'mrr_min=150,000, sort mrr asc', options: () => ({ sort: 'mrr', order: 'asc', filters: { mrrMin: 150_000 } }) },
      { name: 'ltv_min=4,900,000, sort email asc', options: () => ({ sort: 'email', order: 'asc', filters: { ltvMin: 4_900_000 } }) },
      { name: 'plan=Enterprise, sort created desc', options: () => ({ sort: 'created', order: 'desc', filters: { plan: 'Enterprise' } }) },
      { name: 'plan=Pro & status=active, sort mrr desc', options: () => ({ sort: 'mrr', order: 'desc', filters: { plan: 'Pro', status: ['active'] } }) },
      { name: 'status=churned & ltv_min=4,000,000, sort ltv desc', options: () => ({ sort: 'ltv', order: 'desc', filters: { status: ['churned'], ltvMin: 4_000_000 } }) },
      { name: 'source=sso, sort email asc', options: () => ({ sort: 'email', order: 'asc', filters: { source: ['sso'] } }) },
      { name: 'source=sso, sort ltv desc', options: () => ({ sort: 'ltv', order: 'desc', filters: { source: ['sso'] } }) },
      { name: 'status=trial, sort email asc', options: () => ({ sort: 'email', order: 'asc', filters: { status: ['trial'] } }) },
      { name: 'status=trial, sort created desc', options: () => ({ sort: 'created', order: 'desc', filters: { status: ['trial'] } }) },
      { name: 'plan=Enterprise, sort email asc', options: () => ({ sort: 'email', order: 'asc', filters: { plan: 'Enterprise' } }) },
      { name: 'plan=Business, sort ltv desc', options: () => ({ sort: 'ltv', order: 'desc', filters: { plan: 'Business' } }) },
      { name: 'source=csv,api, sort created desc', options: () => ({ sort: 'created', order: 'desc', filters: { source: ['csv', 'api'] } }) },
      { name: 'segment "all" (900k), sort mrr desc', options: () => ({ sort: 'mrr', order: 'desc', filters: { segmentId: all!.id } }) },
      { name: 'product segment (small), sort ltv desc', options: () => ({ sort: 'ltv', order: 'desc', filters: { segmentId: product!.id } }) },
      { name: 'q=<3 hex chars> (email prefix, varied), sort created', options: (i) => ({ filters: { q: hex(i) } }) },
      { name: 'q=<3 hex chars> (email prefix, varied), sort mrr desc', options: (i) => ({ sort: 'mrr', order: 'desc', filters: { q: hex(i) } }) },
      { name: 'q="maria s" (name prefix, ~0.3%), sort mrr desc', options: () => ({ sort: 'mrr', order: 'desc', filters: { q: 'maria s' } }) },
      { name: 'q="mar" (name prefix, ~10%), sort mrr desc', options: () => ({ sort: 'mrr', order: 'desc', filters: { q: 'mar' } }) },
      { name: 'q=cus_<id> (exact Stripe id, varied)', options: (i) => ({ filters: { q: `cus_${1 + ((i * 7919) % PARTICIPANTS)}` } }) },
      { name: 'email asc, page 20 by cursor', options: () => ({ sort: 'email', order: 'asc' }), depth: 19 },
    ];

    const results: { name: string; p50: number; p95: number; max: number; rows: number; indexes: string }[] = [];
    for (const c of cases) {
      // The cursor for a deep page is found once, outside the timing.
      let after: ListOptions['after'];
      const base = c.options(0);
      for (let d = 0; d < (c.depth ?? 0); d++) {
        const page: ParticipantRow[] = await repository.list(ws!.id, { ...base, limit: PAGE, after });
        const last = page.at(-1)!;
        after = { value: sortValue(base.sort ?? 'created', last), id: last.id };
      }
      for (let i = 0; i < 5; i++) await repository.list(ws!.id, { ...c.options(i), limit: PAGE + 1, after });
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = process.hrtime.bigint();
        const page = await repository.list(ws!.id, { ...c.options(i), limit: PAGE + 1, after });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        rows += page.length;
      }
      const used = await indexesUsed(database, repository.listQuery(ws!.id, { ...c.options(0), limit: PAGE + 1, after }).toSQL());
      times.sort((a, b) => a - b);
      results.push({ name: c.name, p50: pct(times, 50), p95: pct(times, 95), max: times.at(-1)!, rows: Math.round(rows / RUNS), indexes: used.join(', ') || '(none)' });
      const r = results.at(-1)!;
      console.log(`${r.p95 <= TARGET_P95_MS ? 'ok  ' : 'SLOW'} p50 ${r.p50.toFixed(1).padStart(6)} ms  p95 ${r.p95.toFixed(1).padStart(6)} ms  rows ${String(r.rows).padStart(2)}  ${r.name}  [${r.indexes}]`);
    }
    const worst = Math.max(...results.map((r) => r.p95));
    console.log(`\n${RUNS} runs per case, page of ${PAGE}; worst p95 ${worst.toFixed(1)} ms (target ≤ ${TARGET_P95_MS} ms): ${worst <= TARGET_P95_MS ? 'met' : 'NOT met'}`);
    if (worst > TARGET_P95_MS) process.exitCode = 1;
  } finally {
    await database.close();
    if (process.env.BENCH_KEEP_DATABASE) console.log(`kept database ${name}`);
    else await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

await main();
