import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runScript } from '../support/processes.js';
import { bar, formatMoney, mrrCell, progressOf, table } from './format.js';

/** Once a migration creates the webhook table, the demo must show the webhook itself updating the participant. */
const webhooksMigrated = readdirSync(join(ROOT, 'migrations'))
  .filter((f) => f.endsWith('.sql'))
  .some((f) => /create table[^;]*"?webhook_events"?/i.test(readFileSync(join(ROOT, 'migrations', f), 'utf8')));

const count = (text: string | undefined) => Number((text ?? '').replaceAll(',', ''));

describe('pnpm demo --once', () => {
  it('runs every step against the emulator, the mail server and the backend, and exits 0', async () => {
    // Not a TTY here: the output must be plain text (no escape codes).
    const demo = runScript('test/demo/demo.ts', ['--once'], { DEMO_CUSTOMERS: '300' });
    const code = await demo.exited;
    const output = demo.output();
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/\x1b\[/);

    for (let step = 1; step <= 9; step++) expect(output).toContain(`[${step}/9] `);
    expect(output).toMatch(/account acct_\w+: 300 customers/);
    expect(output).toMatch(/API key: uik_\S+/);
    expect(output).toMatch(/Stripe account acct_\w+ is connected/);

    expect(output).toContain('status went pending → syncing → segments_synced → complete');
    expect(output).toMatch(/\[#{30}\] 100%\s+complete/);
    expect(output).toMatch(/^ +300 participants in \d+ segments$/m);

    const rows = output.split('\n').filter((line) => /^ +(All customers|Active subscribers) +\d+/.test(line));
    expect(rows.map((r) => r.trim().split(/ {2,}/).slice(0, 2))).toEqual([
      ['All customers', '300'],
      ['Active subscribers', expect.stringMatching(/^\d+$/)],
    ]);
    expect(rows[0]).toMatch(/\$[\d,]+\.\d\d/);

    const launch = (which: string) => {
      const match = new RegExp(`${which} launch: +([\\d,]+) invited, ([\\d,]+) skipped \\(no email address\\), ([\\d,]+) already invited`).exec(output);
      expect(match, `${which} launch line`).not.toBeNull();
      const [invited, skipped, already] = match!.slice(1).map(count);
      return { invited, skipped, already };
    };
    const first = launch('first');
    const second = launch('second');
    expect(first.invited).toBeGreaterThan(0);
    expect(second.invited).toBe(0);
    expect(second.skipped).toBe(first.skipped);
    expect(second.already).toBe(first.invited! + first.already!);
    const mailed = /the mail server has received ([\d,]+) of ([\d,]+) invitations/.exec(output);
    expect(count(mailed?.[1])).toBeGreaterThan(0);
    expect(count(mailed?.[2])).toBe(first.invited);

    const newEmail = /the email becomes (new-address-\w+@example\.com)/.exec(output)?.[1];
    expect(newEmail).toBeDefined();
    expect(output).toMatch(new RegExp(`updated by (the webhook|a refresh \\(not by the webhook\\)): GET /api/participants/[0-9a-f-]{36} now shows ${newEmail}`));
    if (webhooksMigrated) expect(output).toMatch(/updated by the webhook: /);

    expect(output).toMatch(/API reference: +http:\/\/127\.0\.0\.1:\d+\/docs$/m);
    expect(output).toMatch(/connection status: +http:\/\/127\.0\.0\.1:\d+\/api\/integrations\/stripe$/m);
    expect(output).toContain('Demo complete (--once)');
  }, 120_000);

  it('exits non-zero and names the step when one fails', async () => {
    // A sync that cannot finish in 1 ms: step 5 gives up.
    const demo = runScript('test/demo/demo.ts', ['--once'], { DEMO_CUSTOMERS: '50', DEMO_SYNC_TIMEOUT_MS: '1' });
    const code = await demo.exited;
    const output = demo.output();
    expect(code, output).toBe(1);
    expect(output).toMatch(/✗ The demo stopped: step 5 \(Watching the first sync[^)]*\) failed: gave up waiting for the first sync to finish/);
    expect(output).not.toContain('[6/9]');
    const log = /The backend's log is in (\S+backend\.log)/.exec(output)?.[1];
    expect(log).toBeDefined();
    expect(readFileSync(log!, 'utf8')).toMatch(/"msg"/);
    rmSync(dirname(log!), { recursive: true, force: true });
  }, 60_000);
});

describe('what the demo prints', () => {
  it('formats money in each currency from minor units', () => {
    expect(formatMoney(129900, 'usd')).toBe('$1,299.00');
    expect(formatMoney(5000, 'jpy')).toBe('¥5,000');
    expect(formatMoney(12, null)).toBe('12');
    expect(mrrCell({ eur: 98000, usd: 1234500, gbp: 0 })).toBe('$12,345.00 + €980.00');
    expect(mrrCell({})).toBe('-');
  });

  it('aligns the table and draws the progress bar', () => {
    expect(table(['Segment', 'Participants'], [['All customers', '300'], ['Pro', '7']], [false, true])).toEqual([
      'Segment         Participants',
      '-------------   ------------',
      'All customers            300',
      'Pro                        7',
    ]);
    const p = progressOf({ customer: 50, invoice: 100 }, { customer: 100, invoice: 100, subscription: 0 });
    expect(p.fraction).toBe(0.75);
    expect(bar(p.fraction, 8, false)).toBe('[######..]  75%');
  });
});
