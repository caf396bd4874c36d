/**
 * Query parameters as stripe-node encodes them (qs brackets: `created[gte]`, `expand[0]`,
 * `types[1]`), validated the way Stripe validates them so clients meet the same 400s.
 */
import { errors } from './errors.js';
import type { Filter } from './resources.js';

export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface ListParams {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created?: CreatedRange;
  expand: string[];
  filters: Map<string, unknown>;
}

export type Query = Record<string, unknown>;

const LIST_PARAMS = new Set(['limit', 'starting_after', 'ending_before', 'created', 'expand']);
const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;

export function parseInteger(raw: unknown, param: string): number {
  const text = String(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(text)) throw errors.invalidInteger(param, text);
  return Number(text);
}

export function parseLimit(raw: unknown): number {
  if (raw === undefined || raw === '') return 10;
  const limit = parseInteger(raw, 'limit');
  if (limit < 1) throw errors.integerTooSmall('limit', 1);
  if (limit > 100) throw errors.integerTooLarge('limit', 100, String(raw));
  return limit;
}

function parseCreated(raw: unknown): CreatedRange | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string') {
    const at = parseInteger(raw, 'created');
    return { gte: at, lte: at };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw errors.invalidInteger('created', String(raw));
  const range: CreatedRange = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(RANGE_KEYS as readonly string[]).includes(key)) throw errors.unknownParam(`created[${key}]`);
    range[key as (typeof RANGE_KEYS)[number]] = parseInteger(value, `created[${key}]`);
  }
  return range;
}

export function parseExpand(raw: unknown): string[] {
  if (raw === undefined || raw === '') return [];
  const list = Array.isArray(raw) ? raw : typeof raw === 'object' && raw !== null ? Object.values(raw) : [raw];
  return list.map((value) => {
    if (typeof value !== 'string') throw errors.invalidValue('expand', 'Invalid array');
    return value;
  });
}

function parseCursor(raw: unknown, param: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw errors.invalidValue(param, `Invalid string: ${JSON.stringify(raw)}`);
  return raw;
}

export function rejectUnknown(query: Query, allowed: Iterable<string>): void {
  const known = new Set(allowed);
  for (const name of Object.keys(query)) if (!known.has(name)) throw errors.unknownParam(name);
}

export function parseListParams(query: Query, filters: Record<string, Filter>, extra: string[] = []): ListParams {
  rejectUnknown(query, [...LIST_PARAMS, ...Object.keys(filters), ...extra]);
  const startingAfter = parseCursor(query.starting_after, 'starting_after');
  const endingBefore = parseCursor(query.ending_before, 'ending_before');
  if (startingAfter && endingBefore) {
    throw errors.invalidValue('starting_after', 'You may only specify one of these parameters: ending_before, starting_after.');
  }
  const parsed = new Map<string, unknown>();
  for (const [name, filter] of Object.entries(filters)) {
    const raw = query[name];
    if (raw === undefined || raw === '') continue;
    parsed.set(name, filter.parse ? filter.parse(raw, name) : raw);
  }
  return {
    limit: parseLimit(query.limit),
    startingAfter,
    endingBefore,
    created: parseCreated(query.created),
    expand: parseExpand(query.expand),
    filters: parsed,
  };
}

export function parseRetrieveParams(query: Query): { expand: string[] } {
  rejectUnknown(query, ['expand']);
  return { expand: parseExpand(query.expand) };
}

export function inRange(created: number, range: CreatedRange | undefined): boolean {
  if (!range) return true;
  return (
    (range.gt === undefined || created > range.gt) &&
    (range.gte === undefined || created >= range.gte) &&
    (range.lt === undefined || created < range.lt) &&
    (range.lte === undefined || created <= range.lte)
  );
}
