import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSampled } from '@ui/backend/src/db/analyze.js';
import { runMigrations } from '@ui/backend/src/db/migrate.js';
import { createTestDatabase, onPostgres, openMigratedTestDatabase, type TestDatabase } from '../support/test-database.js';

const created: TestDatabase[] = [];
afterAll(async () => {
  for (const d of created) await d.drop();
});

async function tables(database: Awaited<ReturnType<TestDatabase['open']>>) {
  const rows = await database.rows<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  it('create the schema and are idempotent', async () => {
    const testDatabase = await createTestDatabase();
    created.push(testDatabase);
    const database = await testDatabase.open();
    try {
      await runMigrations(database);
      await runMigrations(database);
      expect(await tables(database)).toEqual(expect.arrayContaining(['api_keys', 'workspaces']));
      const rows = await database.rows<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });

  it.runIf(onPostgres)('apply once when several instances start at the same moment', async () => {
    const testDatabase = await createTestDatabase();
    created.push(testDatabase);
    const instances = await Promise.all(Array.from({ length: 5 }, () => testDatabase.open()));
    try {
      await Promise.all(instances.map((database) => runMigrations(database)));
      const rows = await instances[0]!.rows<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      const journal = (await import('../../migrations/meta/_journal.json', { with: { type: 'json' } })).default;
      expect(rows[0]!.n).toBe(journal.entries.length);
    } finally {
      await Promise.all(instances.map((d) => d.close()));
    }
  });
});

describe('analyzeSampled', () => {
  it('gives the planner statistics of the columns from a small sample, and leaves the session as it was', async () => {
    const database = await openMigratedTestDatabase();
    try {
      await database.rows(sql`insert into workspaces (name) values ('w')`);
      await database.rows(sql`
        insert into stripe_objects (workspace_id, id, type, customer_id, created, data, version)
        select (select id from workspaces), 'in_' || n, 'invoice', 'cus_' || (n % 50), n, '{}'::jsonb, 1 from generate_series(1, 2000) n`);
      const stats = () => database.rows<{ attname: string; n_distinct: number }>(sql`select attname, n_distinct from pg_stats where tablename = 'stripe_objects' order by attname`);
      expect(await stats()).toEqual([]);
      await analyzeSampled(database.db, 'stripe_objects', ['workspace_id', 'customer_id']);
      expect(await stats()).toEqual([
        { attname: 'customer_id', n_distinct: 50 },
        { attname: 'workspace_id', n_distinct: 1 },
      ]);
      // At most 10 most common values kept: the sample's statistics target, not the default 100 (which would keep all 50).
      const [customer] = await database.rows<{ kept: number }>(sql`select array_length(most_common_vals::text::text[], 1) as kept from pg_stats where tablename = 'stripe_objects' and attname = 'customer_id'`);
      expect(customer!.kept).toBeLessThanOrEqual(10);
      const [setting] = await database.rows<{ target: string }>(sql`select current_setting('default_statistics_target') as target`);
      expect(setting!.target).toBe('100');
    } finally {
      await database.close();
    }
  });
});
