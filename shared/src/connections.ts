import { z } from 'zod';

export const ConnectionStatus = z.enum(['pending', 'syncing', 'segments_synced', 'complete', 'disconnected', 'needs_reauth']);
export const StripeMode = z.enum(['test', 'live']);

export const StripeConnection = z
  .object({
    connected: z.boolean().describe('False before the first connection; the rest is null then'),
    status: ConnectionStatus.nullable(),
    stripe_account_id: z.string().nullable(),
    livemode: z.boolean().nullable(),
    connection_mode: z.enum(['oauth', 'api_key']).nullable(),
    api_key: z.string().nullable().describe('Masked (`rk_live_…abcd`); never the key itself'),
    participant_count: z.number().int().describe('Participants in the workspace (all sources)'),
    segment_count: z.number().int(),
    sync_progress: z.record(z.string(), z.number()).describe('Objects fetched per Stripe type in the current or last sync'),
    last_sync_started_at: z.iso.datetime({ offset: true }).nullable(),
    last_sync_finished_at: z.iso.datetime({ offset: true }).nullable(),
    status_messages: z.array(z.object({ code: z.string(), message: z.string() })),
    last_error: z.string().nullable(),
    connected_at: z.iso.datetime({ offset: true }).nullable(),
    disconnected_at: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'StripeConnection' });
export type StripeConnection = z.infer<typeof StripeConnection>;

export const ConnectLinkRequest = z.strictObject({ mode: StripeMode.default('live') });
export const ConnectLinkResponse = z.object({
  url: z.url().describe('Open in the browser: it redirects to Stripe to authorize the app'),
  expires_at: z.iso.datetime({ offset: true }),
});

export const ConnectStartQuery = z.strictObject({
  mode: StripeMode.default('live'),
  token: z.string().optional().describe('A connect link token, instead of the Authorization header'),
});

export const ConnectCallbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

export const SaveApiKeyRequest = z.strictObject({
  api_key: z
    .string()
    .trim()
    .regex(/^(rk|sk)_(live|test)_[A-Za-z0-9]+$/, 'must be a Stripe secret or restricted key (rk_live_, rk_test_, sk_live_ or sk_test_)')
    .optional()
    .describe('Omit to keep the stored key'),
});

export const ClaimRequest = z.strictObject({
  claim_code: z.string().trim().min(4).max(20).describe('The code shown after installing from the Stripe Dashboard'),
});
