/**
 * Pre-serialized response bodies. A list page of invoices is about 400 KB of JSON; serializing
 * it on every request made the emulator the busiest process of a backfill benchmark, taking CPU
 * from the system under test (Stripe's own serialization costs us nothing). Stored objects are
 * replaced on every change, never mutated, so an object's text can be kept by identity.
 */
const texts = new WeakMap<object, string>();

/** A body that is already JSON text: the reply serializer sends it as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

export function objectText(obj: object): string {
  let text = texts.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    texts.set(obj, text);
  }
  return text;
}

/** A Stripe list, in the same key order as `{object, data, has_more, url}` serialized whole. */
export function listText(data: readonly object[], hasMore: boolean, url: string): JsonText {
  return new JsonText(`{"object":"list","data":[${data.map(objectText).join(',')}],"has_more":${hasMore},"url":${JSON.stringify(url)}}`);
}

export const serializeReply = (payload: unknown): string => (payload instanceof JsonText ? payload.text : JSON.stringify(payload));
