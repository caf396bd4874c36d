import { describe, expect, it } from 'vitest';
import { createAccountLimiter, createPacer, type AccountLimiter } from './request-limiter.js';

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

/** Start times per endpoint of `callers` callers per endpoint, each going through the limiter `each` times in a row. */
async function accountStarts(clock: ReturnType<typeof virtualClock>, limiter: AccountLimiter, load: Record<string, { callers: number; each: number }>) {
  const starts: Record<string, number[]> = {};
  const callers = Object.entries(load).flatMap(([endpoint, { callers: n, each }]) =>
    Array.from({ length: n }, async () => {
      for (let i = 0; i < each; i++) await limiter(endpoint, async () => void (starts[endpoint] ??= []).push(clock.time));
    }),
  );
  const all = Promise.all(callers);
  await clock.run();
  await all;
  return starts;
}

describe('createAccountLimiter', () => {
  const limits = (perSecond: number, endpointPerSecond: number, concurrency = 100) => ({ perSecond, endpointPerSecond: () => endpointPerSecond, concurrency });

  it('holds each endpoint to its rate and the account to its global rate, under late timers and a stall', async () => {
    const clock = virtualClock((due) => (due >= 1500 && due < 1800 ? 1800 - due : 1));
    const starts = await accountStarts(clock, createAccountLimiter(limits(60, 25), clock), {
      'GET /v1/invoices': { callers: 8, each: 20 },
      'GET /v1/customers': { callers: 8, each: 20 },
      'GET /v1/subscriptions': { callers: 8, each: 20 },
    });
    const all = Object.values(starts).flat().sort((a, b) => a - b);
    expect(all).toHaveLength(480);
    for (const times of Object.values(starts)) expect(mostInOneSecond(times.sort((a, b) => a - b))).toBeLessThanOrEqual(25);
    expect(mostInOneSecond(all)).toBeLessThanOrEqual(60);
    // The global rate binds (3 × 25 > 60): 480 starts at 60/s, less the stall.
    expect(all.at(-1)! - all[0]!).toBeLessThan((479 / 60) * 1000 + 400);
  });

  it('runs endpoints side by side at their own rates: a busy one does not slow another', async () => {
    const clock = virtualClock(() => 0);
    const starts = await accountStarts(clock, createAccountLimiter(limits(100, 25), clock), {
      'GET /v1/invoices': { callers: 12, each: 25 },
      'GET /v1/customers': { callers: 1, each: 100 },
    });
    // 300 invoice starts at 25/s take 12 s; the customers' 100 take 4 s, not a share of the invoices' time.
    expect(starts['GET /v1/customers']!.at(-1)!).toBeLessThan(4000);
    expect(starts['GET /v1/invoices']!.at(-1)!).toBeGreaterThanOrEqual(11_900);
    expect(starts['GET /v1/invoices']!.at(-1)!).toBeLessThan(12_000);
  });

  it('lowers the pace Stripe names in its refusal: the account for global-rate, the endpoint otherwise', async () => {
    const run = async (reason: string | undefined) => {
      const clock = virtualClock(() => 0);
      const limiter = createAccountLimiter(limits(200, 100), clock);
      let refusedOnce = false;
      const starts = await accountStarts(clock, Object.assign(async <T>(endpoint: string, request: () => Promise<T>) => {
        const result = await limiter(endpoint, request);
        if (!refusedOnce && clock.time >= 2000 && endpoint === 'GET /v1/invoices') {
          refusedOnce = true;
          limiter.refused(endpoint, reason);
        }
        return result;
      }, limiter), { 'GET /v1/invoices': { callers: 4, each: 150 }, 'GET /v1/customers': { callers: 4, each: 150 } });
      const inSecond = (endpoint: string, from: number) => starts[endpoint]!.filter((t) => t >= from && t < from + 1000).length;
      return { invoices: [inSecond('GET /v1/invoices', 1000), inSecond('GET /v1/invoices', 2100)], customers: [inSecond('GET /v1/customers', 1000), inSecond('GET /v1/customers', 2100)] };
    };
    // Endpoints at 100/s each fill the global 200/s: a lower global pace shows on both, a lower endpoint pace on that one only.
    const endpoint = await run('endpoint-rate');
    expect(endpoint.invoices[0]).toBe(100);
    expect(endpoint.invoices[1]).toBeLessThan(100);
    expect(endpoint.customers[1]).toBe(100);
    const global = await run('global-rate');
    expect(global.invoices[1]! + global.customers[1]!).toBeLessThan(200);
    expect(global.customers[1]).toBeLessThan(100);
    expect(await run(undefined)).toEqual(endpoint);
  });

  it('keeps at most `concurrency` requests in flight, and a failed request frees its place', async () => {
    const limiter = createAccountLimiter({ perSecond: 1000, endpointPerSecond: () => 1000, concurrency: 3 });
    let inFlight = 0;
    let most = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        limiter(i % 2 ? 'GET /v1/invoices' : 'GET /v1/customers', async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          if (i % 3 === 0) throw new Error('refused');
        }),
      ),
    );
    expect(most).toBe(3);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(4);
    expect(limiter.idleFor(0)).toBe(true);
  });
});
