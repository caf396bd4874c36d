import { buffer } from 'node:stream/consumers';
import { Worker } from 'node:worker_threads';
import Stripe from 'stripe';
import type { PageReply, PageRequest } from './list-page-worker.js';
import { typeOfListPath, type StripeObjectType } from './registry.js';

type HttpClientResponseInterface = Awaited<ReturnType<Stripe.HttpClient['makeRequest']>>;

/**
 * List pages of the mirrored types, parsed on a worker thread and trimmed there to what is stored.
 * An invoice page is ~380 KB of JSON of which ~30 KB is kept: parsing it on the main thread took
 * 40% of a backfill's main-thread CPU and, with the garbage it left, kept the reads under the rate
 * limit. The worker answers with the kept fields only, which cost little to copy back.
 */
export interface ListPageParser {
  parse(type: StripeObjectType['type'], body: Buffer): Promise<unknown>;
}

// The service runs through tsx, and vitest's transform does not reach worker threads: tsx loads
// the worker's TypeScript in both.
const tsxApi = import.meta.resolve('tsx/esm/api');
const entry = new URL('./list-page-worker.ts', import.meta.url).href;
const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;

/** One worker, started on first use; it holds the process open only while pages are being parsed. */
export function createListPageParser(): ListPageParser {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(page: unknown): void; reject(error: Error): void }>();

  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    worker = undefined;
  };

  const start = (): Worker => {
    const started = new Worker(bootstrap, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 12 } });
    started.on('message', (reply: PageReply) => {
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (pending.size === 0) started.unref();
      if ('error' in reply) waiting?.reject(new SyntaxError(reply.error));
      else waiting?.resolve(reply.page);
    });
    started.on('error', failAll);
    started.on('exit', (code) => failAll(new Error(`the list page worker exited (code ${code})`)));
    return started;
  };

  return {
    parse(type, body) {
      const target = (worker ??= start());
      target.ref();
      // Only a buffer that owns its memory may be handed over: one cut from Node's shared pool would take the pool with it.
      const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : Uint8Array.prototype.slice.call(body);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: PageRequest = { id, type, body: owned };
        target.postMessage(request, [owned.buffer as ArrayBuffer]);
      });
    },
  };
}

/** A 200 answer to a list request: its body goes to the parser instead of stripe-node's JSON.parse. */
class ParsedElsewhere extends Stripe.HttpClientResponse {
  constructor(
    private readonly response: HttpClientResponseInterface,
    private readonly type: StripeObjectType,
    private readonly parser: ListPageParser,
  ) {
    super(response.getStatusCode(), response.getHeaders());
  }

  override getRawResponse(): unknown {
    return this.response.getRawResponse();
  }

  override toStream(streamCompleteCallback: () => void): unknown {
    return this.response.toStream(streamCompleteCallback);
  }

  override async toJSON(): Promise<unknown> {
    let body: Buffer;
    try {
      body = await buffer(this.response.toStream(() => undefined) as NodeJS.ReadableStream);
    } catch (error) {
      // stripe-node reports (and retries) it as the connection failure it is.
      throw Stripe.HttpClient.makeResponseBodyError(error);
    }
    return this.parser.parse(this.type.type, body);
  }
}

/** stripe-node's Node client, with list pages of the mirrored types parsed by `parser`. */
class ListTrimmingHttpClient extends Stripe.HttpClient {
  constructor(
    private readonly parser: ListPageParser,
    private readonly inner: Stripe.HttpClient = Stripe.createNodeHttpClient(),
  ) {
    super();
  }

  override getClientName(): string {
    return this.inner.getClientName();
  }

  override async makeRequest(...args: Parameters<Stripe.HttpClient['makeRequest']>): Promise<HttpClientResponseInterface> {
    const [, , path, method] = args;
    const response = await this.inner.makeRequest(...args);
    const type = method === 'GET' && response.getStatusCode() === 200 ? typeOfListPath(path) : undefined;
    return type ? new ParsedElsewhere(response, type, this.parser) : response;
  }
}

export const listTrimmingHttpClient = (parser: ListPageParser): Stripe.HttpClient => new ListTrimmingHttpClient(parser);
