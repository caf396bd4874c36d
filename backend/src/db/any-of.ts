import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

/**
 * `column = any($1)`: the values of a batch (hundreds) travel as one array parameter, where
 * `inArray` builds and binds a parameter per value: in the backfill's recompute that query
 * building cost more of this process's CPU than computing the metrics.
 */
export const isAnyOf = (column: AnyColumn, values: readonly string[], type: 'text' | 'uuid' = 'text'): SQL =>
  sql`${column} = any(${sql.param(values)}::${sql.raw(type)}[])`;
