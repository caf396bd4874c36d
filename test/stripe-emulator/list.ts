/**
 * Cursor pagination with Stripe's semantics: newest first; `starting_after` walks to older
 * objects, `ending_before` to newer ones (the page is still returned newest first, and
 * stripe-node iterates it backwards); `has_more` says whether another page exists in the
 * direction of travel. Work is O(log n) to find the window plus the entries scanned.
 */
import { inRange, type CreatedRange } from './params.js';
import type { StripeObject } from './resources.js';
import type { Entry, SortedList } from './sorted-list.js';

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export interface PageRequest {
  limit: number;
  after?: Entry<unknown>;
  before?: Entry<unknown>;
  created?: CreatedRange;
  matches(obj: StripeObject): boolean;
}

/** Index window [from, to) allowed by the created range. */
function createdWindow(list: SortedList<StripeObject>, range: CreatedRange | undefined): [number, number] {
  let from = 0;
  let to = list.length;
  if (!range) return [from, to];
  if (range.lte !== undefined) from = Math.max(from, list.firstAtOrBefore(range.lte));
  if (range.lt !== undefined) from = Math.max(from, list.firstAtOrBefore(range.lt - 1));
  if (range.gte !== undefined) to = Math.min(to, list.firstAtOrBefore(range.gte - 1));
  if (range.gt !== undefined) to = Math.min(to, list.firstAtOrBefore(range.gt));
  return [from, to];
}

function indexAfter(list: SortedList<StripeObject>, cursor: Entry<unknown>): number {
  const index = list.position(cursor);
  return list.at(index) === cursor ? index + 1 : index;
}

export function paginate(list: SortedList<StripeObject>, request: PageRequest): Page<StripeObject> {
  const [from, to] = createdWindow(list, request.created);
  const data: StripeObject[] = [];
  const accept = (entry: Entry<StripeObject>) => !entry.deleted && inRange(entry.created, request.created) && request.matches(entry.obj);
  if (request.before) {
    for (let i = Math.min(to, list.position(request.before)) - 1; i >= from && data.length <= request.limit; i--) {
      const entry = list.at(i)!;
      if (accept(entry)) data.push(entry.obj);
    }
    const hasMore = data.length > request.limit;
    return { data: data.slice(0, request.limit).reverse(), hasMore };
  }
  const start = request.after ? Math.max(from, indexAfter(list, request.after)) : from;
  for (let i = start; i < to && data.length <= request.limit; i++) {
    const entry = list.at(i)!;
    if (accept(entry)) data.push(entry.obj);
  }
  return { data: data.slice(0, request.limit), hasMore: data.length > request.limit };
}

/** Pagination over a small nested array kept in its stored order (items, lines). */
export function paginateArray<T extends { id: string }>(
  items: readonly T[],
  request: { limit: number; after?: number; before?: number },
): Page<T> {
  if (request.before !== undefined) {
    const start = Math.max(0, request.before - request.limit);
    return { data: items.slice(start, request.before), hasMore: start > 0 };
  }
  const start = request.after === undefined ? 0 : request.after + 1;
  const data = items.slice(start, start + request.limit);
  return { data, hasMore: start + request.limit < items.length };
}
