import type Stripe from 'stripe';
import { type Fraction, compare } from './money.js';
import { itemMonthlyBeforeDiscounts, productIdOf } from './mrr.js';
import { subscriptionClass } from './status.js';
import type { Warn } from './warnings.js';

export interface PlanResult {
  /** The main item's product name (fallback: price nickname, then price id); null without candidates. */
  plan: string | null;
  /** Every product name of the candidate subscriptions, main plan first; several when they span products. */
  planProducts: string[];
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** An unpaid or paused subscription has not ended: it is more recent than any that has. */
const endedAt = (subscription: Stripe.Subscription): number =>
  subscription.ended_at ?? subscription.canceled_at ?? Number.POSITIVE_INFINITY;

/**
 * Later end first, then later creation, then the greater id: deleting a customer ends all its
 * subscriptions in one second, and the choice must not hang on the order they were stored in.
 */
const endedLater = (a: Stripe.Subscription, b: Stripe.Subscription): number =>
  endedAt(b) - endedAt(a) || b.created - a.created || byId(b.id, a.id);

function lastEnded(subscriptions: ReadonlyArray<Stripe.Subscription>): Stripe.Subscription | undefined {
  return [...subscriptions].sort(endedLater)[0];
}

/** The paying subscriptions; else the trialing ones; else the one that ended last. */
export function planCandidates(subscriptions: ReadonlyArray<Stripe.Subscription>): Stripe.Subscription[] {
  const ofClass = (c: string) => subscriptions.filter((subscription) => subscriptionClass(subscription) === c);
  const active = ofClass('A');
  if (active.length > 0) return active;
  const trialing = ofClass('T');
  if (trialing.length > 0) return trialing;
  const ended = lastEnded(ofClass('C'));
  return ended ? [ended] : [];
}

interface RankedItem {
  readonly subscription: Stripe.Subscription;
  readonly item: Stripe.SubscriptionItem;
  readonly monthly: Fraction;
}

/** Largest monthly amount first; ties go to the older subscription, then the older item, then the id. */
function compareRanked(a: RankedItem, b: RankedItem): number {
  return (
    compare(b.monthly, a.monthly) ||
    a.subscription.created - b.subscription.created ||
    a.item.created - b.item.created ||
    byId(a.item.id, b.item.id)
  );
}

export function rankItems(candidates: ReadonlyArray<Stripe.Subscription>, warn: Warn): RankedItem[] {
  const ranked = candidates.flatMap((subscription) =>
    subscription.items.data.map((item) => ({ subscription, item, monthly: itemMonthlyBeforeDiscounts(item, subscription, warn) })),
  );
  return ranked.sort(compareRanked);
}

function productName(price: Stripe.Price, products: ReadonlyMap<string, Stripe.Product>): string | undefined {
  const product = price.product;
  const name = typeof product === 'string' || product.deleted ? products.get(productIdOf(price))?.name : product.name;
  return name || undefined;
}

export function planLabel(price: Stripe.Price, products: ReadonlyMap<string, Stripe.Product>): string {
  return productName(price, products) ?? (price.nickname || price.id);
}

export function choosePlan(
  subscriptions: ReadonlyArray<Stripe.Subscription>,
  products: ReadonlyMap<string, Stripe.Product>,
  warn: Warn,
): PlanResult {
  const labels = rankItems(planCandidates(subscriptions), warn).map(({ item }) => planLabel(item.price, products));
  const planProducts = [...new Set(labels)];
  return { plan: planProducts[0] ?? null, planProducts };
}
