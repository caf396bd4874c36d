import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { connections, participants, segmentMembers, segments } from '../../db/schema/index.js';

export type ParticipantRow = typeof participants.$inferSelect;
export type DisconnectedConnection = typeof connections.$inferSelect;

export interface PanelSegment {
  key: string;
  name: string;
  participantCount: number;
  mrrByCurrency: Record<string, number>;
}

/** The built-in segments first, in the order a merchant reads them, then products by name. */
const SEGMENT_ORDER = sql`case ${segments.key} when 'all' then 0 when 'active' then 1 when 'trialing' then 2 when 'churned' then 3 else 4 end`;

/**
 * What the Stripe App reads of a workspace's panel, straight from the tables the sync fills.
 * Every query is scoped by workspace: the caller has already mapped the signed account to it.
 */
export function createStripeAppRepository(db: Db) {
  return {
    async segments(workspaceId: string): Promise<PanelSegment[]> {
      return db
        .select({ key: segments.key, name: segments.name, participantCount: segments.participantCount, mrrByCurrency: segments.mrrByCurrency })
        .from(segments)
        .where(eq(segments.workspaceId, workspaceId))
        .orderBy(SEGMENT_ORDER, asc(segments.name), asc(segments.key));
    },

    async participantForCustomer(workspaceId: string, stripeCustomerId: string): Promise<ParticipantRow | undefined> {
      const [row] = await db
        .select()
        .from(participants)
        .where(and(eq(participants.workspaceId, workspaceId), eq(participants.stripeCustomerId, stripeCustomerId)))
        .limit(1);
      return row;
    },

    async segmentsOfParticipant(workspaceId: string, participantId: string): Promise<{ key: string; name: string }[]> {
      return db
        .select({ key: segments.key, name: segments.name })
        .from(segmentMembers)
        .innerJoin(segments, eq(segments.id, segmentMembers.segmentId))
        .where(and(eq(segmentMembers.participantId, participantId), eq(segments.workspaceId, workspaceId)))
        .orderBy(SEGMENT_ORDER, asc(segments.name), asc(segments.key));
    },

    /** The account's most recent disconnected link, to tell the merchant what happened to it. */
    async lastDisconnected(stripeAccountId: string): Promise<DisconnectedConnection | undefined> {
      const [row] = await db
        .select()
        .from(connections)
        .where(and(eq(connections.stripeAccountId, stripeAccountId), eq(connections.status, 'disconnected')))
        .orderBy(desc(connections.disconnectedAt), desc(connections.updatedAt))
        .limit(1);
      return row;
    },
  };
}

export type StripeAppRepository = ReturnType<typeof createStripeAppRepository>;
