/**
 * `expand[]`: ids at a dotted path are replaced by the stored objects. Intermediate ids are
 * expanded on the way (`discounts.source.coupon` expands the discounts too, as Stripe does).
 * Stored objects are never mutated: only the objects along a path are copied.
 */
import { errors } from './errors.js';
import { NESTED_FIELDS, type StripeObject } from './resources.js';

export type Resolve = (id: string) => StripeObject | undefined;

const NESTED_LIMIT = 10;

/** Nested lists as Stripe serves them: the first 10 entries and `has_more`. */
export function present(obj: StripeObject): StripeObject {
  const fields = NESTED_FIELDS[obj.object];
  if (!fields) return obj;
  let copy: StripeObject | undefined;
  for (const name of fields) {
    const list = obj[name] as { data?: unknown[] } | undefined;
    if (!list?.data || list.data.length <= NESTED_LIMIT) continue;
    copy ??= { ...obj };
    copy[name] = { ...list, data: list.data.slice(0, NESTED_LIMIT), has_more: true };
  }
  return copy ?? obj;
}

function expandAt(value: unknown, segments: readonly string[], resolve: Resolve): unknown {
  if (Array.isArray(value)) return value.map((item) => expandAt(item, segments, resolve));
  let current = value;
  if (typeof current === 'string') current = resolve(current) ?? current;
  const [head, ...rest] = segments;
  if (head === undefined || !current || typeof current !== 'object') return current;
  const record = current as Record<string, unknown>;
  if (!(head in record)) return current;
  return { ...record, [head]: expandAt(record[head], rest, resolve) };
}

/** Checks every path against the type's expandable fields (Stripe answers 400 otherwise). */
export function checkExpandable(paths: readonly string[], expandable: readonly string[], prefix = ''): void {
  for (const path of paths) {
    const relative = prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path;
    if (!expandable.includes(relative)) throw errors.cannotExpand(path);
  }
}

export function expandObject(obj: StripeObject, paths: readonly string[], resolve: Resolve): StripeObject {
  let result = present(obj);
  for (const path of paths) result = expandAt(result, path.split('.'), resolve) as StripeObject;
  return result;
}

/** For list responses: `data.customer` expands `customer` on every item. */
export function expandPage(items: readonly StripeObject[], paths: readonly string[], resolve: Resolve): StripeObject[] {
  const relative = paths.filter((path) => path.startsWith('data.')).map((path) => path.slice('data.'.length));
  return items.map((item) => expandObject(item, relative, resolve));
}
