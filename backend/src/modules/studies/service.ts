import type { InviteStatus } from '../../db/schema/index.js';
import { notFound } from '../../http/app-error.js';
import type { DeliveryJob } from './delivery.js';
import type { LaunchCounts, LaunchOrder } from './launch.js';
import type { InviteRow, InviteStats, StudyCursor, StudyRepository, StudyRow } from './repository.js';
import type { InviteTokens } from './tokens.js';

export interface StudyServiceDeps {
  repository: StudyRepository;
  tokens: InviteTokens;
  schedule(job: DeliveryJob, startAfterSeconds: number): Promise<void>;
}

export function createStudyService(deps: StudyServiceDeps) {
  const { repository } = deps;

  async function study(workspaceId: string, id: string): Promise<StudyRow> {
    const row = await repository.findStudy(workspaceId, id);
    if (!row) throw notFound('study');
    return row;
  }

  return {
    createStudy: (workspaceId: string, input: { title: string; interviewUrlTemplate?: string }) =>
      repository.insertStudy({ workspaceId, title: input.title, interviewUrlTemplate: input.interviewUrlTemplate ?? null }),

    listStudies: (workspaceId: string, limit: number, after?: StudyCursor) => repository.listStudies(workspaceId, limit, after),

    async getStudy(workspaceId: string, id: string): Promise<{ study: StudyRow; stats: InviteStats }> {
      const row = await study(workspaceId, id);
      return { study: row, stats: await repository.stats(workspaceId, id) };
    },

    /**
     * Invites a segment to a study (one statement, see launch.ts), then hands the new invites to
     * delivery. Launching again is safe: what is already invited is counted, not invited twice.
     */
    async launch(workspaceId: string, studyId: string, input: { segmentId: string; orderBy: LaunchOrder; limit?: number }): Promise<LaunchCounts> {
      await study(workspaceId, studyId);
      if (!(await repository.segmentExists(workspaceId, input.segmentId))) throw notFound('segment');
      const launched = await repository.launch({ workspaceId, studyId, ...input });
      if (!launched) throw notFound('study');
      const { firstSeq, ...counts } = launched;
      // A launch that created nothing still schedules a run over the whole study: if handing a
      // previous launch to delivery failed after its commit, launching again picks it up.
      await deps.schedule({ workspaceId, studyId, afterSeq: firstSeq ?? 0 }, 0);
      return counts;
    },

    async listInvites(workspaceId: string, studyId: string, options: { limit: number; afterSeq?: number; status?: InviteStatus }): Promise<InviteRow[]> {
      await study(workspaceId, studyId);
      return repository.listInvites(workspaceId, studyId, options);
    },

    /** The invite behind a link's token (for the interview app); 404 for anything else. */
    async resolveToken(workspaceId: string, token: string): Promise<{ invite: InviteRow; study: StudyRow }> {
      const hash = deps.tokens.hash(token);
      const found = hash ? await repository.findInviteByTokenHash(workspaceId, hash) : undefined;
      if (!found) throw notFound('invite');
      return found;
    },
  };
}

export type StudyService = ReturnType<typeof createStudyService>;
