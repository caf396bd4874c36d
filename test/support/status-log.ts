import { sql } from 'drizzle-orm';
import type { Database } from '@ui/backend/src/db/database.js';

/**
 * Records every status a connection takes, in order, with a trigger on `connections`: polling the
 * status API can miss a state that lasts a few milliseconds, the trigger cannot. Test databases
 * are created per test file, so the trigger dies with them.
 */
export async function recordConnectionStatuses(database: Database): Promise<(connectionId: string) => Promise<string[]>> {
  await database.rows(sql`create table if not exists test_status_log (seq serial primary key, connection_id uuid not null, status text not null)`);
  await database.rows(sql.raw(`create or replace function test_log_status() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' or new.status is distinct from old.status then
        insert into test_status_log (connection_id, status) values (new.id, new.status);
      end if;
      return new;
    end $$`));
  await database.rows(sql`drop trigger if exists test_status_log on connections`);
  await database.rows(sql`create trigger test_status_log after insert or update on connections for each row execute function test_log_status()`);
  return async (connectionId) => (await database.rows<{ status: string }>(sql`select status from test_status_log where connection_id = ${connectionId} order by seq`)).map((r) => r.status);
}
