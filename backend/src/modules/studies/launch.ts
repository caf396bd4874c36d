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

/**
 * Creates a launch's invites in one statement, after locking the study row.
 *
 * The lock (`for no key update`: it conflicts with itself and with deleting the study, not with
 * reading it) queues launches of the same study behind each other, and the insert statement,
 * whose snapshot (read committed) is taken once the lock is held, sees every invite an earlier
 * launch committed. So the statement leaves out what is taken itself and needs no `ON CONFLICT`,
 * whose speculative insertion (a probe of both unique indexes before each row, and a second
 * write to confirm it) cost a quarter of a launch. The unique indexes still guarantee it: a
 * violation would be an error, never a duplicate.
 *
 * members    the segment's participants (of this workspace; `deleted_in_stripe` ones included:
 *            the segment decides)
 * reachable  those with an address; with a limit, only the `limit` highest ranked of them
 * fresh      the reachable ones not invited to the study yet (whatever the status) whose address
 *            no outstanding (not failed) invite holds, compared as the unique index on (study,
 *            lower(email)) does; of those sharing an address, the highest ranked
 * inserted   fresh, in rank order, so `seq` (identity) is the launch order
 *
 * invited = inserted; skipped_no_email = members without an address (all of them: the limit only
 * ranks the others); already_invited = the reachable rows not inserted. Without a limit the three
 * add up to the segment's size.
 *
 * Returns undefined when the study is gone (deleted since the caller looked it up).
 */
export async function insertLaunch(db: Db, input: LaunchInput): Promise<LaunchResult | undefined> {
  const order = ORDER[input.orderBy];
  // Without a limit the ranking is left to the two sorts that follow: one less sort of the segment.
  const top = input.limit === undefined ? sql`` : sql`order by ${order} limit ${input.limit}`;
  const statement = sql`
    with members as (
      select p.id, btrim(p.email) as email, p.name, p.mrr, p.ltv, p.currency
      from segment_members m
      join participants p on p.id = m.participant_id
      where m.segment_id = ${input.segmentId} and p.workspace_id = ${input.workspaceId}
    ),
    reachable as (
      select id, email, lower(email) collate "C" as address, name, mrr, ltv, currency
      from members
      where ${HAS_ADDRESS}
      ${top}
    ),
    fresh as (
      select distinct on (address) r.*
      from reachable r
      where not exists (select from invites i where i.study_id = ${input.studyId} and i.participant_id = r.id)
        and not exists (select from invites i where i.study_id = ${input.studyId} and i.status <> 'failed' and lower(i.email) collate "C" = r.address)
      order by address, ${order}
    ),
    inserted as (
      insert into invites (workspace_id, study_id, participant_id, segment_id, email, name, mrr, currency)
      select ${input.workspaceId}, ${input.studyId}, id, ${input.segmentId}, email, name, mrr, currency
      from fresh
      order by ${order}
      returning seq
    ),
    created as (
      select count(*) as invited, min(seq) - 1 as first_seq from inserted
    ),
    counts as (
      select count(*) as members, count(*) filter (where ${HAS_ADDRESS}) as reachable from members
    )
    select invited::int as invited,
           (members - reachable)::int as skipped_no_email,
           (least(reachable, coalesce(${input.limit ?? null}::bigint, reachable)) - invited)::int as already_invited,
           first_seq::bigint as first_seq
    from counts, created
  `;
  return db.transaction(async (tx) => {
    const locked = await tx.execute(sql`select from studies where id = ${input.studyId} and workspace_id = ${input.workspaceId} for no key update`);
    if ((locked as unknown as { rows: unknown[] }).rows.length === 0) return undefined;
    // The address and launch-order sorts cover the whole segment: keep them in memory.
    await tx.execute(sql`set local work_mem = '64MB'`);
    const result = await tx.execute(statement);
    const [row] = (result as unknown as { rows: Array<LaunchCounts & { first_seq: string | number | null }> }).rows;
    const { first_seq, ...counts } = row!;
    return { ...counts, firstSeq: first_seq === null ? null : Number(first_seq) };
  });
}
