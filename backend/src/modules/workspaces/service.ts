import { AppError, unauthorized } from '../../http/app-error.js';
import { issueApiKey, parseApiKey, secretMatches } from './api-key.js';
import type { WorkspaceRepository, WorkspaceRow } from './repository.js';

export function createWorkspaceService(repository: WorkspaceRepository) {
  return {
    /** Returns the only copy of the workspace's first API key. */
    async createWorkspace(name: string): Promise<{ workspace: WorkspaceRow; apiKey: string }> {
      const trimmed = name.trim();
      if (!trimmed) throw new AppError(422, 'validation_failed', 'workspace name must not be empty');
      const issued = issueApiKey();
      const workspace = await repository.insertWorkspaceWithKey(trimmed, issued);
      return { workspace, apiKey: issued.key };
    },

    async createApiKey(workspaceId: string, label?: string): Promise<string> {
      if (!(await repository.findWorkspace(workspaceId))) throw new AppError(404, 'not_found', `workspace ${workspaceId} not found`);
      const issued = issueApiKey();
      await repository.insertKey(workspaceId, { lookup: issued.lookup, secretHash: issued.secretHash, label });
      return issued.key;
    },

    listWorkspaces: () => repository.listWorkspaces(),

    async renameWorkspace(id: string, name: string): Promise<WorkspaceRow> {
      const row = await repository.renameWorkspace(id, name);
      if (!row) throw new AppError(404, 'not_found', `workspace ${id} not found`);
      return row;
    },

    /** Resolves a bearer key to its workspace, or fails with the same answer for every bad key. */
    async authenticate(authorization: string | undefined): Promise<WorkspaceRow> {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match) throw unauthorized('unauthorized', 'send the workspace API key as "Authorization: Bearer <key>"');
      const parsed = parseApiKey(match[1]!);
      const found = parsed ? await repository.findActiveKey(parsed.lookup) : undefined;
      if (!parsed || !found || !secretMatches(parsed.secret, found.secretHash)) {
        throw unauthorized('invalid_api_key', 'the API key is not valid or has been revoked');
      }
      await repository.touchKey(found.keyId);
      return found.workspace;
    },
  };
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;
