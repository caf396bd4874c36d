/** Request counters per endpoint (`GET /v1/customers`), plus the faults served. */
export interface StatsSnapshot {
  requests: Record<string, number>;
  total: number;
  rateLimited: number;
  /** 429s per endpoint. */
  rateLimitedBy: Record<string, number>;
  serverErrors: number;
  connectionResets: number;
  webhooks: { delivered: number; failed: number; attempts: number };
}

export class Stats {
  private snapshot: StatsSnapshot = Stats.empty();

  private static empty(): StatsSnapshot {
    return { requests: {}, total: 0, rateLimited: 0, rateLimitedBy: {}, serverErrors: 0, connectionResets: 0, webhooks: { delivered: 0, failed: 0, attempts: 0 } };
  }

  request(endpoint: string): void {
    this.snapshot.requests[endpoint] = (this.snapshot.requests[endpoint] ?? 0) + 1;
    this.snapshot.total += 1;
  }

  status(code: number, endpoint?: string): void {
    if (code === 429) {
      this.snapshot.rateLimited += 1;
      if (endpoint) this.snapshot.rateLimitedBy[endpoint] = (this.snapshot.rateLimitedBy[endpoint] ?? 0) + 1;
    }
    if (code >= 500) this.snapshot.serverErrors += 1;
  }

  reset(): void {
    this.snapshot = Stats.empty();
  }

  connectionReset(): void {
    this.snapshot.connectionResets += 1;
  }

  webhook(outcome: 'attempt' | 'delivered' | 'failed'): void {
    const counters = this.snapshot.webhooks;
    if (outcome === 'attempt') counters.attempts += 1;
    else counters[outcome] += 1;
  }

  read(): StatsSnapshot {
    return structuredClone(this.snapshot);
  }
}
