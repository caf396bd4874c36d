import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { connections, oauthStates, type StatusMessage } from '../../db/schema/index.js';

export type ConnectionRow = typeof connections.$inferSelect;
export type ConnectionInsert = typeof connections.$inferInsert;

const active = ne(connections.status, 'disconnected');

export function createConnectionRepository(db: Db) {
  return {
    async insertState(state: { nonce: string; workspaceId: string; livemode: boolean; expiresAt: Date }) {
      await db.insert(oauthStates).values(state);
    },

    /** Marks a state used; false when it was used before or has expired. */
    async consumeState(nonce: string): Promise<boolean> {
      const rows = await db
        .update(oauthStates)
        .set({ usedAt: sql`now()` })
        .where(and(eq(oauthStates.nonce, nonce), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, sql`now()`)))
        .returning({ nonce: oauthStates.nonce });
      return rows.length === 1;
    },

    async findActiveForWorkspace(workspaceId: string): Promise<ConnectionRow | undefined> {
      const [row] = await db.select().from(connections).where(and(eq(connections.workspaceId, workspaceId), active));
      return row;
    },

    /** The active connection, else the most recent disconnected one. */
    async findLatestForWorkspace(workspaceId: string): Promise<ConnectionRow | undefined> {
      const [row] = await db
        .select()
        .from(connections)
        .where(eq(connections.workspaceId, workspaceId))
        .orderBy(sql`${connections.status} = 'disconnected'`, desc(connections.updatedAt))
        .limit(1);
      return row;
    },

    async findActiveForAccount(stripeAccountId: string, livemode: boolean): Promise<ConnectionRow | undefined> {
      const [row] = await db
        .select()
        .from(connections)
        .where(and(eq(connections.stripeAccountId, stripeAccountId), eq(connections.livemode, livemode), active));
      return row;
    },

    /** The account's active connection in either mode, live first. */
    async findActiveForStripeAccount(stripeAccountId: string): Promise<ConnectionRow | undefined> {
      const [row] = await db
        .select()
        .from(connections)
        .where(and(eq(connections.stripeAccountId, stripeAccountId), active))
        .orderBy(desc(connections.livemode))
        .limit(1);
      return row;
    },

    /** A previous, disconnected link between this workspace and account, reused on reconnect. */
    async findDisconnected(workspaceId: string, stripeAccountId: string, livemode: boolean): Promise<ConnectionRow | undefined> {
      const [row] = await db
        .select()
        .from(connections)
        .where(
          and(
            eq(connections.workspaceId, workspaceId),
            eq(connections.stripeAccountId, stripeAccountId),
            eq(connections.livemode, livemode),
            eq(connections.status, 'disconnected'),
          ),
        )
        .orderBy(desc(connections.updatedAt))
        .limit(1);
      return row;
    },

    /** Connections a scheduled resync should visit: linked to a workspace, first sync done. */
    async listSyncable(): Promise<Pick<ConnectionRow, 'id'>[]> {
      return db.select({ id: connections.id }).from(connections).where(and(eq(connections.status, 'complete'), sql`${connections.workspaceId} is not null`));
    },

    async findById(id: string): Promise<ConnectionRow | undefined> {
      const [row] = await db.select().from(connections).where(eq(connections.id, id));
      return row;
    },

    async findUnclaimedByClaimCode(claimCodeHash: string): Promise<ConnectionRow | undefined> {
      const [row] = await db
        .select()
        .from(connections)
        .where(and(eq(connections.claimCodeHash, claimCodeHash), isNull(connections.workspaceId), active, gt(connections.claimExpiresAt, sql`now()`)));
      return row;
    },

    async insert(row: ConnectionInsert): Promise<ConnectionRow> {
      const [inserted] = await db.insert(connections).values(row).returning();
      return inserted!;
    },

    async update(id: string, changes: Partial<ConnectionInsert>): Promise<ConnectionRow> {
      const [row] = await db
        .update(connections)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(connections.id, id))
        .returning();
      return row!;
    },

    /**
     * Replaces the status messages whose code starts with `codePrefix` by `messages`, leaving the
     * others, in one statement: the sync and the webhook drain each keep their own on the same row.
     */
    async replaceStatusMessages(id: string, codePrefix: string, messages: StatusMessage[]): Promise<void> {
      await db
        .update(connections)
        .set({
          statusMessages: sql`coalesce((select jsonb_agg(m) from jsonb_array_elements(${connections.statusMessages}) m where not starts_with(m->>'code', ${codePrefix})), '[]'::jsonb) || ${JSON.stringify(messages)}::jsonb`,
          updatedAt: sql`now()`,
        })
        .where(eq(connections.id, id));
    },

    /**
     * Runs `fn` holding this connection's row lock, so that refresh-token rotation is serialized:
     * a second caller waits, then sees the rotated pair the first one stored.
     */
    async withLockedConnection<T>(id: string, fn: (row: ConnectionRow, save: (c: Partial<ConnectionInsert>) => Promise<void>) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) => {
        const [row] = await tx.select().from(connections).where(eq(connections.id, id)).for('update');
        if (!row) throw new Error(`connection ${id} not found`);
        return fn(row, async (changes) => {
          await tx.update(connections).set({ ...changes, updatedAt: sql`now()` }).where(eq(connections.id, id));
        });
      });
    },
  };
}

export type ConnectionRepository = ReturnType<typeof createConnectionRepository>;
