import { useCallback, useEffect, useState } from 'react';
import { Badge, Box, Button, ContextView } from '@stripe/ui-extension-sdk/ui';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import type { AppConnectionResponse, AppCustomerResponse, AppSyncResponse } from '@ui/shared';
import { changedState } from '../api/client';
import { Loading } from '../components/Loading';
import { Participant } from '../components/Participant';
import { ProblemNotice } from '../components/Problem';
import { ClaimCode, Disconnected, NotConnected, OpenUserIntuition } from '../components/Setup';
import { ConnectionNotices } from '../components/ConnectionSummary';
import { integrationsUrl } from '../config';
import { useAction, useBackend, useLoaded } from '../hooks';
import { CONNECTION_STATUS, isSyncing } from '../words';

interface CustomerData {
  app: AppConnectionResponse;
  customer: AppCustomerResponse | null;
}

const syncedText = (result: AppSyncResponse) =>
  result.scope === 'customer'
    ? 'Sync requested for this customer. Their figures update in a moment.'
    : 'Sync requested. User Intuition is syncing your Stripe account, which includes this customer.';

/** The customer page's panel (viewport `stripe.dashboard.customer.detail`): this customer as a participant. */
const CustomerParticipant = (context: ExtensionContextValue) => {
  const { client, settings } = useBackend(context);
  const objectContext = context.environment?.objectContext;
  const objectId = objectContext?.id ?? '';
  // Guest customers (gcus_…) are not API customers: Stripe does not share them with apps.
  const customerId = objectId.startsWith('cus_') ? objectId : '';
  const guest = objectId.startsWith('gcus_');
  const appHref = integrationsUrl(settings);

  const load = useCallback(async (): Promise<CustomerData> => {
    const app = await client.connection();
    const readable = app.installed && app.linked && customerId !== '';
    return { app, customer: readable ? await client.customer(customerId) : null };
  }, [client, customerId]);
  const { loaded, refresh, retry } = useLoaded(load);

  const [notice, setNotice] = useState<string | null>(null);
  const syncCustomer = useCallback(() => client.syncCustomer(customerId), [client, customerId]);
  const synced = useCallback(
    (result: AppSyncResponse) => {
      setNotice(syncedText(result));
      refresh();
    },
    [refresh],
  );
  const sync = useAction(syncCustomer, synced);
  // Refused because the connection changed meanwhile: show its current state instead.
  useEffect(() => {
    if (sync.problem && changedState(sync.problem)) refresh();
  }, [sync.problem, refresh]);

  const body = () => {
    if (loaded.state === 'loading') return <Loading what="this customer's research profile" />;
    if (loaded.state === 'failed') return <ProblemNotice problem={loaded.problem} onRetry={retry} />;
    const { app, customer } = loaded.data;
    if (!app.installed && app.connection?.status === 'disconnected') return <Disconnected connection={app.connection} href={appHref} />;
    if (!app.installed || !app.connection) return <NotConnected href={appHref} />;
    if (!app.linked) return <ClaimCode code={app.claim_code} href={appHref} />;
    if (!customer) {
      return guest ? (
        <Box>Guest customers can&apos;t be research participants: Stripe doesn&apos;t share them with apps.</Box>
      ) : (
        <Box>Open a customer to see them as a research participant.</Box>
      );
    }

    const connection = app.connection;
    const status = connection.status ?? 'pending';
    return (
      <Box css={{ stack: 'y', gap: 'medium' }}>
        <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
          <Box css={{ color: 'secondary' }}>Research panel:</Box>
          <Badge type={CONNECTION_STATUS[status].badge}>{CONNECTION_STATUS[status].label}</Badge>
        </Box>
        <ConnectionNotices connection={{ ...connection, status_messages: [] }} />
        {customer.participant ? (
          <Participant customer={customer} participant={customer.participant} />
        ) : (
          <Box css={{ stack: 'y', gap: 'small' }}>
            <Box css={{ font: 'heading' }}>Not in your research panel yet</Box>
            <Box>
              {isSyncing(status)
                ? 'Your sync is still running; this customer appears when it reaches them.'
                : 'This customer hasn\'t been imported yet. Sync from Stripe to add them now.'}
            </Box>
          </Box>
        )}
        {notice ? <Box css={{ color: 'success' }}>{notice}</Box> : null}
        {sync.problem && !changedState(sync.problem) ? <ProblemNotice problem={sync.problem} /> : null}
        <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
          <Button type="primary" pending={sync.pending} disabled={status === 'needs_reauth'} onPress={sync.run}>
            Sync from Stripe
          </Button>
          <OpenUserIntuition href={appHref} />
        </Box>
      </Box>
    );
  };

  return (
    <ContextView title="Research participant" externalLink={{ label: 'Open User Intuition', href: appHref }}>
      {body()}
    </ContextView>
  );
};

export default CustomerParticipant;
