import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HealthResponse, ReadinessResponse } from '@ui/shared';

export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

export function healthRoutes(probes: ReadinessProbe[]): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { tags: ['health'], summary: 'The process is up', response: { 200: HealthResponse } } },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['health'],
          summary: 'The database and the job queue answer',
          response: { 200: ReadinessResponse, 503: ReadinessResponse },
        },
      },
      async (request, reply) => {
        const results = await Promise.all(
          probes.map(async (probe) => {
            try {
              await probe.check();
              return [probe.name, 'ok'] as const;
            } catch (error) {
              request.log.warn({ err: error, probe: probe.name }, 'readiness check failed');
              return [probe.name, 'unreachable'] as const;
            }
          }),
        );
        const ready = results.every(([, state]) => state === 'ok');
        return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) });
      },
    );
  };
}
