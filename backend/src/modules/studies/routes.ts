import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CreateStudyRequest,
  ErrorResponse,
  IdParams,
  type Invite,
  InvitePage,
  InvitePageQuery,
  LaunchInvitesRequest,
  LaunchInvitesResponse,
  PageQuery,
  ResolvedInvite,
  ResolveInviteRequest,
  type Study,
  StudyDetail,
  StudyPage,
} from '@ui/shared';
import { AppError } from '../../http/app-error.js';
import type { InviteRow, InviteStats, StudyCursor, StudyRow } from './repository.js';
import type { StudyService } from './service.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toStudyDto = (s: StudyRow): Study => ({
  id: s.id,
  title: s.title,
  interview_url_template: s.interviewUrlTemplate,
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
});

export const toStudyDetailDto = (s: StudyRow, stats: InviteStats): StudyDetail => ({
  ...toStudyDto(s),
  invites: { total: stats.byStatus.queued + stats.byStatus.sent + stats.byStatus.failed, ...stats.byStatus },
  invited_mrr: stats.mrrByCurrency,
});

export const toInviteDto = (i: InviteRow): Invite => ({
  study_id: i.studyId,
  participant: { id: i.participantId, name: i.name, email: i.email },
  segment_id: i.segmentId,
  status: i.status,
  attempts: i.attempts,
  last_error: i.lastError,
  mrr: i.mrr,
  currency: i.currency,
  created_at: i.createdAt.toISOString(),
  updated_at: i.updatedAt.toISOString(),
  sent_at: iso(i.sentAt),
  failed_at: iso(i.failedAt),
});

const badCursor = () =>
  new AppError(422, 'validation_failed', 'cursor is not one this API returned', [{ field: 'query.cursor', message: 'invalid cursor' }]);

/** Study cursor = base64url of `<created_at ISO>|<id>`; invite cursor = base64url of its launch position. */
const studyCursor = {
  encode: (s: StudyRow) => Buffer.from(`${s.createdAt.toISOString()}|${s.id}`).toString('base64url'),
  decode(cursor: string): StudyCursor {
    const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
    const createdAt = new Date(at ?? '');
    if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw badCursor();
    return { createdAt, id };
  },
};
const inviteCursor = {
  encode: (i: InviteRow) => Buffer.from(`seq:${i.seq}`).toString('base64url'),
  decode(cursor: string): number {
    const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
    if (!match) throw badCursor();
    return Number(match[1]);
  },
};

export function studyRoutes(studies: StudyService): FastifyPluginAsyncZod {
  const tags = ['studies'];
  const security = [{ bearerAuth: [] }];

  return async (app) => {
    app.post(
      '/studies',
      { schema: { tags, security, summary: 'Create a study', body: CreateStudyRequest, response: { 201: StudyDetail, 422: ErrorResponse } } },
      async (request, reply) => {
        const { title, interview_url_template } = request.body;
        const study = await studies.createStudy(request.workspace.id, { title, interviewUrlTemplate: interview_url_template });
        return reply.status(201).send(toStudyDetailDto(study, { byStatus: { queued: 0, sent: 0, failed: 0 }, mrrByCurrency: {} }));
      },
    );

    app.get(
      '/studies',
      { schema: { tags, security, summary: 'Studies, newest first', querystring: PageQuery, response: { 200: StudyPage, 422: ErrorResponse } } },
      async (request) => {
        const { limit, cursor } = request.query;
        const rows = await studies.listStudies(request.workspace.id, limit + 1, cursor ? studyCursor.decode(cursor) : undefined);
        const data = rows.slice(0, limit);
        return { data: data.map(toStudyDto), next_cursor: rows.length > limit ? studyCursor.encode(data.at(-1)!) : null };
      },
    );

    app.get(
      '/studies/:id',
      { schema: { tags, security, summary: 'A study with its invite counts by status and the invited MRR per currency', params: IdParams, response: { 200: StudyDetail, 404: ErrorResponse } } },
      async (request) => {
        const { study, stats } = await studies.getStudy(request.workspace.id, request.params.id);
        return toStudyDetailDto(study, stats);
      },
    );

    app.post(
      '/studies/:id/invites',
      {
        schema: {
          tags,
          security,
          summary: 'Invite a segment to the study (highest revenue first); safe to repeat',
          description:
            'Creates one invite per participant of the segment with an email address, one per address, none for a participant or address already invited to this study, and queues them for email delivery. With `limit`, only the first `limit` participants in `order_by` order are considered.',
          params: IdParams,
          body: LaunchInvitesRequest,
          response: { 200: LaunchInvitesResponse, 404: ErrorResponse, 422: ErrorResponse },
        },
      },
      async (request) => {
        const { segment_id, order_by, limit } = request.body;
        return studies.launch(request.workspace.id, request.params.id, { segmentId: segment_id, orderBy: order_by, limit });
      },
    );

    app.get(
      '/studies/:id/invites',
      {
        schema: { tags, security, summary: "The study's invites in launch order, with delivery status", params: IdParams, querystring: InvitePageQuery, response: { 200: InvitePage, 404: ErrorResponse, 422: ErrorResponse } },
      },
      async (request) => {
        const { limit, cursor, status } = request.query;
        const afterSeq = cursor ? inviteCursor.decode(cursor) : undefined;
        const rows = await studies.listInvites(request.workspace.id, request.params.id, { limit: limit + 1, afterSeq, status });
        const data = rows.slice(0, limit);
        return { data: data.map(toInviteDto), next_cursor: rows.length > limit ? inviteCursor.encode(data.at(-1)!) : null };
      },
    );

    app.post(
      '/invites/resolve',
      {
        schema: {
          tags: ['invites'],
          security,
          summary: 'The invite and study behind an invite link token',
          body: ResolveInviteRequest,
          response: { 200: ResolvedInvite, 404: ErrorResponse, 422: ErrorResponse },
        },
      },
      async (request) => {
        const { invite, study } = await studies.resolveToken(request.workspace.id, request.body.token);
        return { invite: toInviteDto(invite), study: toStudyDto(study) };
      },
    );
  };
}
