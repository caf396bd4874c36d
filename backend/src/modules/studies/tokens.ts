import { createHash, createHmac, hkdfSync } from 'node:crypto';

/** Bytes of HMAC output kept in a token: 192 bits, 32 base64url characters. */
const TOKEN_BYTES = 24;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface InviteIdentity {
  studyId: string;
  participantId: string;
  seq: number;
}

/**
 * An invite's token is `HMAC-SHA256(k, study ‖ participant ‖ seq)` truncated to 192 bits, where
 * `k` is derived for this purpose from the service's encryption key. Nothing secret is stored:
 * the delivery job rebuilds the token when it sends (the same one on a retry or a resend), and
 * the database keeps SHA-256(token) to resolve a link. A database dump alone yields no link.
 */
export function createInviteTokens(keys: EncryptionKey[]) {
  const derived = new Map(keys.map((k) => [k.id, Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), 'invite-token', 32))]));

  return {
    currentKeyId: keys[0]!.id,

    /** The key an invite's token was made with, while it is configured; else the current one. */
    usableKeyId(keyId: string | null): string {
      return keyId && derived.has(keyId) ? keyId : keys[0]!.id;
    },

    /** The token of an invite, as it appears in its link. */
    token(invite: InviteIdentity, keyId: string): string {
      const key = derived.get(keyId);
      if (!key) throw new Error(`invite token key "${keyId}" is no longer in ENCRYPTION_KEY`);
      return createHmac('sha256', key)
        .update(`${invite.studyId}:${invite.participantId}:${invite.seq}`)
        .digest()
        .subarray(0, TOKEN_BYTES)
        .toString('base64url');
    },

    /** What is stored for a token; undefined for a string that cannot be one. */
    hash(token: string): string | undefined {
      const bytes = Buffer.from(token, 'base64url');
      if (bytes.length !== TOKEN_BYTES || bytes.toString('base64url') !== token) return undefined;
      return createHash('sha256').update(bytes).digest('hex');
    },
  };
}

export type InviteTokens = ReturnType<typeof createInviteTokens>;
