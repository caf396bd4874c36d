import { useCallback, useEffect, useState } from 'react';
import { Banner, Box, Button, Inline } from '@stripe/ui-extension-sdk/ui';
import { changedState, type BackendClient } from '../api/client';
import { useAction } from '../hooks';
import type { ConnectionStatus } from '../words';
import { ProblemNotice } from './Problem';
import { OpenUserIntuition } from './Setup';

interface Props {
  client: BackendClient;
  status: ConnectionStatus;
  appHref: string;
  /** Called after an action changed something, to load the new state. */
  onChanged(): void;
  /** The drawer links to User Intuition from its header instead. */
  showOpenLink?: boolean;
}

/** Sync now, Disconnect (after a confirmation) and Open User Intuition. */
export function PanelActions({ client, status, appHref, onChanged, showOpenLink = true }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const synced = useCallback(() => {
    setNotice('Sync requested. The figures here update as it runs.');
    onChanged();
  }, [onChanged]);
  const disconnected = useCallback(() => {
    setConfirming(false);
    setNotice(null);
    onChanged();
  }, [onChanged]);
  const sync = useAction(client.sync, synced);
  const disconnect = useAction(client.disconnect, disconnected);
  const problem = sync.problem ?? disconnect.problem;
  // Refused because the connection changed meanwhile (disconnected elsewhere, lost its access): show it.
  useEffect(() => {
    if (problem && changedState(problem)) onChanged();
  }, [problem, onChanged]);

  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      {notice ? <Box css={{ color: 'success' }}>{notice}</Box> : null}
      {problem && !changedState(problem) ? <ProblemNotice problem={problem} /> : null}
      {confirming ? (
        <Box css={{ stack: 'y', gap: 'small' }}>
          <Banner
            type="caution"
            title="Disconnect User Intuition from this Stripe account?"
            description="User Intuition stops reading your Stripe data and stops updating participants. Participants and segments already imported stay in User Intuition, and you can connect again later."
          />
          <Inline css={{ gap: 'small' }}>
            <Button type="destructive" pending={disconnect.pending} onPress={disconnect.run}>
              Yes, disconnect
            </Button>
            <Button onPress={() => setConfirming(false)} disabled={disconnect.pending}>
              Cancel
            </Button>
          </Inline>
        </Box>
      ) : (
        <Inline css={{ gap: 'small', alignY: 'center' }}>
          <Button type="primary" pending={sync.pending} disabled={status === 'needs_reauth'} onPress={sync.run}>
            Sync now
          </Button>
          <Button type="destructive" onPress={() => setConfirming(true)}>
            Disconnect
          </Button>
          {showOpenLink ? <OpenUserIntuition href={appHref} /> : null}
        </Inline>
      )}
    </Box>
  );
}
