import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse, IdParams, PageQuery, Participant, ParticipantPage, Segment, SegmentList } from '@ui/shared';
import { AppError, notFound } from '../../http/app-error.js';
import type { SegmentRepository, SegmentRow } from '../segments/repository.js';
import type { ParticipantRepository, ParticipantRow } from './repository.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toParticipantDto = (p: ParticipantRow): Participant => ({
  id: p.id,
  source: p.source,
  stripe_customer_id: p.stripeCustomerId,
  email: p.email,
  name: p.name,
  phone: p.phone,
  currency: p.currency,
  metadata: p.metadata,
  mrr: p.mrr,
  ltv: p.ltv,
  plan: p.plan,
  plan_products: p.planProducts,
  status: p.status,
  signup_at: iso(p.signupAt),
  deleted_in_stripe: p.deletedInStripe,
  last_synced_at: iso(p.lastSyncedAt),
  last_sync_error: p.lastSyncError,
  created_at: p.createdAt.toISOString(),
});

export const toSegmentDto = (s: SegmentRow): Segment => ({ id: s.id, key: s.key, name: s.name, participant_count: s.participantCount, mrr: s.mrrByCurrency });

/** Cursor = base64url of `<created_at ISO>|<id>`, the keyset the list is ordered by. */
const encodeCursor = (p: ParticipantRow) => Buffer.from(`${p.createdAt.toISOString()}|${p.id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new AppError(422, 'validation_failed', 'cursor is not one this API returned', [{ field: 'query.cursor', message: 'invalid cursor' }]);
  }
  return { createdAt, id };
}

export function participantRoutes(deps: {
  participants: ParticipantRepository;
  segments: SegmentRepository;
  syncParticipant(workspaceId: string, participantId: string): Promise<ParticipantRow>;
}): FastifyPluginAsyncZod {
  const security = [{ bearerAuth: [] }];

  async function pageOf(workspaceId: string, query: { limit: number; cursor?: string }, segmentId?: string) {
    const rows = await deps.participants.list(workspaceId, { limit: query.limit + 1, after: query.cursor ? decodeCursor(query.cursor) : undefined, segmentId });
    const data = rows.slice(0, query.limit);
    return { data: data.map(toParticipantDto), next_cursor: rows.length > query.limit ? encodeCursor(data.at(-1)!) : null };
  }

  return async (app) => {
    app.get('/participants', { schema: { tags: ['participants'], security, summary: 'Participants, oldest first', querystring: PageQuery, response: { 200: ParticipantPage, 422: ErrorResponse } } }, (request) =>
      pageOf(request.workspace.id, request.query),
    );

    app.get('/participants/:id', { schema: { tags: ['participants'], security, summary: 'One participant', params: IdParams, response: { 200: Participant, 404: ErrorResponse } } }, async (request) => {
      const row = await deps.participants.find(request.workspace.id, request.params.id);
      if (!row) throw notFound('participant');
      return toParticipantDto(row);
    });

    app.post(
      '/participants/:id/sync',
      { schema: { tags: ['participants'], security, summary: 'Refresh one participant from Stripe now', params: IdParams, response: { 200: Participant, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse } } },
      async (request) => toParticipantDto(await deps.syncParticipant(request.workspace.id, request.params.id)),
    );

    app.get('/segments', { schema: { tags: ['segments'], security, summary: 'Segments with participant counts and MRR per currency', response: { 200: SegmentList } } }, async (request) => ({
      data: (await deps.segments.list(request.workspace.id)).map(toSegmentDto),
    }));

    app.get(
      '/segments/:id/participants',
      { schema: { tags: ['segments'], security, summary: 'Participants of a segment', params: IdParams, querystring: PageQuery, response: { 200: ParticipantPage, 404: ErrorResponse, 422: ErrorResponse } } },
      async (request) => {
        if (!(await deps.segments.find(request.workspace.id, request.params.id))) throw notFound('segment');
        return pageOf(request.workspace.id, request.query, request.params.id);
      },
    );
  };
}
