import { describe, expect, it } from 'vitest';
import { Badge, Banner, ContextView, ListItem, Spinner } from '@stripe/ui-extension-sdk/ui';
import { viewBackendForFile } from '../testing/backend';
import { control, eventually, press, renderView, TEST_APP_URL, textOf } from '../testing/views';
import { CONNECTION_STATUS, PARTICIPANT_STATUS, type ConnectionStatus } from '../words';
import CustomerParticipant from './CustomerParticipant';

const suite = viewBackendForFile();

const customer = (id: string) => ({ id, object: 'customer' });

async function linkedAccount(status: ConnectionStatus = 'complete') {
  const installed = await suite.backend.install({ linked: true });
  await suite.backend.seedPanel(installed.connectionId, {
    segments: [
      { key: 'all', name: 'All customers', participantCount: 3, mrrByCurrency: { usd: 2000, jpy: 5000 } },
      { key: 'active', name: 'Active subscribers', participantCount: 2, mrrByCurrency: { usd: 2000, jpy: 5000 } },
      { key: 'product:prod_Pro', name: 'Product: Pro', participantCount: 1, mrrByCurrency: { usd: 2000 } },
    ],
    participants: [
      {
        customerId: 'cus_Ada',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        currency: 'usd',
        mrr: 2000,
        ltv: 6050,
        plan: 'Pro',
        status: 'active',
        segments: ['all', 'active', 'product:prod_Pro'],
        signupAt: '2025-03-14T12:00:00.000Z',
        lastSyncedAt: '2026-11-20T10:00:00.000Z',
      },
      { customerId: 'cus_Yuki', name: 'Yuki', currency: 'jpy', mrr: 5000, ltv: 120000, plan: 'Team', status: 'trial', segments: ['all'] },
      { customerId: 'cus_Gone', email: 'gone@example.com', status: 'churned', deletedInStripe: true, lastSyncError: 'Stripe says this customer no longer exists.' },
    ],
  });
  await suite.backend.updateConnection(installed.connectionId, { status });
  return installed;
}

const renderCustomer = (accountId: string, customerId: string, apiBase?: string) =>
  renderView(CustomerParticipant, suite.backend, { accountId, apiBase, objectContext: customer(customerId) });

describe('the customer detail view', () => {
  it('is a ContextView with a spinner while it loads', async () => {
    const { wrapper, update } = renderCustomer(suite.backend.freshAccount(), 'cus_Ada');
    expect(wrapper).toContainComponent(ContextView, { title: 'Research participant' });
    expect(wrapper.find(ContextView)!.prop('externalLink' as never)).toEqual({ label: 'Open User Intuition', href: `${TEST_APP_URL}/integrations?provider=stripe` });
    expect(wrapper).toContainComponent(Spinner);
    await eventually(update, () => expect(wrapper).not.toContainComponent(Spinner));
  });

  it('says so when the backend cannot be reached', async () => {
    const { wrapper, update } = renderCustomer(suite.backend.freshAccount(), 'cus_Ada', 'http://127.0.0.1:9');
    await eventually(update, () => expect(wrapper).toContainComponent(Banner, { title: 'Can\'t reach User Intuition' }));
    control(wrapper, 'Try again');
  });

  it('explains how to connect, or how to link, before showing anyone', async () => {
    const none = renderCustomer(suite.backend.freshAccount(), 'cus_Ada');
    await eventually(none.update, () => expect(textOf(none.wrapper)).toContain('isn\'t connected to this Stripe account yet'));

    const installed = await suite.backend.install({ linked: false });
    const unlinked = renderCustomer(installed.accountId, 'cus_Ada');
    await eventually(unlinked.update, () => expect(textOf(unlinked.wrapper)).toContain(installed.claimCode!));
    expect(suite.recorder.calls().filter((call) => call.includes('/customers/'))).toEqual([]);
  });

  it('explains that a guest customer cannot be a participant, without asking the backend about it', async () => {
    const installed = await linkedAccount();
    const { wrapper, update } = renderCustomer(installed.accountId, 'gcus_Guest');
    await eventually(update, () => expect(textOf(wrapper)).toContain('Guest customers can\'t be research participants'));
    expect(suite.recorder.calls()).toEqual(['POST /stripe-app/connection']);
  });

  it('shows a disconnected account', async () => {
    const installed = await linkedAccount();
    await suite.backend.disconnectFromUserIntuition(installed.connectionId);
    const { wrapper, update } = renderCustomer(installed.accountId, 'cus_Ada');
    await eventually(update, () => expect(wrapper.find(Badge)?.text).toBe('Disconnected'));
    expect(textOf(wrapper)).not.toContain('Ada Lovelace');
  });

  it('shows the customer as a participant: MRR, LTV, plan, status, segments, invites, last sync', async () => {
    const installed = await linkedAccount();
    const { wrapper, update } = renderCustomer(installed.accountId, 'cus_Ada');
    await eventually(update, () => expect(textOf(wrapper)).toContain('Ada Lovelace'));
    const text = textOf(wrapper);
    expect(text).toContain('MRR $20.00');
    expect(text).toContain('Lifetime value $60.50');
    expect(text).toContain('Plan Pro');
    expect(text).toContain('Status Active subscriber');
    expect(text).toContain('Email ada@example.com');
    expect(text).toContain('Customer since Mar 14, 2025');
    expect(text).toMatch(/Last synced Nov 20, 2026/);
    expect(text).toContain('Not invited to any study yet.');
    expect(wrapper.findAll(ListItem).map((item) => item.prop('title' as never))).toEqual(['All customers', 'Active subscribers', 'Product: Pro']);
    expect(wrapper).toContainComponent(Badge, { type: PARTICIPANT_STATUS.active.badge });
    expect(suite.recorder.calls()).toEqual(['POST /stripe-app/connection', 'POST /stripe-app/customers/cus_Ada']);
  });

  it('formats a zero-decimal currency as such', async () => {
    const installed = await linkedAccount();
    const { wrapper, update } = renderCustomer(installed.accountId, 'cus_Yuki');
    await eventually(update, () => expect(textOf(wrapper)).toContain('Yuki'));
    expect(textOf(wrapper)).toContain('MRR ¥5,000');
    expect(textOf(wrapper)).toContain('Lifetime value ¥120,000');
    expect(textOf(wrapper)).toContain('Status On trial');
  });

  it('shows the last sync error and a customer deleted in Stripe', async () => {
    const installed = await linkedAccount();
    const { wrapper, update } = renderCustomer(installed.accountId, 'cus_Gone');
    await eventually(update, () => expect(textOf(wrapper)).toContain('gone@example.com'));
    expect(wrapper).toContainComponent(Banner, { title: 'Deleted in Stripe' });
    expect(wrapper).toContainComponent(Banner, { title: 'The last sync of this customer failed', description: 'Stripe says this customer no longer exists.' });
    expect(textOf(wrapper)).toContain('Plan No plan');
    expect(textOf(wrapper)).toContain('Not in any segment.');
  });

  it('a customer not in the panel yet: says why, depending on the sync', async () => {
    const complete = await linkedAccount('complete');
    const view = renderCustomer(complete.accountId, 'cus_New');
    await eventually(view.update, () => expect(textOf(view.wrapper)).toContain('Not in your research panel yet'));
    expect(textOf(view.wrapper)).toContain('Sync from Stripe to add them now');

    const syncing = await linkedAccount('syncing');
    const during = renderCustomer(syncing.accountId, 'cus_New');
    await eventually(during.update, () => expect(textOf(during.wrapper)).toContain('Your sync is still running'));
    expect(during.wrapper.find(Badge)?.text).toBe(CONNECTION_STATUS.syncing.label);
  });

  it('"Sync from Stripe" calls the customer\'s sync route', async () => {
    const installed = await linkedAccount();
    const { wrapper, update } = renderCustomer(installed.accountId, 'cus_Ada');
    await eventually(update, () => control(wrapper, 'Sync from Stripe'));
    await suite.backend.clearQueuedSyncs();
    suite.recorder.clear();
    await press(wrapper, 'Sync from Stripe');
    // The backend syncs this one customer at once (no account-wide sync is queued for it).
    await eventually(update, () => expect(textOf(wrapper)).toContain('Sync requested for this customer'));
    expect(suite.recorder.calls()[0]).toBe('POST /stripe-app/customers/cus_Ada/sync');
    expect(await suite.backend.queuedSyncs(installed.connectionId)).toBe(0);
  });

  it('a connection that lost its access: its data, a reconnect banner, and no sync', async () => {
    const installed = await linkedAccount('needs_reauth');
    const { wrapper, update } = renderCustomer(installed.accountId, 'cus_Ada');
    await eventually(update, () => expect(textOf(wrapper)).toContain('Ada Lovelace'));
    expect(wrapper).toContainComponent(Banner, { title: 'Reconnect needed', description: CONNECTION_STATUS.needs_reauth.description });
    expect(control(wrapper, 'Sync from Stripe').prop('disabled' as never)).toBe(true);
  });
});
