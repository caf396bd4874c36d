/**
 * `pnpm emulator --port 12111 [--fixtures file.json] [--generate 5000] [--seed 1]
 *  [--latency-ms 150] [--rate-limit 100] [--webhook-url URL --webhook-secret whsec_… [--webhook-api-version 2024-06-20]] [--prerender]`
 *  plus Stripe's limiters, with Stripe's documented defaults (0 lifts one, --no-rate-limits all):
 *  [--rate-limit-live 100] [--rate-limit-test 25] [--endpoint-rate-limit 25]
 *  [--endpoint-rate-limits 'GET /v1/invoices=25,GET /v1/invoices/search=20'] [--concurrency-limit-live 100]
 *  [--concurrency-limit-test 25]; `--rate-limit N` sets the global rate of both modes.
 * Prints the URL and every account with its keys; stops on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_GENERATE, startEmulator, type Emulator, type EmulatorOptions, type FixtureFile } from './index.js';
import { NO_RATE_LIMITS, STRIPE_RATE_LIMITS, checkedRateLimits, type RateLimits } from './rate-limit.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '12111' },
    host: { type: 'string', default: '127.0.0.1' },
    fixtures: { type: 'string' },
    generate: { type: 'string' },
    seed: { type: 'string' },
    'latency-ms': { type: 'string' },
    'rate-limit': { type: 'string' },
    'rate-limit-live': { type: 'string' },
    'rate-limit-test': { type: 'string' },
    'endpoint-rate-limit': { type: 'string' },
    'endpoint-rate-limits': { type: 'string' },
    'concurrency-limit-live': { type: 'string' },
    'concurrency-limit-test': { type: 'string' },
    'no-rate-limits': { type: 'boolean', default: false },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'webhook-api-version': { type: 'string' },
    prerender: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return parsed;
}

/** `METHOD /v1/route=N,…` */
function endpointLimits(value: string | undefined): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const entry of (value ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    if (at < 0) throw new Error(`--endpoint-rate-limits: '${entry}' must read 'METHOD /v1/route=perSecond'`);
    limits[entry.slice(0, at).trim()] = integer('endpoint-rate-limits', entry.slice(at + 1).trim())!;
  }
  return limits;
}

function rateLimits(): RateLimits {
  if (values['no-rate-limits']) return NO_RATE_LIMITS;
  const or = (name: string, fallback: number | undefined) => (values[name as keyof typeof values] === undefined ? fallback : integer(name, values[name as keyof typeof values] as string));
  const global = integer('rate-limit', values['rate-limit']);
  const checked = checkedRateLimits({
    global: { live: global ?? or('rate-limit-live', STRIPE_RATE_LIMITS.global.live), test: global ?? or('rate-limit-test', STRIPE_RATE_LIMITS.global.test) },
    endpoint: or('endpoint-rate-limit', STRIPE_RATE_LIMITS.endpoint),
    endpoints: { ...STRIPE_RATE_LIMITS.endpoints, ...endpointLimits(values['endpoint-rate-limits']) },
    concurrency: { live: or('concurrency-limit-live', STRIPE_RATE_LIMITS.concurrency.live), test: or('concurrency-limit-test', STRIPE_RATE_LIMITS.concurrency.test) },
  });
  return { ...NO_RATE_LIMITS, ...checked };
}

async function options(): Promise<EmulatorOptions> {
  const webhookUrl = values['webhook-url'];
  const webhookSecret = values['webhook-secret'];
  if (Boolean(webhookUrl) !== Boolean(webhookSecret)) throw new Error('--webhook-url and --webhook-secret go together');
  const fixtures = values.fixtures ? (JSON.parse(await readFile(values.fixtures, 'utf8')) as FixtureFile) : undefined;
  return {
    port: integer('port', values.port),
    host: values.host,
    fixtures,
    generate: fixtures
      ? undefined
      : { customers: integer('generate', values.generate) ?? DEFAULT_GENERATE.customers, seed: integer('seed', values.seed) ?? DEFAULT_GENERATE.seed },
    latencyMs: integer('latency-ms', values['latency-ms']),
    rateLimits: rateLimits(),
    webhook: webhookUrl && webhookSecret ? { url: webhookUrl, secret: webhookSecret, apiVersion: values['webhook-api-version'] } : undefined,
    prerender: values.prerender,
  };
}

function describe(emulator: Emulator): string {
  const lines = [`Stripe emulator listening on ${emulator.url}`];
  lines.push(`  platform keys: test ${emulator.platformKeys.test}  live ${emulator.platformKeys.live}`);
  lines.push(`  OAuth client ids: test ${emulator.clientIds.test}  live ${emulator.clientIds.live}`);
  lines.push(`  authorize: ${emulator.url}/oauth/v2/authorize?client_id=${emulator.clientIds.test}&redirect_uri=…&state=…`);
  for (const account of emulator.accounts()) {
    lines.push(`  account ${account.id} (${account.livemode ? 'live' : 'test'} mode, ${account.counts.customer ?? 0} customers)`);
    for (const key of account.api_keys) {
      lines.push(`    ${key.key}  ${key.permissions === 'all' ? 'all permissions' : key.permissions.join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** The CLI's output is its interface: written to stdout directly, not through a logger. */
const print = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  if (values.help) {
    print('usage: pnpm emulator --port 12111 [--fixtures file.json] [--generate N] [--seed S] [--latency-ms MS] [--rate-limit RPS] [--rate-limit-live RPS] [--rate-limit-test RPS] [--endpoint-rate-limit RPS] [--endpoint-rate-limits \'GET /v1/route=RPS,…\'] [--concurrency-limit-live N] [--concurrency-limit-test N] [--no-rate-limits] [--webhook-url URL --webhook-secret whsec_… [--webhook-api-version V]] [--prerender]');
    return;
  }
  const emulator = await startEmulator(await options());
  print(describe(emulator));
  const stop = async (signal: string) => {
    print(`\n${signal}: stopping`);
    await emulator.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
