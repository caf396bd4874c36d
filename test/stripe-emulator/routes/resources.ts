/**
 * GET list and retrieve for every type in the registry, plus the nested lists (subscription
 * items, invoice lines). One generic handler per kind; the registry supplies the differences.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountState } from '../accounts.js';
import { requirePermission, type AuthContext } from '../auth.js';
import { errors } from '../errors.js';
import { checkExpandable, expandObject, expandPage, type Resolve } from '../expand.js';
import { listBody } from '../json-body.js';
import { paginate, paginateArray } from '../list.js';
import { inRange, parseListParams, parseRetrieveParams, type ListParams, type Query } from '../params.js';
import { NESTED_LISTS, RESOURCES, permissionFor, type NestedListType, type ResourceType, type StripeObject } from '../resources.js';
import type { EmulatorState } from '../state.js';
import { SEARCH_FIELDS, searchResource } from '../search.js';
import { v1Route } from './pipeline.js';

const EVENT_RETENTION = 30 * 24 * 60 * 60;

function deletedStub(obj: StripeObject): StripeObject {
  return { id: obj.id, object: obj.object, deleted: true };
}

/** Expansion resolves ids in the account (served like any object); a restricted key needs the expanded type's permission too. */
function resolver(account: AccountState, context: AuthContext): Resolve {
  return (id) => {
    const obj = account.store.lookup(id);
    if (!obj) return undefined;
    const permission = permissionFor(obj.object);
    if (permission) requirePermission(context, permission);
    return account.store.entry(obj.object, id)?.deleted ? deletedStub(obj) : obj;
  };
}

/** A deleted object has left the list, so Stripe no longer takes it as a cursor (it stays retrievable). */
function cursor(account: AccountState, type: ResourceType, id: string | undefined, param: string) {
  if (id === undefined) return undefined;
  const entry = account.store.entry(type.object, id);
  if (!entry || entry.deleted) throw errors.missingReference(type.noun, id, param);
  return entry;
}

/** Uses the first filter an index can answer; the rest become a predicate over that index. */
function plan(type: ResourceType, params: ListParams): { index?: string; key?: string; matches(obj: StripeObject): boolean } {
  let index: string | undefined;
  let key: string | undefined;
  for (const [name, value] of params.filters) {
    const filter = type.filters[name]!;
    const indexable = filter.indexable ? filter.indexable(value) : typeof value === 'string';
    if (!index && filter.index && indexable) [index, key] = [filter.index, value as string];
  }
  const checks = Object.entries(type.filters).map(([name, filter]) => {
    if (params.filters.has(name)) return (obj: StripeObject) => filter.matches(obj, params.filters.get(name));
    const whenAbsent = filter.whenAbsent;
    return whenAbsent ? (obj: StripeObject) => whenAbsent(obj, params.filters) : () => true;
  });
  return { index, key, matches: (obj) => checks.every((check) => check(obj)) };
}

function listResource(state: EmulatorState, type: ResourceType, request: FastifyRequest, context: AuthContext, account: AccountState) {
  requirePermission(context, type.permission);
  const params = parseListParams(request.query as Query, type.filters);
  checkExpandable(params.expand, type.expandable.map((path) => `data.${path}`));
  const { index, key, matches } = plan(type, params);
  const created = type.object === 'event' ? { ...params.created, gte: Math.max(params.created?.gte ?? 0, state.clock.now() - EVENT_RETENTION) } : params.created;
  const page = paginate(account.store.collection(type.object).source(index, key), {
    limit: params.limit,
    after: cursor(account, type, params.startingAfter, 'starting_after'),
    before: cursor(account, type, params.endingBefore, 'ending_before'),
    created,
    matches,
  });
  return listBody(expandPage(page.data, params.expand, resolver(account, context)), page.hasMore, `/v1/${type.path}`);
}

function retrieveResource(type: ResourceType, request: FastifyRequest, context: AuthContext, account: AccountState) {
  requirePermission(context, type.permission);
  const { expand } = parseRetrieveParams(request.query as Query);
  checkExpandable(expand, type.expandable);
  const { id } = request.params as { id: string };
  const entry = account.store.entry(type.object, id);
  if (!entry) throw errors.notFound(type.noun, id);
  if (entry.deleted) return deletedStub(entry.obj);
  return expandObject(entry.obj, expand, resolver(account, context));
}

/** A nested list served from its parent's full stored list. */
function listNested(nested: NestedListType, parentId: string, query: Query, context: AuthContext, account: AccountState, extra: string[] = []) {
  requirePermission(context, nested.permission);
  const params = parseListParams(query, {}, extra);
  checkExpandable(params.expand, nested.expandable.map((path) => `data.${path}`));
  const parent = account.store.entry(nested.parent, parentId);
  if (!parent || parent.deleted) throw errors.notFound(nested.noun, parentId, extra[0] ?? 'id');
  const all = (parent.obj[nested.field] as { data?: StripeObject[] } | undefined)?.data ?? [];
  const items = all.filter((item) => typeof item.created !== 'number' || inRange(item.created, params.created));
  const position = (id: string | undefined, param: string) => {
    if (id === undefined) return undefined;
    const index = items.findIndex((item) => item.id === id);
    if (index < 0) throw errors.missingReference(nested.object.replace('_', ' '), id, param);
    return index;
  };
  const page = paginateArray(items, {
    limit: params.limit,
    after: position(params.startingAfter, 'starting_after'),
    before: position(params.endingBefore, 'ending_before'),
  });
  return {
    object: 'list',
    data: expandPage(page.data, params.expand, resolver(account, context)),
    has_more: page.hasMore,
    url: nested.url(parentId),
  };
}

function nestedType(object: string): NestedListType {
  return NESTED_LISTS.find((nested) => nested.object === object)!;
}

export function registerResourceRoutes(app: FastifyInstance, state: EmulatorState): void {
  const items = nestedType('subscription_item');
  const lines = nestedType('line_item');
  app.get(
    '/v1/subscription_items',
    v1Route(state, (request, context, account) => {
      const query = request.query as Query;
      if (typeof query.subscription !== 'string' || !query.subscription) throw errors.missingParam('subscription');
      return listNested(items, query.subscription, query, context, account, ['subscription']);
    }),
  );
  app.get(
    '/v1/subscription_items/:id',
    v1Route(state, (request, context, account) => {
      requirePermission(context, items.permission);
      const { expand } = parseRetrieveParams(request.query as Query);
      checkExpandable(expand, items.expandable);
      const { id } = request.params as { id: string };
      const item = account.store.lookup(id);
      if (!item || item.object !== 'subscription_item') throw errors.notFound('subscription item', id);
      return expandObject(item, expand, resolver(account, context));
    }),
  );
  app.get(
    '/v1/invoices/:id/lines',
    v1Route(state, (request, context, account) => listNested(lines, (request.params as { id: string }).id, request.query as Query, context, account)),
  );
  for (const type of RESOURCES.filter((type) => SEARCH_FIELDS[type.object])) {
    app.get(
      `/v1/${type.path}/search`,
      v1Route(state, (request, context, account) => searchResource(type, request.query as Query, context, account, state.clock.now(), resolver(account, context))),
    );
  }
  for (const type of RESOURCES) {
    app.get(`/v1/${type.path}`, v1Route(state, (request, context, account) => listResource(state, type, request, context, account)));
    app.get(`/v1/${type.path}/:id`, v1Route(state, (request, context, account) => retrieveResource(type, request, context, account)));
  }
}
