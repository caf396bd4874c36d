import { describe, expect, it } from 'vitest';
import type { RangeCursor } from '../../db/schema/index.js';
import { createdFilter, cursorAfter, largestRange, planRanges, splitLargest, type RangeProgress } from './list-ranges.js';

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

describe('cursorAfter', () => {
  const o = (id: string, created: number) => ({ id, created });

  it('stands after the page\'s last object, with the ids read in its second', () => {
    expect(cursorAfter(undefined, [o('a', 30), o('b', 20), o('c', 20)])).toEqual({ startingAfter: 'c', cursorCreated: 20, cursorSecond: ['b', 'c'] });
  });

  it('adds to the ids of the previous cursor\'s second when the page stays inside it, and starts over past it', () => {
    const previous = { startingAfter: 'c', cursorCreated: 20, cursorSecond: ['b', 'c'] };
    expect(cursorAfter(previous, [o('d', 20), o('e', 20)])).toEqual({ startingAfter: 'e', cursorCreated: 20, cursorSecond: ['b', 'c', 'd', 'e'] });
    expect(cursorAfter(previous, [o('d', 20), o('e', 19)])).toEqual({ startingAfter: 'e', cursorCreated: 19, cursorSecond: ['e'] });
    // A page read again after a gone cursor holds ids already listed: each is kept once.
    expect(cursorAfter(previous, [o('b', 20), o('f', 20)])?.cursorSecond).toEqual(['b', 'c', 'f']);
  });

  it('leaves the range where it was after an empty page', () => {
    expect(cursorAfter({ startingAfter: 'c', cursorCreated: 20, cursorSecond: ['c'] }, [])).toBeUndefined();
  });
});

describe('planRanges', () => {
  it('starts the ranges that go on after the first page with that page\'s last second', () => {
    const first = [{ id: 'x', created: 100_000 }, ...Array.from({ length: 98 }, (_, i) => ({ id: `m${i}`, created: 99_999 - i })), { id: 'y', created: 99_900 }, { id: 'z', created: 99_900 }];
    const [single] = planRanges(first, 99_000, 16);
    expect(single).toEqual({ gte: undefined, startingAfter: 'z', cursorCreated: 99_900, cursorSecond: ['y', 'z'], done: false });
    const [head, ...rest] = planRanges(first, 0, 16);
    expect(head).toEqual({ gte: 99_900, startingAfter: 'z', cursorCreated: 99_900, cursorSecond: ['y', 'z'], done: false });
    expect(rest).toHaveLength(16);
    expect(rest.every((range) => range.startingAfter === undefined)).toBe(true);
  });
});

describe('createdFilter', () => {
  it('keeps the range\'s floor and replaces its top with the second a gone cursor was in', () => {
    expect(createdFilter({ gte: 100, lt: 500, done: false })).toEqual({ created: { gte: 100, lt: 500 } });
    expect(createdFilter({ gte: 100, lt: 500, done: false }, 300)).toEqual({ created: { gte: 100, lte: 300 } });
    expect(createdFilter({ done: false }, 300)).toEqual({ created: { lte: 300 } });
    expect(createdFilter({ done: false })).toEqual({});
  });
});
