import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { recordset } from '../../db/recordset.js';
import type { DeliveryOutcome } from '../../db/schema/index.js';

export interface ClaimedInvite {
  study_id: string;
  participant_id: string;
  seq: number;
  email: string;
  name: string | null;
  attempts: number;
  token_key_id: string | null;
}

export interface RecordedOutcome {
  participant_id: string;
  outcome: DeliveryOutcome;
  smtp_code: number | null;
  message: string | null;
}

export interface Backoff {
  maxAttempts: number;
  baseSeconds: number;
  factor: number;
}

export interface StudyScope {
  workspaceId: string;
  studyId: string;
}

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/**
 * A claim takes a batch of queued invites with `FOR UPDATE SKIP LOCKED` (workers on several
 * instances take different rows), counts the attempt and leases the rows by moving `due_at`
 * past the lease: a worker that dies mid-batch leaves them to be retried when it expires. The
 * status stays `queued` until the outcome is known.
 */
export function createDeliveryRepository(db: Db) {
  const claim = async (scope: StudyScope, pick: SQL, leaseSeconds: number) =>
    rowsOf<ClaimedInvite>(
      await db.execute(sql`
        update invites i
        set attempts = i.attempts + 1, due_at = now() + make_interval(secs => ${leaseSeconds}), updated_at = now()
        from (${pick} for update skip locked) c
        where i.workspace_id = ${scope.workspaceId} and i.study_id = c.study_id and i.participant_id = c.participant_id
        returning i.study_id, i.participant_id, i.seq::bigint as seq, i.email, i.name, i.attempts, i.token_key_id
      `),
    ).map((row) => ({ ...row, seq: Number(row.seq) }));

  return {
    /** Invites never tried, in launch order after `afterSeq` (the launch's cursor). */
    claimFresh: (scope: StudyScope, afterSeq: number, limit: number, leaseSeconds: number) =>
      claim(
        scope,
        sql`select study_id, participant_id from invites
            where workspace_id = ${scope.workspaceId} and study_id = ${scope.studyId} and seq > ${afterSeq}
              and status = 'queued' and attempts = 0
            order by seq limit ${limit}`,
        leaseSeconds,
      ),

    /** Invites whose backoff (or a dead worker's lease) has run out, longest waiting first. */
    claimDue: (scope: StudyScope, limit: number, leaseSeconds: number) =>
      claim(
        scope,
        sql`select study_id, participant_id from invites
            where workspace_id = ${scope.workspaceId} and study_id = ${scope.studyId}
              and status = 'queued' and attempts > 0 and due_at <= now()
            order by due_at limit ${limit}`,
        leaseSeconds,
      ),

    /** Stores the hashes of the links about to be sent, so a link works as soon as it arrives. */
    async setTokens(scope: StudyScope, tokens: Array<{ participant_id: string; token_hash: string; token_key_id: string }>) {
      if (tokens.length === 0) return;
      await db.execute(sql`
        update invites i set token_hash = t.token_hash, token_key_id = t.token_key_id
        from ${recordset(tokens, 't', 'participant_id uuid, token_hash text, token_key_id text')}
        where i.workspace_id = ${scope.workspaceId} and i.study_id = ${scope.studyId} and i.participant_id = t.participant_id
      `);
    },

    /**
     * Applies a batch's outcomes in one statement and logs each attempt: sent; failed for good
     * (a permanent refusal, or a temporary one on the last attempt); or queued again after
     * `base × factor^(attempt−1)` seconds, ±20% jitter so retries of a batch spread out.
     */
    async record(scope: StudyScope, outcomes: RecordedOutcome[], backoff: Backoff) {
      if (outcomes.length === 0) return;
      await db.execute(sql`
        with o as (
          select * from ${recordset(outcomes, 'o', 'participant_id uuid, outcome text, smtp_code int, message text')}
        ),
        updated as (
          update invites i set
            status = case when o.outcome = 'sent' then 'sent'
                          when o.outcome = 'permanent' or i.attempts >= ${backoff.maxAttempts} then 'failed'
                          else 'queued' end,
            sent_at = case when o.outcome = 'sent' then now() else i.sent_at end,
            failed_at = case when o.outcome = 'permanent' or (o.outcome = 'temporary' and i.attempts >= ${backoff.maxAttempts}) then now() else null end,
            last_error = case when o.outcome = 'sent' then null else o.message end,
            due_at = case when o.outcome = 'temporary'
                          then now() + make_interval(secs => ${backoff.baseSeconds} * power(${backoff.factor}::float8, i.attempts - 1) * (0.8 + random() * 0.4))
                          else i.due_at end,
            updated_at = now()
          from o
          where i.workspace_id = ${scope.workspaceId} and i.study_id = ${scope.studyId} and i.participant_id = o.participant_id
          returning i.participant_id, i.attempts
        )
        insert into invite_attempts (workspace_id, study_id, participant_id, attempt, outcome, smtp_code, message)
        select ${scope.workspaceId}, ${scope.studyId}, u.participant_id, u.attempts, o.outcome, o.smtp_code, o.message
        from updated u join o on o.participant_id = u.participant_id
      `);
    },

    /** When the study's next retry falls due (null: none waiting). */
    async nextRetryAt(scope: StudyScope): Promise<Date | null> {
      const [row] = rowsOf<{ at: string | Date | null }>(
        await db.execute(sql`
          select min(due_at) as at from invites
          where workspace_id = ${scope.workspaceId} and study_id = ${scope.studyId} and status = 'queued' and attempts > 0
        `),
      );
      return row?.at ? new Date(row.at) : null;
    },
  };
}

export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
