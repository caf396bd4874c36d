import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createStudy, invitesOf, linkIn, seedParticipants, seedSegment, startSmtp, type Smtp } from './support.js';

const BASE = 'https://interviews.test';

// The real app, its pg-boss worker and a real SMTP server: the whole way from launch to inbox.
let smtp: Smtp;
let t: TestApp;
beforeAll(async () => {
  smtp = await startSmtp({
    script: {
      'greylisted@example.com': [{ code: 451, message: '4.7.1 Greylisted, please try again later' }, 'ok'],
      'nobody@example.com': [{ code: 550, message: '5.1.1 No such user here' }],
    },
  });
  t = await startTestApp({ env: { SMTP_URL: `${smtp.url}?from=${encodeURIComponent('Research Team <research@acme.test>')}`, INTERVIEW_BASE_URL: BASE } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

async function settled(auth: string, studyId: string) {
  let body: { invites: { queued: number } } | undefined;
  await expect
    .poll(async () => (body = (await t.http.get(`/api/studies/${studyId}`).set('authorization', auth)).body).invites.queued, { timeout: 25_000, interval: 250 })
    .toBe(0);
  return body!;
}

const attemptsOf = (studyId: string, participantId: string) =>
  t.database.rows<{ attempt: number; outcome: string; smtp_code: number | null }>(sql`
    select attempt, outcome, smtp_code from invite_attempts where study_id = ${studyId} and participant_id = ${participantId} order by attempt`);

describe('invite delivery by email', () => {
  it('emails each invite its own link, retries a 451 and fails a 550 with the reason', async () => {
    const ws = await t.createWorkspace('Delivery');
    const [ada, grey, nobody, none] = await seedParticipants(t, ws.id, [
      { email: 'ada@example.com', name: 'Ada Lovelace', mrr: 3000 },
      { email: 'greylisted@example.com', mrr: 2000 },
      { email: 'nobody@example.com', mrr: 1000 },
      { email: null, mrr: 500 },
    ]);
    const segmentId = await seedSegment(t, ws.id, 'all', [ada!, grey!, nobody!, none!]);
    const studyId = await createStudy(t, ws.auth, { title: 'Pricing interviews' });
    const launched = await t.http.post(`/api/studies/${studyId}/invites`).set('authorization', ws.auth).send({ segment_id: segmentId }).expect(200);
    expect(launched.body).toEqual({ invited: 3, skipped_no_email: 1, already_invited: 0 });

    const detail = await settled(ws.auth, studyId);
    expect(detail).toMatchObject({ invites: { total: 3, queued: 0, sent: 2, failed: 1 }, invited_mrr: { usd: 6000 } });

    // One message per delivered invite, to its address only, with the study in the subject.
    const received = smtp.received.filter((m) => m.to.some((a) => a.endsWith('@example.com')));
    expect(received.map((m) => m.to).sort()).toEqual([['ada@example.com'], ['greylisted@example.com']]);
    for (const mail of received) {
      expect(mail.from).toBe('research@acme.test');
      expect(mail.subject).toBe('Invitation: Pricing interviews');
      expect(mail.raw).toMatch(new RegExp(`^To: ${mail.to[0]}\\r?$`, 'm'));
    }
    const adaMail = received.find((m) => m.to[0] === 'ada@example.com')!;
    expect(adaMail.decoded).toContain('Hi Ada Lovelace,');
    const links = received.map((m) => linkIn(m, `${BASE}/i/`)!);
    expect(links.every((l) => /^https:\/\/interviews\.test\/i\/[A-Za-z0-9_-]{32}$/.test(l))).toBe(true);
    expect(new Set(links).size).toBe(2);

    // The link's token resolves to its invite, in this workspace only; the token is not stored.
    const token = linkIn(adaMail, `${BASE}/i/`)!.split('/').at(-1)!;
    const resolved = await t.http.post('/api/invites/resolve').set('authorization', ws.auth).send({ token }).expect(200);
    expect(resolved.body).toMatchObject({ study: { id: studyId, title: 'Pricing interviews' }, invite: { participant: { id: ada, email: 'ada@example.com' }, status: 'sent' } });
    const stored = await invitesOf(t, studyId);
    expect(JSON.stringify(stored)).not.toContain(token);
    await t.http.post('/api/invites/resolve').set('authorization', (await t.createWorkspace('Elsewhere')).auth).send({ token }).expect(404);
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await t.http.post('/api/invites/resolve').set('authorization', ws.auth).send({ token: altered }).expect(404);
    await t.http.post('/api/invites/resolve').set('authorization', ws.auth).send({ token: 'short' }).expect(404);

    // 451: refused once, delivered on the retry. 550: failed at once, with the server's reason, never retried.
    expect(smtp.rcptAttempts['greylisted@example.com']).toBe(2);
    expect(await attemptsOf(studyId, grey!)).toEqual([
      { attempt: 1, outcome: 'temporary', smtp_code: 451 },
      { attempt: 2, outcome: 'sent', smtp_code: null },
    ]);
    const failed = (await t.http.get(`/api/studies/${studyId}/invites?status=failed`).set('authorization', ws.auth).expect(200)).body.data;
    expect(failed).toEqual([
      expect.objectContaining({ participant: expect.objectContaining({ id: nobody }), status: 'failed', attempts: 1, last_error: expect.stringMatching(/^550 .*No such user here/), failed_at: expect.any(String), sent_at: null }),
    ]);
    const sent = (await t.http.get(`/api/studies/${studyId}/invites?status=sent`).set('authorization', ws.auth).expect(200)).body.data;
    expect(sent.map((i: { participant: { id: string } }) => i.participant.id)).toEqual([ada, grey]);
    expect(sent[1]).toMatchObject({ attempts: 2, last_error: null, sent_at: expect.any(String) });
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.rcptAttempts['nobody@example.com']).toBe(1);
    expect(smtp.received.filter((m) => m.to.includes('ada@example.com'))).toHaveLength(1);
  });

  it("builds the link from the study's interview_url_template", async () => {
    const ws = await t.createWorkspace('Template');
    const ids = await seedParticipants(t, ws.id, [{ email: 'template@example.com' }]);
    const segmentId = await seedSegment(t, ws.id, 'all', ids);
    const studyId = await createStudy(t, ws.auth, { title: 'Onboarding', interview_url_template: 'https://ui.acme.test/interview?invite={token}&src=email' });
    await t.http.post(`/api/studies/${studyId}/invites`).set('authorization', ws.auth).send({ segment_id: segmentId }).expect(200);
    await settled(ws.auth, studyId);

    const mail = smtp.received.find((m) => m.to.includes('template@example.com'))!;
    expect(mail.subject).toBe('Invitation: Onboarding');
    const link = /https:\/\/ui\.acme\.test\/interview\?invite=([A-Za-z0-9_-]{32})&(?:amp;)?src=email/.exec(mail.decoded);
    expect(link).not.toBeNull();
    const resolved = await t.http.post('/api/invites/resolve').set('authorization', ws.auth).send({ token: link![1] }).expect(200);
    expect(resolved.body.invite.participant.id).toBe(ids[0]);
  });
});
