import { randomBytes } from 'node:crypto';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { ErrorResponse, SsoIdentifyRequest, SsoIdentifyResponse, SsoSecretResponse, StripeCustomerId } from '@ui/shared';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Database, Db } from '../../db/database.js';
import { participants, segmentMembers, ssoSecrets } from '../../db/schema/index.js';
import { AppError } from '../../http/app-error.js';
import { isGuest } from './guest.js';

const Claims = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(500).optional(),
  sso_uid: z.string().trim().min(1).max(200).optional(),
  stripe_customer_id: StripeCustomerId.optional(),
});

const invalid = (code: string, message: string) => new AppError(401, code, message);
const context = (workspaceId: string) => `sso-secret:${workspaceId}`;

/** Why a token was refused, in words a developer wiring SSO can act on. */
function rejection(error: unknown): AppError {
  if (error instanceof joseErrors.JWTExpired) return invalid('sso_token_expired', 'the token has expired (`exp` is in the past)');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return invalid('invalid_sso_signature', "the token's signature does not match the workspace's SSO secret");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return invalid('invalid_sso_token', error.claim === 'exp' ? 'the token needs an `exp` (expiry) claim' : `the token's \`${error.claim}\` claim is invalid: ${error.reason}`);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return invalid('invalid_sso_token', 'the token must be signed with HS256');
  if (error instanceof joseErrors.JOSEError) return invalid('invalid_sso_token', 'the token is not a valid JWT');
  throw error;
}

export function createSsoService(deps: {
  database: Database;
  box: SecretBox;
  enqueueSyncs(workspaceId: string, participantIds: string[]): Promise<void>;
  refreshTotals(workspaceId: string): Promise<void>;
}) {
  const { db } = deps.database;

  async function secretOf(workspaceId: string): Promise<Uint8Array | undefined> {
    const [row] = await db.select().from(ssoSecrets).where(eq(ssoSecrets.workspaceId, workspaceId));
    return row ? new TextEncoder().encode(deps.box.decrypt(row.secretSealed, context(workspaceId))) : undefined;
  }

  /** Finds by sso_uid, else by email (someone without an sso_uid yet), oldest first. */
  async function match(tx: Db, workspaceId: string, claims: z.infer<typeof Claims>) {
    if (claims.sso_uid) {
      const [bySso] = await tx.select().from(participants).where(and(eq(participants.workspaceId, workspaceId), eq(participants.ssoUid, claims.sso_uid)));
      if (bySso) return bySso;
    }
    const [byEmail] = await tx
      .select()
      .from(participants)
      .where(and(eq(participants.workspaceId, workspaceId), sql`(coalesce(lower(${participants.email}), '') collate "C") = ${claims.email.toLowerCase()}`, claims.sso_uid ? isNull(participants.ssoUid) : undefined))
      .orderBy(participants.createdAt, participants.id)
      .limit(1);
    return byEmail;
  }

  return {
    /** A new secret for the workspace (the previous one stops working); returned once. */
    async rotateSecret(workspaceId: string): Promise<string> {
      const secret = randomBytes(32).toString('base64url');
      const sealed = deps.box.encrypt(secret, context(workspaceId));
      await db.insert(ssoSecrets).values({ workspaceId, secretSealed: sealed }).onConflictDoUpdate({ target: ssoSecrets.workspaceId, set: { secretSealed: sealed, createdAt: sql`now()` } });
      return secret;
    },

    async identify(workspaceId: string, token: string) {
      const secret = await secretOf(workspaceId);
      if (!secret) throw invalid('sso_not_configured', 'single sign-on is not set up for this workspace (no SSO secret)');
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp'] }));
      } catch (error) {
        throw rejection(error);
      }
      const parsed = Claims.safeParse(payload);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => ({ field: `token.${i.path.join('.')}`, message: i.path[0] === 'email' && payload.email === undefined ? 'required' : i.message }));
        throw new AppError(422, 'validation_failed', `invalid token claims: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
      }
      const claims = parsed.data;
      const result = await db.transaction(async (tx) => {
        // Two sign-ins of one person at once must not create two participants.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`sso:${workspaceId}:${claims.sso_uid ?? claims.email.toLowerCase()}`}))`);
        const current = await match(tx, workspaceId, claims);
        if (claims.stripe_customer_id) {
          const [holder] = await tx
            .select({ id: participants.id })
            .from(participants)
            .where(and(eq(participants.workspaceId, workspaceId), eq(participants.stripeCustomerId, claims.stripe_customer_id), current ? ne(participants.id, current.id) : undefined));
          if (holder) throw new AppError(422, 'validation_failed', 'token.stripe_customer_id: already linked to another participant', [{ field: 'token.stripe_customer_id', message: 'already linked to another participant of this workspace' }]);
        }
        if (!current) {
          const [row] = await tx
            .insert(participants)
            .values({ workspaceId, source: 'sso', email: claims.email, name: claims.name ?? null, ssoUid: claims.sso_uid ?? null, stripeCustomerId: claims.stripe_customer_id ?? null })
            .returning();
          return { id: row!.id, created: true, linked: Boolean(claims.stripe_customer_id), leftSegments: false };
        }
        const relink = claims.stripe_customer_id !== undefined && claims.stripe_customer_id !== current.stripeCustomerId;
        const set: Partial<typeof participants.$inferInsert> = { updatedAt: new Date() };
        if (current.email?.toLowerCase() !== claims.email.toLowerCase()) set.email = claims.email;
        if (claims.name !== undefined) set.name = claims.name;
        if (claims.sso_uid !== undefined) set.ssoUid = claims.sso_uid;
        if (relink) {
          Object.assign(set, { stripeCustomerId: claims.stripe_customer_id, mrr: 0, ltv: 0, plan: null, planProducts: [], status: 'none', lastSyncError: null, lastSyncedAt: null, deletedInStripe: false, stripeVersion: null });
          await tx.delete(segmentMembers).where(eq(segmentMembers.participantId, current.id));
        }
        await tx.update(participants).set(set).where(and(eq(participants.id, current.id), eq(participants.workspaceId, workspaceId)));
        return { id: current.id, created: false, linked: relink, leftSegments: relink && Boolean(current.stripeCustomerId) };
      });
      if (result.leftSegments) await deps.refreshTotals(workspaceId);
      const syncQueued = result.linked && !isGuest(claims.stripe_customer_id);
      if (syncQueued) await deps.enqueueSyncs(workspaceId, [result.id]);
      return { participant_id: result.id, created: result.created, sync_queued: syncQueued };
    },
  };
}

export type SsoService = ReturnType<typeof createSsoService>;

/** Needs the workspace API key: sets up (or rotates) the secret SSO tokens are signed with. */
export function ssoSettingsRoutes(sso: SsoService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/sso/secret',
      { schema: { tags: ['sso'], security: [{ bearerAuth: [] }], summary: 'Create or rotate the workspace SSO secret (HS256); shown once', response: { 201: SsoSecretResponse } } },
      async (request, reply) => reply.status(201).send({ secret: await sso.rotateSecret(request.workspace.id) }),
    );
  };
}

/** Public: the signed token is the credential. */
export function ssoIdentifyRoutes(sso: SsoService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/sso/identify',
      {
        schema: {
          tags: ['sso'],
          summary: 'Upsert the participant a signed SSO token describes; a new or changed Stripe customer id is synced in the background',
          body: SsoIdentifyRequest,
          response: { 200: SsoIdentifyResponse, 401: ErrorResponse, 422: ErrorResponse },
        },
      },
      (request) => sso.identify(request.body.workspace_id, request.body.token),
    );
  };
}
