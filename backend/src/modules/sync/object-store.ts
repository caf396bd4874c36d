import { and, eq, sql } from 'drizzle-orm';
import { isAnyOf } from '../../db/any-of.js';
import type { Db } from '../../db/database.js';
import { analyzeSampled } from '../../db/analyze.js';
import { recordset } from '../../db/recordset.js';
import { stripeObjects } from '../../db/schema/index.js';
import type { StoredObject, StripeObjectType } from '../../stripe/registry.js';

/** One customer's stored objects by type. */
export type CustomerObjects = Partial<Record<StripeObjectType['type'], StoredObject[]>>;

const BATCH = 500;

/** The types read back by type (the schema indexes only these by type). */
export type CatalogLookupType = Extract<StripeObjectType['type'], 'product' | 'price' | 'coupon'>;

/** The workspace's mirror of Stripe objects (table stripe_objects). */
export function createObjectStore(db: Db) {
  return {
    /**
     * Multi-row upsert. `version` is when this state was observed: a row observed later (a webhook
     * that landed meanwhile) is left as it is.
     */
    async upsert(workspaceId: string, type: StripeObjectType, objects: StoredObject[], version: number, tx: Db = db): Promise<void> {
      for (let i = 0; i < objects.length; i += BATCH) {
        const rows = objects.slice(i, i + BATCH).map((data) => ({ id: data.id, customer_id: type.customerOf(data), created: Number(data.created ?? 0), data }));
        await tx.execute(sql`
          insert into stripe_objects (workspace_id, id, type, customer_id, created, data, version)
          select ${workspaceId}::uuid, r.id, ${type.type}, r.customer_id, r.created, r.data, ${version}::bigint
          from ${recordset(rows, 'r', 'id text, customer_id text, created bigint, data jsonb')}
          on conflict (workspace_id, id) do update set data = excluded.data, customer_id = excluded.customer_id, version = excluded.version
          where stripe_objects.version <= excluded.version`);
      }
    },

    /**
     * Fresh planner statistics after a bulk load, so lookups by customer use their index. Only the
     * lookup's columns: the backfill waits for this, and autovacuum analyzes the rest later.
     */
    async analyze(): Promise<void> {
      await analyzeSampled(db, 'stripe_objects', ['workspace_id', 'customer_id']);
    },

    /** When a stored object was created in Stripe (kept after its deletion too). */
    async createdOf(workspaceId: string, id: string): Promise<number | undefined> {
      const [row] = await db.select({ created: stripeObjects.created }).from(stripeObjects).where(and(eq(stripeObjects.workspaceId, workspaceId), eq(stripeObjects.id, id)));
      return row?.created;
    },

    async ofType(workspaceId: string, type: CatalogLookupType): Promise<StoredObject[]> {
      const rows = await db.select({ data: stripeObjects.data }).from(stripeObjects).where(and(eq(stripeObjects.workspaceId, workspaceId), eq(stripeObjects.type, type)));
      return rows.map((r) => r.data as StoredObject);
    },

    /**
     * The objects of these customers, grouped by customer and type. Grouped by PostgreSQL, so a
     * customer's invoices arrive as one JSON array to parse instead of a row each (the backfill's
     * recompute reads every object back once).
     */
    async byCustomer(workspaceId: string, customerIds: string[]): Promise<Map<string, CustomerObjects>> {
      const groups = new Map<string, CustomerObjects>();
      if (customerIds.length === 0) return groups;
      const rows = await db
        .select({ customerId: stripeObjects.customerId, type: stripeObjects.type, data: sql<StoredObject[]>`json_agg(${stripeObjects.data})` })
        .from(stripeObjects)
        .where(and(eq(stripeObjects.workspaceId, workspaceId), isAnyOf(stripeObjects.customerId, customerIds)))
        .groupBy(stripeObjects.customerId, stripeObjects.type);
      for (const row of rows) {
        const group = groups.get(row.customerId!) ?? {};
        group[row.type as StripeObjectType['type']] = row.data;
        groups.set(row.customerId!, group);
      }
      return groups;
    },
  };
}

export type ObjectStore = ReturnType<typeof createObjectStore>;
