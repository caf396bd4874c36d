import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse, IdParams, ImportConfirmation, ImportPreview } from '@ui/shared';
import { AppError } from '../../http/app-error.js';
import type { ImportService } from './service.js';

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const tooLarge = () => new AppError(413, 'file_too_large', `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);

export function importRoutes(imports: ImportService): FastifyPluginAsyncZod {
  const security = [{ bearerAuth: [] }];
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10 } });
    // The file may also be sent as the body itself.
    app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body));

    app.post(
      '/imports',
      {
        bodyLimit: MAX_IMPORT_BYTES,
        schema: {
          tags: ['imports'],
          security,
          summary: 'Preview a CSV import of participants (multipart `file`, up to 10 MB); nothing is written until confirm',
          consumes: ['multipart/form-data', 'text/csv'],
          response: { 201: ImportPreview, 413: ErrorResponse, 422: ErrorResponse },
        },
      },
      async (request, reply) => {
        let file: Buffer;
        let filename: string | null = null;
        if (request.isMultipart()) {
          const part = await request.file();
          if (!part) throw new AppError(422, 'validation_failed', 'send the CSV as a multipart file field', [{ field: 'file', message: 'required' }]);
          filename = part.filename || null;
          try {
            file = await part.toBuffer();
          } catch (error) {
            if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
            throw error;
          }
        } else if (Buffer.isBuffer(request.body)) {
          file = request.body;
        } else {
          throw new AppError(422, 'validation_failed', 'send the CSV as multipart/form-data (field `file`) or as a text/csv body', [{ field: 'file', message: 'required' }]);
        }
        return reply.status(201).send(await imports.preview(request.workspace.id, file, filename));
      },
    );

    app.get(
      '/imports/:id',
      { schema: { tags: ['imports'], security, summary: 'An import and its preview', params: IdParams, response: { 200: ImportPreview, 404: ErrorResponse } } },
      (request) => imports.get(request.workspace.id, request.params.id),
    );

    app.post(
      '/imports/:id/confirm',
      {
        schema: {
          tags: ['imports'],
          security,
          summary: 'Apply the whole preview in one transaction; newly linked participants sync in the background',
          params: IdParams,
          response: { 200: ImportConfirmation, 404: ErrorResponse, 409: ErrorResponse },
        },
      },
      (request) => imports.confirm(request.workspace.id, request.params.id),
    );
  };
}
