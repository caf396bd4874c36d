import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

const REDIRECT = 'https://backend.example.com/stripe/oauth/callback';

let emulator: Emulator;
let platform: Stripe;

function client(key: string): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
}

/** Follows nothing: returns the redirect's query parameters. */
async function authorize(clientId = emulator.clientIds.test, state = 'st_123'): Promise<URLSearchParams> {
  const query = new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, state });
  const response = await fetch(`${emulator.url}/oauth/v2/authorize?${query}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  return location.searchParams;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  stripe_user_id: string;
  livemode: boolean;
  scope: string;
  token_type: string;
}

function exchange(params: Record<string, string>, stripe = platform): Promise<Tokens> {
  return stripe.rawRequest('POST', '/v1/oauth/token', params) as unknown as Promise<Tokens>;
}

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 15, seed: 11 } });
  platform = client(emulator.platformKeys.test);
});

beforeEach(() => {
  emulator.setOAuth({ deny: false });
});

afterAll(async () => {
  await emulator.close();
});

describe('OAuth (Stripe Apps)', () => {
  it('redirects with a code and the state, and the code buys working tokens', async () => {
    const params = await authorize();
    expect(params.get('state')).toBe('st_123');
    const code = params.get('code')!;
    expect(code).toMatch(/^ac_/);

    const tokens = await exchange({ grant_type: 'authorization_code', code });
    const account = emulator.accounts()[0]!;
    expect(tokens).toMatchObject({ stripe_user_id: account.id, livemode: false, scope: 'stripe_apps', token_type: 'bearer' });
    expect(tokens.refresh_token).toMatch(/^rt_/);
    const customers = await client(tokens.access_token).customers.list({ limit: 2 });
    expect(customers.data).toHaveLength(2);
  });

  it('codes are single use and expire after 5 minutes', async () => {
    const code = (await authorize()).get('code')!;
    await exchange({ grant_type: 'authorization_code', code });
    const reused = await exchange({ grant_type: 'authorization_code', code }).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(Stripe.errors.StripeInvalidGrantError);
    expect(reused).toMatchObject({ statusCode: 400, type: 'StripeInvalidGrantError' });

    const late = (await authorize()).get('code')!;
    emulator.clock.advance(5 * 60 + 1);
    await expect(exchange({ grant_type: 'authorization_code', code: late })).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidGrantError);
  });

  it('access tokens expire after an hour; refresh rotates and retires the old refresh token', async () => {
    const code = (await authorize()).get('code')!;
    const first = await exchange({ grant_type: 'authorization_code', code });
    emulator.clock.advance(60 * 60);
    const expired = await client(first.access_token).customers.list().catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(expired).toMatchObject({ statusCode: 401, code: 'api_key_expired' });

    const second = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await expect(client(second.access_token).customers.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
    await expect(exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidGrantError,
    );
  });

  it('rejects a wrong platform key, and a live key for a test grant', async () => {
    const code = (await authorize()).get('code')!;
    const wrong = await exchange({ grant_type: 'authorization_code', code }, client('sk_test_not_the_platform')).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(wrong).toMatchObject({ statusCode: 401 });
    const accountKey = emulator.accounts()[0]!.api_keys[0]!.key;
    await expect(exchange({ grant_type: 'authorization_code', code }, client(accountKey))).rejects.toMatchObject({ statusCode: 401 });
    await expect(exchange({ grant_type: 'authorization_code', code }, client(emulator.platformKeys.live))).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidGrantError,
    );
    // Failed attempts do not consume the code.
    await expect(exchange({ grant_type: 'authorization_code', code })).resolves.toMatchObject({ livemode: false });
  });

  it('denial redirects with access_denied; unknown client ids are refused', async () => {
    emulator.setOAuth({ deny: true });
    const params = await authorize();
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('error_description')).toBeTruthy();
    expect(params.get('state')).toBe('st_123');
    expect(params.get('code')).toBeNull();

    const response = await fetch(`${emulator.url}/oauth/v2/authorize?client_id=ca_unknown&redirect_uri=${encodeURIComponent(REDIRECT)}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
  });

  it('deauthorization revokes tokens and platform access, and tells the app', async () => {
    const code = (await authorize()).get('code')!;
    const tokens = await exchange({ grant_type: 'authorization_code', code });
    const viaHeader = client(emulator.platformKeys.test);
    await expect(viaHeader.customers.list({ limit: 1 }, { stripeAccount: tokens.stripe_user_id })).resolves.toMatchObject({ object: 'list' });

    emulator.deauthorize(tokens.stripe_user_id);
    await expect(client(tokens.access_token).customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await expect(exchange({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidGrantError,
    );
    await expect(viaHeader.customers.list({ limit: 1 }, { stripeAccount: tokens.stripe_user_id })).rejects.toBeInstanceOf(
      Stripe.errors.StripePermissionError,
    );
    const accountKey = emulator.accounts()[0]!.api_keys[0]!.key;
    const [event] = (await client(accountKey).events.list({ type: 'account.application.deauthorized' })).data;
    expect(event).toMatchObject({ account: tokens.stripe_user_id, data: { object: { object: 'application', id: emulator.clientIds.test } } });

    // Approving again reinstalls the app.
    const again = (await authorize()).get('code')!;
    await exchange({ grant_type: 'authorization_code', code: again });
    expect(emulator.accounts()[0]!.connected).toBe(true);
  });

  it('a retried token exchange replays its first answer (Idempotency-Key)', async () => {
    const code = (await authorize()).get('code')!;
    const body = new URLSearchParams({ grant_type: 'authorization_code', code });
    const post = () =>
      fetch(`${emulator.url}/v1/oauth/token`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${emulator.platformKeys.test}`, 'Idempotency-Key': 'retry-1', 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
    const first = await post();
    const second = await post();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
  });
});
