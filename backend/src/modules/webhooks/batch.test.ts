import { describe, expect, it } from 'vitest';
import { createObservations, resolve } from './batch.js';

const copy = (seconds: number, name: string, extra: Record<string, unknown> = {}, complete = true) => ({
  version: seconds * 1000,
  data: { id: 'cus_1', name, ...extra },
  complete,
});

describe('resolve: which copy of an object wins', () => {
  it('takes the newest event, in whatever order the copies came', () => {
    expect(resolve(undefined, [copy(12, 'c'), copy(10, 'a'), copy(11, 'b')])).toEqual({ action: 'write', copy: copy(12, 'c') });
  });

  it('never lets an older event overwrite the stored copy', () => {
    expect(resolve(copy(20, 'stored'), [copy(19, 'old'), copy(5, 'older')])).toEqual({ action: 'skip' });
  });

  it('skips a duplicate, or another event carrying the same state', () => {
    expect(resolve(copy(20, 'same'), [copy(20, 'same'), copy(20, 'same')])).toEqual({ action: 'skip' });
  });

  it('re-fetches when two different states share one second (event times are whole seconds)', () => {
    expect(resolve(copy(20, 'a'), [copy(20, 'b')])).toMatchObject({ action: 'fetch' });
    expect(resolve(undefined, [copy(20, 'a'), copy(20, 'b')])).toMatchObject({ action: 'fetch' });
    // A copy the backfill read at 20.400 s and an event of second 20: which came first is unknown.
    expect(resolve({ ...copy(0, 'read'), version: 20_400 }, [copy(20, 'event')])).toMatchObject({ action: 'fetch' });
  });

  it('a later second settles an earlier doubt', () => {
    expect(resolve(undefined, [copy(20, 'a'), copy(20, 'b'), copy(21, 'c')])).toEqual({ action: 'write', copy: copy(21, 'c') });
  });

  it('re-fetches an incomplete copy only when it would win', () => {
    expect(resolve(undefined, [copy(20, 'partial', {}, false)])).toMatchObject({ action: 'fetch' });
    expect(resolve(copy(30, 'stored'), [copy(20, 'partial', {}, false)])).toEqual({ action: 'skip' });
  });

  it('a deletion is final: it wins over any copy around it, and nothing revives the object', () => {
    const deleted = copy(20, 'last', { deleted: true });
    expect(resolve(copy(25, 'refetched'), [copy(21, 'x'), deleted])).toEqual({ action: 'write', copy: { ...deleted, version: 25_000 } });
    expect(resolve(deleted, [copy(30, 'late update')])).toEqual({ action: 'skip' });
    expect(resolve(deleted, [deleted])).toEqual({ action: 'skip' });
  });

  /** What the foreign sink keeps of a payload in another API version. */
  const foreign = (seconds: number, extra: Record<string, unknown> = {}) => ({ version: seconds * 1000, data: { id: 'cus_1', ...extra }, complete: false, foreign: true });

  it('a copy in another API version orders like any other but is never written: re-fetched when it would win', () => {
    expect(resolve(undefined, [foreign(20)])).toMatchObject({ action: 'fetch' });
    expect(resolve(copy(10, 'stored'), [foreign(20)])).toMatchObject({ action: 'fetch' });
    // Older than the stored copy: an old version never overwrites a newer one, re-fetched or not.
    expect(resolve(copy(30, 'stored'), [foreign(20)])).toEqual({ action: 'skip' });
    // A later event in the pinned version settles it.
    expect(resolve(copy(10, 'stored'), [foreign(20), copy(21, 'pinned')])).toEqual({ action: 'write', copy: copy(21, 'pinned') });
    expect(resolve(copy(10, 'stored'), [copy(20, 'pinned'), foreign(21)])).toMatchObject({ action: 'fetch' });
  });

  it('a deletion in another API version marks the stored copy deleted, keeping its fields; unknown, a tombstone', () => {
    expect(resolve(copy(10, 'stored', { email: 'a@example.com' }), [foreign(20, { deleted: true })])).toEqual({
      action: 'write',
      copy: { version: 20_000, data: { id: 'cus_1', name: 'stored', email: 'a@example.com', deleted: true }, complete: true },
    });
    // Unknown: a tombstone, which no older copy (of any version) revives.
    expect(resolve(undefined, [foreign(20, { deleted: true })])).toEqual({ action: 'write', copy: foreign(20, { deleted: true }) });
    expect(resolve(foreign(20, { deleted: true }), [copy(10, 'older, pinned')])).toEqual({ action: 'skip' });
    // A pinned copy in the same batch gives the fields, as when it is applied first.
    expect(resolve(copy(5, 'stored'), [foreign(20, { deleted: true }), copy(10, 'pinned')])).toMatchObject({ action: 'write', copy: { data: { id: 'cus_1', name: 'pinned', deleted: true } } });
    expect(resolve(copy(10, 'gone', { deleted: true }), [foreign(20, { deleted: true })])).toEqual({ action: 'skip' });
  });
});

describe('observations: the sink for events in another API version', () => {
  it('keeps the id, the type and the deletion of the payload, nothing else, and decides from the stored copy', () => {
    const observations = createObservations();
    observations.foreignSink.observe('customer', { id: 'cus_1', object: 'customer', name: 'old shape', discount: { coupon: { id: 'C' } } }, 20, true);
    const [decision] = observations.decide(new Map([['cus_1', { version: 10_000, data: { id: 'cus_1', object: 'customer', name: 'stored' } }]]));
    expect(decision).toMatchObject({ id: 'cus_1', action: 'fetch', data: { id: 'cus_1', object: 'customer', name: 'stored' }, foreign: { stored: true } });
    const unknown = createObservations();
    unknown.foreignSink.observe('customer', { id: 'cus_2', object: 'customer', name: 'old shape' }, 20, true);
    expect(unknown.decide(new Map())[0]).toMatchObject({ action: 'fetch', data: { id: 'cus_2', object: 'customer' }, foreign: { stored: false } });
    expect(unknown.decide(new Map())[0]!.data).not.toHaveProperty('name');
  });
});
