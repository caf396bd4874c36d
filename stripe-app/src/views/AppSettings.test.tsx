import { describe, expect, it } from 'vitest';
import { Badge, Banner, Link, SettingsView, Spinner } from '@stripe/ui-extension-sdk/ui';
import { viewBackendForFile } from '../testing/backend';
import type { SeedParticipant, SeedSegment } from '../testing/backend-contract';
import { control, eventually, press, renderView, TEST_APP_URL, textOf } from '../testing/views';
import { CONNECTION_STATUS, type ConnectionStatus } from '../words';
import AppSettings from './AppSettings';

const suite = viewBackendForFile();

const PANEL: { segments: SeedSegment[]; participants: SeedParticipant[] } = {
  segments: [
    { key: 'all', name: 'All customers', participantCount: 3, mrrByCurrency: { usd: 2000, jpy: 5000 } },
    { key: 'active', name: 'Active subscribers', participantCount: 2, mrrByCurrency: { usd: 2000, jpy: 5000 } },
    { key: 'churned', name: 'Churned', participantCount: 1, mrrByCurrency: {} },
  ],
  participants: [
    { customerId: 'cus_Usd', currency: 'usd', mrr: 2000, segments: ['all', 'active'] },
    { customerId: 'cus_Jpy', currency: 'jpy', mrr: 5000, segments: ['all', 'active'] },
    { customerId: 'cus_Gone', segments: ['all', 'churned'] },
  ],
};

async function linkedAccount(status: ConnectionStatus = 'complete') {
  const installed = await suite.backend.install({ linked: true });
  await suite.backend.seedPanel(installed.connectionId, PANEL);
  await suite.backend.updateConnection(installed.connectionId, {
    status,
    lastSyncStartedAt: '2026-11-20T09:58:00.000Z',
    lastSyncFinishedAt: status === 'complete' ? '2026-11-20T10:00:00.000Z' : null,
  });
  return installed;
}

async function renderSettings(accountId: string, options: { apiBase?: string; signingSecret?: string } = {}) {
  const view = renderView(AppSettings, suite.backend, { accountId, ...options });
  return view;
}

describe('the settings view', () => {
  it('shows a spinner while it asks the backend', async () => {
    const { wrapper, update } = renderView(AppSettings, suite.backend, { accountId: suite.backend.freshAccount() });
    expect(wrapper).toContainComponent(SettingsView);
    expect(wrapper).toContainComponent(Spinner);
    expect(textOf(wrapper)).toContain('Loading your research panel');
    await eventually(update, () => expect(wrapper).not.toContainComponent(Spinner));
  });

  it('says so when the backend cannot be reached, and tries again on request', async () => {
    const { wrapper, update } = await renderSettings(suite.backend.freshAccount(), { apiBase: 'http://127.0.0.1:9' });
    await eventually(update, () => expect(wrapper).toContainComponent(Banner, { title: 'Can\'t reach User Intuition' }));
    expect(suite.recorder.urls()).toEqual(['http://127.0.0.1:9/stripe-app/connection']);
    await press(wrapper, 'Try again');
    await eventually(update, () => expect(suite.recorder.urls()).toHaveLength(2));
    await eventually(update, () => expect(wrapper).toContainComponent(Banner, { title: 'Can\'t reach User Intuition' }));
  });

  it('says so when the backend refuses the signature', async () => {
    const installed = await linkedAccount();
    const { wrapper, update } = await renderSettings(installed.accountId, { signingSecret: 'absec_not_this_app' });
    await eventually(update, () => expect(wrapper).toContainComponent(Banner, { title: 'Couldn\'t verify your Stripe session' }));
    expect(textOf(wrapper)).not.toContain('All customers');
  });

  it('explains how to connect an account that has not installed the app', async () => {
    const { wrapper, update } = await renderSettings(suite.backend.freshAccount());
    await eventually(update, () => expect(textOf(wrapper)).toContain('User Intuition isn\'t connected to this Stripe account yet'));
    expect(control(wrapper, 'Open User Intuition').prop('href' as never)).toBe(`${TEST_APP_URL}/integrations?provider=stripe`);
    expect(suite.recorder.calls()).toEqual(['POST /stripe-app/connection']);
  });

  it('shows the claim code while the install is not linked to a workspace, and says when it expired', async () => {
    const installed = await suite.backend.install({ linked: false });
    const { wrapper, update } = await renderSettings(installed.accountId);
    await eventually(update, () => expect(textOf(wrapper)).toContain(installed.claimCode!));
    expect(textOf(wrapper)).toContain('link this Stripe account to your workspace');
    expect(wrapper.findAllWhere((node) => node.text === 'Sync now')).toHaveLength(0);

    await suite.backend.updateConnection(installed.connectionId, { expireClaimCode: true });
    const expired = await renderSettings(installed.accountId);
    await eventually(expired.update, () => expect(textOf(expired.wrapper)).toContain('The link code has expired'));
    expect(textOf(expired.wrapper)).not.toContain(installed.claimCode!);
  });

  for (const status of ['pending', 'syncing', 'segments_synced', 'complete', 'needs_reauth'] as const) {
    it(`shows the status "${status}" in the merchant's words`, async () => {
      const installed = await linkedAccount(status);
      const { wrapper, update } = await renderSettings(installed.accountId);
      const words = CONNECTION_STATUS[status];
      await eventually(update, () => expect(wrapper).toContainComponent(Badge, { type: words.badge }));
      expect(wrapper.find(Badge)!.text).toBe(words.label);
      expect(textOf(wrapper)).toContain(words.description);
      expect(control(wrapper, 'Sync now').prop('disabled' as never)).toBe(status === 'needs_reauth');
      if (status === 'needs_reauth') expect(wrapper).toContainComponent(Banner, { type: 'critical', title: 'Reconnect needed' });
    });
  }

  it('shows participants imported, segments with counts and MRR per currency, the last sync and status messages', async () => {
    const installed = await linkedAccount('complete');
    await suite.backend.updateConnection(installed.connectionId, {
      statusMessages: [{ code: 'missing_permission_credit_note', message: 'Refunds are not subtracted from lifetime value: the credit note permission was not granted.' }],
      lastError: 'Stripe was unavailable for a moment; the next sync retries.',
    });
    const { wrapper, update } = await renderSettings(installed.accountId);
    await eventually(update, () => expect(textOf(wrapper)).toContain('All customers'));
    const text = textOf(wrapper);
    expect(text).toContain('Participants imported 3');
    expect(text).toContain('Segments 3');
    expect(text).toMatch(/Last sync Finished Nov 20, 2026/);
    expect(text).toContain('All customers 3 participants ¥5,000 + $20.00 MRR');
    expect(text).toContain('Active subscribers 2 participants ¥5,000 + $20.00 MRR');
    expect(text).toContain('Churned 1 participant No MRR');
    expect(wrapper).toContainComponent(Banner, { type: 'caution', description: 'Refunds are not subtracted from lifetime value: the credit note permission was not granted.' });
    expect(wrapper).toContainComponent(Banner, { type: 'critical', description: 'Stripe was unavailable for a moment; the next sync retries.' });
    expect(suite.recorder.calls()).toEqual(['POST /stripe-app/connection', 'POST /stripe-app/segments']);
    expect(control(wrapper, 'Open User Intuition').prop('href' as never)).toBe(`${TEST_APP_URL}/integrations?provider=stripe`);
    expect(text).not.toMatch(/absec_|sk_|rk_|token/);
  });

  it('Sync now asks the backend to sync this account', async () => {
    const installed = await linkedAccount('complete');
    const { wrapper, update } = await renderSettings(installed.accountId);
    await eventually(update, () => control(wrapper, 'Sync now'));
    await suite.backend.clearQueuedSyncs();
    suite.recorder.clear();
    await press(wrapper, 'Sync now');
    await eventually(update, () => expect(textOf(wrapper)).toContain('Sync requested.'));
    expect(suite.recorder.calls()[0]).toBe('POST /stripe-app/sync');
    expect(await suite.backend.queuedSyncs(installed.connectionId)).toBeGreaterThanOrEqual(1);
  });

  it('explains a refused action and shows the state that caused it', async () => {
    const installed = await linkedAccount('complete');
    const { wrapper, update } = await renderSettings(installed.accountId);
    await eventually(update, () => control(wrapper, 'Sync now'));
    await suite.backend.updateConnection(installed.connectionId, { status: 'needs_reauth' });
    suite.recorder.clear();
    await press(wrapper, 'Sync now');
    await eventually(update, () => expect(wrapper.find(Badge)?.text).toBe(CONNECTION_STATUS.needs_reauth.label));
    expect(suite.recorder.calls()).toEqual(['POST /stripe-app/sync', 'POST /stripe-app/connection', 'POST /stripe-app/segments']);
    expect(wrapper).toContainComponentTimes(Banner, 1, { title: 'Reconnect needed' });
    expect(wrapper).toContainComponent(Banner, { description: CONNECTION_STATUS.needs_reauth.description });
    expect(control(wrapper, 'Sync now').prop('disabled' as never)).toBe(true);
  });

  it('Disconnect asks for confirmation first, Cancel calls nothing, and confirming disconnects', async () => {
    const installed = await linkedAccount('complete');
    const { wrapper, update } = await renderSettings(installed.accountId);
    await eventually(update, () => control(wrapper, 'Disconnect'));
    suite.recorder.clear();

    await press(wrapper, 'Disconnect');
    await update();
    expect(wrapper).toContainComponent(Banner, { title: 'Disconnect User Intuition from this Stripe account?' });
    await press(wrapper, 'Cancel');
    await update();
    expect(wrapper).not.toContainComponent(Banner, { title: 'Disconnect User Intuition from this Stripe account?' });
    expect(suite.recorder.calls()).toEqual([]);

    await press(wrapper, 'Disconnect');
    await update();
    await press(wrapper, 'Yes, disconnect');
    await eventually(update, () => expect(wrapper.find(Badge)?.text).toBe('Disconnected'));
    expect(suite.recorder.calls()).toEqual(['POST /stripe-app/disconnect', 'POST /stripe-app/connection']);
    expect(await suite.backend.connectionStatus(installed.connectionId)).toBe('disconnected');
    expect(textOf(wrapper)).toContain('Disconnected from the Stripe Dashboard on');
    expect(textOf(wrapper)).not.toContain('All customers');
  });

  it('shows an account disconnected from User Intuition, with the way back', async () => {
    const installed = await linkedAccount('complete');
    await suite.backend.disconnectFromUserIntuition(installed.connectionId);
    const { wrapper, update } = await renderSettings(installed.accountId);
    await eventually(update, () => expect(wrapper.find(Badge)?.text).toBe('Disconnected'));
    expect(textOf(wrapper)).toContain(CONNECTION_STATUS.disconnected.description);
    expect(textOf(wrapper)).toContain('Disconnected from User Intuition on');
    expect(wrapper.findAll(Link).map((link) => link.text)).toEqual(['Connect again in User Intuition']);
    expect(suite.recorder.calls()).toEqual(['POST /stripe-app/connection']);
  });
});
