import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInviteDelivery, type DeliveryPolicy } from '@ui/backend/src/modules/studies/delivery.js';
import { createDeliveryRepository } from '@ui/backend/src/modules/studies/delivery-repository.js';
import { INVITE_DELIVERY_QUEUE, scheduleDelivery } from '@ui/backend/src/modules/studies/jobs.js';
import { createLogMailer, createSmtpMailer, type Mailer } from '@ui/backend/src/modules/studies/mailer.js';
import { createStudyRepository } from '@ui/backend/src/modules/studies/repository.js';
import { createInviteTokens } from '@ui/backend/src/modules/studies/tokens.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { onPostgres } from '../support/test-database.js';
import { createStudy, invitesOf, seedParticipants, seedSegment, startSmtp, type Smtp } from './support.js';

// Delivery runs driven directly (no worker polls the queue), with policies small enough to watch.
const BASE = 'https://interviews.test';
let t: TestApp;
let smtp: Smtp;
beforeAll(async () => {
  smtp = await startSmtp({ script: { 'always-busy@example.com': [{ code: 452, message: '4.3.1 Insufficient system storage' }] } });
  t = await startTestApp({ work: false, env: { INTERVIEW_BASE_URL: BASE } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const silent = pino({ level: 'silent' });

function delivery(mailer: Mailer, policy: Partial<DeliveryPolicy>, logger = silent) {
  return createInviteDelivery({
    studies: createStudyRepository(t.database.db),
    deliveries: createDeliveryRepository(t.database.db),
    mailer,
    tokens: createInviteTokens(t.config.ENCRYPTION_KEY),
    interviewBaseUrl: BASE,
    logger,
    schedule: scheduleDelivery(t.jobs),
    policy,
  });
}

async function launched(name: string, emails: string[]) {
  const ws = await t.createWorkspace(name);
  const ids = await seedParticipants(t, ws.id, emails.map((email, i) => ({ email, mrr: 1000 - i })));
  const segmentId = await seedSegment(t, ws.id, 'all', ids);
  const studyId = await createStudy(t, ws.auth);
  await t.http.post(`/api/studies/${studyId}/invites`).set('authorization', ws.auth).send({ segment_id: segmentId }).expect(200);
  return { ws, ids, studyId, job: { workspaceId: ws.id, studyId, afterSeq: 0 } };
}

describe('delivery runs', () => {
  it('sends in batches at the configured rate', async () => {
    const emails = Array.from({ length: 12 }, (_, i) => `batch${i}@example.com`);
    const { studyId, job } = await launched('Batches', emails);
    const mailer = createSmtpMailer(smtp.url, BASE, { ratePerSecond: 5, maxConnections: 2 });
    const run = delivery(mailer, { batchSize: 4 });
    const started = Date.now();
    const total = await run.run(job);
    mailer.close();

    expect(total.sent).toBe(12);
    const mails = smtp.received.filter((m) => m.to[0]!.startsWith('batch'));
    expect(mails.map((m) => m.to[0]).sort()).toEqual([...emails].sort());
    // 12 messages at 5 a second take at least two rate windows.
    expect(Math.max(...mails.map((m) => m.at)) - started).toBeGreaterThanOrEqual(1800);
    // One claim and one outcome statement per batch of 4: three distinct send times.
    const batches = await t.database.rows<{ n: number }>(sql`select count(distinct sent_at)::int as n from invites where study_id = ${studyId}`);
    expect(batches[0]!.n).toBe(3);
    expect((await invitesOf(t, studyId)).every((i) => i.status === 'sent' && i.attempts === 1 && i.token_hash !== null)).toBe(true);
  });

  // PGlite runs one transaction at a time: the runs' claims (`for update skip locked`) never overlap there.
  it.runIf(onPostgres)('sends each invite once across parallel runs (PostgreSQL only)', async () => {
    const emails = Array.from({ length: 12 }, (_, i) => `parallel${i}@example.com`);
    const { studyId, job } = await launched('Parallel runs', emails);
    const mailer = createSmtpMailer(smtp.url, BASE, { ratePerSecond: 50, maxConnections: 3 });
    const run = delivery(mailer, { batchSize: 2 });
    const totals = await Promise.all([run.run(job), run.run(job), run.run(job)]);
    mailer.close();

    expect(totals.reduce((n, r) => n + r.sent, 0)).toBe(12);
    const mails = smtp.received.filter((m) => m.to[0]!.startsWith('parallel'));
    expect(mails.map((m) => m.to[0]).sort()).toEqual([...emails].sort());
    expect((await invitesOf(t, studyId)).every((i) => i.status === 'sent' && i.attempts === 1)).toBe(true);
  });

  it('fails an invite whose temporary refusals outlast its attempts, and schedules each retry', async () => {
    const { studyId, job } = await launched('Exhausted', ['always-busy@example.com']);
    const mailer = createSmtpMailer(smtp.url, BASE, { ratePerSecond: 50, maxConnections: 1 });
    const run = delivery(mailer, { maxAttempts: 3, baseSeconds: 0.2, factor: 2 });

    const before = Date.now();
    expect(await run.run(job)).toEqual({ sent: 0, failed: 0, deferred: 1 });
    // The follow-up run waits for the backoff (the launch's own job is the one due at once).
    const queued = await t.jobs.boss.findJobs<{ studyId: string }>(INVITE_DELIVERY_QUEUE, { data: { studyId }, queued: true });
    expect(queued.filter((j) => j.startAfter.getTime() >= before + 500)).toHaveLength(1);

    for (let attempt = 2; attempt <= 3; attempt++) {
      await new Promise((r) => setTimeout(r, 1000));
      await run.run(job);
    }
    mailer.close();
    const [invite] = await invitesOf(t, studyId);
    expect(invite).toMatchObject({ status: 'failed', attempts: 3, last_error: expect.stringMatching(/^452 .*Insufficient system storage/) });
    expect(smtp.rcptAttempts['always-busy@example.com']).toBe(3);
  });

  it('writes invites to the log with their links when no SMTP server is configured', async () => {
    const { studyId, job, ws } = await launched('Laptop', ['laptop@example.com', 'desk@example.com']);
    const lines: Array<{ msg: string; to?: string; subject?: string; link?: string }> = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    await delivery(createLogMailer(logger), {}, logger).run(job);

    const logged = lines.filter((l) => l.to);
    expect(logged.map((l) => l.to)).toEqual(['laptop@example.com', 'desk@example.com']);
    for (const line of logged) {
      expect(line).toMatchObject({ subject: 'Invitation: Pricing interviews', link: expect.stringMatching(/^https:\/\/interviews\.test\/i\/[A-Za-z0-9_-]{32}$/) });
      expect(line.msg).toContain('SMTP_URL is not set');
    }
    expect((await invitesOf(t, studyId)).map((i) => i.status)).toEqual(['sent', 'sent']);
    const token = logged[0]!.link!.split('/').at(-1)!;
    await t.http.post('/api/invites/resolve').set('authorization', ws.auth).send({ token }).expect(200);
  });
});
