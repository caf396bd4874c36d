/**
 * OAuth as Stripe Apps do it: an authorize redirect carrying a single-use `ac_` code (5 min),
 * exchanged at POST /v1/oauth/token with the platform secret key of the same mode for a
 * 1-hour access token and a rotating refresh token (1 year).
 */
import { errors } from './errors.js';
import type { Credential, KeyRing } from './auth.js';
import { token } from './random.js';

const CODE_TTL = 5 * 60;
const ACCESS_TTL = 60 * 60;
const REFRESH_TTL = 365 * 24 * 60 * 60;

export interface OAuthSwitches {
  deny?: boolean;
  accountId?: string;
}

interface Grant {
  accountId: string;
  livemode: boolean;
  expiresAt: number;
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  stripe_user_id: string;
  stripe_publishable_key: string;
  livemode: boolean;
  scope: 'stripe_apps';
}

export interface OAuthDeps {
  now(): number;
  keys: KeyRing;
  clientIds: { test: string; live: string };
  /** Ids of the accounts that can approve, in order; the first is the default. */
  accountIds(): string[];
  /** Called when an account approves (install) or is deauthorized (uninstall). */
  onAuthorized(accountId: string, livemode: boolean): void;
}

export class OAuthService {
  private switches: OAuthSwitches = {};
  private readonly codes = new Map<string, Grant & { used: boolean }>();
  private readonly refreshTokens = new Map<string, Grant>();

  constructor(private readonly deps: OAuthDeps) {}

  set(switches: OAuthSwitches): OAuthSwitches {
    this.switches = { ...this.switches, ...switches };
    return { ...this.switches };
  }

  /** The redirect location for GET /oauth/v2/authorize. */
  authorize(query: Record<string, unknown>): string {
    const clientId = stringParam(query.client_id);
    const redirectUri = stringParam(query.redirect_uri);
    const state = stringParam(query.state);
    const livemode = this.modeOfClient(clientId);
    if (!redirectUri || !URL.canParse(redirectUri)) throw errors.oauth('invalid_request', 'Missing or invalid redirect_uri.');
    const target = new URL(redirectUri);
    if (this.switches.deny) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user denied your request');
    } else {
      const accountId = this.switches.accountId ?? this.deps.accountIds()[0];
      if (!accountId) throw errors.oauth('invalid_request', 'The emulator has no account to authorize.');
      const code = token('ac_');
      this.codes.set(code, { accountId, livemode, expiresAt: this.deps.now() + CODE_TTL, used: false });
      this.deps.onAuthorized(accountId, livemode);
      target.searchParams.set('code', code);
    }
    if (state !== undefined) target.searchParams.set('state', state);
    return target.toString();
  }

  /** POST /v1/oauth/token, already authenticated with `platform`. */
  exchange(platform: Credential, body: Record<string, unknown>): TokenResponse {
    if (platform.kind !== 'platform') throw errors.platformKeyRequired(platform.key);
    const grantType = stringParam(body.grant_type);
    if (grantType === 'authorization_code') return this.redeemCode(platform, stringParam(body.code));
    if (grantType === 'refresh_token') return this.refresh(platform, stringParam(body.refresh_token));
    if (!grantType) throw errors.oauth('invalid_request', 'No grant type specified');
    throw errors.oauth('unsupported_grant_type', `Unsupported grant type: ${grantType}`);
  }

  /** Revokes every access and refresh token of the account. */
  revoke(accountId: string): void {
    this.deps.keys.revokeOAuth(accountId);
    for (const [refresh, grant] of this.refreshTokens) if (grant.accountId === accountId) this.refreshTokens.delete(refresh);
    for (const [code, grant] of this.codes) if (grant.accountId === accountId) this.codes.delete(code);
  }

  private modeOfClient(clientId: string | undefined): boolean {
    if (clientId === this.deps.clientIds.test) return false;
    if (clientId === this.deps.clientIds.live) return true;
    throw errors.oauth('invalid_client', `No such application: '${clientId ?? ''}'`);
  }

  private redeemCode(platform: Credential, code: string | undefined): TokenResponse {
    if (!code) throw errors.oauth('invalid_request', 'No authorization code provided');
    const grant = this.codes.get(code);
    if (!grant) throw errors.oauth('invalid_grant', `Authorization code does not exist: ${code}`);
    if (grant.used) throw errors.oauth('invalid_grant', `Authorization code already used: ${code}`);
    if (this.deps.now() >= grant.expiresAt) throw errors.oauth('invalid_grant', `Authorization code expired: ${code}`);
    this.checkMode(platform, grant);
    grant.used = true;
    return this.issue(grant.accountId, grant.livemode);
  }

  private refresh(platform: Credential, refreshToken: string | undefined): TokenResponse {
    if (!refreshToken) throw errors.oauth('invalid_request', 'No refresh token provided');
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || this.deps.now() >= grant.expiresAt) throw errors.oauth('invalid_grant', `Invalid refresh token: ${refreshToken}`);
    this.checkMode(platform, grant);
    // Rotation: the old refresh token stops working as soon as a new one is issued.
    this.refreshTokens.delete(refreshToken);
    return this.issue(grant.accountId, grant.livemode);
  }

  private checkMode(platform: Credential, grant: Grant): void {
    if (platform.livemode === grant.livemode) return;
    const mode = (live: boolean) => (live ? 'live' : 'test');
    throw errors.oauth(
      'invalid_grant',
      `This grant was issued in ${mode(grant.livemode)} mode, but the request was made with a ${mode(platform.livemode)} mode key.`,
    );
  }

  private issue(accountId: string, livemode: boolean): TokenResponse {
    const mode = livemode ? 'live' : 'test';
    const now = this.deps.now();
    const accessToken = token(`sk_${mode}_`, 99);
    const refreshToken = token('rt_', 48);
    this.deps.keys.add({ key: accessToken, kind: 'oauth', accountId, livemode, permissions: 'all', expiresAt: now + ACCESS_TTL });
    this.refreshTokens.set(refreshToken, { accountId, livemode, expiresAt: now + REFRESH_TTL });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
      stripe_user_id: accountId,
      stripe_publishable_key: `pk_${mode}_${accountId.replace(/^acct_/, '')}emulator`,
      livemode,
      scope: 'stripe_apps',
    };
  }
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
