/**
 * `JSON.parse` of a UTF-8 body, with the same result as `JSON.parse(bytes.toString('utf8'))`
 * (the same value, or a SyntaxError), for less CPU on the backfill's list pages.
 *
 * Why: a 400 KB page made into one string is allocated in V8's large-object space, on fresh
 * memory each time: ~100 page faults, which on this project's VMs cost more than the parse
 * itself (and with one non-ASCII byte, Node 20 decodes the page into an 800 KB two-byte string).
 * So each element of a top-level array (a list's `data`) is parsed from a small string of its
 * own, and the body around the arrays from another.
 */
export function parseJsonBytes(bytes: Buffer): unknown {
  const arrays = topLevelArrays(bytes);
  if (!arrays) return parseSlice(bytes);
  const skeleton: Buffer[] = [];
  let copied = 0;
  for (const array of arrays) {
    skeleton.push(bytes.subarray(copied, array.open + 1));
    copied = array.close;
  }
  skeleton.push(bytes.subarray(copied));
  const body = parseSlice(Buffer.concat(skeleton)) as Record<string, unknown>;
  for (const array of arrays) {
    const key = parseSlice(bytes, array.key) as string;
    // A key given twice, once not as an array, ends as JSON.parse would have it: the whole parse decides.
    if (!Array.isArray(body[key])) return parseSlice(bytes);
    const elements = array.elements.length === 1 && bytes.subarray(array.elements[0]!.start, array.elements[0]!.end).every(isWhitespace) ? [] : array.elements;
    // The skeleton's parse made the key an own property, even one named __proto__: this sets that property.
    body[key] = elements.map((element) => parseSlice(bytes, element));
  }
  return body;
}

const parseSlice = (bytes: Buffer, span?: Span): unknown => JSON.parse(bytes.toString('utf8', span?.start, span?.end));

interface Span {
  start: number;
  end: number;
}

/** An array that is the value of a key of the top-level object: where its brackets and elements are. */
interface TopLevelArray {
  key: Span;
  open: number;
  close: number;
  elements: Span[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const [OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = [0x7b, 0x7d, 0x5b, 0x5d];
const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * One pass over the body, skipping strings, that finds the arrays of the top-level object and
 * their elements' bounds. Only the structure is followed: what lies between is left to
 * JSON.parse, so anything malformed still fails there. Undefined when the body is not an object
 * whose brackets close (JSON.parse of the whole then decides).
 */
function topLevelArrays(bytes: Buffer): TopLevelArray[] | undefined {
  let i = 0;
  while (i < bytes.length && isWhitespace(bytes[i]!)) i++;
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  const arrays: TopLevelArray[] = [];
  let depth = 0;
  let key: Span | undefined;
  let expectKey = false;
  let array: TopLevelArray | undefined;
  for (; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) {
      const start = i;
      for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
      if (i >= bytes.length) return undefined;
      if (depth === 1 && expectKey) [key, expectKey] = [{ start, end: i + 1 }, false];
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (depth === 1 && byte === OPEN_ARRAY) {
        if (!key) return undefined;
        array = { key, open: i, close: -1, elements: [{ start: i + 1, end: -1 }] };
      }
      if (++depth === 1) expectKey = true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      // Whatever follows is in the skeleton's tail, for JSON.parse to reject.
      if (--depth === 0) return arrays;
      if (depth === 1 && array) {
        array.elements.at(-1)!.end = array.close = i;
        arrays.push(array);
        array = undefined;
      }
    } else if (byte === COMMA) {
      if (depth === 1) expectKey = true;
      else if (depth === 2 && array) {
        array.elements.at(-1)!.end = i;
        array.elements.push({ start: i + 1, end: -1 });
      }
    }
  }
  return undefined;
}
