import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse, UpdateWorkspaceRequest, Workspace } from '@ui/shared';
import type { WorkspaceService } from './service.js';
import type { WorkspaceRow } from './repository.js';

export const toWorkspaceDto = (w: WorkspaceRow): Workspace => ({
  id: w.id,
  name: w.name,
  created_at: w.createdAt.toISOString(),
});

/** Routes under /api: the caller's workspace is already resolved by the auth hook. */
export const workspaceRoutes = (workspaces: WorkspaceService): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/workspace',
    {
      schema: {
        tags: ['workspace'],
        summary: 'The workspace the API key belongs to',
        security: [{ bearerAuth: [] }],
        response: { 200: Workspace, 401: ErrorResponse },
      },
    },
    async (request) => toWorkspaceDto(request.workspace),
  );

  app.patch(
    '/workspace',
    {
      schema: {
        tags: ['workspace'],
        summary: 'Rename the workspace',
        security: [{ bearerAuth: [] }],
        body: UpdateWorkspaceRequest,
        response: { 200: Workspace, 401: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (request) => toWorkspaceDto(await workspaces.renameWorkspace(request.workspace.id, request.body.name)),
  );
};
