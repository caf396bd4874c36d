import { jsonb, pgTable, text, timestamp, uuid, index } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export type ImportStatus = 'preview' | 'confirmed';

/**
 * A CSV import: parsed and previewed first (nothing written to participants), applied as a whole
 * by confirm. `plan` holds what confirm writes; `preview` what the client was shown.
 */
export const imports = pgTable(
  'imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    status: text('status').$type<ImportStatus>().notNull().default('preview'),
    filename: text('filename'),
    summary: jsonb('summary').$type<Record<string, number>>().notNull(),
    preview: jsonb('preview').$type<unknown[]>().notNull(),
    plan: jsonb('plan').$type<unknown>().notNull(),
    ignoredColumns: jsonb('ignored_columns').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  },
  (t) => [index('imports_workspace_created_idx').on(t.workspaceId, t.createdAt)],
);
