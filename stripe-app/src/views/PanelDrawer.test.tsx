import { describe, expect, it } from 'vitest';
import { Badge, Banner, ContextView, ListItem, Spinner } from '@stripe/ui-extension-sdk/ui';
import { viewBackendForFile } from '../testing/backend';
import { control, eventually, press, renderView, TEST_APP_URL, textOf } from '../testing/views';
import { CONNECTION_STATUS, type ConnectionStatus } from '../words';
import PanelDrawer from './PanelDrawer';

const suite = viewBackendForFile();

const SEGMENTS = ['All customers', 'Active subscribers', 'Trialing', 'Churned', 'Product: Pro', 'Product: Team'].map((name, n) => ({
  key: n < 4 ? ['all', 'active', 'trialing', 'churned'][n]! : `product:prod_${n}`,
  name,
  participantCount: 10 - n,
  mrrByCurrency: { eur: 1000 * (n + 1) },
}));

async function linkedAccount(status: ConnectionStatus = 'complete') {
  const installed = await suite.backend.install({ linked: true });
  await suite.backend.seedPanel(installed.connectionId, { segments: SEGMENTS });
  await suite.backend.updateConnection(installed.connectionId, { status, lastSyncFinishedAt: '2026-11-20T10:00:00.000Z' });
  return installed;
}

const renderDrawer = (accountId: string, apiBase?: string) => renderView(PanelDrawer, suite.backend, { accountId, apiBase });

describe('the drawer view', () => {
  it('is a ContextView linking to User Intuition, with a spinner while it loads', async () => {
    const { wrapper, update } = renderDrawer(suite.backend.freshAccount());
    expect(wrapper).toContainComponent(ContextView, { title: 'Research panel' });
    expect(wrapper.find(ContextView)!.prop('externalLink' as never)).toEqual({ label: 'Open User Intuition', href: `${TEST_APP_URL}/integrations?provider=stripe` });
    expect(wrapper).toContainComponent(Spinner);
    await eventually(update, () => expect(textOf(wrapper)).toContain('isn\'t connected to this Stripe account yet'));
  });

  it('says so when the backend cannot be reached', async () => {
    const { wrapper, update } = renderDrawer(suite.backend.freshAccount(), 'http://127.0.0.1:9');
    await eventually(update, () => expect(wrapper).toContainComponent(Banner, { title: 'Can\'t reach User Intuition' }));
    control(wrapper, 'Try again');
  });

  it('shows the claim code of an unlinked install', async () => {
    const installed = await suite.backend.install({ linked: false });
    const { wrapper, update } = renderDrawer(installed.accountId);
    await eventually(update, () => expect(textOf(wrapper)).toContain(installed.claimCode!));
  });

  it('shows a disconnected account', async () => {
    const installed = await linkedAccount();
    await suite.backend.disconnectFromUserIntuition(installed.connectionId);
    const { wrapper, update } = renderDrawer(installed.accountId);
    await eventually(update, () => expect(wrapper.find(Badge)?.text).toBe('Disconnected'));
  });

  for (const status of ['pending', 'syncing', 'segments_synced', 'complete', 'needs_reauth'] as const) {
    it(`shows the status "${status}" in the merchant's words`, async () => {
      const installed = await linkedAccount(status);
      const { wrapper, update } = renderDrawer(installed.accountId);
      await eventually(update, () => expect(wrapper.find(Badge)?.text).toBe(CONNECTION_STATUS[status].label));
      expect(textOf(wrapper)).toContain(CONNECTION_STATUS[status].description);
    });
  }

  it('is compact: the first four segments, then how many more', async () => {
    const installed = await linkedAccount();
    const { wrapper, update } = renderDrawer(installed.accountId);
    await eventually(update, () => expect(wrapper).toContainComponentTimes(ListItem, 4));
    expect(wrapper.findAll(ListItem).map((item) => item.prop('title' as never))).toEqual(['All customers', 'Active subscribers', 'Trialing', 'Churned']);
    expect(textOf(wrapper)).toContain('Active subscribers 9 participants €20.00 MRR');
    expect(textOf(wrapper)).toContain('and 2 more segments in User Intuition');
    expect(textOf(wrapper)).toContain('Participants imported 0');
    expect(textOf(wrapper)).not.toContain('Mode');
  });

  it('Sync now and Disconnect (after confirming) call their backend routes', async () => {
    const installed = await linkedAccount();
    const { wrapper, update } = renderDrawer(installed.accountId);
    await eventually(update, () => control(wrapper, 'Sync now'));
    suite.recorder.clear();
    await press(wrapper, 'Sync now');
    await eventually(update, () => expect(textOf(wrapper)).toContain('Sync requested.'));
    expect(suite.recorder.calls()[0]).toBe('POST /stripe-app/sync');

    suite.recorder.clear();
    await press(wrapper, 'Disconnect');
    await update();
    // Only the disconnect itself waits for the confirmation: a refresh the sync started may still land here on a busy machine.
    expect(suite.recorder.calls()).not.toContain('POST /stripe-app/disconnect');
    await press(wrapper, 'Yes, disconnect');
    await eventually(update, () => expect(wrapper.find(Badge)?.text).toBe('Disconnected'));
    expect(suite.recorder.calls()[0]).toBe('POST /stripe-app/disconnect');
    expect(await suite.backend.connectionStatus(installed.connectionId)).toBe('disconnected');
  });
});
