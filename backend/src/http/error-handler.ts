import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorResponse } from '@ui/shared';
import { AppError, type FieldProblem } from './app-error.js';

function send(reply: FastifyReply, request: FastifyRequest, status: number, body: Omit<ErrorResponse['error'], 'request_id'>) {
  return reply.status(status).send({ error: { ...body, request_id: String(request.id) } });
}

function validationProblems(error: FastifyError): FieldProblem[] {
  const context = error.validationContext ?? 'request';
  return (error.validation ?? []).map((issue) => {
    const path = String(issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    // zod reports unknown keys on the object, not on the key: name the key the client sent.
    const unknownKeys = (issue.params as { keys?: string[] } | undefined)?.keys;
    if (unknownKeys?.length) {
      return unknownKeys.map((key) => ({ field: [context, path, key].filter(Boolean).join('.'), message: 'unknown field' }));
    }
    return [{ field: [context, path].filter(Boolean).join('.'), message: issue.message ?? 'invalid' }];
  }).flat();
}

/**
 * One place decides what a client sees: a route's AppError as is, request validation as 422 with
 * the fields named, framework 4xx with their own message, and any other failure as an opaque 500
 * whose details go to the log only.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    send(reply, request, 404, { code: 'route_not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return send(reply, request, error.statusCode, { code: error.code, message: error.message, fields: error.fields });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields = validationProblems(error);
      const message = `invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`;
      return send(reply, request, 422, { code: 'validation_failed', message, fields });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = (error.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
      return send(reply, request, status, { code, message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return send(reply, request, 500, { code: 'internal_error', message: 'internal error; quote the request id when reporting it' });
  });
}
