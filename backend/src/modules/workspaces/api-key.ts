import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'uik';

export interface IssuedApiKey {
  /** Shown once to the caller, never stored. */
  key: string;
  lookup: string;
  secretHash: string;
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function issueApiKey(): IssuedApiKey {
  const lookup = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { key: `${PREFIX}_${lookup}_${secret}`, lookup, secretHash: hashSecret(secret) };
}

/** Splits `uik_<lookup>_<secret>`; null for anything else. */
export function parseApiKey(key: string): { lookup: string; secret: string } | null {
  const match = /^uik_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/.exec(key);
  return match ? { lookup: match[1]!, secret: match[2]! } : null;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
