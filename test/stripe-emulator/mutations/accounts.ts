/** Install and uninstall of the app on an account (account.application.authorized|deauthorized). */
import type Stripe from 'stripe';
import type { AccountState } from '../accounts.js';
import { accountById, type EmulatorState } from '../state.js';

function application(state: EmulatorState, livemode: boolean): Stripe.Application {
  return { id: livemode ? state.clientIds.live : state.clientIds.test, object: 'application', name: 'Emulated Stripe App' };
}

export function authorizeAccount(state: EmulatorState, accountId: string, livemode: boolean): AccountState {
  const account = accountById(state, accountId);
  account.connected = true;
  state.events.record(account, 'account.application.authorized', application(state, livemode));
  return account;
}

/** Revokes the account's OAuth tokens and cuts platform access, then tells the app. */
export function deauthorizeAccount(state: EmulatorState, accountId?: string): AccountState {
  const account = accountById(state, accountId);
  state.oauth.revoke(account.id);
  account.connected = false;
  state.events.record(account, 'account.application.deauthorized', application(state, account.livemode));
  return account;
}
