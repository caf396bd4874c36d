import { describe, expect, it } from 'vitest';
import { createPacer, createRequestLimiter } from './request-limiter.js';

/** A clock whose every sleep wakes `lateMs` after it was due, as timers do. */
function lateClock(lateMs: number) {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms + lateMs;
    },
  };
  return clock;
}

describe('createPacer', () => {
  it('keeps the full rate when every timer fires late, never starting more than the rate in any second', async () => {
    const clock = lateClock(1);
    const pace = createPacer(95, clock);
    const starts: number[] = [];
    for (let i = 0; i < 300; i++) {
      await pace();
      starts.push(clock.time);
    }
    for (let i = 95; i < starts.length; i++) expect(starts[i]! - starts[i - 95]!).toBeGreaterThanOrEqual(1000 - 1);
    // Spaced from each firing instead, 300 starts would take 299 × (10.53 + 1) ms: 3.45 s, i.e. 87/s.
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(299 * (1000 / 95) + 1.5);
  });

  it('spaces calls made at the same moment and starts at once after an idle spell', async () => {
    const clock = lateClock(0);
    const slept: number[] = [];
    const pace = createPacer(10, { now: clock.now, sleep: async (ms) => slept.push(ms) });
    await Promise.all([pace(), pace(), pace()]);
    expect(slept).toEqual([100, 200]);
    clock.time = 5_000;
    await pace();
    expect(slept).toHaveLength(2);
  });
});

describe('createRequestLimiter', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    const limit = createRequestLimiter({ perSecond: 1000, concurrency: 3 });
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limit(async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(3);
  });
});
