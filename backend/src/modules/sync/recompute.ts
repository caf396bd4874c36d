import type Stripe from 'stripe';
import { computeParticipantMetrics } from '../../stripe/metrics/index.js';
import type { StoredObject } from '../../stripe/registry.js';
import { isGuest } from '../participants/guest.js';
import type { ParticipantMetricsUpdate, ParticipantRepository } from '../participants/repository.js';
import { productSegmentKey, type Membership, type SegmentRepository } from '../segments/repository.js';
import type { CatalogLookupType, ObjectStore } from './object-store.js';

/** Products, prices and coupons of the account: shared by every participant's computation. */
export interface Catalog {
  products: Map<string, Stripe.Product>;
  prices: Map<string, Stripe.Price>;
  coupons: Map<string, Stripe.Coupon>;
  creditNotesAvailable: boolean;
}

export interface RecomputeTarget {
  id: string;
  stripeCustomerId: string | null;
  deletedInStripe: boolean;
}

const CURRENT = new Set(['active', 'past_due', 'trialing']);
const STATUS_SEGMENT = { active: 'active', trial: 'trialing', churned: 'churned' } as const;

export async function loadCatalog(objects: ObjectStore, workspaceId: string, creditNotesAvailable: boolean): Promise<Catalog> {
  const byId = async <T>(type: CatalogLookupType) => new Map((await objects.ofType(workspaceId, type)).map((o) => [o.id, o as unknown as T]));
  return { products: await byId('product'), prices: await byId('price'), coupons: await byId('coupon'), creditNotesAvailable };
}

const idOf = (value: unknown) => (typeof value === 'string' ? value : (value as { id?: string } | null)?.id);

/**
 * Items carry the listed price; the catalog's copy has `tiers` and `currency_options`, which Stripe
 * only gives when expanded and cannot give on an embedded price (five levels under a list).
 */
function withCatalogPrices(subscription: StoredObject, catalog: Catalog): Stripe.Subscription {
  const items = (subscription.items as { data: Array<Record<string, unknown>> }).data.map((item) => {
    const price = catalog.prices.get(idOf(item.price) ?? '');
    return price ? { ...item, price } : item;
  });
  return { ...subscription, items: { ...(subscription.items as object), data: items } } as unknown as Stripe.Subscription;
}

function productsOf(subscriptions: Stripe.Subscription[]): Set<string> {
  const products = new Set<string>();
  for (const subscription of subscriptions) {
    if (!CURRENT.has(subscription.status)) continue;
    for (const item of subscription.items.data) {
      const product = idOf(item.price.product);
      if (product) products.add(product);
    }
  }
  return products;
}

/**
 * Recomputes metrics and Stripe-derived segment memberships of some participants from the stored
 * Stripe objects, then the workspace's segment totals. The backfill calls it page by page, a
 * webhook or "sync now" for one participant: the same rules either way.
 */
export function createRecompute(deps: { objects: ObjectStore; participants: ParticipantRepository; segments: SegmentRepository }) {
  return async function recompute(workspaceId: string, targets: RecomputeTarget[], catalog: Catalog, options: { refreshTotals?: boolean } = {}) {
    // A guest's figures and segments are the ones it was imported with: Stripe has nothing to say about it.
    const linked = targets.filter((t): t is RecomputeTarget & { stripeCustomerId: string } => Boolean(t.stripeCustomerId) && !isGuest(t.stripeCustomerId));
    const groups = await deps.objects.byCustomer(workspaceId, linked.map((t) => t.stripeCustomerId));
    const updates: ParticipantMetricsUpdate[] = [];
    const memberships: Membership[] = [];
    for (const target of linked) {
      const group = groups.get(target.stripeCustomerId) ?? {};
      const customer = group.customer?.[0];
      if (!customer) {
        updates.push({ id: target.id, mrr: 0, ltv: 0, currency: 'usd', plan: null, planProducts: [], status: 'none', lastSyncError: 'Customer not found in Stripe' });
        continue;
      }
      const subscriptions = (group.subscription ?? []).map((s) => withCatalogPrices(s, catalog));
      const metrics = computeParticipantMetrics({
        customer: customer as unknown as Stripe.Customer,
        subscriptions,
        invoices: (group.invoice ?? []) as unknown as Stripe.Invoice[],
        creditNotes: (group.credit_note ?? []) as unknown as Stripe.CreditNote[],
        products: catalog.products,
        coupons: catalog.coupons,
        creditNotesAvailable: catalog.creditNotesAvailable,
      });
      updates.push({ id: target.id, mrr: metrics.mrr, ltv: metrics.ltv, currency: metrics.currency, plan: metrics.plan, planProducts: metrics.planProducts, status: metrics.status, lastSyncError: null });
      // A customer deleted in Stripe keeps its figures (studies may use them) but leaves Stripe-derived segments.
      if (target.deletedInStripe) continue;
      memberships.push({ participantId: target.id, key: 'all' });
      if (metrics.status !== 'none') memberships.push({ participantId: target.id, key: STATUS_SEGMENT[metrics.status] });
      for (const product of productsOf(subscriptions)) memberships.push({ participantId: target.id, key: productSegmentKey(product) });
    }
    await deps.participants.updateMetrics(updates);
    await deps.segments.replaceMemberships(workspaceId, linked.map((t) => t.id), memberships);
    if (options.refreshTotals !== false) await deps.segments.refreshTotals(workspaceId);
  };
}

export type Recompute = ReturnType<typeof createRecompute>;
