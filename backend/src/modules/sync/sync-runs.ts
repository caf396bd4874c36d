import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { syncRuns, type SyncCursor } from '../../db/schema/index.js';

export type SyncRunRow = typeof syncRuns.$inferSelect;

export function createSyncRunRepository(db: Db) {
  return {
    /**
     * The connection's unfinished run of this kind (a crashed process's), or a new one. A run
     * begun before the connection's latest (re)connect is abandoned instead: whatever Stripe
     * created while the connection was away lies outside the ranges that run planned.
     */
    async resumeOrStart(connectionId: string, kind: string, connectedAt: Date): Promise<{ run: SyncRunRow; resumed: boolean }> {
      await db
        .update(syncRuns)
        .set({ status: 'failed', error: 'abandoned: the connection was reconnected since', finishedAt: sql`now()` })
        .where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.status, 'running'), lt(syncRuns.startedAt, connectedAt)));
      const [running] = await db
        .select()
        .from(syncRuns)
        .where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.kind, kind), eq(syncRuns.status, 'running')))
        .orderBy(desc(syncRuns.startedAt))
        .limit(1);
      if (running) return { run: running, resumed: true };
      const [run] = await db.insert(syncRuns).values({ connectionId, kind }).returning();
      return { run: run!, resumed: false };
    },

    /** When the newest successful run of these kinds started (its window's end). */
    async lastSucceeded(connectionId: string, kinds: string[]): Promise<Date | undefined> {
      const [row] = await db
        .select({ startedAt: syncRuns.startedAt })
        .from(syncRuns)
        .where(and(eq(syncRuns.connectionId, connectionId), inArray(syncRuns.kind, kinds), eq(syncRuns.status, 'succeeded')))
        .orderBy(desc(syncRuns.startedAt))
        .limit(1);
      return row?.startedAt;
    },

    async checkpoint(id: string, cursors: Record<string, SyncCursor>, counts: Record<string, number>): Promise<void> {
      await db.update(syncRuns).set({ cursors, counts }).where(eq(syncRuns.id, id));
    },

    async finish(id: string, outcome: { status: 'succeeded' | 'failed'; error?: string }): Promise<void> {
      await db.update(syncRuns).set({ status: outcome.status, error: outcome.error ?? null, finishedAt: sql`now()` }).where(eq(syncRuns.id, id));
    },
  };
}

export type SyncRunRepository = ReturnType<typeof createSyncRunRepository>;
