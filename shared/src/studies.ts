import { z } from 'zod';
import { PageQuery, page } from './participants.js';

const timestamp = z.iso.datetime({ offset: true });

const interviewUrlTemplate = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => v.includes('{token}'), 'must contain {token}, where the invite token goes')
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v.replaceAll('{token}', 'token')).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL once {token} is filled in');

export const CreateStudyRequest = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(200),
  interview_url_template: interviewUrlTemplate
    .optional()
    .describe('Where the invite links point, e.g. `https://interviews.example.com/start?t={token}`; default `INTERVIEW_BASE_URL/i/{token}`'),
});
export type CreateStudyRequest = z.infer<typeof CreateStudyRequest>;

export const Study = z
  .object({
    id: z.uuid(),
    title: z.string(),
    interview_url_template: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Study' });
export type Study = z.infer<typeof Study>;

export const InviteStatus = z.enum(['queued', 'sent', 'failed']);
export type InviteStatus = z.infer<typeof InviteStatus>;

export const StudyDetail = Study.extend({
  invites: z
    .object({ total: z.number().int(), queued: z.number().int(), sent: z.number().int(), failed: z.number().int() })
    .describe('Invite counts by delivery status'),
  invited_mrr: z
    .record(z.string(), z.number().int())
    .describe('Total MRR of the invited participants when they were invited, per currency, in minor units (`{"usd": 129900}`)'),
}).meta({ id: 'StudyDetail' });
export type StudyDetail = z.infer<typeof StudyDetail>;

export const StudyPage = page(Study);

export const LaunchInvitesRequest = z.strictObject({
  segment_id: z.uuid(),
  order_by: z
    .enum(['mrr_desc', 'ltv_desc'])
    .default('mrr_desc')
    .describe('Who is invited (with `limit`) and emailed first: highest MRR or highest LTV'),
  limit: z.number().int().min(1).max(1_000_000).optional().describe('Invite only the first `limit` participants with an email, in `order_by` order'),
});
export type LaunchInvitesRequest = z.infer<typeof LaunchInvitesRequest>;

export const LaunchInvitesResponse = z
  .object({
    invited: z.number().int().describe('Invites created by this launch, queued for delivery'),
    skipped_no_email: z.number().int().describe('Participants of the segment without an email address'),
    already_invited: z
      .number()
      .int()
      .describe('Participants left out because they, or another participant with the same address, already have an invite to this study'),
  })
  .meta({ id: 'LaunchInvitesResponse' });
export type LaunchInvitesResponse = z.infer<typeof LaunchInvitesResponse>;

export const Invite = z
  .object({
    study_id: z.uuid(),
    participant: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string() }).describe('As invited: the address the invite goes to'),
    segment_id: z.uuid().nullable(),
    status: InviteStatus,
    attempts: z.number().int().describe('Delivery attempts so far'),
    last_error: z.string().nullable().describe("The mail server's last refusal (the reason, for a failed invite)"),
    mrr: z.number().int().describe('MRR when invited, minor units'),
    currency: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    sent_at: timestamp.nullable(),
    failed_at: timestamp.nullable(),
  })
  .meta({ id: 'Invite' });
export type Invite = z.infer<typeof Invite>;

export const InvitePageQuery = PageQuery.extend({ status: InviteStatus.optional().describe('Only invites in this delivery status') });
export const InvitePage = page(Invite);

export const ResolveInviteRequest = z.strictObject({
  token: z.string().min(1).max(200).describe('The token from an invite link (`…/i/<token>`)'),
});
export const ResolvedInvite = z.object({ study: Study, invite: Invite }).meta({ id: 'ResolvedInvite' });
