import { randomBytes } from 'node:crypto';
import { SignedTokenError, type SignedTokens } from '../../crypto/signed-token.js';
import type { StripeMode } from '../../stripe/client.js';

export const STATE_TTL_SECONDS = 10 * 60;

export interface OAuthState {
  workspaceId: string;
  mode: StripeMode;
  nonce: string;
}

export class InvalidStateError extends Error {
  override name = 'InvalidStateError';
}

const isMode = (v: unknown): v is StripeMode => v === 'test' || v === 'live';

/**
 * The OAuth `state`: a signed token naming the workspace and mode of the flow, valid 10 minutes.
 * Its nonce makes it single-use (spent in the database at the callback).
 */
export function createStateSigner(tokens: SignedTokens) {
  return {
    async sign(workspaceId: string, mode: StripeMode): Promise<{ state: string; nonce: string; expiresAt: Date }> {
      const nonce = randomBytes(16).toString('base64url');
      const state = await tokens.sign({ ws: workspaceId, mode, jti: nonce }, STATE_TTL_SECONDS);
      return { state, nonce, expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000) };
    },

    async verify(state: string): Promise<OAuthState> {
      try {
        const payload = await tokens.verify(state);
        if (typeof payload.ws !== 'string' || !isMode(payload.mode) || !payload.jti) throw new SignedTokenError('malformed');
        return { workspaceId: payload.ws, mode: payload.mode, nonce: payload.jti };
      } catch (error) {
        if (error instanceof SignedTokenError && error.expired) {
          throw new InvalidStateError('the connection attempt expired (states last 10 minutes); start again from User Intuition');
        }
        throw new InvalidStateError('the connection state was altered or was not issued by User Intuition; start again from User Intuition');
      }
    },
  };
}

export type StateSigner = ReturnType<typeof createStateSigner>;
