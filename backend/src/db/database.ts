import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import * as schema from './schema/index.js';
import { acquireDataDirLock } from './data-dir-lock.js';

export type Schema = typeof schema;
/** The one type the rest of the code sees, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; /** absent: in memory */ dataDir?: string };

export interface Database {
  kind: DatabaseTarget['kind'];
  db: Db;
  /** The embedded instance, for the job queue's adapter; absent on PostgreSQL. */
  pglite?: PGlite;
  /** The connection string, for the job queue's own pool; absent on PGlite. */
  url?: string;
  /** Runs `fn` holding a session-level advisory lock (a no-op lock on single-connection PGlite). */
  withAdvisoryLock<T>(lockId: number, fn: (db: Db) => Promise<T>): Promise<T>;
  /** Raw SQL for what the query builder cannot say; both drivers answer `{ rows }`. */
  rows<T>(query: SQL): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What both drivers share once wrapped in drizzle. */
function queries(db: Db): Pick<Database, 'db' | 'rows' | 'ping'> {
  const rows = async <T>(query: SQL) => ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  return { db, rows, ping: async () => void (await rows(sql`select 1`)) };
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url, target.poolSize) : openPglite(target.dataDir);
}

async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection (a server restart) must not crash the process.
  pool.on('error', () => undefined);
  const db = drizzlePg(pool, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    kind: 'postgres',
    ...queries(db),
    url,
    async withAdvisoryLock(lockId, fn) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [lockId]);
        try {
          return await fn(drizzlePg(client, { schema, casing: 'snake_case' }) as unknown as Db);
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [lockId]);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir?: string): Promise<Database> {
  // Two processes opening one PGlite folder corrupt it, so the folder is locked while open.
  let releaseLock: (() => void) | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = acquireDataDirLock(dataDir);
  }
  try {
    // PGlite wants a folder of its own; the lock file sits beside it in the data folder.
    const pglite = await PGlite.create(dataDir ? { dataDir: join(dataDir, 'pgdata') } : {});
    const db = drizzlePglite(pglite, { schema, casing: 'snake_case' }) as unknown as Db;
    return {
      kind: 'pglite',
      ...queries(db),
      pglite,
      // One connection: nothing else can run concurrently inside this process's transaction
      // queue, and the folder lock keeps other processes out.
      withAdvisoryLock: (_lockId, fn) => fn(db),
      async close() {
        await pglite.close();
        releaseLock?.();
      },
    };
  } catch (error) {
    releaseLock?.();
    throw error;
  }
}
