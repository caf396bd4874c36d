import { z } from 'zod';

/**
 * Development defaults pair the service with `pnpm emulator` (the Stripe emulator on :12111), so
 * `pnpm start` works with no configuration. In production none of them applies to a secret: a
 * production start without its secrets must fail loudly rather than run with a well-known key.
 */
const DEV_DEFAULTS = {
  PUBLIC_URL: 'http://localhost:3000',
  APP_URL: 'http://localhost:5173',
  ENCRYPTION_KEY: 'dev:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=',
  STRIPE_API_BASE: 'http://127.0.0.1:12111',
  STRIPE_AUTHORIZE_URL: 'http://127.0.0.1:12111/oauth/v2/authorize',
  STRIPE_SECRET_KEY_TEST: 'sk_test_emulator_platform',
  STRIPE_SECRET_KEY_LIVE: 'sk_live_emulator_platform',
  STRIPE_CLIENT_ID_TEST: 'ca_emulator_test',
  STRIPE_CLIENT_ID_LIVE: 'ca_emulator_live',
  STRIPE_WEBHOOK_SECRETS: 'whsec_emulator',
  STRIPE_APP_SIGNING_SECRETS: 'absec_emulator',
} as const;

/** Variables whose values never reach a log line or an error message. */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'ENCRYPTION_KEY',
  'STRIPE_SECRET_KEY_TEST',
  'STRIPE_SECRET_KEY_LIVE',
  'STRIPE_WEBHOOK_SECRETS',
  'STRIPE_APP_SIGNING_SECRETS',
  'SMTP_URL',
] as const;

const list = z
  .string()
  .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean));

const url = z.url({ protocol: /^https?$/ });

/** `METHOD /v1/route=perSecond[,…]`, ids written `:id`. */
const endpointRates = z.string().transform((value, ctx) => {
  const rates: Record<string, number> = {};
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^((?:GET|POST|DELETE) \/\S+)\s*=\s*(\d+)$/.exec(entry);
    const perSecond = Number(match?.[2]);
    if (!match || perSecond < 1 || perSecond > 1000) ctx.addIssue({ code: 'custom', message: `"${entry}" must read 'GET /v1/route=perSecond' (1-1000)` });
    else rates[match[1]!] = perSecond;
  }
  return rates;
});

/** `id:base64key[,id:base64key…]`; the first key encrypts, all of them decrypt (rotation). */
const encryptionKeys = z.string().transform((value, ctx) => {
  const keys = value.split(',').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    const [id, b64] = entry.includes(':') ? entry.split(':', 2) : ['k1', entry];
    return { id: id ?? '', key: Buffer.from(b64 ?? '', 'base64') };
  });
  if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one key' });
  for (const k of keys) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(k.id)) ctx.addIssue({ code: 'custom', message: `key id "${k.id}" must be 1-32 letters, digits, _ or -` });
    if (k.key.length !== 32) ctx.addIssue({ code: 'custom', message: `key "${k.id}" must be 32 bytes, base64-encoded (got ${k.key.length} bytes)` });
  }
  return keys;
});

const prefixed = (prefixes: string[]) =>
  z.string().refine((v) => prefixes.some((p) => v.startsWith(p)), `must start with ${prefixes.join(' or ')}`);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: url,
  APP_URL: url,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATA_DIR: z.string().default('./.data'),
  ENCRYPTION_KEY: encryptionKeys,
  STRIPE_API_BASE: url.optional(),
  STRIPE_AUTHORIZE_URL: url.default('https://marketplace.stripe.com/oauth/v2/authorize'),
  STRIPE_SECRET_KEY_TEST: prefixed(['sk_test_', 'rk_test_']).optional(),
  STRIPE_SECRET_KEY_LIVE: prefixed(['sk_live_', 'rk_live_']).optional(),
  STRIPE_CLIENT_ID_TEST: prefixed(['ca_']).optional(),
  STRIPE_CLIENT_ID_LIVE: prefixed(['ca_']).optional(),
  STRIPE_WEBHOOK_SECRETS: list.pipe(z.array(prefixed(['whsec_'])).min(1, 'needs at least one whsec_ secret')),
  STRIPE_APP_SIGNING_SECRETS: list.pipe(z.array(prefixed(['absec_'])).min(1, 'needs at least one absec_ secret')),
  STRIPE_RATE_LIMIT_TEST: z.coerce.number().int().min(1).max(1000).default(20),
  STRIPE_RATE_LIMIT_LIVE: z.coerce.number().int().min(1).max(1000).default(80),
  /** Per endpoint (`GET /v1/invoices`): Stripe allows 25/s; search endpoints run at most 18 (Stripe: 20). */
  STRIPE_ENDPOINT_RATE_LIMIT: z.coerce.number().int().min(1).max(1000).default(22),
  /** Per-endpoint overrides: `GET /v1/invoices=24,GET /v1/invoices/search=15`. */
  STRIPE_ENDPOINT_RATE_LIMITS: endpointRates.default({}),
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  /** A backfill reads the oldest part of the invoices through the Search API beside the list (docs/performance.md). */
  STRIPE_SEARCH_READS: z.enum(['on', 'off']).default('off'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  INTERVIEW_BASE_URL: url.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type Parsed = z.output<typeof schema>;

export interface StripeModeConfig {
  secretKey: string;
  clientId: string;
}

export type Config = Omit<Parsed, 'INTERVIEW_BASE_URL'> & {
  INTERVIEW_BASE_URL: string;
  isProduction: boolean;
  /** Platform credentials per mode; a mode without both a secret key and a client id is off. */
  stripeModes: { test?: StripeModeConfig; live?: StripeModeConfig };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function withDevelopmentDefaults(env: Env): Env {
  if (env.NODE_ENV === 'production') return env;
  const filled: Env = { ...env };
  for (const [name, value] of Object.entries(DEV_DEFAULTS)) {
    if (filled[name] === undefined || filled[name] === '') filled[name] = value;
  }
  return filled;
}

function emptyAsUnset(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

function stripeMode(key: string | undefined, clientId: string | undefined): StripeModeConfig | undefined {
  return key && clientId ? { secretKey: key, clientId } : undefined;
}

function productionProblems(c: Parsed): string[] {
  if (c.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  const pairs = [
    ['TEST', c.STRIPE_SECRET_KEY_TEST, c.STRIPE_CLIENT_ID_TEST],
    ['LIVE', c.STRIPE_SECRET_KEY_LIVE, c.STRIPE_CLIENT_ID_LIVE],
  ] as const;
  for (const [mode, key, id] of pairs) {
    if (Boolean(key) !== Boolean(id)) {
      problems.push(`STRIPE_SECRET_KEY_${mode} and STRIPE_CLIENT_ID_${mode}: set both or neither`);
    }
  }
  if (!pairs.some(([, key, id]) => key && id)) {
    problems.push('STRIPE_SECRET_KEY_LIVE/STRIPE_CLIENT_ID_LIVE (or the _TEST pair): required in production');
  }
  return problems;
}

/** Parses the environment once; every problem is reported together, never a secret's value. */
export function loadConfig(rawEnv: Env = process.env): Config {
  const env = withDevelopmentDefaults(emptyAsUnset(rawEnv));
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(environment)');
        const missing = env[name] === undefined;
        return missing ? `${name}: required` : `${name}: ${issue.message}`;
      }),
    );
  }
  const c = result.data;
  const problems = productionProblems(c);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...c,
    INTERVIEW_BASE_URL: c.INTERVIEW_BASE_URL ?? c.APP_URL,
    isProduction: c.NODE_ENV === 'production',
    stripeModes: {
      test: stripeMode(c.STRIPE_SECRET_KEY_TEST, c.STRIPE_CLIENT_ID_TEST),
      live: stripeMode(c.STRIPE_SECRET_KEY_LIVE, c.STRIPE_CLIENT_ID_LIVE),
    },
  };
}

/** What the service says about its configuration at start: names and shapes, no secret values. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    NODE_ENV: c.NODE_ENV,
    PORT: c.PORT,
    PUBLIC_URL: c.PUBLIC_URL,
    APP_URL: c.APP_URL,
    database: c.DATABASE_URL ? 'postgres' : `pglite (${c.DATA_DIR})`,
    STRIPE_API_BASE: c.STRIPE_API_BASE ?? 'https://api.stripe.com',
    STRIPE_AUTHORIZE_URL: c.STRIPE_AUTHORIZE_URL,
    stripeModes: Object.keys(c.stripeModes).filter((m) => c.stripeModes[m as 'test' | 'live']),
    encryptionKeyIds: c.ENCRYPTION_KEY.map((k) => k.id),
    webhookSecrets: c.STRIPE_WEBHOOK_SECRETS.length,
    appSigningSecrets: c.STRIPE_APP_SIGNING_SECRETS.length,
    smtp: c.SMTP_URL ? 'configured' : 'log only',
    INTERVIEW_BASE_URL: c.INTERVIEW_BASE_URL,
    LOG_LEVEL: c.LOG_LEVEL,
  };
}
