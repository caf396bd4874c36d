/**
 * `pnpm bench:invites`: launches a study to a 100,000-participant segment on PostgreSQL and
 * times the one statement that creates the invites (target ≤ 2 s), then launches again to show
 * that nothing is created twice. Uses a database of its own, dropped at the end.
 *
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is only used to create
 * and drop that database.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '@ui/backend/src/db/database.js';
import { runMigrations } from '@ui/backend/src/db/migrate.js';
import type { LaunchInput, LaunchResult } from '@ui/backend/src/modules/studies/launch.js';
import { createStudyRepository } from '@ui/backend/src/modules/studies/repository.js';
import { admin, adminUrl } from '../support/postgres-admin.js';

const PARTICIPANTS = 100_000;
const RUNS = 3;
const TARGET_MS = 2_000;


/** CPU time (ms) of a PostgreSQL backend process, when the server runs on this machine. */
function backendCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

let backendPid = 0;
const timed = async <T>(fn: () => Promise<T>): Promise<[T, number, number | undefined]> => {
  const cpuBefore = backendCpuMs(backendPid);
  const start = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuAfter = backendCpuMs(backendPid);
  return [result, ms, cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore];
};
const cpu = (ms: number | undefined) => (ms === undefined ? '' : `, database CPU ${Math.round(ms)} ms`);

const one = async <T>(database: Database, query: ReturnType<typeof sql>) => (await database.rows<T>(query))[0]!;

async function seed(database: Database) {
  const { id: workspaceId } = await one<{ id: string }>(database, sql`insert into workspaces (name) values ('Benchmark') returning id`);
  const { id: segmentId } = await one<{ id: string }>(database, sql`insert into segments (workspace_id, key, name) values (${workspaceId}, 'all', 'All customers') returning id`);
  // Every 100th participant has no email; revenue spread so the ranking has work to do.
  await database.rows(sql`
    with p as (
      insert into participants (workspace_id, source, stripe_customer_id, email, name, mrr, ltv, currency)
      select ${workspaceId}, 'stripe', 'cus_' || g, case when g % 100 = 0 then null else 'customer' || g || '@example.com' end,
             'Customer ' || g, (g::bigint * 7919) % 250000, (g::bigint * 104729) % 5000000, case when g % 3 = 0 then 'eur' else 'usd' end
      from generate_series(1, ${PARTICIPANTS}) g
      returning id)
    insert into segment_members (segment_id, participant_id) select ${segmentId}, id from p`);
  await database.rows(sql`analyze participants`);
  await database.rows(sql`analyze segment_members`);
  return { workspaceId, segmentId };
}

async function main() {
  const name = `ui_bench_invites_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await admin(`CREATE DATABASE ${name}`);
  // One connection: every statement runs in the same server process, whose CPU time is measured.
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 1 });
  try {
    await runMigrations(database);
    const { version, pid } = await one<{ version: string; pid: number }>(database, sql`select current_setting('server_version') as version, pg_backend_pid() as pid`);
    backendPid = pid;
    const [{ workspaceId, segmentId }, seedMs] = await timed(() => seed(database));
    const repository = createStudyRepository(database.db);
    const studies = {
      insertStudy: repository.insertStudy,
      async launch(input: LaunchInput): Promise<LaunchResult> {
        const result = await repository.launch(input);
        if (!result) throw new Error(`study ${input.studyId} not found`);
        return result;
      },
    };
    console.log(`PostgreSQL ${version}; segment of ${PARTICIPANTS.toLocaleString('en')} participants seeded in ${Math.round(seedMs)} ms`);

    const launches: Array<{ studyId: string; result: LaunchResult; ms: number; cpuMs?: number }> = [];
    for (let run = 1; run <= RUNS; run++) {
      const study = await studies.insertStudy({ workspaceId, title: `Benchmark ${run}`, interviewUrlTemplate: null });
      const [result, ms, cpuMs] = await timed(() => studies.launch({ workspaceId, studyId: study.id, segmentId, orderBy: 'mrr_desc' }));
      launches.push({ studyId: study.id, result, ms, cpuMs });
      console.log(`launch ${run} (new study): ${Math.round(ms)} ms${cpu(cpuMs)}, ${JSON.stringify({ invited: result.invited, skipped_no_email: result.skipped_no_email, already_invited: result.already_invited })}`);
    }
    const first = launches[0]!;
    const [again, againMs, againCpu] = await timed(() => studies.launch({ workspaceId, studyId: first.studyId, segmentId, orderBy: 'mrr_desc' }));
    console.log(`launch again (study 1): ${Math.round(againMs)} ms${cpu(againCpu)}, ${JSON.stringify({ invited: again.invited, skipped_no_email: again.skipped_no_email, already_invited: again.already_invited })}`);
    const [limited, limitedMs] = await timed(async () => {
      const study = await studies.insertStudy({ workspaceId, title: 'Top 1,000 by MRR', interviewUrlTemplate: null });
      return studies.launch({ workspaceId, studyId: study.id, segmentId, orderBy: 'mrr_desc', limit: 1000 });
    });
    console.log(`launch with limit 1000 (new study): ${Math.round(limitedMs)} ms, invited ${limited.invited}`);

    const times = launches.map((l) => l.ms).sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    const stored = await one<{ n: number }>(database, sql`select count(*)::int as n from invites where study_id = ${first.studyId}`);
    const ok = again.invited === 0 && stored.n === first.result.invited;
    console.log(
      `\ninvites created: ${first.result.invited.toLocaleString('en')} per launch; median ${Math.round(median)} ms, best ${Math.round(times[0]!)} ms ` +
        `(${Math.round(first.result.invited / (median / 1000)).toLocaleString('en')} invites/s); target ≤ ${TARGET_MS} ms: ${median <= TARGET_MS ? 'met' : 'MISSED'}`,
    );
    console.log(`second launch created ${again.invited} (${ok ? 'ok' : 'DUPLICATES'})`);
    const [load1] = readFileSync('/proc/loadavg', 'utf8').split(' ');
    if (load1) console.log(`machine load average (1 min): ${load1}; wall time includes waiting for a CPU, database CPU time does not`);
    if (!ok) process.exitCode = 1;
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
