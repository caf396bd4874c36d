import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError } from './secret-box.js';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe('secret box', () => {
  it('round-trips and never contains the plaintext', () => {
    const box = createSecretBox([k1]);
    const sealed = box.encrypt('rk_test_secret_value', 'conn_1');
    expect(sealed).not.toContain('rk_test_secret_value');
    expect(sealed.startsWith('v1.k1.')).toBe(true);
    expect(box.decrypt(sealed, 'conn_1')).toBe('rk_test_secret_value');
  });

  it('uses a fresh IV each time', () => {
    const box = createSecretBox([k1]);
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('rejects tampering and a different context', () => {
    const box = createSecretBox([k1]);
    const sealed = box.encrypt('token', 'conn_1');
    expect(() => box.decrypt(sealed, 'conn_2')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'conn_1')).toThrow(/tampered/);
  });

  it('decrypts with a retired key after rotation and flags the row for re-encryption', () => {
    const old = createSecretBox([k1]).encrypt('token');
    const rotated = createSecretBox([k2, k1]);
    expect(rotated.decrypt(old)).toBe('token');
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('token'))).toBe(false);
    expect(() => createSecretBox([k2]).decrypt(old)).toThrow(/"k1" is not configured/);
  });
});
