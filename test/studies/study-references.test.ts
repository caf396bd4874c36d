import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudyRepository } from '@ui/backend/src/modules/studies/repository.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createStudy, seedParticipants, seedSegment } from './support.js';

// Invites reference their study through triggers rather than a foreign key (see the invites
// schema): the same guarantees, checked once per statement.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ work: false });
});
afterAll(async () => {
  await t?.close();
});

const count = async (query: ReturnType<typeof sql>) => (await t.database.rows<{ n: number }>(query))[0]!.n;
const invitesOf = (studyId: string) => count(sql`select count(*)::int as n from invites where study_id = ${studyId}`);
const attemptsOf = (studyId: string) => count(sql`select count(*)::int as n from invite_attempts where study_id = ${studyId}`);

async function launchedStudy(workspace: { id: string; auth: string }) {
  const ids = await seedParticipants(t, workspace.id, [{ email: 'a@example.com' }, { email: 'b@example.com' }]);
  const segmentId = await seedSegment(t, workspace.id, `segment-${randomUUID()}`, ids);
  const studyId = await createStudy(t, workspace.auth);
  await t.http.post(`/api/studies/${studyId}/invites`).set('authorization', workspace.auth).send({ segment_id: segmentId }).expect(200);
  await t.database.rows(sql`
    insert into invite_attempts (workspace_id, study_id, participant_id, attempt, outcome)
    values (${workspace.id}, ${studyId}, ${ids[0]!}, 1, 'temporary')`);
  return { studyId, segmentId };
}

describe('invites and their study', () => {
  it('deletes a study\'s invites and their attempts with the study, and with its workspace', async () => {
    const ws = await t.createWorkspace('Deleted study');
    const { studyId } = await launchedStudy(ws);
    const kept = await launchedStudy(ws);
    expect([await invitesOf(studyId), await attemptsOf(studyId)]).toEqual([2, 1]);

    await t.database.rows(sql`delete from studies where id = ${studyId}`);
    expect([await invitesOf(studyId), await attemptsOf(studyId)]).toEqual([0, 0]);
    expect(await invitesOf(kept.studyId)).toBe(2);

    await t.database.rows(sql`delete from workspaces where id = ${ws.id}`);
    expect([await invitesOf(kept.studyId), await attemptsOf(kept.studyId)]).toEqual([0, 0]);
  });

  it('refuses an invite to a study that does not exist', async () => {
    const ws = await t.createWorkspace('No study');
    const { studyId } = await launchedStudy(ws);
    const insert = (study: string) =>
      t.database.rows(sql`
        insert into invites (workspace_id, study_id, participant_id, email)
        values (${ws.id}, ${study}, ${randomUUID()}, 'c@example.com'), (${ws.id}, ${studyId}, ${randomUUID()}, 'd@example.com')`);
    const error = (await insert(randomUUID()).catch((e: unknown) => e)) as { code?: string; cause?: { code?: string } };
    expect(error.cause?.code ?? error.code).toBe('23503');
    expect(await invitesOf(studyId)).toBe(2);
    await insert(studyId);
    expect(await invitesOf(studyId)).toBe(4);
  });

  it('creates nothing when the study is gone by the time the launch locks it', async () => {
    const ws = await t.createWorkspace('Gone');
    const { studyId, segmentId } = await launchedStudy(ws);
    await t.database.rows(sql`delete from studies where id = ${studyId}`);
    const launch = createStudyRepository(t.database.db).launch({ workspaceId: ws.id, studyId, segmentId, orderBy: 'mrr_desc' });
    await expect(launch).resolves.toBeUndefined();
    expect(await invitesOf(studyId)).toBe(0);
  });
});
