import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CreateParticipantRequest,
  ErrorResponse,
  IdParams,
  PageQuery,
  Participant,
  ParticipantListPage,
  ParticipantListQuery,
  ParticipantPage,
  Segment,
  SegmentList,
  UpdateParticipantRequest,
  type ParticipantField,
} from '@ui/shared';
import { AppError, notFound } from '../../http/app-error.js';
import type { SegmentRepository, SegmentRow } from '../segments/repository.js';
import { sortValue, type ListFilters, type ParticipantRepository, type ParticipantRow, type ParticipantWrite } from './repository.js';
import { isGuest } from './guest.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toParticipantDto = (p: ParticipantRow): Participant => ({
  id: p.id,
  source: p.source,
  stripe_customer_id: p.stripeCustomerId,
  email: p.email,
  name: p.name,
  phone: p.phone,
  company: p.company,
  groups: p.groups,
  custom_fields: p.customFields,
  sso_uid: p.ssoUid,
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

type ListQuery = ParticipantListQuery;

/**
 * Cursor = base64url of the keyset of the last row. The default order (created, ascending) keeps
 * the original `<created_at ISO>|<id>` form; other orders carry `[sort, order, value, id]`.
 */
function encodeCursor(query: Pick<ListQuery, 'sort' | 'order'>, p: ParticipantRow): string {
  const value = sortValue(query.sort, p);
  const text = query.sort === 'created' && query.order === 'asc' ? `${value}|${p.id}` : JSON.stringify([query.sort, query.order, value, p.id]);
  return Buffer.from(text).toString('base64url');
}

const badCursor = (message = 'invalid cursor') => new AppError(422, 'validation_failed', 'cursor is not one this API returned for this sort', [{ field: 'query.cursor', message }]);
const UUID = /^[0-9a-f-]{36}$/;

function decodeCursor(query: Pick<ListQuery, 'sort' | 'order'>, cursor: string): { value: string | number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badCursor();
    }
    if (!Array.isArray(parsed) || parsed.length !== 4) throw badCursor();
    const [sort, order, value, id] = parsed as unknown[];
    if (sort !== query.sort || order !== query.order) throw badCursor(`cursor was returned for sort=${String(sort)}&order=${String(order)}`);
    if (typeof id !== 'string' || !UUID.test(id)) throw badCursor();
    if (sort === 'email' ? typeof value !== 'string' : sort === 'created' ? typeof value !== 'string' || Number.isNaN(new Date(value).getTime()) : !Number.isSafeInteger(value)) throw badCursor();
    return { value: value as string | number, id };
  }
  const [at, id] = text.split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !UUID.test(id)) throw badCursor();
  if (query.sort !== 'created' || query.order !== 'asc') throw badCursor('cursor was returned for sort=created&order=asc');
  return { value: createdAt.toISOString(), id };
}

const project = (dto: Participant, fields?: readonly ParticipantField[]) =>
  fields ? (Object.fromEntries([['id', dto.id], ...fields.map((f) => [f, dto[f]])]) as Partial<Participant> & { id: string }) : dto;

/** Request body (snake_case) to repository fields; absent keys stay absent. */
function toWrite(body: UpdateParticipantRequest): ParticipantWrite {
  const write: ParticipantWrite = {};
  if (body.email !== undefined) write.email = body.email;
  if (body.name !== undefined) write.name = body.name;
  if (body.phone !== undefined) write.phone = body.phone;
  if (body.company !== undefined) write.company = body.company;
  if (body.groups !== undefined) write.groups = [...new Set(body.groups)];
  if (body.custom_fields !== undefined) write.customFields = body.custom_fields;
  if (body.sso_uid !== undefined) write.ssoUid = body.sso_uid;
  if (body.stripe_customer_id !== undefined) write.stripeCustomerId = body.stripe_customer_id;
  return write;
}

const duplicate = (fields: string[]) =>
  new AppError(422, 'validation_failed', `already used by another participant of this workspace: ${fields.join(', ')}`, fields.map((f) => ({ field: `body.${f}`, message: 'already used by another participant of this workspace' })));

/** A unique index the write hit (a concurrent writer got there first), as the field it guards. */
export function uniqueViolationField(error: unknown): 'stripe_customer_id' | 'sso_uid' | undefined {
  for (let e = error as { code?: string; constraint?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return e.constraint === 'participants_sso_uid_idx' ? 'sso_uid' : e.constraint === 'participants_stripe_customer_idx' ? 'stripe_customer_id' : undefined;
  }
  return undefined;
}

export function participantRoutes(deps: {
  participants: ParticipantRepository;
  segments: SegmentRepository;
  syncParticipant(workspaceId: string, participantId: string): Promise<ParticipantRow>;
  logger?: { warn(obj: object, msg: string): void };
}): FastifyPluginAsyncZod {
  const security = [{ bearerAuth: [] }];

  async function pageOf(workspaceId: string, query: ListQuery, segmentId?: string) {
    const filters: ListFilters = {
      mrrMin: query.mrr_min,
      mrrMax: query.mrr_max,
      ltvMin: query.ltv_min,
      ltvMax: query.ltv_max,
      plan: query.plan,
      status: query.status,
      source: query.source,
      segmentId: segmentId ?? query.segment_id,
      q: query.q,
    };
    const after = query.cursor ? decodeCursor(query, query.cursor) : undefined;
    const rows = await deps.participants.list(workspaceId, { limit: query.limit + 1, sort: query.sort, order: query.order, filters, after });
    const data = rows.slice(0, query.limit);
    return { data: data.map((r) => project(toParticipantDto(r), query.fields)), next_cursor: rows.length > query.limit ? encodeCursor(query, data.at(-1)!) : null };
  }

  /**
   * Linking (or relinking) runs the per-participant sync at once; the write stands whatever the
   * sync's outcome, which the participant records in `last_sync_error`.
   */
  async function syncLinked(workspaceId: string, row: ParticipantRow): Promise<ParticipantRow> {
    if (!row.stripeCustomerId || isGuest(row.stripeCustomerId)) return row;
    try {
      return await deps.syncParticipant(workspaceId, row.id);
    } catch (error) {
      const message = error instanceof AppError && error.code === 'stripe_not_connected' ? 'Stripe is not connected: connect it to sync this participant' : 'Sync failed; it is retried on the next sync';
      if (!(error instanceof AppError)) deps.logger?.warn({ err: error, participantId: row.id }, 'sync after linking failed');
      return deps.participants.recordSyncError(row.id, message);
    }
  }

  async function checkConflicts(workspaceId: string, write: ParticipantWrite, exceptId?: string) {
    const conflicts = await deps.participants.conflicts(workspaceId, write, exceptId);
    if (conflicts.length > 0) throw duplicate(conflicts.map((c) => c.field));
  }

  const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      const field = uniqueViolationField(error);
      if (field) throw duplicate([field]);
      throw error;
    }
  };

  return async (app) => {
    app.get(
      '/participants',
      {
        schema: {
          tags: ['participants'],
          security,
          summary: 'Participants: filtered, sorted (oldest first by default), paginated',
          querystring: ParticipantListQuery,
          response: { 200: ParticipantListPage, 422: ErrorResponse },
        },
      },
      (request) => pageOf(request.workspace.id, request.query),
    );

    app.post(
      '/participants',
      {
        schema: {
          tags: ['participants'],
          security,
          summary: 'Add a participant; a Stripe customer id links and syncs it at once',
          body: CreateParticipantRequest,
          response: { 201: Participant, 422: ErrorResponse },
        },
      },
      async (request, reply) => {
        const write = toWrite(request.body);
        await checkConflicts(request.workspace.id, write);
        const row = await guarded(() => deps.participants.insert(request.workspace.id, { ...write, email: request.body.email, source: 'api' }));
        return reply.status(201).send(toParticipantDto(await syncLinked(request.workspace.id, row)));
      },
    );

    app.get('/participants/:id', { schema: { tags: ['participants'], security, summary: 'One participant', params: IdParams, response: { 200: Participant, 404: ErrorResponse } } }, async (request) => {
      const row = await deps.participants.find(request.workspace.id, request.params.id);
      if (!row) throw notFound('participant');
      return toParticipantDto(row);
    });

    app.patch(
      '/participants/:id',
      {
        schema: {
          tags: ['participants'],
          security,
          summary: 'Edit a participant; adding or changing its Stripe customer id syncs it at once',
          params: IdParams,
          body: UpdateParticipantRequest,
          response: { 200: Participant, 404: ErrorResponse, 422: ErrorResponse },
        },
      },
      async (request) => {
        const workspaceId = request.workspace.id;
        const current = await deps.participants.find(workspaceId, request.params.id);
        if (!current) throw notFound('participant');
        const write = toWrite(request.body);
        await checkConflicts(workspaceId, write, current.id);
        const row = await guarded(() => deps.participants.update(workspaceId, current, write));
        const relinked = write.stripeCustomerId !== undefined && write.stripeCustomerId !== current.stripeCustomerId;
        if (!relinked) return toParticipantDto(row);
        const synced = await syncLinked(workspaceId, row);
        // The update took it out of Stripe-derived segments. A sync that ran (it sets last_synced_at)
        // recounted them; without one (unlinked, a guest, a failed sync) they are recounted here.
        if (!synced.lastSyncedAt) await deps.segments.refreshTotals(workspaceId);
        return toParticipantDto(synced);
      },
    );

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
        return pageOf(request.workspace.id, { ...request.query, sort: 'created', order: 'asc' }, request.params.id) as Promise<{ data: Participant[]; next_cursor: string | null }>;
      },
    );
  };
}
