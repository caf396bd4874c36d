/**
 * Connected accounts as the emulator holds them: the fixture data in an AccountStore, the
 * account object served at GET /v1/account, its API keys and whether the app is installed.
 */
import type { FixtureAccount } from './generator.js';
import { livemodeOfKey, normalizePermissions, type KeyRing } from './auth.js';
import { makeAccount } from './objects.js';
import type { StripeObject } from './resources.js';
import { AccountStore } from './store.js';

export interface ApiKey {
  key: string;
  permissions: string[] | 'all';
}

export interface AccountState {
  id: string;
  livemode: boolean;
  store: AccountStore;
  account: StripeObject;
  apiKeys: ApiKey[];
  /** False after the app was deauthorized: platform keys and tokens no longer reach it. */
  connected: boolean;
  /** The account's default API version, which its events are created in; API_VERSION when unset. */
  apiVersion?: string;
}

/** The account owning the platform keys; it has no data of its own. */
export const PLATFORM_ACCOUNT_ID = 'acct_1EmulatorPlatform';

function* fixtureObjects(fixture: FixtureAccount): Iterable<StripeObject> {
  const groups = [
    fixture.products,
    fixture.prices,
    fixture.coupons,
    fixture.discounts,
    fixture.customers,
    fixture.subscriptions,
    fixture.invoices,
    fixture.credit_notes,
  ];
  for (const group of groups) for (const obj of group ?? []) yield obj as unknown as StripeObject;
}

function livemodeOf(fixture: FixtureAccount): boolean {
  const key = fixture.api_keys[0]?.key;
  if (key) return livemodeOfKey(key);
  return Boolean(fixture.customers[0]?.livemode);
}

export function loadAccount(fixture: FixtureAccount, keys: KeyRing, now: number): AccountState {
  const livemode = livemodeOf(fixture);
  for (const apiKey of fixture.api_keys) {
    keys.add({
      key: apiKey.key,
      kind: apiKey.key.startsWith('rk_') ? 'restricted' : 'secret',
      accountId: fixture.id,
      livemode: livemodeOfKey(apiKey.key),
      permissions: normalizePermissions(apiKey.permissions),
    });
  }
  return {
    id: fixture.id,
    livemode,
    store: new AccountStore(fixtureObjects(fixture)),
    account: makeAccount({ id: fixture.id, created: accountCreated(fixture, now) }) as unknown as StripeObject,
    apiKeys: fixture.api_keys.map((apiKey) => ({ key: apiKey.key, permissions: apiKey.permissions })),
    connected: true,
  };
}

/** A real account is older than anything in it: a day before its oldest customer or product. */
function accountCreated(fixture: FixtureAccount, now: number): number {
  let oldest = now;
  for (const list of [fixture.customers, fixture.products]) for (const o of list) oldest = Math.min(oldest, o.created);
  return oldest - 86_400;
}

export function platformAccount(keys: KeyRing, platformKeys: { test: string; live: string }, now: number): AccountState {
  for (const [mode, key] of Object.entries(platformKeys)) {
    keys.add({ key, kind: 'platform', accountId: PLATFORM_ACCOUNT_ID, livemode: mode === 'live', permissions: 'all' });
  }
  return {
    id: PLATFORM_ACCOUNT_ID,
    livemode: false,
    store: new AccountStore(),
    account: makeAccount({ id: PLATFORM_ACCOUNT_ID, created: now }) as unknown as StripeObject,
    apiKeys: [
      { key: platformKeys.test, permissions: 'all' },
      { key: platformKeys.live, permissions: 'all' },
    ],
    connected: true,
  };
}
