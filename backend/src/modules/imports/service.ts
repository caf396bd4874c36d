import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { STRIPE_CUSTOMER_ID, type ImportPreview, type ImportRow } from '@ui/shared';
import type { Database } from '../../db/database.js';
import { recordset } from '../../db/recordset.js';
import { imports, participants, segmentMembers } from '../../db/schema/index.js';
import { conflict, notFound } from '../../http/app-error.js';
import { mergeCustomFields, type ParticipantRepository, type ParticipantRow, type ParticipantWrite } from '../participants/repository.js';
import { isGuest } from '../participants/guest.js';
import { uniqueViolationField } from '../participants/routes.js';
import { parseCsv, type CsvRecord } from './csv.js';

type ImportRecord = typeof imports.$inferSelect;

/** What confirm writes: computed at preview time, applied as is. */
type PlannedWrite =
  | { op: 'create'; line: number; values: ParticipantWrite & { email: string } }
  | { op: 'update'; line: number; id: string; values: ParticipantWrite; relink: boolean };

const email = z.email();
const amount = /^\d{1,15}$/;

type Candidate = { line: number; write: ParticipantWrite & { email: string }; errors: { field: string; message: string }[] };

/** One CSV record to the fields it sets (an empty cell sets nothing), or its problems. */
function readRecord(record: CsvRecord): Candidate {
  const v = record.values;
  const errors: Candidate['errors'] = [];
  const write: ParticipantWrite & { email: string } = { email: v.email ?? '' };
  if (!v.email) errors.push({ field: 'email', message: 'required' });
  else if (!email.safeParse(v.email).success || v.email.length > 320) errors.push({ field: 'email', message: 'not a valid email address' });
  const text = (key: 'name' | 'company' | 'phone' | 'sso_uid', max: number) => {
    const value = v[key];
    if (value === undefined) return undefined;
    if (value.length > max) errors.push({ field: key, message: `longer than ${max} characters` });
    return value;
  };
  const name = text('name', 500);
  if (name !== undefined) write.name = name;
  const company = text('company', 500);
  if (company !== undefined) write.company = company;
  const phone = text('phone', 50);
  if (phone !== undefined) write.phone = phone;
  const ssoUid = text('sso_uid', 200);
  if (ssoUid !== undefined) write.ssoUid = ssoUid;
  if (v.stripe_customer_id !== undefined) {
    if (!STRIPE_CUSTOMER_ID.test(v.stripe_customer_id)) errors.push({ field: 'stripe_customer_id', message: 'must be a Stripe customer id (cus_… or gcus_…)' });
    else write.stripeCustomerId = v.stripe_customer_id;
  }
  if (v.groups !== undefined) write.groups = [...new Set(v.groups.split(/[;|]/).map((g) => g.trim()).filter(Boolean))];
  const custom = Object.entries(v).filter(([k]) => k.startsWith('custom.'));
  if (custom.length > 0) write.customFields = Object.fromEntries(custom.map(([k, value]) => [k.slice('custom.'.length), value]));
  for (const key of ['mrr', 'ltv'] as const) {
    const value = v[key];
    if (value === undefined) continue;
    if (!isGuest(v.stripe_customer_id)) errors.push({ field: key, message: 'only imported for guest customers (stripe_customer_id gcus_…); Stripe gives the others' });
    else if (!amount.test(value)) errors.push({ field: key, message: 'must be a whole number of minor units (4200 for 42.00)' });
    else write[key] = Number(value);
  }
  if (v.currency !== undefined) {
    if (!/^[a-z]{3}$/i.test(v.currency)) errors.push({ field: 'currency', message: 'must be a three-letter ISO code' });
    else if (!isGuest(v.stripe_customer_id)) errors.push({ field: 'currency', message: 'only imported for guest customers (gcus_…)' });
    else write.currency = v.currency.toLowerCase();
  }
  return { line: record.line, write, errors };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** The fields an update changes (old and new), and the write limited to them. */
function diff(current: ParticipantRow, write: ParticipantWrite & { email: string }) {
  const changes: ImportRow['changes'] = [];
  const values: ParticipantWrite = {};
  const scalar = (field: string, key: 'email' | 'name' | 'company' | 'phone' | 'ssoUid' | 'stripeCustomerId' | 'mrr' | 'ltv' | 'currency', same = (a: unknown, b: unknown) => a === b) => {
    const next = write[key];
    if (next === undefined || same(current[key], next)) return;
    changes.push({ field, old: current[key] ?? null, new: next });
    (values as Record<string, unknown>)[key] = next;
  };
  scalar('email', 'email', (a, b) => String(a ?? '').toLowerCase() === String(b).toLowerCase());
  scalar('name', 'name');
  scalar('company', 'company');
  scalar('phone', 'phone');
  scalar('sso_uid', 'ssoUid');
  scalar('stripe_customer_id', 'stripeCustomerId');
  scalar('mrr', 'mrr');
  scalar('ltv', 'ltv');
  scalar('currency', 'currency');
  if (write.groups && !sameSet(current.groups, write.groups)) {
    changes.push({ field: 'groups', old: current.groups, new: write.groups });
    values.groups = write.groups;
  }
  if (write.customFields) {
    for (const [key, value] of Object.entries(write.customFields)) {
      if (current.customFields[key] !== value) changes.push({ field: `custom_fields.${key}`, old: current.customFields[key] ?? null, new: value });
    }
    if (changes.some((c) => c.field.startsWith('custom_fields.'))) values.customFields = mergeCustomFields(current.customFields, write.customFields);
  }
  return { changes, values };
}

function createChanges(write: ParticipantWrite & { email: string }): ImportRow['changes'] {
  const snake: Record<string, string> = { ssoUid: 'sso_uid', stripeCustomerId: 'stripe_customer_id' };
  return Object.entries(write).flatMap(([key, value]) =>
    key === 'customFields' ? Object.entries(value as Record<string, string>).map(([k, v]) => ({ field: `custom_fields.${k}`, old: null, new: v })) : [{ field: snake[key] ?? key, old: null, new: value }],
  );
}

export function createImportService(deps: {
  database: Database;
  participants: ParticipantRepository;
  enqueueSyncs(workspaceId: string, participantIds: string[]): Promise<void>;
  /** Segment totals, after relinked participants left their Stripe-derived segments. */
  refreshTotals(workspaceId: string): Promise<void>;
}) {
  const { db } = deps.database;

  const toPreview = (record: ImportRecord, rows: ImportRow[]): ImportPreview => ({
    id: record.id,
    status: record.status,
    filename: record.filename,
    columns: { used: (record.summary as { columns?: string[] }).columns ?? [], ignored: record.ignoredColumns },
    summary: { rows: rows.length, create: count(rows, 'create'), update: count(rows, 'update'), unchanged: count(rows, 'unchanged'), error: count(rows, 'error') },
    rows,
    created_at: record.createdAt.toISOString(),
    confirmed_at: record.confirmedAt?.toISOString() ?? null,
  });
  const count = (rows: ImportRow[], action: ImportRow['action']) => rows.filter((r) => r.action === action).length;

  return {
    /** Parses, matches and diffs the file against the workspace's participants; writes only the import. */
    async preview(workspaceId: string, file: Buffer, filename: string | null): Promise<ImportPreview> {
      const { used, ignored, records } = parseCsv(file);
      const candidates = records.map(readRecord);
      const valid = candidates.filter((c) => c.errors.length === 0);
      const bySso = new Map((await deps.participants.bySsoUids(workspaceId, [...new Set(valid.flatMap((c) => (c.write.ssoUid ? [c.write.ssoUid] : [])))])).map((p) => [p.ssoUid!, p]));
      const byEmail = new Map<string, ParticipantRow>();
      for (const p of await deps.participants.byEmails(workspaceId, valid.map((c) => c.write.email))) {
        const key = (p.email ?? '').toLowerCase();
        // Oldest first: the first participant with an email is the one an email match picks.
        if (!byEmail.has(key)) byEmail.set(key, p);
      }
      const stripeHolders = new Map((await deps.participants.byStripeIds(workspaceId, [...new Set(valid.flatMap((c) => (c.write.stripeCustomerId ? [c.write.stripeCustomerId] : [])))])).map((p) => [p.stripeCustomerId!, p.id]));

      const rows: ImportRow[] = [];
      const plan: PlannedWrite[] = [];
      const seenPerson = new Map<string, number>();
      const seenStripe = new Map<string, number>();
      for (const c of candidates) {
        const errors = [...c.errors];
        let match: ParticipantRow | undefined;
        let matchedBy: 'sso_uid' | 'email' | null = null;
        if (errors.length === 0) {
          match = c.write.ssoUid ? bySso.get(c.write.ssoUid) : undefined;
          if (match) matchedBy = 'sso_uid';
          else {
            const byMail = byEmail.get(c.write.email.toLowerCase());
            // With an sso_uid nobody has, an email match only counts for someone without an sso_uid yet.
            if (byMail && (!c.write.ssoUid || !byMail.ssoUid)) {
              match = byMail;
              matchedBy = 'email';
            }
          }
          const person = match ? `id:${match.id}` : c.write.ssoUid ? `sso:${c.write.ssoUid}` : `email:${c.write.email.toLowerCase()}`;
          const earlier = seenPerson.get(person);
          if (earlier !== undefined) errors.push({ field: matchedBy ?? (c.write.ssoUid ? 'sso_uid' : 'email'), message: `same person as line ${earlier}` });
          else seenPerson.set(person, c.line);
          const stripeId = c.write.stripeCustomerId;
          if (stripeId && errors.length === 0) {
            const holder = stripeHolders.get(stripeId);
            const earlierStripe = seenStripe.get(stripeId);
            if (holder && holder !== match?.id) errors.push({ field: 'stripe_customer_id', message: 'already linked to another participant' });
            else if (earlierStripe !== undefined) errors.push({ field: 'stripe_customer_id', message: `also on line ${earlierStripe}` });
            else seenStripe.set(stripeId, c.line);
          }
        }
        const base = { line: c.line, email: c.write.email || null, participant_id: match?.id ?? null, matched_by: matchedBy };
        if (errors.length > 0) {
          rows.push({ ...base, participant_id: null, matched_by: null, action: 'error', changes: [], errors });
        } else if (!match) {
          rows.push({ ...base, action: 'create', changes: createChanges(c.write), errors: [] });
          plan.push({ op: 'create', line: c.line, values: c.write });
        } else {
          const { changes, values } = diff(match, c.write);
          rows.push({ ...base, action: changes.length > 0 ? 'update' : 'unchanged', changes, errors: [] });
          if (changes.length > 0) plan.push({ op: 'update', line: c.line, id: match.id, values, relink: values.stripeCustomerId !== undefined });
        }
      }
      const [record] = await db
        .insert(imports)
        .values({ workspaceId, filename, summary: { rows: rows.length, columns: used } as unknown as Record<string, number>, preview: rows, plan, ignoredColumns: ignored })
        .returning();
      return toPreview(record!, rows);
    },

    async get(workspaceId: string, id: string): Promise<ImportPreview> {
      const [record] = await db.select().from(imports).where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, id)));
      if (!record) throw notFound('import');
      return toPreview(record, record.preview as ImportRow[]);
    },

    /**
     * Applies the preview in one transaction: every create and update, or nothing (a participant
     * changed since the preview so that a row no longer fits answers 409). Then queues a sync of
     * each participant newly linked to a Stripe customer.
     */
    async confirm(workspaceId: string, id: string) {
      const [record] = await db.select({ id: imports.id, status: imports.status }).from(imports).where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, id)));
      if (!record) throw notFound('import');
      if (record.status !== 'preview') throw conflict('import_already_confirmed', 'this import was already confirmed');
      let result: { created: number; updated: number; skipped: number; linked: string[]; relinked: boolean };
      try {
        result = await db.transaction(async (tx) => {
          const [claimed] = await tx
            .update(imports)
            .set({ status: 'confirmed', confirmedAt: sql`now()` })
            .where(and(eq(imports.id, id), eq(imports.workspaceId, workspaceId), eq(imports.status, 'preview')))
            .returning();
          if (!claimed) throw conflict('import_already_confirmed', 'this import was already confirmed');
          const plan = claimed.plan as PlannedWrite[];
          const linked: string[] = [];
          const updates = plan.filter((p): p is Extract<PlannedWrite, { op: 'update' }> => p.op === 'update');
          for (let i = 0; i < updates.length; i += 500) {
            const batch = updates.slice(i, i + 500);
            const records = batch.map((u) => ({
              id: u.id,
              email: u.values.email ?? null,
              name: u.values.name ?? null,
              company: u.values.company ?? null,
              phone: u.values.phone ?? null,
              sso_uid: u.values.ssoUid ?? null,
              stripe_customer_id: u.values.stripeCustomerId ?? null,
              groups: u.values.groups ?? null,
              custom_fields: u.values.customFields ?? null,
              mrr: u.values.mrr ?? null,
              ltv: u.values.ltv ?? null,
              currency: u.values.currency ?? null,
              relink: u.relink,
            }));
            const changed = await tx.execute(sql`
              update participants p set
                email = coalesce(v.email, p.email), name = coalesce(v.name, p.name), company = coalesce(v.company, p.company),
                phone = coalesce(v.phone, p.phone), sso_uid = coalesce(v.sso_uid, p.sso_uid),
                stripe_customer_id = coalesce(v.stripe_customer_id, p.stripe_customer_id),
                groups = coalesce(v.groups, p.groups), custom_fields = coalesce(v.custom_fields, p.custom_fields),
                currency = coalesce(v.currency, p.currency),
                mrr = coalesce(v.mrr, case when v.relink then 0 else p.mrr end),
                ltv = coalesce(v.ltv, case when v.relink then 0 else p.ltv end),
                plan = case when v.relink then null else p.plan end,
                plan_products = case when v.relink then '[]'::jsonb else p.plan_products end,
                status = case when v.relink then 'none' else p.status end,
                last_sync_error = case when v.relink then null else p.last_sync_error end,
                last_synced_at = case when v.relink then null else p.last_synced_at end,
                deleted_in_stripe = case when v.relink then false else p.deleted_in_stripe end,
                stripe_version = case when v.relink then null else p.stripe_version end,
                updated_at = now()
              from ${recordset(records, 'v', `id uuid, email text, name text, company text, phone text, sso_uid text,
                stripe_customer_id text, groups jsonb, custom_fields jsonb, mrr bigint, ltv bigint, currency text, relink boolean`)}
              where p.id = v.id and p.workspace_id = ${workspaceId}
              returning p.id`);
            if ((changed as unknown as { rows: unknown[] }).rows.length !== batch.length) throw new ImportConflict('a participant of this import was deleted since the preview');
            const relinked = batch.filter((u) => u.relink).map((u) => u.id);
            if (relinked.length > 0) await tx.delete(segmentMembers).where(sql`${segmentMembers.participantId} in (${sql.join(relinked.map((r) => sql`${r}::uuid`), sql`, `)})`);
            linked.push(...batch.filter((u) => u.relink && u.values.stripeCustomerId && !isGuest(u.values.stripeCustomerId)).map((u) => u.id));
          }
          const creates = plan.filter((p): p is Extract<PlannedWrite, { op: 'create' }> => p.op === 'create');
          for (let i = 0; i < creates.length; i += 500) {
            const inserted = await tx
              .insert(participants)
              .values(creates.slice(i, i + 500).map((c) => ({ workspaceId, source: 'csv' as const, ...c.values, groups: c.values.groups ?? [], customFields: c.values.customFields ?? {} })))
              .returning({ id: participants.id, stripeCustomerId: participants.stripeCustomerId });
            linked.push(...inserted.filter((p) => p.stripeCustomerId && !isGuest(p.stripeCustomerId)).map((p) => p.id));
          }
          const rows = claimed.preview as ImportRow[];
          return { created: creates.length, updated: updates.length, skipped: rows.length - creates.length - updates.length, linked, relinked: updates.some((u) => u.relink) };
        });
      } catch (error) {
        if (error instanceof ImportConflict) throw conflict('import_conflict', `${error.message}; nothing was imported, preview the file again`);
        const field = uniqueViolationField(error);
        if (field) throw conflict('import_conflict', `another participant took a ${field} of this file since the preview; nothing was imported, preview the file again`);
        throw error;
      }
      if (result.relinked) await deps.refreshTotals(workspaceId);
      await deps.enqueueSyncs(workspaceId, result.linked);
      return { id, status: 'confirmed' as const, created: result.created, updated: result.updated, skipped: result.skipped, syncs_queued: result.linked.length };
    },
  };
}

class ImportConflict extends Error {}

export type ImportService = ReturnType<typeof createImportService>;
