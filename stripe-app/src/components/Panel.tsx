import { useCallback } from 'react';
import { Box, Divider } from '@stripe/ui-extension-sdk/ui';
import type { AppConnectionResponse, AppSegment } from '@ui/shared';
import type { BackendClient } from '../api/client';
import { useLoaded } from '../hooks';
import { isSyncing } from '../words';
import { ConnectionSummary } from './ConnectionSummary';
import { Loading } from './Loading';
import { PanelActions } from './PanelActions';
import { ProblemNotice } from './Problem';
import { Segments } from './Segments';
import { ClaimCode, Disconnected, NotConnected } from './Setup';

interface Overview {
  app: AppConnectionResponse;
  segments: AppSegment[];
}

/** While a sync runs, the view follows it. */
export const SYNC_POLL_MS = 10_000;

/** The research panel of this Stripe account: settings shows it in full, the drawer compact. */
export function Panel({ client, appHref, compact = false }: { client: BackendClient; appHref: string; compact?: boolean }) {
  const load = useCallback(async (): Promise<Overview> => {
    const app = await client.connection();
    const readable = app.installed && app.linked && app.connection && app.connection.status !== 'disconnected';
    return { app, segments: readable ? (await client.segments()).segments : [] };
  }, [client]);
  const { loaded, refresh, retry } = useLoaded(load, (data) => (isSyncing(data.app.connection?.status) ? SYNC_POLL_MS : null));

  if (loaded.state === 'loading') return <Loading what="your research panel" />;
  if (loaded.state === 'failed') return <ProblemNotice problem={loaded.problem} onRetry={retry} />;

  const { app, segments } = loaded.data;
  if (!app.installed && app.connection?.status === 'disconnected') return <Disconnected connection={app.connection} href={appHref} />;
  if (!app.installed || !app.connection) return <NotConnected href={appHref} />;
  if (!app.linked) return <ClaimCode code={app.claim_code} href={appHref} />;

  const connection = app.connection;
  return (
    <Box css={{ stack: 'y', gap: compact ? 'medium' : 'large' }}>
      <ConnectionSummary connection={connection} compact={compact} />
      <Segments segments={segments} limit={compact ? 4 : undefined} />
      {compact ? null : <Divider />}
      <PanelActions client={client} status={connection.status ?? 'pending'} appHref={appHref} onChanged={refresh} showOpenLink={!compact} />
    </Box>
  );
}
