/**
 * Per-account request rate over a sliding one-second window, like Stripe's limiter: requests
 * beyond `perSecond` in the last 1000 ms are refused (and not counted).
 */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(private perSecond: number | undefined) {}

  setLimit(perSecond: number | undefined): void {
    this.perSecond = perSecond;
    this.windows.clear();
  }

  allow(accountId: string, nowMs = Date.now()): boolean {
    if (this.perSecond === undefined) return true;
    const times = this.windows.get(accountId) ?? [];
    this.windows.set(accountId, times);
    while (times.length > 0 && times[0]! <= nowMs - 1000) times.shift();
    if (times.length >= this.perSecond) return false;
    times.push(nowMs);
    return true;
  }
}
