import { hkdfSync } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

export class SignedTokenError extends Error {
  override name = 'SignedTokenError';
  constructor(
    message: string,
    readonly expired = false,
  ) {
    super(message);
  }
}

/**
 * Short-lived HS256 tokens for one purpose (OAuth state, connect links). Each purpose gets its own
 * key derived from the encryption key, so no other secret needs configuring and a token minted for
 * one purpose never verifies for another.
 */
export function createSignedTokens(masterKey: Buffer, purpose: string) {
  const key = new Uint8Array(hkdfSync('sha256', masterKey, Buffer.alloc(0), purpose, 32));
  return {
    async sign(claims: JWTPayload, ttlSeconds: number): Promise<string> {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(key);
    },
    async verify(token: string): Promise<JWTPayload> {
      try {
        return (await jwtVerify(token, key, { algorithms: ['HS256'] })).payload;
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new SignedTokenError('expired', true);
        throw new SignedTokenError('invalid signature or malformed token');
      }
    },
  };
}

export type SignedTokens = ReturnType<typeof createSignedTokens>;
