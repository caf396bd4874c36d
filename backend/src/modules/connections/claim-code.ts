import { randomInt } from 'node:crypto';

export const CLAIM_CODE_TTL_MS = 60 * 60 * 1000;

/** Unambiguous letters and digits (no 0/O, 1/I/L), typed by a person: `XXXX-XXXX`, ~40 bits. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function generateClaimCode(): string {
  const pick = () => ALPHABET[randomInt(ALPHABET.length)];
  const group = () => Array.from({ length: 4 }, pick).join('');
  return `${group()}-${group()}`;
}
