/**
 * Webhook delivery like Stripe's: signed POSTs (`Stripe-Signature: t=…,v1=…`), retried on
 * non-2xx. Events emitted in the same tick form one batch; the switches duplicate each
 * delivery, shuffle the batch or hold it back, to exercise at-least-once, unordered handling.
 */
import { createHmac } from 'node:crypto';
import type { Stats } from './stats.js';
import { checkApiVersion } from './versions.js';

export interface WebhookEndpoint {
  url: string;
  secret: string;
  /** The version events are rendered in for this endpoint; the account's default version when omitted. */
  apiVersion?: string;
}

/** An event as an endpoint on the given API version receives it (undefined: the account's default). */
export type EventRenderer = (apiVersion: string | undefined) => object;

export interface DeliverySwitches {
  duplicate?: boolean;
  reorder?: boolean;
  delayMs?: number;
}

export interface WebhookLogger {
  warn(obj: object, msg: string): void;
}

const MAX_ATTEMPTS = 4;
const RETRY_BASE_MS = 50;

/** Signs with the wall clock: receivers check the timestamp against their own clock. */
export function signatureHeader(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

function shuffled<T>(items: T[]): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  // A shuffle that happens to keep the order would make "reorder" silently do nothing.
  if (copy.length > 1 && copy.every((item, i) => item === items[i])) copy.push(copy.shift()!);
  return copy;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WebhookDispatcher {
  private endpoint: WebhookEndpoint | undefined;
  private switches: Required<DeliverySwitches> = { duplicate: false, reorder: false, delayMs: 0 };
  private pending: { payload: string; id: string }[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(
    endpoint: WebhookEndpoint | undefined,
    private readonly stats: Stats,
    private readonly logger?: WebhookLogger,
  ) {
    this.configure(endpoint);
  }

  get configured(): boolean {
    return this.endpoint !== undefined;
  }

  configure(endpoint: WebhookEndpoint | undefined): void {
    if (endpoint?.apiVersion !== undefined) checkApiVersion(endpoint.apiVersion);
    this.endpoint = endpoint;
  }

  setDelivery(switches: DeliverySwitches): void {
    this.switches = { ...this.switches, ...switches };
  }

  /** Rendered now, in the endpoint's version: an event's data is fixed when it is created. */
  enqueue(event: { id: string }, render?: EventRenderer): void {
    if (!this.endpoint) return;
    const payload = render ? render(this.endpoint.apiVersion) : event;
    this.pending.push({ id: event.id, payload: JSON.stringify(payload, null, 2) });
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      const batch = this.switches.reorder ? shuffled(this.pending) : this.pending;
      this.pending = [];
      this.inFlight += 1;
      this.chain = this.chain.then(() => this.deliverBatch(batch)).finally(() => (this.inFlight -= 1));
    };
    if (this.switches.delayMs > 0) setTimeout(run, this.switches.delayMs);
    else setImmediate(run);
  }

  /** Resolves once nothing is pending or being delivered. */
  async flush(): Promise<void> {
    while (this.scheduled || this.inFlight > 0 || this.pending.length > 0) {
      await this.chain;
      await new Promise((resolve) => setImmediate(resolve));
      if (this.scheduled) await sleep(Math.max(1, this.switches.delayMs));
    }
  }

  private async deliverBatch(batch: { payload: string; id: string }[]): Promise<void> {
    for (const item of batch) {
      await this.deliver(item);
      if (this.switches.duplicate) await this.deliver(item);
    }
  }

  private async deliver(item: { payload: string; id: string }): Promise<void> {
    const endpoint = this.endpoint;
    if (!endpoint) return;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      this.stats.webhook('attempt');
      const status = await this.post(endpoint, item.payload);
      if (status >= 200 && status < 300) {
        this.stats.webhook('delivered');
        return;
      }
      this.logger?.warn({ event: item.id, status, attempt }, 'webhook delivery failed');
      if (attempt < MAX_ATTEMPTS) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
    }
    this.stats.webhook('failed');
  }

  /** The HTTP status, or 0 when the endpoint could not be reached. */
  private async post(endpoint: WebhookEndpoint, payload: string): Promise<number> {
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Stripe-Signature': signatureHeader(payload, endpoint.secret),
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }
}
