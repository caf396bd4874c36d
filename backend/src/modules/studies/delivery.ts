import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Backoff, ClaimedInvite, DeliveryRepository, RecordedOutcome, StudyScope } from './delivery-repository.js';
import type { InviteEmail, Mailer } from './mailer.js';
import type { StudyRepository, StudyRow } from './repository.js';
import type { InviteTokens } from './tokens.js';

export interface DeliveryPolicy extends Backoff {
  /** Invites claimed, sent and recorded together. */
  batchSize: number;
  /** How long a claimed batch is reserved for its worker before another may retry it. */
  leaseSeconds: number;
  /** A job stops taking batches after this long and hands over to a follow-up job. */
  runSeconds: number;
}

/**
 * 50 per batch; temporary failures retried after ~2 s, 8 s, 32 s, 2 min and 8.5 min, then failed
 * (about 11 minutes of trying). The send rate is the mailer's (SMTP pool rate limit).
 */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  batchSize: 50,
  leaseSeconds: 300,
  runSeconds: 60,
  maxAttempts: 6,
  baseSeconds: 2,
  factor: 4,
};

export interface DeliveryJob extends StudyScope {
  /** Fresh invites are taken in launch order after this position. */
  afterSeq: number;
}

export interface InviteDeliveryDeps {
  studies: Pick<StudyRepository, 'findStudy'>;
  deliveries: DeliveryRepository;
  mailer: Mailer;
  tokens: InviteTokens;
  interviewBaseUrl: string;
  logger: Logger;
  /** Schedules the next run (`startAfter` in seconds; 0 for now). */
  schedule(job: DeliveryJob, startAfterSeconds: number): Promise<void>;
  policy?: Partial<DeliveryPolicy>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function inviteLink(study: Pick<StudyRow, 'interviewUrlTemplate'>, baseUrl: string, token: string): string {
  return study.interviewUrlTemplate
    ? study.interviewUrlTemplate.replaceAll('{token}', encodeURIComponent(token))
    : `${baseUrl.replace(/\/+$/, '')}/i/${token}`;
}

export function inviteEmail(study: Pick<StudyRow, 'title'>, invite: Pick<ClaimedInvite, 'email' | 'name'>, link: string): InviteEmail {
  const greeting = invite.name ? `Hi ${invite.name},` : 'Hi,';
  const lines = [
    `We would love to hear from you. Would you take part in a short interview for our study "${study.title}"?`,
    'It runs in your browser, whenever suits you:',
  ];
  return {
    to: invite.email,
    subject: `Invitation: ${study.title}`,
    link,
    text: `${greeting}\n\n${lines.join('\n')}\n\n${link}\n\nThis link is personal: please do not share it.\n`,
    html: `<p>${escapeHtml(greeting)}</p><p>${lines.map(escapeHtml).join('<br>')}</p><p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p><p>This link is personal: please do not share it.</p>`,
  };
}

/**
 * One delivery run for one study: claim a batch (due retries first, then fresh invites in launch
 * order), store the token hashes, send every message of the batch through the mailer (which
 * holds the rate), record the outcomes in one statement; repeat until nothing is due or the run's
 * time is up. A failure of the server or the connection ends the run early: its batch is retried
 * with backoff. Before returning, the run schedules the next one: at once if fresh invites may
 * remain, else when the earliest retry falls due.
 */
export function createInviteDelivery(deps: InviteDeliveryDeps) {
  const policy = { ...DEFAULT_DELIVERY_POLICY, ...deps.policy };

  async function sendBatch(study: StudyRow, batch: ClaimedInvite[]) {
    const scope = { workspaceId: study.workspaceId, studyId: study.id };
    const links = batch.map((invite) => {
      // A retry keeps the token (and link) of the first attempt while its key is configured.
      const keyId = deps.tokens.usableKeyId(invite.token_key_id);
      const token = deps.tokens.token({ studyId: invite.study_id, participantId: invite.participant_id, seq: invite.seq }, keyId);
      return { invite, keyId, token, link: inviteLink(study, deps.interviewBaseUrl, token) };
    });
    await deps.deliveries.setTokens(
      scope,
      links.map(({ invite, keyId, token }) => ({ participant_id: invite.participant_id, token_hash: deps.tokens.hash(token)!, token_key_id: keyId })),
    );
    const results = await Promise.all(links.map(({ invite, link }) => deps.mailer.send(inviteEmail(study, invite, link))));
    const outcomes: RecordedOutcome[] = results.map((result, i) => ({
      participant_id: batch[i]!.participant_id,
      outcome: result.kind,
      smtp_code: result.kind === 'sent' ? null : result.smtpCode,
      message: result.kind === 'sent' ? null : result.reason,
    }));
    await deps.deliveries.record(scope, outcomes, policy);
    return results;
  }

  return {
    policy,

    async run(job: DeliveryJob): Promise<{ sent: number; failed: number; deferred: number }> {
      const totals = { sent: 0, failed: 0, deferred: 0 };
      const study = await deps.studies.findStudy(job.workspaceId, job.studyId);
      if (!study) return totals; // deleted since: nothing left to send
      const log = deps.logger.child({ studyId: study.id });
      const deadline = Date.now() + policy.runSeconds * 1000;
      let cursor = job.afterSeq;
      let freshLeft = true;
      let serverDown = false;

      while (Date.now() < deadline && !serverDown) {
        const due = await deps.deliveries.claimDue(job, policy.batchSize, policy.leaseSeconds);
        const fresh = freshLeft && due.length < policy.batchSize ? await deps.deliveries.claimFresh(job, cursor, policy.batchSize - due.length, policy.leaseSeconds) : [];
        if (fresh.length < policy.batchSize - due.length) freshLeft = false;
        for (const invite of fresh) cursor = Math.max(cursor, invite.seq);
        const batch = [...due, ...fresh];
        if (batch.length === 0) break;

        const results = await sendBatch(study, batch);
        for (const r of results) {
          if (r.kind === 'sent') totals.sent++;
          else if (r.kind === 'permanent') totals.failed++;
          else totals.deferred++;
        }
        const down = results.find((r) => r.kind === 'temporary' && r.transport);
        if (down?.kind === 'temporary') {
          serverDown = true;
          log.warn({ reason: down.reason }, 'mail server unavailable: invites deferred');
        }
      }

      log.info({ ...totals, mailer: deps.mailer.kind }, 'invite delivery run');
      const next = { ...job, afterSeq: cursor };
      if (freshLeft && !serverDown) return (await deps.schedule(next, 0), totals);
      const retryAt = await deps.deliveries.nextRetryAt(job);
      if (retryAt || freshLeft) {
        // After a server failure, fresh invites wait as long as the retries do.
        const seconds = retryAt ? Math.max(0, Math.ceil((retryAt.getTime() - Date.now()) / 1000)) : policy.baseSeconds;
        await deps.schedule(next, seconds);
      }
      return totals;
    },
  };
}

export type InviteDelivery = ReturnType<typeof createInviteDelivery>;
