/**
 * Subscription histories as drafts: a scenario (active, trial, canceled, past due, …), its
 * timeline, items and the invoices each billing period makes, settled paid, open or partly paid.
 * generator.ts turns the drafts into Stripe objects.
 */
import type Stripe from 'stripe';
import { type CatalogPrice, type Grant, type Interval, itemAmount, lineDescription } from './catalog.js';
import { addInterval, frozen, newId, seconds } from '../objects.js';
import type { Random } from './random.js';
import { DAY, HOUR, MONTH, TRIAL_DAYS } from './time.js';

type Scenario =
  | 'active'
  | 'active_after_trial'
  | 'active_cancel_at_period_end'
  | 'active_pause_collection'
  | 'active_send_invoice'
  | 'trialing'
  | 'past_due'
  | 'canceled'
  | 'canceled_payment_failed'
  | 'unpaid'
  | 'incomplete_expired'
  | 'incomplete'
  | 'paused';

/** How a subscription's story goes, the status it ends in, and how often. */
export const SCENARIOS: readonly (readonly [readonly [Scenario, Stripe.Subscription.Status], number])[] = [
  [['active', 'active'], 48],
  [['active_after_trial', 'active'], 8],
  [['active_cancel_at_period_end', 'active'], 4],
  [['active_pause_collection', 'active'], 3],
  [['active_send_invoice', 'active'], 4],
  [['trialing', 'trialing'], 7],
  [['past_due', 'past_due'], 5],
  [['canceled', 'canceled'], 10],
  [['canceled_payment_failed', 'canceled'], 3],
  [['unpaid', 'unpaid'], 3],
  [['incomplete_expired', 'incomplete_expired'], 3],
  [['incomplete', 'incomplete'], 1],
  [['paused', 'paused'], 3],
];

interface Cadence {
  interval: Interval;
  count: number;
}

export interface Window {
  start: number;
  end: number;
}

interface Timeline {
  created: number;
  trial: Window | null;
  /** Start of the first paid period: creation, or the end of the trial. */
  anchor: number;
  /** Renewals happen up to here: `now`, or when the subscription ended or paused. */
  until: number;
  endedAt: number | null;
  /** Canceled to take effect when the period ended, rather than at once. */
  endedAtPeriodEnd: boolean;
}

function monthsAgo(now: number, months: number): number {
  return seconds(now - months * MONTH);
}

/** 3–18 months of renewals; daily and weekly plans renew so often that a few months is plenty. */
function historyMonths(rng: Random, cadence: Cadence): number {
  if (cadence.interval === 'day') return 3 + rng.next();
  if (cadence.interval === 'week') return 3 + rng.next() * 3;
  return 3 + rng.next() * 15;
}

function ongoing(created: number, trial: boolean, now: number): Timeline {
  const window = trial ? { start: created, end: created + TRIAL_DAYS * DAY } : null;
  return { created, trial: window, anchor: window?.end ?? created, until: now, endedAt: null, endedAtPeriodEnd: false };
}

export function timelineFor(scenario: Scenario, rng: Random, now: number, cadence: Cadence): Timeline {
  switch (scenario) {
    case 'trialing':
      return ongoing(now - rng.int(HOUR, (TRIAL_DAYS - 1) * DAY), true, now);
    case 'paused': {
      // The trial ended without a payment method and the subscription paused then.
      const created = monthsAgo(now, 1 + rng.next() * 10);
      return { ...ongoing(created, true, now), until: created + TRIAL_DAYS * DAY };
    }
    case 'incomplete':
      return ongoing(now - rng.int(HOUR, 20 * HOUR), false, now);
    case 'incomplete_expired': {
      const created = monthsAgo(now, 1 + rng.next() * 19);
      return { ...ongoing(created, false, now), until: created, endedAt: created + 23 * HOUR };
    }
    case 'canceled':
    case 'canceled_payment_failed': {
      const lived = Math.min(14, historyMonths(rng, cadence));
      const created = monthsAgo(now, lived + 0.5 + rng.next() * 5.5);
      const endedAt = seconds(created + lived * MONTH);
      return { ...ongoing(created, false, now), until: endedAt - 1, endedAt };
    }
    default:
      return ongoing(monthsAgo(now, historyMonths(rng, cadence)), scenario === 'active_after_trial', now);
  }
}

/** A cancellation at period end takes effect at the end of the last billed period. */
export function endAtPeriodEnd(rng: Random, timeline: Timeline, cadence: Cadence, starts: number[], now: number): void {
  const last = starts[starts.length - 1];
  if (timeline.endedAt === null || last === undefined || !rng.chance(0.5)) return;
  const periodEnd = addInterval(last, cadence.interval, cadence.count);
  if (periodEnd > now) return;
  timeline.endedAt = periodEnd;
  timeline.endedAtPeriodEnd = true;
}

/** Starts of the billed periods: from the anchor while renewals happen (none before a trial ends). */
export function periodStarts(timeline: Timeline, cadence: Cadence): number[] {
  if (timeline.trial && timeline.anchor >= timeline.until) return [];
  const starts = [timeline.anchor];
  for (let next = addInterval(timeline.anchor, cadence.interval, cadence.count); next <= timeline.until; next = addInterval(next, cadence.interval, cadence.count)) {
    starts.push(next);
  }
  return starts;
}

export interface ItemDraft {
  id: string;
  entry: CatalogPrice;
  quantity: number;
  /** The `parent` of every invoice line that bills this item. */
  lineParent: Stripe.InvoiceLineItem.Parent;
  description: string;
}

export interface SubscriptionDraft {
  id: string;
  scenario: Scenario;
  status: Stripe.Subscription.Status;
  cadence: Cadence;
  timeline: Timeline;
  starts: number[];
  items: ItemDraft[];
  collection: Stripe.Subscription.CollectionMethod;
  metadata: Stripe.Metadata;
  /** The `parent` of every invoice this subscription generates. */
  invoiceParent: Stripe.Invoice.Parent;
  /** Item-level and subscription-level discounts. */
  grants: Grant[];
  subscriptionGrants: Grant[];
  invoices: InvoiceDraft[];
}

export interface LineDraft {
  entry: CatalogPrice;
  item: ItemDraft | null;
  quantity: number;
  amount: number;
  period: Window;
  description: string;
  /** Filled in when discounts are applied. */
  net: number;
  itemCut: number;
  discountAmounts: Stripe.InvoiceLineItem.DiscountAmount[];
  itemDiscounts: string[];
}

export interface InvoiceDraft {
  id: string;
  created: number;
  reason: Stripe.Invoice.BillingReason;
  periodStart: number;
  status: Stripe.Invoice.Status;
  /** Share of `amount_due` paid on an open or uncollectible invoice. */
  paidShare: number;
  attempts: number;
  lines: LineDraft[];
  subscription: SubscriptionDraft | null;
  collection: Stripe.Invoice.CollectionMethod;
  /** When it was voided or marked uncollectible, if not some days after finalization. */
  settledAt: number | null;
}

export function itemDraft(rng: Random, subscriptionId: string, entry: CatalogPrice, quantity: number): ItemDraft {
  const id = newId('si', rng.next);
  const details = { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: subscriptionId, subscription_item: id };
  const lineParent: Stripe.InvoiceLineItem.Parent = frozen({ invoice_item_details: null, subscription_item_details: details, type: 'subscription_item_details' });
  return { id, entry, quantity, lineParent, description: lineDescription(entry, quantity) };
}

export function lineDraft(entry: CatalogPrice, item: ItemDraft | null, quantity: number, amount: number, period: Window, description: string): LineDraft {
  return { entry, item, quantity, amount, period, description, net: amount, itemCut: 0, discountAmounts: [], itemDiscounts: [] };
}

function trialLines(sub: SubscriptionDraft, trial: Window): LineDraft[] {
  const lines: LineDraft[] = [];
  for (const item of sub.items) lines.push(lineDraft(item.entry, item, item.entry.spec.metered ? 0 : item.quantity, 0, trial, item.entry.trialDescription));
  return lines;
}

/** Licensed items are billed in advance for the period; metered usage in arrears for the last one. */
function periodLines(rng: Random, sub: SubscriptionDraft, service: Window, usage: Window | null): LineDraft[] {
  const lines: LineDraft[] = [];
  for (const item of sub.items) {
    const { entry } = item;
    if (!entry.spec.metered) {
      lines.push(lineDraft(entry, item, item.quantity, itemAmount(entry.spec, item.quantity), service, item.description));
      continue;
    }
    const used = usage ? rng.int(0, 20_000) : 0;
    lines.push(lineDraft(entry, item, used, itemAmount(entry.spec, used), usage ?? { start: service.start, end: service.start }, lineDescription(entry, used)));
  }
  return lines;
}

function invoiceDraft(rng: Random, sub: SubscriptionDraft, created: number, reason: Stripe.Invoice.BillingReason, periodStart: number, lines: LineDraft[]): InvoiceDraft {
  const id = newId('in', rng.next);
  return { id, created, reason, periodStart, status: 'paid', paidShare: 1, attempts: 1, lines, subscription: sub, collection: sub.collection, settledAt: null };
}

export function subscriptionInvoices(rng: Random, sub: SubscriptionDraft): InvoiceDraft[] {
  const { timeline, starts, cadence } = sub;
  const invoices: InvoiceDraft[] = [];
  const firstCreated = timeline.created + rng.int(1, 5);
  if (timeline.trial) invoices.push(invoiceDraft(rng, sub, firstCreated, 'subscription_create', firstCreated, trialLines(sub, timeline.trial)));
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] ?? timeline.anchor;
    const service = { start, end: starts[i + 1] ?? addInterval(start, cadence.interval, cadence.count) };
    // Usage during a trial is free, so metered lines charge from the first paid period on.
    const previous = i > 0 ? (starts[i - 1] ?? null) : null;
    const usage = previous === null ? null : { start: previous, end: start };
    const first = i === 0 && !timeline.trial;
    // Renewal invoices appear within a minute of the period start, never after the history ends.
    const created = first ? firstCreated : Math.min(start + rng.int(1, 59), timeline.until);
    const periodStart = previous ?? timeline.trial?.start ?? created;
    invoices.push(invoiceDraft(rng, sub, created, first ? 'subscription_create' : 'subscription_cycle', periodStart, periodLines(rng, sub, service, usage)));
  }
  return invoices;
}

function markOpen(rng: Random, invoice: InvoiceDraft, partial: boolean, attempts: number): void {
  invoice.status = 'open';
  invoice.paidShare = partial ? 0.2 + rng.next() * 0.6 : 0;
  invoice.attempts = attempts;
}

/** Bends a subscription's invoice history to what its status implies. */
export function settleInvoices(rng: Random, sub: SubscriptionDraft, now: number): void {
  const { invoices } = sub;
  const last = invoices[invoices.length - 1];
  if (!last) return;
  for (let i = 0; i < invoices.length - 1; i++) {
    const invoice = invoices[i];
    if (invoice && invoice.reason === 'subscription_cycle' && rng.chance(0.03)) invoice.status = 'void';
  }
  switch (sub.scenario) {
    case 'active_send_invoice':
      if (rng.chance(0.5)) markOpen(rng, last, rng.chance(0.4), 0);
      return;
    case 'past_due':
      return markOpen(rng, last, rng.chance(0.25), rng.int(1, 4));
    case 'unpaid': {
      // Once unpaid, Stripe still creates renewal invoices but leaves them as drafts.
      const failed = invoices[invoices.length - 2] ?? last;
      markOpen(rng, failed, rng.chance(0.2), 4);
      if (failed !== last) last.status = 'draft';
      return;
    }
    case 'canceled_payment_failed':
      last.status = rng.chance(0.7) ? 'uncollectible' : 'void';
      last.paidShare = last.status === 'uncollectible' && rng.chance(0.3) ? 0.2 + rng.next() * 0.5 : 0;
      last.attempts = 4;
      last.settledAt = Math.min(now, last.created + rng.int(7, 20) * DAY);
      return;
    case 'incomplete':
      return markOpen(rng, last, false, 1);
    case 'incomplete_expired':
      last.status = 'void';
      last.paidShare = 0;
      last.settledAt = sub.timeline.endedAt;
      return;
    default:
      return;
  }
}

/** `pause_collection` from one of the last renewals on: those invoices follow its behavior. */
export function pauseCollection(rng: Random, sub: SubscriptionDraft, now: number): Stripe.Subscription.PauseCollection | null {
  if (sub.scenario !== 'active_pause_collection') return null;
  const behavior = rng.pick(['keep_as_draft', 'mark_uncollectible', 'void'] as const);
  const renewals = sub.invoices.filter((invoice) => invoice.reason === 'subscription_cycle');
  const from = renewals[Math.max(0, renewals.length - rng.int(1, 3))]?.created ?? now;
  for (const invoice of sub.invoices) {
    if (invoice.created < from) continue;
    invoice.status = behavior === 'keep_as_draft' ? 'draft' : behavior === 'void' ? 'void' : 'uncollectible';
    invoice.paidShare = 0;
    invoice.attempts = 0;
  }
  return { behavior, resumes_at: rng.chance(0.5) ? now + rng.int(7, 60) * DAY : null };
}
