import { z } from 'zod';

export const Workspace = z
  .object({
    id: z.uuid(),
    name: z.string(),
    created_at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Workspace' });
export type Workspace = z.infer<typeof Workspace>;

export const UpdateWorkspaceRequest = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
});
export type UpdateWorkspaceRequest = z.infer<typeof UpdateWorkspaceRequest>;
