import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * AES-256-GCM for secrets at rest (OAuth tokens, API keys). The key id travels inside the
 * ciphertext so that after a rotation old rows still decrypt with the retired key until they are
 * re-encrypted. `context` is bound as associated data: a token copied into another row (another
 * connection) fails to decrypt instead of being used for the wrong account.
 */
export interface SecretBox {
  encrypt(plaintext: string, context?: string): string;
  decrypt(ciphertext: string, context?: string): string;
  /** True when the value was written with a key other than the current one. */
  needsRotation(ciphertext: string): boolean;
}

const VERSION = 'v1';

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export function createSecretBox(keys: EncryptionKey[]): SecretBox {
  const current = keys[0];
  if (!current) throw new SecretBoxError('at least one encryption key is required');
  const byId = new Map(keys.map((k) => [k.id, k.key]));

  const parse = (ciphertext: string) => {
    const [version, keyId, iv, tag, data] = ciphertext.split('.');
    if (version !== VERSION || !keyId || !iv || !tag || data === undefined) {
      throw new SecretBoxError('not a sealed secret');
    }
    return { keyId, iv, tag, data };
  };

  return {
    encrypt(plaintext, context = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(context));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
      return [VERSION, current.id, ...parts].join('.');
    },
    decrypt(ciphertext, context = '') {
      const { keyId, iv, tag, data } = parse(ciphertext);
      const key = byId.get(keyId);
      if (!key) throw new SecretBoxError(`encryption key "${keyId}" is not configured`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('secret could not be decrypted (wrong key or tampered)');
      }
    },
    needsRotation(ciphertext) {
      return parse(ciphertext).keyId !== current.id;
    },
  };
}
