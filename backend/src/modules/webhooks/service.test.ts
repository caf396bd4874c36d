import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { PendingEvent } from './handlers.js';
import type { WebhookRepository } from './repository.js';
import { createWebhookService, segmentTotals, type WebhookServiceDeps } from './service.js';

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined } as unknown as FastifyBaseLogger;

describe('segmentTotals: recounts coalesced across batches', () => {
  it('recounts at once the first time, then at most once per spacing unless forced, and never without a change', async () => {
    const recounts: string[] = [];
    const totals = segmentTotals(async (workspaceId) => void recounts.push(workspaceId), 60_000);
    await totals.refresh(true);
    expect(recounts).toEqual([]);
    totals.changed('ws_1');
    await totals.refresh(false);
    expect(recounts).toEqual(['ws_1']);
    totals.changed('ws_1');
    await totals.refresh(false);
    expect(recounts).toEqual(['ws_1']);
    await totals.refresh(true);
    expect(recounts).toEqual(['ws_1', 'ws_1']);
    await totals.refresh(true);
    expect(recounts).toEqual(['ws_1', 'ws_1']);
  });
});

describe('drain: a stream of events applied in spaced batches', () => {
  it('spaces the batches of a stream, recounts the totals after the first and the last, each time before the events show as applied', async () => {
    const event = (id: string): PendingEvent & { attempts: number } => ({ id, type: 'customer.created', created: 1, apiVersion: '2026-10-28.endive', source: 'webhook', object: { id: `cus_${id}` }, attempts: 0 });
    // Three batches arrive while the drain runs; the drain sees more waiting after the first two.
    const stream = [[event('e1'), event('e2')], [event('e3')], [event('e4'), event('e5')]];
    const log: string[] = [];
    const started: number[] = [];
    const repository = {
      pending: async () => stream[0] ?? [],
      hasPendingBeyond: async () => stream.length > 1,
      settle: async (ids: string[]) => {
        log.push(`settle ${ids.join(',')}`);
        stream.shift();
      },
    } as unknown as WebhookRepository;
    const deps: WebhookServiceDeps = {
      repository,
      connections: { findById: async () => ({ id: 'conn_1', workspaceId: 'ws_1', status: 'complete' }) as never },
      apply: async (_connection, events) => {
        started.push(Date.now());
        log.push(`apply ${events.map((e) => e.id).join(',')}`);
      },
      wake: async () => undefined,
      refreshTotals: async (workspaceId) => void log.push(`totals ${workspaceId}`),
      secrets: [],
      logger: silent,
    };
    const result = await createWebhookService(deps).drain('conn_1');

    expect(result).toEqual({ applied: 5, failed: 0 });
    expect(log).toEqual(['apply e1,e2', 'totals ws_1', 'settle e1,e2', 'apply e3', 'settle e3', 'apply e4,e5', 'totals ws_1', 'settle e4,e5']);
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(190);
  });
});
