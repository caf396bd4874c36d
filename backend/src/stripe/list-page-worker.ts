/**
 * Worker thread of list-page-parser.ts: parses a list page of a mirrored type and keeps of each
 * object only what the service stores. This module is the worker's entry point: loading it starts
 * listening for pages.
 */
import { parentPort } from 'node:worker_threads';
import { objectType, type StripeObjectType } from './registry.js';

export interface PageRequest {
  id: number;
  type: StripeObjectType['type'];
  body: Uint8Array;
}

export type PageReply = { id: number; page: unknown } | { id: number; error: string };

const decoder = new TextDecoder();

/** A list keeps its envelope (`has_more`, `url`); anything else (it never is, on a 200) passes as parsed. */
function trimmed(type: StripeObjectType, page: unknown): unknown {
  const list = page as { object?: unknown; data?: unknown };
  if (list?.object !== 'list' || !Array.isArray(list.data)) return page;
  return { ...list, data: list.data.map((object) => type.store(object)) };
}

function reply({ id, type, body }: PageRequest): PageReply {
  try {
    return { id, page: trimmed(objectType(type), JSON.parse(decoder.decode(body))) };
  } catch (error) {
    return { id, error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort!.on('message', (request: PageRequest) => parentPort!.postMessage(reply(request)));
