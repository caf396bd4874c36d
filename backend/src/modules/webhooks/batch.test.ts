import { describe, expect, it } from 'vitest';
import { resolve } from './batch.js';

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
});
