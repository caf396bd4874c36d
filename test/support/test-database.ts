import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseTarget } from '@ui/backend/src/db/database.js';
import { runMigrations } from '@ui/backend/src/db/migrate.js';

/**
 * The suite runs on embedded PGlite by default and on a PostgreSQL server when
 * TEST_DATABASE_URL names one (its database is only used to create and drop others).
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = Boolean(testDatabaseUrl);

export interface TestDatabase {
  target: DatabaseTarget;
  /** Opens (another) connection to this test's database; PGlite allows one at a time. */
  open(): Promise<Database>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database of this test file's own: a fresh PostgreSQL database, or a PGlite data folder. */
export async function createTestDatabase(options: { dataDir?: string } = {}): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const target: DatabaseTarget = { kind: 'pglite', dataDir: options.dataDir };
    return { target, open: () => openDatabase(target), drop: async () => undefined };
  }
  const name = `ui_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  const target: DatabaseTarget = { kind: 'postgres', url: url.toString(), poolSize: 5 };
  return {
    target,
    open: () => openDatabase(target),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A migrated database, opened; closing it also drops it. */
export async function openMigratedTestDatabase(): Promise<Database & { testDatabase: TestDatabase }> {
  const testDatabase = await createTestDatabase();
  const database = await testDatabase.open();
  await runMigrations(database);
  return {
    ...database,
    testDatabase,
    async close() {
      await database.close();
      await testDatabase.drop();
    },
  };
}
