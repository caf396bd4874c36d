import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { stripeObjects } from '../../db/schema/index.js';
import type { StoredObject, StripeObjectType } from '../../stripe/registry.js';

export interface StoredRow {
  type: string;
  id: string;
  customerId: string | null;
  data: StoredObject;
}

const BATCH = 500;

/** The workspace's mirror of Stripe objects (table stripe_objects). */
export function createObjectStore(db: Db) {
  return {
    /**
     * Multi-row upsert. `version` is when this state was observed: a row observed later (a webhook
     * that landed meanwhile) is left as it is.
     */
    async upsert(workspaceId: string, type: StripeObjectType, objects: StoredObject[], version: number): Promise<void> {
      for (let i = 0; i < objects.length; i += BATCH) {
        const rows = objects.slice(i, i + BATCH).map((data) => ({
          workspaceId,
          id: data.id,
          type: type.type,
          customerId: type.customerOf(data),
          created: Number(data.created ?? 0),
          data,
          version,
        }));
        await db
          .insert(stripeObjects)
          .values(rows)
          .onConflictDoUpdate({
            target: [stripeObjects.workspaceId, stripeObjects.id],
            set: { data: sql`excluded.data`, customerId: sql`excluded.customer_id`, version: sql`excluded.version` },
            setWhere: sql`${stripeObjects.version} <= excluded.version`,
          });
      }
    },

    async ofType(workspaceId: string, type: StripeObjectType['type']): Promise<StoredObject[]> {
      const rows = await db.select({ data: stripeObjects.data }).from(stripeObjects).where(and(eq(stripeObjects.workspaceId, workspaceId), eq(stripeObjects.type, type)));
      return rows.map((r) => r.data as StoredObject);
    },

    async ofCustomers(workspaceId: string, customerIds: string[]): Promise<StoredRow[]> {
      if (customerIds.length === 0) return [];
      const rows = await db
        .select({ type: stripeObjects.type, id: stripeObjects.id, customerId: stripeObjects.customerId, data: stripeObjects.data })
        .from(stripeObjects)
        .where(and(eq(stripeObjects.workspaceId, workspaceId), inArray(stripeObjects.customerId, customerIds)));
      return rows as StoredRow[];
    },
  };
}

export type ObjectStore = ReturnType<typeof createObjectStore>;
