import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { TestApp } from '../support/test-app.js';

export interface SeedParticipant {
  email?: string | null;
  name?: string | null;
  mrr?: number;
  ltv?: number;
  currency?: string | null;
  deletedInStripe?: boolean;
}

/** What the sync would have written: participants, in order; returns their ids in that order. */
export async function seedParticipants(t: TestApp, workspaceId: string, rows: SeedParticipant[]): Promise<string[]> {
  const ids: string[] = [];
  for (const p of rows) {
    const [row] = await t.database.rows<{ id: string }>(sql`
      insert into participants (workspace_id, source, email, name, mrr, ltv, currency, deleted_in_stripe)
      values (${workspaceId}, 'stripe', ${p.email ?? null}, ${p.name ?? null}, ${p.mrr ?? 0}, ${p.ltv ?? 0}, ${p.currency === undefined ? 'usd' : p.currency}, ${p.deletedInStripe ?? false})
      returning id`);
    ids.push(row!.id);
  }
  return ids;
}

export async function seedSegment(t: TestApp, workspaceId: string, key: string, participantIds: string[]): Promise<string> {
  const [segment] = await t.database.rows<{ id: string }>(sql`insert into segments (workspace_id, key, name) values (${workspaceId}, ${key}, ${key}) returning id`);
  for (const id of participantIds) await t.database.rows(sql`insert into segment_members (segment_id, participant_id) values (${segment!.id}, ${id})`);
  return segment!.id;
}

export async function createStudy(t: TestApp, auth: string, body: Record<string, unknown> = { title: 'Pricing interviews' }): Promise<string> {
  const res = await t.http.post('/api/studies').set('authorization', auth).send(body).expect(201);
  return res.body.id as string;
}

export interface StoredInvite {
  participant_id: string;
  email: string;
  status: string;
  attempts: number;
  last_error: string | null;
  seq: number;
  token_hash: string | null;
}

export const invitesOf = (t: TestApp, studyId: string) =>
  t.database.rows<StoredInvite>(sql`
    select participant_id, email, status, attempts, last_error, seq::int as seq, token_hash
    from invites where study_id = ${studyId} order by seq`);

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** Headers and bodies with quoted-printable undone, to search for the link. */
  decoded: string;
  at: number;
}

/** RCPT TO answers per address: a list consumed one per attempt, the last one repeating. */
export type RcptScript = Record<string, Array<{ code: number; message: string } | 'ok'>>;

/** A real SMTP server on a free port, recording what it accepts. */
export async function startSmtp(options: { script?: RcptScript; port?: number } = {}) {
  const received: ReceivedMail[] = [];
  const rcptAttempts: Record<string, number> = {};
  const script = options.script ?? {};
  const config: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 200,
    onRcptTo(address, _session, callback) {
      const n = (rcptAttempts[address.address] = (rcptAttempts[address.address] ?? 0) + 1);
      const answers = script[address.address];
      const answer = answers ? answers[Math.min(n, answers.length) - 1] : 'ok';
      if (answer && answer !== 'ok') return callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        const decoded = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
        const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((a) => a.address),
          raw,
          subject,
          decoded,
          at: Date.now(),
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    rcptAttempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Smtp = Awaited<ReturnType<typeof startSmtp>>;

/** The invite link in a received message. */
export function linkIn(mail: ReceivedMail, base: string): string | undefined {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}[A-Za-z0-9_%-]+`).exec(mail.decoded)?.[0];
}
