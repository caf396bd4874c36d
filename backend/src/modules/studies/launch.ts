import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/database.js';

export type LaunchOrder = 'mrr_desc' | 'ltv_desc';

export interface LaunchInput {
  workspaceId: string;
  studyId: string;
  segmentId: string;
  orderBy: LaunchOrder;
  limit?: number;
}

export interface LaunchCounts {
  invited: number;
  skipped_no_email: number;
  already_invited: number;
}

export interface LaunchResult extends LaunchCounts {
  /** The launch-order position just before the first invite created (null: none created). */
  firstSeq: number | null;
}

/** Highest revenue first; the participant id breaks ties so every launch orders rows the same way. */
const ORDER: Record<LaunchOrder, SQL> = {
  mrr_desc: sql.raw('mrr desc, ltv desc, id'),
  ltv_desc: sql.raw('ltv desc, mrr desc, id'),
};

/** An address worth sending to: something, an @, something. Anything else counts as no email. */
const HAS_ADDRESS = sql.raw(`email like '_%@_%'`);

const DEADLOCK = '40P01';

/**
 * Creates a launch's invites in one statement.
 *
 * members   the segment's participants (of this workspace; `deleted_in_stripe` ones included:
 *           the segment decides)
 * inserted  those with an address, highest revenue first, the first `limit` of them (all when
 *           absent), inserted with `ON CONFLICT DO NOTHING`. The primary key (study, participant)
 *           skips whoever a previous or concurrent launch invited; the unique index on
 *           (study, lower(email)) among outstanding invites skips a second participant sharing
 *           an address, including within this statement: rows go in rank order, so the
 *           highest-ranked one keeps the address. Concurrent launches insert in the same order,
 *           so they queue behind each other's rows instead of deadlocking.
 *
 * invited = inserted; skipped_no_email = members without an address (all of them: the limit only
 * ranks the others); already_invited = the ranked rows the insert skipped. Without a limit the
 * three add up to the segment's size.
 */
export async function insertLaunch(db: Db, input: LaunchInput): Promise<LaunchResult> {
  const order = ORDER[input.orderBy];
  const statement = sql`
    with members as (
      select p.id, btrim(p.email) as email, p.name, p.mrr, p.ltv, p.currency
      from segment_members m
      join participants p on p.id = m.participant_id
      where m.segment_id = ${input.segmentId} and p.workspace_id = ${input.workspaceId}
    ),
    inserted as (
      insert into invites (workspace_id, study_id, participant_id, segment_id, email, name, mrr, currency)
      select ${input.workspaceId}, ${input.studyId}, id, ${input.segmentId}, email, name, mrr, currency
      from members
      where ${HAS_ADDRESS}
      order by ${order}
      limit ${input.limit ?? null}
      on conflict do nothing
      returning seq
    ),
    counts as (
      select count(*) as members, count(*) filter (where ${HAS_ADDRESS}) as reachable from members
    )
    select (select count(*) from inserted)::int as invited,
           (members - reachable)::int as skipped_no_email,
           (least(reachable, coalesce(${input.limit ?? null}::bigint, reachable)) - (select count(*) from inserted))::int as already_invited,
           (select min(seq) - 1 from inserted)::bigint as first_seq
    from counts
  `;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        // The ranking sorts the whole segment: keep it in memory.
        await tx.execute(sql`set local work_mem = '64MB'`);
        const result = await tx.execute(statement);
        const [row] = (result as unknown as { rows: Array<LaunchCounts & { first_seq: string | number | null }> }).rows;
        const { first_seq, ...counts } = row!;
        return { ...counts, firstSeq: first_seq === null ? null : Number(first_seq) };
      });
    } catch (error) {
      // Defensive: the common order makes deadlocks unexpected, and the statement is idempotent.
      if ((error as { code?: string }).code !== DEADLOCK || attempt === 3) throw error;
    }
  }
}
