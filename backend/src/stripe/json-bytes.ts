/**
 * `JSON.parse` of a UTF-8 body, with the same result as `JSON.parse(bytes.toString('utf8'))`
 * (the same value, or a SyntaxError), for less CPU on the backfill's list pages; optionally with
 * each element of a list's `data` cut down to the keys the caller keeps.
 *
 * Why: a 400 KB page made into one string is allocated in V8's large-object space, on fresh
 * memory each time: ~100 page faults, which on this project's VMs cost more than the parse
 * itself (and with one non-ASCII byte, Node 20 decodes the page into an 800 KB two-byte string).
 * So each element of a top-level array (a list's `data`) is parsed from a small string of its
 * own, and the body around the arrays from another. An invoice is ~3.6 KB of JSON of which the
 * service keeps ~250 bytes: with `keep`, only the kept key/value pairs of an element are parsed,
 * and the rest is never made into strings or objects (nor collected as garbage afterwards).
 */
export function parseJsonBytes(bytes: Buffer, keep?: ElementKeys): unknown {
  const arrays = topLevelArrays(bytes, keep);
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
    const elements = array.elements.length === 1 && isBlank(bytes, array.elements[0]!) ? [] : array.elements;
    // The skeleton's parse made the key an own property, even one named __proto__: this sets that property.
    body[key] = elements.map((element) => (element.kept ? parseKept(bytes, element) : parseSlice(bytes, element)));
  }
  return body;
}

/**
 * The keys kept of an element that is an object, matched on their bytes as the body writes them
 * (a key written with escapes is decoded first). With it, `parseJsonBytes` equals picking these
 * keys from each element of `JSON.parse`'s arrays for any well-formed body; of a malformed one,
 * the structure (brackets, strings) and the kept pairs are checked, the dropped values are not.
 */
export interface ElementKeys {
  has(bytes: Buffer, key: Span): boolean;
}

export function elementKeys(names: readonly string[]): ElementKeys {
  const decoded = new Set(names);
  const quotedByLength: Buffer[][] = [];
  for (const name of names) {
    const quoted = Buffer.from(JSON.stringify(name));
    (quotedByLength[quoted.length] ??= []).push(quoted);
  }
  const escaped = (bytes: Buffer, key: Span) => {
    for (let i = key.start; i < key.end; i++) if (bytes[i] === BACKSLASH) return true;
    return false;
  };
  return {
    has(bytes, key) {
      for (const name of quotedByLength[key.end - key.start] ?? []) if (sameBytes(bytes, key.start, name)) return true;
      return escaped(bytes, key) && decoded.has(parseSlice(bytes, key) as string);
    },
  };
}

const parseSlice = (bytes: Buffer, span?: Span): unknown => JSON.parse(bytes.toString('utf8', span?.start, span?.end));

/** An object element rebuilt from its kept key/value pairs only (adjacent ones are one span). */
function parseKept(bytes: Buffer, element: Element): unknown {
  let text = '{';
  for (const [i, pair] of element.kept!.entries()) text += (i > 0 ? ',' : '') + bytes.toString('utf8', pair.start, pair.end);
  return JSON.parse(`${text}}`);
}

// Plain loops: these run on spans of a few bytes, where a native call costs more than the work.
function isBlank(bytes: Buffer, span: Span): boolean {
  for (let i = span.start; i < span.end; i++) if (!isWhitespace(bytes[i]!)) return false;
  return true;
}

function sameBytes(bytes: Buffer, at: number, other: Buffer): boolean {
  for (let i = 0; i < other.length; i++) if (bytes[at + i] !== other[i]) return false;
  return true;
}

export interface Span {
  start: number;
  end: number;
}

/** An element of a top-level array; `kept` holds the kept pairs' spans when it is an object and keys are kept. */
interface Element extends Span {
  kept?: Span[];
}

/** An array that is the value of a key of the top-level object: where its brackets and elements are. */
interface TopLevelArray {
  key: Span;
  open: number;
  close: number;
  elements: Element[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const [OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = [0x7b, 0x7d, 0x5b, 0x5d];
const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** The closing quote of the string opening at `open` (past escaped quotes), or -1. */
function stringEnd(bytes: Buffer, open: number): number {
  for (let i = open + 1; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) return i;
    if (byte === BACKSLASH) i++;
  }
  return -1;
}

/** Something but whitespace beside an element's value (`{…} x`): its whole parse is to reject it. */
const afterElement = (array: TopLevelArray) => {
  array.elements.at(-1)!.kept = undefined;
};

/**
 * One pass over the body, skipping strings, that finds the arrays of the top-level object and
 * their elements' bounds (and, with `keep`, the kept pairs of elements that are objects). Only
 * the structure is followed: what lies between is left to JSON.parse, so anything malformed
 * still fails there. Undefined when the body is not an object whose brackets close (JSON.parse
 * of the whole then decides).
 */
function topLevelArrays(bytes: Buffer, keep?: ElementKeys): TopLevelArray[] | undefined {
  let i = 0;
  while (i < bytes.length && isWhitespace(bytes[i]!)) i++;
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  const arrays: TopLevelArray[] = [];
  let depth = 0;
  let key: Span | undefined;
  let expectKey = false;
  let array: TopLevelArray | undefined;
  /** Inside an element that is an object whose pairs are picked: where the current pair starts if it is kept. */
  let picking: { element: Element; expectKey: boolean; keys: number; pairStart: number } | undefined;
  /** A comma out of place (`{,`, `,,`, `,}`) or a `]` closing the object: the element's whole parse is to reject it. */
  const misplaced = () => {
    picking!.element.kept = undefined;
    picking = undefined;
  };
  const endPair = (end: number) => {
    const { element, pairStart } = picking!;
    const last = element.kept!.at(-1);
    // Right after the previous kept pair (only its comma and whitespace between): one span.
    if (pairStart >= 0 && last && isBlank(bytes, { start: last.end + 1, end: pairStart })) last.end = end;
    else if (pairStart >= 0) element.kept!.push({ start: pairStart, end });
    picking!.pairStart = -1;
  };
  for (; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) {
      const start = i;
      i = stringEnd(bytes, i);
      if (i === -1) return undefined;
      if (depth === 1 && expectKey) [key, expectKey] = [{ start, end: i + 1 }, false];
      else if (depth === 2 && array) afterElement(array);
      else if (depth === 3 && picking?.expectKey) {
        picking.expectKey = false;
        picking.keys++;
        if (keep!.has(bytes, { start, end: i + 1 })) picking.pairStart = start;
      }
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (depth === 1 && byte === OPEN_ARRAY) {
        if (!key) return undefined;
        array = { key, open: i, close: -1, elements: [{ start: i + 1, end: -1 }] };
      }
      if (depth === 2 && array) {
        const element = array.elements.at(-1)!;
        // An element is picked only if it is an object and nothing but whitespace surrounds it.
        if (keep && byte === OPEN_OBJECT && isBlank(bytes, { start: element.start, end: i })) {
          element.kept = [];
          picking = { element, expectKey: true, keys: 0, pairStart: -1 };
        } else element.kept = undefined;
      }
      if (++depth === 1) expectKey = true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      if (depth === 3 && picking && (byte === CLOSE_ARRAY || (picking.expectKey && picking.keys > 0))) misplaced();
      else if (depth === 3 && picking) {
        endPair(i);
        picking = undefined;
      }
      // Whatever follows is in the skeleton's tail, for JSON.parse to reject.
      if (--depth === 0) return arrays;
      if (depth === 1 && array) {
        array.elements.at(-1)!.end = array.close = i;
        arrays.push(array);
        array = undefined;
      }
    } else if (byte === COMMA) {
      if (depth === 1) expectKey = true;
      else if (depth === 3 && picking?.expectKey) misplaced();
      else if (depth === 3 && picking) {
        endPair(i);
        picking.expectKey = true;
      } else if (depth === 2 && array) {
        array.elements.at(-1)!.end = i;
        array.elements.push({ start: i + 1, end: -1 });
      }
    } else if (depth === 2 && array && !isWhitespace(byte)) afterElement(array);
  }
  return undefined;
}
