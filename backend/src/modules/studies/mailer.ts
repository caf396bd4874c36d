import type { FastifyBaseLogger as Logger } from 'fastify';
import nodemailer from 'nodemailer';

export interface InviteEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The invite link, for the log-only mailer. */
  link: string;
}

/** How one message went: sent, or refused for now (retry later) or for good. */
export type SendOutcome =
  | { kind: 'sent' }
  | {
      kind: 'temporary' | 'permanent';
      reason: string;
      smtpCode: number | null;
      /** The server or the connection failed, not this message: stop sending for a while. */
      transport: boolean;
    };

export interface Mailer {
  kind: 'smtp' | 'log';
  send(email: InviteEmail): Promise<SendOutcome>;
  close(): void;
}

export interface SmtpOptions {
  /** Messages per second through this process's connection pool. */
  ratePerSecond: number;
  maxConnections: number;
}

/** 10 messages a second over up to 3 connections: within what common relays accept by default. */
export const DEFAULT_SMTP_OPTIONS: SmtpOptions = { ratePerSecond: 10, maxConnections: 3 };

/** Failures of the connection or the server as a whole rather than of one message. */
const TRANSPORT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EPROXY', 'EMAXLIMIT']);

/**
 * RFC 5321: a 4yz reply is transient, a 5yz permanent (503, a session out of sequence, is not
 * about the message). 421 means the server is closing the connection. Authentication and
 * connection failures are the service's problem, not the recipient's: retried, never blamed on
 * the invite until its attempts run out.
 */
export function classifySmtpError(error: unknown): Exclude<SendOutcome, { kind: 'sent' }> {
  const e = (error ?? {}) as { code?: string; responseCode?: number; response?: string; message?: string };
  const smtpCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const reason = (e.response ?? e.message ?? String(error)).slice(0, 500);
  if ((e.code && TRANSPORT_CODES.has(e.code)) || smtpCode === 421) return { kind: 'temporary', reason, smtpCode, transport: true };
  if (smtpCode !== null && smtpCode >= 500 && smtpCode !== 503) return { kind: 'permanent', reason, smtpCode, transport: false };
  if (smtpCode !== null && smtpCode >= 400) return { kind: 'temporary', reason, smtpCode, transport: false };
  // An address nodemailer itself refuses (no server reply) will never go through.
  if (e.code === 'EENVELOPE') return { kind: 'permanent', reason, smtpCode, transport: false };
  return { kind: 'temporary', reason, smtpCode, transport: true };
}

/**
 * `SMTP_URL` as nodemailer takes it (`smtp://user:pass@host:587`, `smtps://…`), plus an optional
 * `from` query parameter for the sender; without it, `invites@<host of INTERVIEW_BASE_URL>`.
 */
export function parseSmtpUrl(smtpUrl: string, interviewBaseUrl: string): { url: string; from: string } {
  const url = new URL(smtpUrl);
  const from = url.searchParams.get('from') ?? `User Intuition <invites@${new URL(interviewBaseUrl).hostname}>`;
  url.searchParams.delete('from');
  return { url: url.toString(), from };
}

export function createSmtpMailer(smtpUrl: string, interviewBaseUrl: string, options: SmtpOptions): Mailer {
  const { url, from } = parseSmtpUrl(smtpUrl, interviewBaseUrl);
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: options.maxConnections,
    // The pool holds every message to this rate, across its connections.
    rateLimit: options.ratePerSecond,
    rateDelta: 1000,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    idleTimeout: 5_000,
  });
  return {
    kind: 'smtp',
    async send(email) {
      try {
        await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text, html: email.html });
        return { kind: 'sent' };
      } catch (error) {
        return classifySmtpError(error);
      }
    },
    close: () => transport.close(),
  };
}

/** Without SMTP_URL: every invite goes to the log with its link, and counts as sent. */
export function createLogMailer(logger: Logger): Mailer {
  return {
    kind: 'log',
    async send(email) {
      logger.info({ to: email.to, subject: email.subject, link: email.link }, 'invite email (SMTP_URL is not set: logged, not sent)');
      return { kind: 'sent' };
    },
    close: () => undefined,
  };
}

export function createMailer(config: { SMTP_URL?: string; INTERVIEW_BASE_URL: string }, logger: Logger, options: SmtpOptions = DEFAULT_SMTP_OPTIONS): Mailer {
  return config.SMTP_URL ? createSmtpMailer(config.SMTP_URL, config.INTERVIEW_BASE_URL, options) : createLogMailer(logger);
}
