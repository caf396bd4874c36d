import pg from 'pg';

/** The server benchmarks create and drop their databases on. */
export const adminUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** One statement on the admin database (CREATE/DROP DATABASE cannot run inside a pool's transaction). */
export async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
