import { Badge, Banner, Box, Inline, PropertyList, PropertyListItem, Spinner } from '@stripe/ui-extension-sdk/ui';
import type { StripeConnection } from '@ui/shared';
import { formatCount, formatDateTime } from '../format';
import { CONNECTION_STATUS, isSyncing, syncObjectLabel, type ConnectionStatus } from '../words';

export function StatusBadge({ status }: { status: ConnectionStatus }) {
  const words = CONNECTION_STATUS[status];
  return (
    <Inline css={{ gap: 'small', alignY: 'center' }}>
      <Badge type={words.badge}>{words.label}</Badge>
      {isSyncing(status) ? <Spinner size="small" /> : null}
    </Inline>
  );
}

/** "Finished Nov 21, 2026, 10:30 AM", or what is happening instead. */
export function lastSyncText(connection: StripeConnection): string {
  const finished = formatDateTime(connection.last_sync_finished_at);
  const started = formatDateTime(connection.last_sync_started_at);
  if (isSyncing(connection.status) && started) return `Running since ${started}`;
  if (finished) return `Finished ${finished}`;
  if (started) return `Started ${started}`;
  return 'Not yet';
}

const progressText = (progress: Record<string, number>) =>
  Object.entries(progress)
    .filter(([, count]) => count > 0)
    .map(([key, count]) => `${syncObjectLabel(key)}: ${formatCount(count)}`)
    .join(' · ');

/** Messages the merchant should see: skipped permissions, the last error, a lost authorization. */
export function ConnectionNotices({ connection }: { connection: StripeConnection }) {
  const messages = connection.status_messages.filter((m) => m.code !== 'disconnected');
  return (
    <>
      {connection.status === 'needs_reauth' ? (
        <Banner type="critical" title={CONNECTION_STATUS.needs_reauth.label} description={CONNECTION_STATUS.needs_reauth.description} />
      ) : null}
      {connection.last_error ? <Banner type="critical" title="The last sync ran into a problem" description={connection.last_error} /> : null}
      {messages.map((m) => (
        <Banner key={m.code} type="caution" title="Good to know" description={m.message} />
      ))}
    </>
  );
}

/** Status, counts and last sync of a linked connection. */
export function ConnectionSummary({ connection, compact = false }: { connection: StripeConnection; compact?: boolean }) {
  const status = connection.status ?? 'pending';
  const progress = isSyncing(status) ? progressText(connection.sync_progress) : '';
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <StatusBadge status={status} />
      <Box css={{ color: 'secondary' }}>{CONNECTION_STATUS[status].description}</Box>
      <ConnectionNotices connection={connection} />
      <PropertyList orientation={compact ? 'vertical' : 'horizontal'}>
        <PropertyListItem label="Participants imported" value={formatCount(connection.participant_count)} />
        <PropertyListItem label="Segments" value={formatCount(connection.segment_count)} />
        <PropertyListItem label="Last sync" value={lastSyncText(connection)} />
        {compact ? null : <PropertyListItem label="Mode" value={connection.livemode === false ? 'Test mode' : 'Live mode'} />}
      </PropertyList>
      {progress ? <Box css={{ color: 'secondary' }}>{`Imported so far: ${progress}`}</Box> : null}
    </Box>
  );
}
