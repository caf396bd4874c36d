import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { createBackendClient, problemOf, type BackendClient, type BackendProblem } from './api/client';
import { settingsOf, type AppSettings } from './config';

export type Loaded<T> = { state: 'loading' } | { state: 'failed'; problem: BackendProblem } | { state: 'ready'; data: T };

/** The backend client for the signed-in Dashboard user, and where the app's services live. */
export function useBackend(context: Pick<ExtensionContextValue, 'userContext' | 'environment'>): { client: BackendClient; settings: AppSettings } {
  const userId = context.userContext?.id ?? '';
  const accountId = context.userContext?.account?.id ?? '';
  const { apiBase, appUrl } = settingsOf(context.environment);
  return useMemo(
    () => ({ client: createBackendClient({ apiBase, user: { user_id: userId, account_id: accountId } }), settings: { apiBase, appUrl } }),
    [apiBase, appUrl, userId, accountId],
  );
}

/**
 * Runs `load` now and whenever asked: `retry` shows the spinner again (after a failure),
 * `refresh` keeps what is on screen until the new answer arrives. While `pollMs(data)` is a number
 * the data is refreshed that often (a sync in progress).
 */
export function useLoaded<T>(load: () => Promise<T>, pollMs?: (data: T) => number | null) {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setLoaded({ state: 'ready', data }),
      (error: unknown) => current && setLoaded({ state: 'failed', problem: problemOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [load, version]);

  const interval = loaded.state === 'ready' && pollMs ? pollMs(loaded.data) : null;
  useEffect(() => {
    if (interval === null) return undefined;
    const timer = setTimeout(() => setVersion((v) => v + 1), interval);
    return () => clearTimeout(timer);
  }, [interval, loaded]);

  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const retry = useCallback(() => {
    setLoaded({ state: 'loading' });
    setVersion((v) => v + 1);
  }, []);
  return { loaded, refresh, retry };
}

/** A button's backend call: pending while it runs, its problem if it failed, `onDone` after. */
export function useAction<T>(action: () => Promise<T>, onDone: (result: T) => void) {
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<BackendProblem | null>(null);
  const run = useCallback(async () => {
    setPending(true);
    setProblem(null);
    try {
      onDone(await action());
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setPending(false);
    }
  }, [action, onDone]);
  return { run, pending, problem };
}
