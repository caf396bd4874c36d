import { sql, type SQL } from 'drizzle-orm';

/**
 * Many rows as one jsonb parameter, expanded by PostgreSQL into the relation `alias(columns)`
 * (e.g. `r(id text, data jsonb)`). A bulk statement then costs one JSON.stringify and one
 * parameter instead of a placeholder per value, which the query builder walks one by one and
 * which dominated the backfill's CPU time.
 */
export function recordset(rows: readonly object[], alias: string, columns: string): SQL {
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as ${sql.raw(alias)}(${sql.raw(columns)})`;
}
