/**
 * stripe-node sends an Idempotency-Key with every POST and reuses it on retries; replaying the
 * first answer keeps a retried OAuth code exchange from failing as "code already used".
 */
import { errors } from './errors.js';

interface Stored {
  fingerprint: string;
  status: number;
  body: unknown;
}

const MAX_KEYS = 10_000;

export class IdempotencyCache {
  private readonly entries = new Map<string, Stored>();

  /** The stored answer for this key, or undefined; throws when the same key carried other parameters. */
  replay(scope: string, key: string, fingerprint: string): Stored | undefined {
    const stored = this.entries.get(`${scope}\n${key}`);
    if (stored && stored.fingerprint !== fingerprint) throw errors.idempotencyMismatch(key);
    return stored;
  }

  save(scope: string, key: string, stored: Stored): void {
    // Stripe does not store answers to requests that failed before running (5xx are retried fresh).
    if (stored.status >= 500) return;
    if (this.entries.size >= MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(`${scope}\n${key}`, stored);
  }
}
