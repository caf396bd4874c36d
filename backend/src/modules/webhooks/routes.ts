import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../http/app-error.js';
import type { Webhooks } from './module.js';

/** Stripe's events stay well under this; a larger body is refused before it is read whole. */
export const MAX_WEBHOOK_BODY = 1024 * 1024;

const Receipt = z.object({
  received: z.literal(true),
  outcome: z.enum(['accepted', 'duplicate', 'ignored']),
  reason: z.string().optional().describe('Why the event is not applied (ignored events only)'),
});

/**
 * The Connect webhook endpoint. The raw bytes are what Stripe signed, so this scope replaces the
 * JSON parser with one that keeps the body as a Buffer (the rest of the app is unaffected).
 */
export function webhookRoutes(deps: { receive: Webhooks['receive'] }): FastifyPluginAsyncZod {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BODY }, (_request, body, done) => done(null, body));

    app.post(
      '/webhooks/stripe',
      {
        bodyLimit: MAX_WEBHOOK_BODY,
        schema: {
          tags: ['webhooks'],
          summary: 'Stripe Connect events (signed with a configured whsec_ secret)',
          description: 'Stores the verified event before answering; a job applies it. 400: missing or bad signature, stale timestamp, not JSON. 413: over 1 MB.',
          response: { 200: Receipt },
        },
      },
      async (request) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) throw new AppError(400, 'invalid_payload', 'the body is empty');
        const signature = request.headers['stripe-signature'];
        const receipt = await deps.receive(body, typeof signature === 'string' ? signature : undefined);
        return { received: true as const, ...receipt };
      },
    );
  };
}
