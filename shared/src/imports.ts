import { z } from 'zod';


export const ImportChange = z.object({ field: z.string(), old: z.unknown(), new: z.unknown() });

export const ImportRow = z.object({
  line: z.number().int().describe('Line of the file the row starts on (the header is line 1)'),
  action: z.enum(['create', 'update', 'unchanged', 'error']),
  email: z.string().nullable(),
  participant_id: z.uuid().nullable().describe('The participant an update or unchanged row matched'),
  matched_by: z.enum(['sso_uid', 'email']).nullable(),
  changes: z.array(ImportChange).describe('For updates: each field that changes, old and new value'),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});
export type ImportRow = z.infer<typeof ImportRow>;

export const ImportSummary = z.object({ rows: z.number().int(), create: z.number().int(), update: z.number().int(), unchanged: z.number().int(), error: z.number().int() });

export const ImportPreview = z
  .object({
    id: z.uuid(),
    status: z.enum(['preview', 'confirmed']),
    filename: z.string().nullable(),
    columns: z.object({ used: z.array(z.string()), ignored: z.array(z.string()) }),
    summary: ImportSummary,
    rows: z.array(ImportRow),
    created_at: z.iso.datetime({ offset: true }),
    confirmed_at: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'ImportPreview' });
export type ImportPreview = z.infer<typeof ImportPreview>;

export const ImportConfirmation = z.object({
  id: z.uuid(),
  status: z.literal('confirmed'),
  created: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int().describe('Unchanged and error rows'),
  syncs_queued: z.number().int().describe('Participants newly linked to a Stripe customer, synced in the background'),
});

export const SsoIdentifyRequest = z.strictObject({
  workspace_id: z.uuid(),
  token: z.string().min(1).max(8192).describe('HS256 JWT signed with the workspace SSO secret; `exp` required'),
});
export const SsoIdentifyResponse = z.object({ participant_id: z.uuid(), created: z.boolean(), sync_queued: z.boolean() });
export const SsoSecretResponse = z.object({ secret: z.string().describe('Shown once; signs SSO tokens (HS256)') });


