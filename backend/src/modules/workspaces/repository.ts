import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { apiKeys, workspaces } from '../../db/schema/index.js';

export type WorkspaceRow = typeof workspaces.$inferSelect;

export function createWorkspaceRepository(db: Db) {
  return {
    async insertWorkspaceWithKey(name: string, key: { lookup: string; secretHash: string }): Promise<WorkspaceRow> {
      return db.transaction(async (tx) => {
        const [workspace] = await tx.insert(workspaces).values({ name }).returning();
        await tx.insert(apiKeys).values({ workspaceId: workspace!.id, ...key, label: 'created with workspace' });
        return workspace!;
      });
    },

    async insertKey(workspaceId: string, key: { lookup: string; secretHash: string; label?: string }) {
      await db.insert(apiKeys).values({ workspaceId, ...key });
    },

    async findWorkspace(id: string): Promise<WorkspaceRow | undefined> {
      const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
      return row;
    },

    async renameWorkspace(id: string, name: string): Promise<WorkspaceRow | undefined> {
      const [row] = await db.update(workspaces).set({ name }).where(eq(workspaces.id, id)).returning();
      return row;
    },

    async listWorkspaces(): Promise<WorkspaceRow[]> {
      return db.select().from(workspaces).orderBy(workspaces.createdAt);
    },

    /** The active key with this lookup and its workspace. */
    async findActiveKey(lookup: string) {
      const [row] = await db
        .select({ keyId: apiKeys.id, secretHash: apiKeys.secretHash, workspace: workspaces })
        .from(apiKeys)
        .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
        .where(and(eq(apiKeys.lookup, lookup), isNull(apiKeys.revokedAt)));
      return row;
    },

    /** At most one write a minute per key, so authentication does not write on every request. */
    async touchKey(keyId: string) {
      await db
        .update(apiKeys)
        .set({ lastUsedAt: sql`now()` })
        .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`))));
    },
  };
}

export type WorkspaceRepository = ReturnType<typeof createWorkspaceRepository>;
