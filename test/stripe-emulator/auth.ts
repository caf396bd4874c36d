/**
 * API keys and what they may do. Account keys (`sk_`, `rk_`) come from fixtures, OAuth access
 * tokens are added at exchange and expire after an hour, platform keys act on a connected
 * account through the `Stripe-Account` header.
 */
import { errors } from './errors.js';
import type { Permission } from './resources.js';

export type KeyKind = 'secret' | 'restricted' | 'oauth' | 'platform';

export interface Credential {
  key: string;
  kind: KeyKind;
  /** The account the key belongs to; the platform's own account for platform keys. */
  accountId: string;
  livemode: boolean;
  permissions: ReadonlySet<string> | 'all';
  /** Unix seconds (emulator time) after which the key answers 401 api_key_expired. */
  expiresAt?: number;
}

export interface AuthContext {
  credential: Credential;
  /** The account the request acts on (after `Stripe-Account`). */
  accountId: string;
}

export interface AuthDeps {
  now(): number;
  /** Whether the platform may act on this account (exists and has not deauthorized the app). */
  isConnected(accountId: string): boolean;
}

export function livemodeOfKey(key: string): boolean {
  return /^[a-z]+_live_/.test(key);
}

/** Fixture permissions may be written `customer_read` or `rak_customer_read`; write implies read. */
export function normalizePermissions(permissions: readonly string[] | 'all'): ReadonlySet<string> | 'all' {
  if (permissions === 'all') return 'all';
  const set = new Set<string>();
  for (const permission of permissions) {
    const name = permission.replace(/^rak_/, '');
    set.add(name);
    if (name.endsWith('_write')) set.add(name.replace(/_write$/, '_read'));
  }
  return set;
}

export class KeyRing {
  private readonly keys = new Map<string, Credential>();

  add(credential: Credential): void {
    this.keys.set(credential.key, credential);
  }

  remove(key: string): void {
    this.keys.delete(key);
  }

  /** Drops every OAuth access token of an account (deauthorization). */
  revokeOAuth(accountId: string): void {
    for (const [key, credential] of this.keys) {
      if (credential.kind === 'oauth' && credential.accountId === accountId) this.keys.delete(key);
    }
  }

  list(accountId: string): Credential[] {
    return [...this.keys.values()].filter((credential) => credential.accountId === accountId);
  }

  /** Resolves the bearer key (or Basic user) and the Stripe-Account header to an account. */
  authenticate(authorization: string | undefined, stripeAccount: string | undefined, deps: AuthDeps): AuthContext {
    const key = parseAuthorization(authorization);
    if (!key) throw errors.missingKey();
    const credential = this.keys.get(key);
    if (!credential) throw errors.invalidKey(key);
    if (credential.expiresAt !== undefined && deps.now() >= credential.expiresAt) throw errors.expiredKey(key);
    if (!stripeAccount || stripeAccount === credential.accountId) return { credential, accountId: credential.accountId };
    if (credential.kind !== 'platform' || !deps.isConnected(stripeAccount)) throw errors.accountInvalid(key, stripeAccount);
    return { credential, accountId: stripeAccount };
  }
}

function parseAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return value || undefined;
  if (/^basic$/i.test(scheme)) return Buffer.from(value, 'base64').toString('utf8').split(':')[0] || undefined;
  return undefined;
}

export function requirePermission(context: AuthContext, permission: Permission): void {
  const { permissions, key } = context.credential;
  if (permissions === 'all' || permissions.has(permission)) return;
  throw errors.permission(key, context.accountId, permission);
}
