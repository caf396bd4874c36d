import { constants } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import Stripe from 'stripe';
import { parseJsonBytes } from './json-bytes.js';

/**
 * stripe-node's own Node client, with response bodies kept as bytes and parsed by
 * `parseJsonBytes` (see json-bytes.ts) instead of being decoded chunk by chunk into one string.
 */
export function createHttpClient(): Stripe.HttpClient {
  const node = Stripe.createNodeHttpClient();
  return {
    getClientName: () => node.getClientName(),
    makeRequest: async (...request) => bytesResponse(await node.makeRequest(...request)),
  };
}

function bytesResponse(response: Stripe.HttpClientResponse): Stripe.HttpClientResponse {
  const raw = response.getRawResponse() as IncomingMessage;
  return {
    getStatusCode: () => response.getStatusCode(),
    getHeaders: () => response.getHeaders(),
    getRawResponse: () => raw,
    toStream: (done) => response.toStream(done),
    dispose: response.dispose && (() => response.dispose!()),
    toJSON: () => readJson(raw),
  };
}

/**
 * The body's JSON. A body that breaks off fails as stripe-node's does, with its body error (a
 * connection error to callers); one that stalls until the request's timeout destroys the socket
 * too, without stripe-node's "timeout" wording (its client keeps that flag to itself).
 */
function readJson(raw: IncomingMessage): Promise<unknown> {
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
        resolve(parseJsonBytes(body));
      } catch (error) {
        // stripe-node attaches the body it could not parse to the error, for its 'response' event,
        // if it fits in a string: throwing here, in an event handler, would leave the call hanging.
        if (error instanceof Error && body && body.length <= constants.MAX_STRING_LENGTH) Object.assign(error, { rawBody: body.toString('utf8') });
        reject(error);
      }
    });
  });
}
