import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createPacer, createRequestLimiter } from './request-limiter.js';

/**
 * Virtual time for the pacer: `sleep` sets a timer that fires `lateness(due)` ms after it is
 * due, as real timers do; `run` fires them in time order until none is left.
 */
function virtualClock(lateness: (due: number) => number) {
  const timers: { at: number; wake: () => void }[] = [];
  const clock = {
    time: 0,
    now: () => clock.time,
    // As Node's timers do, a delay under 1 ms waits 1 ms.
    sleep: (ms: number) => new Promise<void>((wake) => timers.push({ at: clock.time + Math.max(1, ms) + lateness(clock.time + Math.max(1, ms)), wake })),
    async run(): Promise<void> {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve)); // every continuation runs and sets its next timer
        if (timers.length === 0) return;
        timers.sort((a, b) => a.at - b.at);
        const timer = timers.shift()!;
        clock.time = Math.max(clock.time, timer.at);
        timer.wake();
      }
    },
  };
  return clock;
}

/** Start times of `callers` callers each going through the pacer `each` times in a row. */
async function startTimes(clock: ReturnType<typeof virtualClock>, perSecond: number, callers: number, each: number): Promise<number[]> {
  const pace = createPacer(perSecond, clock);
  const starts: number[] = [];
  const caller = async () => {
    for (let i = 0; i < each; i++) {
      await pace();
      starts.push(clock.time);
    }
  };
  const all = Promise.all(Array.from({ length: callers }, caller));
  await clock.run();
  await all;
  return starts.sort((a, b) => a - b);
}

const mostInOneSecond = (starts: number[]) => Math.max(...starts.map((t, i) => starts.slice(i).filter((u) => u < t + 1000).length));

describe('createPacer', () => {
  it('keeps the full rate when every timer fires late', async () => {
    const starts = await startTimes(virtualClock(() => 1), 95, 1, 300);
    // Spaced from each firing instead, 300 starts would take 299 × (10.53 + 1) ms: 3.45 s, i.e. 87/s.
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(299 * (1000 / 95) + 10);
    expect(mostInOneSecond(starts)).toBeLessThanOrEqual(95);
  });

  it('holds back starts that late timers bunched up: no second holds more than the rate', async () => {
    // Many callers at once, and a 300 ms stall of the event loop: every timer due in it fires at its end.
    const starts = await startTimes(virtualClock((due) => (due >= 500 && due < 800 ? 800 - due : 0)), 50, 8, 40);
    expect(starts).toHaveLength(320);
    expect(mostInOneSecond(starts)).toBeLessThanOrEqual(50);
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(319 * 20 + 300); // and loses less than the stall
  });

  it('slows down after a 429, counting a burst of refusals once, and climbs back to the full rate', async () => {
    const clock = virtualClock(() => 0);
    const pace = createPacer(100, clock);
    const starts: number[] = [];
    const caller = async () => {
      for (let i = 0; i < 1500; i++) {
        await pace();
        starts.push(clock.time);
        // One stall got five requests refused at once.
        if (clock.time >= 2000 && starts.at(-2)! < 2000) for (let k = 0; k < 5; k++) pace.refused();
      }
    };
    const done = caller();
    await clock.run();
    await done;
    const startsIn = (from: number) => starts.filter((t) => t >= from && t < from + 1000).length;
    expect(startsIn(1000)).toBe(100);
    expect(startsIn(2000)).toBeLessThanOrEqual(95); // 0.95 × 100 once, not 0.95⁵ × 100 (77)
    expect(startsIn(2000)).toBeGreaterThanOrEqual(90); // less the pause while the last second drains to 95
    expect(startsIn(3000)).toBeLessThan(100); // still climbing: 2 requests/s each second
    expect(startsIn(5000)).toBe(100);
  });

  it('spaces calls made at the same moment and starts at once after an idle spell', async () => {
    const slept: number[] = [];
    const clock = { time: 0 };
    const pace = createPacer(10, { now: () => clock.time, sleep: async (ms) => slept.push(ms) });
    await Promise.all([pace(), pace(), pace()]);
    expect(slept).toEqual([100, 200]);
    clock.time = 5_000;
    await pace();
    expect(slept).toHaveLength(2);
  });
});

describe('createRequestLimiter', () => {
  it('passes a 429 on to the caller, whose retry decides what to do with it', async () => {
    const limit = createRequestLimiter({ perSecond: 1000, concurrency: 3 });
    const refusal = new Stripe.errors.StripeRateLimitError({ message: 'Too many requests', type: 'rate_limit_error' } as never);
    await expect(limit(() => Promise.reject(refusal))).rejects.toBe(refusal);
    await expect(limit(async () => 'next')).resolves.toBe('next');
  });

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
