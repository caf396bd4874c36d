import { sql } from 'drizzle-orm';
import type { Db } from './database.js';

/**
 * Planner statistics of some columns after a bulk load, from a small sample (3,000 rows instead
 * of 30,000). The backfill waits for this before its lookups by customer, and the lookups only
 * need to know that a customer has few rows: the full sample took ~0.25–0.5 s on the backfill
 * bench's 240k objects (random reads of pages no longer cached), the small one ~30 ms.
 * Autovacuum replaces these statistics with full ones later.
 */
export async function analyzeSampled(db: Db, table: string, columns: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local default_statistics_target = 10`);
    await tx.execute(sql.raw(`analyze ${table} (${columns.join(', ')})`));
  });
}
