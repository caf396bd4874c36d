/**
 * The Search API (docs.stripe.com/search) for customers and invoices: `query` in Stripe's search
 * query language, `limit` 1–100, `page` the opaque cursor a previous result named as `next_page`.
 * Only the clauses the emulator's users need are understood (a numeric comparison on `created`,
 * an exact match on `customer` or `email`), joined by `AND`; anything else is Stripe's 400 on
 * `query`. Stripe documents no order for search results; the emulator returns newest first, and
 * a client must not rely on it. Stripe's index lags writes ("searchable in under 1 minute"): an
 * object created in the last SEARCH_LAG_SECONDS of emulator time is not found yet.
 */
import type { AccountState } from './accounts.js';
import { requirePermission, type AuthContext } from './auth.js';
import { errors } from './errors.js';
import { checkExpandable, expandPage, type Resolve } from './expand.js';
import { objectBytes, JsonBody } from './json-body.js';
import { paginate } from './list.js';
import { parseExpand, parseLimit, rejectUnknown, type CreatedRange, type Query } from './params.js';
import type { ResourceType, StripeObject } from './resources.js';

export const SEARCH_LAG_SECONDS = 60;

/** The exact-match fields each searchable type takes besides `created`. */
export const SEARCH_FIELDS: Record<string, string[]> = { customer: ['email'], invoice: ['customer'] };

interface SearchQuery {
  created: CreatedRange;
  equals: Map<string, string>;
}

const CLAUSE = /^([a-z_]+)(:|>=|<=|>|<)(.+)$/;
const COMPARISON = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const;

const badQuery = (message: string) => errors.invalidValue('query', message);

function parseClause(clause: string, fields: string[], query: SearchQuery): void {
  const match = CLAUSE.exec(clause.trim());
  if (!match) throw badQuery(`We were unable to parse your search query. Try using the format \`field:'value'\`. Could not parse: ${clause}`);
  const [, field, operator, value] = match as unknown as [string, string, string, string];
  if (field === 'created') {
    if (operator === ':') throw badQuery(`Field 'created' takes a comparison (>, >=, <, <=), not ':'.`);
    if (!/^\d+$/.test(value)) throw badQuery(`Field 'created' compares with a unix timestamp, got ${value}.`);
    query.created[COMPARISON[operator as keyof typeof COMPARISON]] = Number(value);
    return;
  }
  if (!fields.includes(field)) throw badQuery(`Field '${field}' is an unsupported search field. See https://docs.stripe.com/search#query-fields for the list of supported fields.`);
  const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(value);
  if (operator !== ':' || !quoted) throw badQuery(`Field '${field}' takes an exact match in quotes: ${field}:'value'.`);
  query.equals.set(field, quoted[1] ?? quoted[2]!);
}

export function parseSearchQuery(raw: unknown, fields: string[]): SearchQuery {
  if (raw === undefined || raw === '') throw errors.missingParam('query');
  if (typeof raw !== 'string') throw badQuery('query must be a string.');
  if (/\sOR\s/.test(raw) && /\sAND\s/.test(raw)) throw badQuery('Search queries cannot mix AND and OR.');
  if (/\sOR\s/.test(raw)) throw badQuery('The emulator supports only AND between clauses.');
  const query: SearchQuery = { created: {}, equals: new Map() };
  for (const clause of raw.split(/\s+AND\s+/)) parseClause(clause, fields, query);
  return query;
}

const pageToken = (id: string) => Buffer.from(JSON.stringify({ after: id })).toString('base64url');

function pageCursor(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const { after } = JSON.parse(Buffer.from(String(raw), 'base64url').toString()) as { after?: unknown };
    if (typeof after === 'string') return after;
  } catch {
    // falls through to the 400
  }
  throw errors.invalidValue('page', `Invalid page: ${String(raw)}`);
}

function searchBody(data: readonly object[], hasMore: boolean, nextPage: string | null, url: string): JsonBody {
  const parts: Buffer[] = [Buffer.from('{"object":"search_result","data":[')];
  data.forEach((obj, i) => {
    if (i > 0) parts.push(Buffer.from(','));
    parts.push(objectBytes(obj));
  });
  parts.push(Buffer.from(`],"has_more":${hasMore},"next_page":${JSON.stringify(nextPage)},"url":${JSON.stringify(url)}}`));
  return new JsonBody(Buffer.concat(parts));
}

export function searchResource(type: ResourceType, query: Query, context: AuthContext, account: AccountState, now: number, resolve: Resolve): JsonBody {
  requirePermission(context, type.permission);
  rejectUnknown(query, ['query', 'limit', 'page', 'expand']);
  const fields = SEARCH_FIELDS[type.object] ?? [];
  const search = parseSearchQuery(query.query, fields);
  const limit = parseLimit(query.limit);
  const expand = parseExpand(query.expand);
  checkExpandable(expand, type.expandable.map((path) => `data.${path}`));
  const after = pageCursor(query.page);
  const afterEntry = after === undefined ? undefined : account.store.entry(type.object, after);
  if (after !== undefined && !afterEntry) throw errors.invalidValue('page', `Invalid page: ${String(query.page)}`);
  const indexed = now - SEARCH_LAG_SECONDS;
  const created = { ...search.created, lte: Math.min(search.created.lte ?? indexed, indexed) };
  const matches = (obj: StripeObject) => [...search.equals].every(([field, value]) => obj[field] === value);
  const page = paginate(account.store.collection(type.object).source(undefined, undefined), { limit, after: afterEntry, created, matches });
  const last = page.data.at(-1);
  const nextPage = page.hasMore && last ? pageToken(last.id as string) : null;
  return searchBody(expandPage(page.data, expand, resolve), page.hasMore, nextPage, `/v1/${type.path}/search`);
}
