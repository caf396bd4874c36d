import type { RangeCursor } from '../../db/schema/index.js';

/** Stripe itself launched in 2011: no object is older, so it bounds a range when the account's age is unknown. */
export const STRIPE_EPOCH = 1_293_840_000;

/**
 * Splitting costs about one partial page per range. The first page over-estimates the rest
 * (recent history is usually the densest), so a range is only planned per ~40 estimated pages.
 */
const PAGES_PER_RANGE = 40;

/**
 * After the first page (newest first), the remaining objects lie in [lower, oldestOnPage]. The
 * page's time span estimates how many pages remain; long lists are cut into equal time ranges
 * read in parallel, at most `maxRanges` of them (the requests the limiter lets run at once: more
 * ranges would only queue). A head range picks up objects created in the same second as the
 * page's last.
 */
export function planRanges(firstPage: { created: number; id: string }[], lower: number, maxRanges: number, floor?: number): RangeCursor[] {
  const newest = firstPage[0]!.created;
  const last = firstPage.at(-1)!;
  const after = { ...cursorAfter(undefined, firstPage)!, done: false };
  const head: RangeCursor = { gte: last.created, ...after };
  const span = Math.max(1, newest - last.created);
  const remainingPages = Math.max(0, last.created - lower) / span;
  const count = Math.min(maxRanges, Math.max(1, Math.floor(remainingPages / PAGES_PER_RANGE)));
  if (count === 1) return [{ gte: floor, ...after }];
  const width = Math.ceil((last.created - lower) / count);
  const ranges: RangeCursor[] = [head];
  for (let i = 0; i < count; i++) {
    const gte = lower + i * width;
    // The oldest range is open-ended (or starts at the resync's floor): nothing older is missed.
    ranges.push({ gte: i === 0 ? floor : gte, lt: Math.min(last.created, gte + width), done: false });
  }
  return ranges;
}

/**
 * The range's `created` bounds; `upTo` (a second inside the range) replaces its top when the
 * range goes on from a cursor Stripe no longer knows.
 */
export const createdFilter = (range: RangeCursor, upTo?: number) => {
  const top = upTo !== undefined ? { lte: upTo } : range.lt !== undefined ? { lt: range.lt } : {};
  const bounds = { ...(range.gte !== undefined ? { gte: range.gte } : {}), ...top };
  return Object.keys(bounds).length === 0 ? {} : { created: bounds };
};

type RangeCursorPosition = Pick<RangeCursor, 'startingAfter' | 'cursorCreated' | 'cursorSecond'>;

/**
 * Where a range stands after a page (newest first): after its last object, with the ids of the
 * objects read in that object's second. A page wholly inside the previous cursor's second adds
 * to the ids already read in it. `undefined` for an empty page: the range stays where it was.
 */
export function cursorAfter(previous: RangeCursorPosition | undefined, page: readonly { created: number; id: string }[]): RangeCursorPosition | undefined {
  const last = page.at(-1);
  if (!last) return undefined;
  const inSecond = page.filter((o) => o.created === last.created).map((o) => o.id);
  const earlier = previous?.cursorCreated === last.created ? (previous.cursorSecond ?? []) : [];
  return { startingAfter: last.id, cursorCreated: last.created, cursorSecond: [...new Set([...earlier, ...inSecond])] };
}

/** What a reader has seen of its range in this process: how far `created` fell per page. */
export interface RangeProgress {
  pages: number;
  newest: number;
  oldest: number;
}

/** Splitting costs one partial page: only a range with at least this many pages left is split. */
const MIN_SPLIT_PAGES = 8;

/** The range with the most pages left, estimated from how far `created` fell per page so far. */
export function largestRange(progress: ReadonlyMap<RangeCursor, RangeProgress>, lower: number): { range: RangeCursor; pages: number } | undefined {
  let largest: { range: RangeCursor; pages: number } | undefined;
  for (const [range, seen] of progress) {
    const left = seen.oldest - (range.gte ?? lower);
    if (range.done || seen.pages === 0 || left < 2) continue;
    const perPage = (seen.newest - seen.oldest) / seen.pages;
    const pages = perPage > 0 ? left / perPage : Infinity;
    if (pages >= (largest?.pages ?? MIN_SPLIT_PAGES)) largest = { range, pages };
  }
  return largest;
}

/**
 * Rebalancing: a list is rarely spread evenly in time (recent history is denser), so equal time
 * ranges end at very different moments. A reader that runs out of work takes the older half of
 * the range with the most pages left: that range keeps [mid, where it is], the new one gets
 * [its floor, mid). Both changes happen in one synchronous step, so a checkpoint holds either
 * both or neither.
 */
export function splitLargest(progress: ReadonlyMap<RangeCursor, RangeProgress>, lower: number): RangeCursor | undefined {
  const largest = largestRange(progress, lower)?.range;
  if (!largest) return undefined;
  const floor = largest.gte ?? lower;
  const mid = floor + Math.ceil((progress.get(largest)!.oldest - floor) / 2);
  const piece: RangeCursor = { gte: largest.gte, lt: mid, done: false };
  largest.gte = mid;
  return piece;
}

/**
 * The oldest part of a list, [floor, top), cut into `count` pending slices, oldest first; the
 * oldest is open below when there is no floor, so nothing older is missed.
 */
export function pendingSlices(lower: number, top: number, count: number, floor?: number): RangeCursor[] {
  const width = Math.max(1, Math.ceil((top - lower) / count));
  const slices: RangeCursor[] = [];
  for (let gte = lower; gte < top; gte += width) {
    slices.push({ ...(slices.length === 0 ? (floor === undefined ? {} : { gte: floor }) : { gte }), lt: Math.min(top, gte + width), done: false, via: 'pending' });
  }
  return slices;
}

/** The Search API's query for a range's `created` bounds. */
export function searchQuery(range: RangeCursor): string {
  const clauses = [...(range.gte !== undefined ? [`created>=${range.gte}`] : []), ...(range.lt !== undefined ? [`created<${range.lt}`] : [])];
  return clauses.length > 0 ? clauses.join(' AND ') : 'created>0';
}
