/**
 * Pre-serialized response bodies. A list page of invoices is about 400 KB of JSON; serializing
 * it on every request made the emulator the busiest process of a backfill benchmark, taking CPU
 * from the system under test (Stripe's own serialization costs us nothing). Stored objects are
 * replaced on every change, never mutated, so an object's bytes can be kept by identity. Bytes,
 * not strings: a page is then a copy of ready UTF-8 pieces, where joining strings made a fresh
 * 400 KB string to flatten, encode and collect on every request.
 */
const rendered = new WeakMap<object, Buffer>();

/** A body that is already JSON: the route sends its bytes as they are. */
export class JsonBody {
  constructor(readonly bytes: Buffer) {}
}

export function objectBytes(obj: object): Buffer {
  let body = rendered.get(obj);
  if (body === undefined) {
    body = Buffer.from(JSON.stringify(obj));
    rendered.set(obj, body);
  }
  return body;
}

const LIST_HEAD = Buffer.from('{"object":"list","data":[');
const COMMA = Buffer.from(',');

/** A Stripe list, in the same key order as `{object, data, has_more, url}` serialized whole. */
export function listBody(data: readonly object[], hasMore: boolean, url: string): JsonBody {
  const parts: Buffer[] = [LIST_HEAD];
  for (const obj of data) {
    if (parts.length > 1) parts.push(COMMA);
    parts.push(objectBytes(obj));
  }
  parts.push(Buffer.from(`],"has_more":${hasMore},"url":${JSON.stringify(url)}}`));
  return new JsonBody(Buffer.concat(parts));
}
