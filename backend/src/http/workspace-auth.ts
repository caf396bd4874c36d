import type { FastifyInstance } from 'fastify';
import type { WorkspaceRow } from '../modules/workspaces/repository.js';
import type { WorkspaceService } from '../modules/workspaces/service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every /api route by the auth hook; queries filter on its id. */
    workspace: WorkspaceRow;
  }
}

/** Every route registered inside `app` after this call requires a workspace API key. */
export function requireWorkspace(app: FastifyInstance, workspaces: WorkspaceService): void {
  app.decorateRequest('workspace', null as unknown as WorkspaceRow);
  app.addHook('onRequest', async (request) => {
    request.workspace = await workspaces.authenticate(request.headers.authorization);
  });
}
