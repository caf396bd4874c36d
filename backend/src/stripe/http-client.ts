import { constants } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import Stripe from 'stripe';
import { type ElementKeys, parseJsonBytes } from './json-bytes.js';
import type { AccountLimiter } from './request-limiter.js';

/** For a request (method and path with its query), the keys to keep of each listed object, if not all. */
export type ListedKeys = (method: string, path: string) => ElementKeys | undefined;

/**
 * stripe-node's own Node client (`node`), with response bodies kept as bytes and parsed by
 * `parseJsonBytes` (see json-bytes.ts) instead of being decoded chunk by chunk into one string,
 * list pages' objects cut down to `listedKeys`. Every request, stripe-node's retries included,
 * waits for its turn at the account's `limiter`; a 429 tells the limiter which pace to lower
 * (Stripe names its limiter in `Stripe-Rate-Limited-Reason`).
 */
export function createHttpClient(node: Stripe.HttpClient, listedKeys: ListedKeys, limiter: AccountLimiter, endpointOf: (method: string, path: string) => string): Stripe.HttpClient {
  return {
    getClientName: () => node.getClientName(),
    makeRequest: async (host, port, path, method, ...rest) => {
      const endpoint = endpointOf(method, path);
      const response = await limiter(endpoint, () => node.makeRequest(host, port, path, method, ...rest));
      if (response.getStatusCode() === 429) limiter.refused(endpoint, reasonOf(response.getHeaders()));
      return bytesResponse(response, listedKeys(method, path));
    },
  };
}

function reasonOf(headers: Record<string, unknown>): string | undefined {
  const value = headers['stripe-rate-limited-reason'];
  return typeof value === 'string' ? value : undefined;
}

function bytesResponse(response: Stripe.HttpClientResponse, keep: ElementKeys | undefined): Stripe.HttpClientResponse {
  const raw = response.getRawResponse() as IncomingMessage;
  return {
    getStatusCode: () => response.getStatusCode(),
    getHeaders: () => response.getHeaders(),
    getRawResponse: () => raw,
    toStream: (done) => response.toStream(done),
    dispose: response.dispose && (() => response.dispose!()),
    toJSON: () => readJson(raw, keep),
  };
}

/**
 * The body's JSON. A body that breaks off fails as stripe-node's does, with its body error (a
 * connection error to callers); one that stalls until the request's timeout destroys the socket
 * too, without stripe-node's "timeout" wording (its client keeps that flag to itself).
 */
function readJson(raw: IncomingMessage, keep: ElementKeys | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.once('error', (error) => reject(Stripe.HttpClient.makeResponseBodyError(error)));
    raw.once('close', () => {
      if (!raw.complete) reject(Stripe.HttpClient.makeResponseBodyError(null));
    });
    raw.once('end', () => {
      let body: Buffer | undefined;
      try {
        body = Buffer.concat(chunks);
        resolve(parseJsonBytes(body, keep));
      } catch (error) {
        // stripe-node attaches the body it could not parse to the error, for its 'response' event,
        // if it fits in a string: throwing here, in an event handler, would leave the call hanging.
        if (error instanceof Error && body && body.length <= constants.MAX_STRING_LENGTH) Object.assign(error, { rawBody: body.toString('utf8') });
        reject(error);
      }
    });
  });
}
