import { describe, expect, it } from 'vitest';
import { BackendError, createBackendClient, type BackendProblem } from './client';

const USER = { user_id: 'usr_Client', account_id: 'acct_Client' };

/** A fetch that records each request and answers from a list, in order. */
function recordedFetch(answers: (() => Response | Promise<Response>)[]) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(input), init: init ?? {} });
    const answer = answers.shift();
    if (!answer) throw new Error('no recorded answer left');
    return answer();
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const error = (status: number, code: string, extra: object = {}) => json(status, { error: { code, message: code, ...extra } });

async function problemOfCall(answer: () => Response | Promise<Response>): Promise<BackendProblem> {
  const { fetch } = recordedFetch([answer]);
  const client = createBackendClient({ apiBase: 'https://api.test/', user: USER, sign: async () => 't=1,v1=abc', fetch });
  const failure = await client.segments().catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(BackendError);
  return (failure as BackendError).problem;
}

describe('the backend client', () => {
  it('POSTs the signed identity, and only it, with the host\'s signature', async () => {
    const { fetch, requests } = recordedFetch([json(200, { segments: [] }), json(200, { scope: 'customer' })]);
    const client = createBackendClient({ apiBase: 'https://api.test/', user: USER, sign: async () => 't=1,v1=abc', fetch });
    await client.segments();
    await client.syncCustomer('cus_A/../b');
    expect(requests.map((r) => r.url)).toEqual(['https://api.test/stripe-app/segments', 'https://api.test/stripe-app/customers/cus_A%2F..%2Fb/sync']);
    expect(requests[0]!.init).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'application/json', 'Stripe-Signature': 't=1,v1=abc' } });
    expect(requests[0]!.init.body).toBe(JSON.stringify({ user_id: 'usr_Client', account_id: 'acct_Client' }));
  });

  it('turns each failure into a problem the views explain', async () => {
    expect(await problemOfCall(error(401, 'invalid_signature'))).toEqual({ kind: 'unauthorized' });
    expect(await problemOfCall(error(404, 'not_installed'))).toEqual({ kind: 'not_installed' });
    expect(await problemOfCall(error(409, 'not_linked'))).toEqual({ kind: 'not_linked' });
    expect(await problemOfCall(error(409, 'needs_reauth'))).toEqual({ kind: 'needs_reauth' });
    expect(await problemOfCall(() => new Response('<html>Bad gateway</html>', { status: 502 }))).toEqual({ kind: 'unreachable' });
    expect(await problemOfCall(() => Promise.reject(new TypeError('fetch failed')))).toEqual({ kind: 'unreachable' });
    expect(await problemOfCall(error(500, 'internal_error', { request_id: 'req-1' }))).toMatchObject({ kind: 'failed', status: 500, requestId: 'req-1' });
    expect(await problemOfCall(() => new Response('not json', { status: 200 }))).toMatchObject({ kind: 'failed', status: 200 });
  });

  it('does not call the backend without a user or a signature', async () => {
    const { fetch, requests } = recordedFetch([]);
    const noUser = createBackendClient({ apiBase: 'https://api.test', user: { user_id: '', account_id: 'acct_X' }, sign: async () => 'sig', fetch });
    await expect(noUser.connection()).rejects.toMatchObject({ problem: { kind: 'unauthorized' } });
    const noSignature = createBackendClient({ apiBase: 'https://api.test', user: USER, sign: () => Promise.reject(new Error('host refused')), fetch });
    await expect(noSignature.connection()).rejects.toMatchObject({ problem: { kind: 'unauthorized' } });
    expect(requests).toEqual([]);
  });
});
