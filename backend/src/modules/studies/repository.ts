import { and, asc, desc, eq, gt, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { invites, segments, studies, type InviteStatus } from '../../db/schema/index.js';
import { insertLaunch, type LaunchInput } from './launch.js';

export type StudyRow = typeof studies.$inferSelect;
export type InviteRow = typeof invites.$inferSelect;

export interface StudyCursor {
  createdAt: Date;
  id: string;
}

export interface InviteStats {
  byStatus: Record<InviteStatus, number>;
  mrrByCurrency: Record<string, number>;
}

export function createStudyRepository(db: Db) {
  return {
    async insertStudy(row: { workspaceId: string; title: string; interviewUrlTemplate: string | null }): Promise<StudyRow> {
      const [study] = await db.insert(studies).values(row).returning();
      return study!;
    },

    async findStudy(workspaceId: string, id: string): Promise<StudyRow | undefined> {
      const [study] = await db.select().from(studies).where(and(eq(studies.workspaceId, workspaceId), eq(studies.id, id)));
      return study;
    },

    /** Newest first, `limit` after the cursor. */
    async listStudies(workspaceId: string, limit: number, after?: StudyCursor): Promise<StudyRow[]> {
      const page = after
        ? or(lt(studies.createdAt, after.createdAt), and(eq(studies.createdAt, after.createdAt), lt(studies.id, after.id)))
        : undefined;
      return db
        .select()
        .from(studies)
        .where(and(eq(studies.workspaceId, workspaceId), page))
        .orderBy(desc(studies.createdAt), desc(studies.id))
        .limit(limit);
    },

    async segmentExists(workspaceId: string, segmentId: string): Promise<boolean> {
      const rows = await db.select({ id: segments.id }).from(segments).where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, segmentId)));
      return rows.length === 1;
    },

    launch: (input: LaunchInput) => insertLaunch(db, input),

    /** Invite counts by status and the invited participants' MRR (as of their invite) per currency. */
    async stats(workspaceId: string, studyId: string): Promise<InviteStats> {
      const rows = await db
        .select({ status: invites.status, currency: invites.currency, count: sql<number>`count(*)::int`, mrr: sql<string>`sum(${invites.mrr})` })
        .from(invites)
        .where(and(eq(invites.workspaceId, workspaceId), eq(invites.studyId, studyId)))
        .groupBy(invites.status, invites.currency);
      const stats: InviteStats = { byStatus: { queued: 0, sent: 0, failed: 0 }, mrrByCurrency: {} };
      for (const row of rows) {
        stats.byStatus[row.status] += row.count;
        if (row.currency) stats.mrrByCurrency[row.currency] = (stats.mrrByCurrency[row.currency] ?? 0) + Number(row.mrr);
      }
      return stats;
    },

    /** In launch order, `limit` after the `seq` cursor. */
    async listInvites(workspaceId: string, studyId: string, options: { limit: number; afterSeq?: number; status?: InviteStatus }): Promise<InviteRow[]> {
      return db
        .select()
        .from(invites)
        .where(
          and(
            eq(invites.workspaceId, workspaceId),
            eq(invites.studyId, studyId),
            options.afterSeq === undefined ? undefined : gt(invites.seq, options.afterSeq),
            options.status ? eq(invites.status, options.status) : undefined,
          ),
        )
        .orderBy(asc(invites.seq))
        .limit(options.limit);
    },

    async findInviteByTokenHash(workspaceId: string, tokenHash: string): Promise<{ invite: InviteRow; study: StudyRow } | undefined> {
      const [row] = await db
        .select({ invite: invites, study: studies })
        .from(invites)
        .innerJoin(studies, eq(studies.id, invites.studyId))
        .where(and(eq(invites.workspaceId, workspaceId), eq(invites.tokenHash, tokenHash)));
      return row;
    },
  };
}

export type StudyRepository = ReturnType<typeof createStudyRepository>;
