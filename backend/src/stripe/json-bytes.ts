import { isAscii } from 'node:buffer';

/**
 * `JSON.parse` of a UTF-8 body, with the same result as `JSON.parse(bytes.toString('utf8'))`.
 *
 * Why not that: Node 20's UTF-8 decoder turns a body with a single non-ASCII byte into a
 * two-byte string at ~130 MB/s, which cost more than the parse itself on the backfill's 400 KB
 * list pages (a few names and currency symbols in otherwise ASCII text). Non-ASCII can only
 * stand inside JSON strings, where a `\uXXXX` escape means the same UTF-16 unit, so each run of
 * non-ASCII bytes is decoded on its own and escaped, and the rest is copied as one-byte text.
 * Outside a string the escape is as invalid as the byte was, so bad JSON still throws; after a
 * backslash it would not be (`\é` is an invalid escape, `\\u00e9` a valid one), so such a body
 * takes the plain decode.
 */
export function parseJsonBytes(bytes: Buffer): unknown {
  return JSON.parse(isAscii(bytes) ? bytes.toString('latin1') : (asciiJson(bytes) ?? bytes.toString('utf8')));
}

const BACKSLASH = 0x5c;

/** A block is first checked whole (natively): most blocks of a page have no non-ASCII byte to look for. */
const BLOCK = 256;

function asciiJson(bytes: Buffer): string | undefined {
  const parts: string[] = [];
  let copied = 0;
  for (let block = 0; block < bytes.length; block += BLOCK) {
    const blockEnd = Math.min(block + BLOCK, bytes.length);
    if (isAscii(bytes.subarray(block, blockEnd))) continue;
    for (let i = Math.max(block, copied); i < blockEnd; i++) {
      if (bytes[i]! < 0x80) continue;
      if (bytes[i - 1] === BACKSLASH) return undefined;
      let end = i + 1;
      while (end < bytes.length && bytes[end]! >= 0x80) end++;
      parts.push(bytes.toString('latin1', copied, i), escapeUnits(bytes.toString('utf8', i, end)));
      copied = i = end;
    }
  }
  parts.push(bytes.toString('latin1', copied));
  return parts.join('');
}

/** Every UTF-16 unit as `\uXXXX` (a character outside the BMP becomes its surrogate pair, as JSON writes it). */
function escapeUnits(text: string): string {
  let escaped = '';
  for (let i = 0; i < text.length; i++) escaped += `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return escaped;
}
