import type { RangeCursor } from '../../db/schema/index.js';

/** Stripe itself launched in 2011: no object is older, so it bounds a range when the account's age is unknown. */
export const STRIPE_EPOCH = 1_293_840_000;

/**
 * Splitting costs about one partial page per range. The first page over-estimates the rest
 * (recent history is usually the densest), so a range is only planned per ~50 estimated pages.
 */
const PAGES_PER_RANGE = 50;
const MAX_RANGES = 16;

/**
 * After the first page (newest first), the remaining objects lie in [lower, oldestOnPage]. The
 * page's time span estimates how many pages remain; long lists are cut into equal time ranges
 * read in parallel. A head range picks up objects created in the same second as the page's last.
 */
export function planRanges(firstPage: { created: number; id: string }[], lower: number, floor?: number): RangeCursor[] {
  const newest = firstPage[0]!.created;
  const last = firstPage.at(-1)!;
  const head: RangeCursor = { gte: last.created, startingAfter: last.id, done: false };
  const span = Math.max(1, newest - last.created);
  const remainingPages = Math.max(0, last.created - lower) / span;
  const count = Math.min(MAX_RANGES, Math.max(1, Math.floor(remainingPages / PAGES_PER_RANGE)));
  if (count === 1) return [{ gte: floor, startingAfter: last.id, done: false }];
  const width = Math.ceil((last.created - lower) / count);
  const ranges: RangeCursor[] = [head];
  for (let i = 0; i < count; i++) {
    const gte = lower + i * width;
    // The oldest range is open-ended (or starts at the resync's floor): nothing older is missed.
    ranges.push({ gte: i === 0 ? floor : gte, lt: Math.min(last.created, gte + width), done: false });
  }
  return ranges;
}

export const createdFilter = (range: RangeCursor) =>
  range.gte === undefined && range.lt === undefined ? {} : { created: { ...(range.gte !== undefined ? { gte: range.gte } : {}), ...(range.lt !== undefined ? { lt: range.lt } : {}) } };
