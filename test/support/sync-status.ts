import type { TestApp } from './test-app.js';

/** Polls the connection status until the first sync is complete; a non-retried error fails at once. */
export async function waitForComplete(t: TestApp, auth: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = (await t.http.get('/api/integrations/stripe').set('authorization', auth).expect(200)).body;
    if (last.status === 'complete') return last;
    if (last.last_error && !/retry/.test(last.last_error)) throw new Error(last.last_error);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`sync did not complete: ${JSON.stringify(last)}`);
}
