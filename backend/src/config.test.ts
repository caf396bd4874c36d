import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.js';

const productionEnv = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://api.example.com',
  APP_URL: 'https://app.example.com',
  ENCRYPTION_KEY: `main:${Buffer.alloc(32, 7).toString('base64')}`,
  STRIPE_SECRET_KEY_LIVE: 'sk_live_platformsecret123',
  STRIPE_CLIENT_ID_LIVE: 'ca_live123',
  STRIPE_WEBHOOK_SECRETS: 'whsec_live_one,whsec_live_two',
  STRIPE_APP_SIGNING_SECRETS: 'absec_signing',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('needs nothing in development and points at the local emulator', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toBe('./.data');
    expect(c.STRIPE_API_BASE).toBe('http://127.0.0.1:12111');
    expect(c.stripeModes.test).toEqual({ secretKey: 'sk_test_emulator_platform', clientId: 'ca_emulator_test' });
    expect(c.INTERVIEW_BASE_URL).toBe(c.APP_URL);
    expect(c.ENCRYPTION_KEY[0]!.key.length).toBe(32);
  });

  it('takes production settings as given and talks to Stripe itself', () => {
    const c = loadConfig(productionEnv);
    expect(c.isProduction).toBe(true);
    expect(c.STRIPE_API_BASE).toBeUndefined();
    expect(c.STRIPE_AUTHORIZE_URL).toBe('https://marketplace.stripe.com/oauth/v2/authorize');
    expect(c.STRIPE_WEBHOOK_SECRETS).toEqual(['whsec_live_one', 'whsec_live_two']);
    expect(c.stripeModes).toEqual({ test: undefined, live: { secretKey: 'sk_live_platformsecret123', clientId: 'ca_live123' } });
  });

  it('lists every missing secret in production at once, with no development fallback', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PUBLIC_URL: required',
        'APP_URL: required',
        'ENCRYPTION_KEY: required',
        'STRIPE_WEBHOOK_SECRETS: required',
        'STRIPE_APP_SIGNING_SECRETS: required',
      ]),
    );
  });

  it('requires a platform key and client id pair in production', () => {
    const { STRIPE_CLIENT_ID_LIVE: _omit, ...env } = productionEnv;
    expect(problemsOf(env)).toEqual([
      'STRIPE_SECRET_KEY_LIVE and STRIPE_CLIENT_ID_LIVE: set both or neither',
      'STRIPE_SECRET_KEY_LIVE/STRIPE_CLIENT_ID_LIVE (or the _TEST pair): required in production',
    ]);
  });

  it('names each bad value without echoing secrets', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'eighty', ENCRYPTION_KEY: 'k:c2hvcnQ=', STRIPE_WEBHOOK_SECRETS: 'not-a-secret-value', DATABASE_URL: 'mysql://x' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected failure');
    })();
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(/PORT: /);
    expect(error.message).toMatch(/ENCRYPTION_KEY: key "k" must be 32 bytes/);
    expect(error.message).toMatch(/STRIPE_WEBHOOK_SECRETS: must start with whsec_/);
    expect(error.message).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(error.message).not.toContain('not-a-secret-value');
    expect(error.message).not.toContain('c2hvcnQ=');
  });

  it('describes itself without secret values', () => {
    const text = JSON.stringify(describeConfig(loadConfig({ ...productionEnv, DATABASE_URL: 'postgres://u:hunter2@db/x' })));
    for (const secret of ['hunter2', 'sk_live_platformsecret123', 'whsec_live_one', 'absec_signing', productionEnv.ENCRYPTION_KEY.split(':')[1]!]) {
      expect(text).not.toContain(secret);
    }
  });
});
