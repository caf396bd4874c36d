import { count, eq } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { participants, segments } from '../../db/schema/index.js';

export interface PanelCounts {
  participants: number;
  segments: number;
}

/** How big a workspace's research panel is, for status views. */
export function createPanelCounts(db: Db) {
  return async (workspaceId: string): Promise<PanelCounts> => {
    const [[p], [s]] = await Promise.all([
      db.select({ n: count() }).from(participants).where(eq(participants.workspaceId, workspaceId)),
      db.select({ n: count() }).from(segments).where(eq(segments.workspaceId, workspaceId)),
    ]);
    return { participants: p?.n ?? 0, segments: s?.n ?? 0 };
  };
}
