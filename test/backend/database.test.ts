import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { runMigrations } from '@ui/backend/src/db/migrate.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/test-database.js';

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
