import { describe, expect, it } from 'vitest';
import type { RangeCursor } from '../../db/schema/index.js';
import { largestRange, splitLargest, type RangeProgress } from './list-ranges.js';

const reading = (entries: Array<[RangeCursor, RangeProgress]>) => new Map(entries);

describe('splitLargest', () => {
  it('halves the range with the most pages left, handing out its older half without overlap', () => {
    // Both have 1,000 s left; the dense one falls 10 s a page (100 pages left), the sparse one 100 s (10 left).
    const dense: RangeCursor = { gte: 1000, lt: 3000, startingAfter: 'in_a', done: false };
    const sparse: RangeCursor = { gte: 5000, lt: 9000, startingAfter: 'in_b', done: false };
    const piece = splitLargest(reading([[sparse, { pages: 10, newest: 7000, oldest: 6000 }], [dense, { pages: 10, newest: 2100, oldest: 2000 }]]), 0);
    expect(piece).toEqual({ gte: 1000, lt: 1500, done: false });
    expect(dense).toEqual({ gte: 1500, lt: 3000, startingAfter: 'in_a', done: false });
    expect(sparse.gte).toBe(5000);
  });

  it('splits an open-ended oldest range from the lower bound, keeping the piece open-ended', () => {
    const oldest: RangeCursor = { lt: 2000, startingAfter: 'in_c', done: false };
    const piece = splitLargest(reading([[oldest, { pages: 4, newest: 1900, oldest: 1800 }]]), 1000);
    expect(piece).toEqual({ gte: undefined, lt: 1400, done: false });
    expect(oldest.gte).toBe(1400);
  });

  it('leaves ranges alone when none has enough left, none has read a page, or one is done', () => {
    const short: RangeCursor = { gte: 1000, lt: 2000, done: false };
    expect(splitLargest(reading([[short, { pages: 10, newest: 1200, oldest: 1030 }]]), 0)).toBeUndefined(); // ~2 pages left
    const unread: RangeCursor = { gte: 0, lt: 1_000_000, done: false };
    expect(splitLargest(reading([[unread, { pages: 0, newest: 0, oldest: 0 }]]), 0)).toBeUndefined();
    const done: RangeCursor = { gte: 0, lt: 1_000_000, done: true };
    expect(splitLargest(reading([[done, { pages: 1, newest: 999_999, oldest: 999_998 }]]), 0)).toBeUndefined();
    expect(short.gte).toBe(1000);
  });

  it('splits a range whose pages all fell in one second when time is left below it', () => {
    const burst: RangeCursor = { gte: 0, lt: 500, done: false };
    expect(splitLargest(reading([[burst, { pages: 3, newest: 400, oldest: 400 }]]), 0)).toEqual({ gte: 0, lt: 200, done: false });
  });
});

describe('largestRange', () => {
  it('estimates the pages left of the busiest range, which other lists use to pick whom to help', () => {
    const dense: RangeCursor = { gte: 1000, lt: 3000, done: false };
    const sparse: RangeCursor = { gte: 5000, lt: 9000, done: false };
    const found = largestRange(reading([[sparse, { pages: 10, newest: 7000, oldest: 6000 }], [dense, { pages: 10, newest: 2100, oldest: 2000 }]]), 0);
    expect(found).toEqual({ range: dense, pages: 100 });
    expect(dense.gte).toBe(1000); // looking splits nothing
  });

  it('finds none when every range is nearly read', () => {
    const short: RangeCursor = { gte: 1000, lt: 2000, done: false };
    expect(largestRange(reading([[short, { pages: 10, newest: 1200, oldest: 1030 }]]), 0)).toBeUndefined();
  });
});
