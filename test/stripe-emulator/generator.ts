/**
 * Deterministic Stripe accounts for the emulator: N customers with the mix of plans, statuses,
 * discounts, invoices and credit notes that a sync and a revenue-metrics engine must cope with.
 * Same seed, same account: every choice comes from one seeded stream and the clock is never read
 * (`now` defaults to a fixed instant).
 *
 * 100,000 customers make about a million invoices, so the hot paths copy shared "blank" objects
 * (factory output whose nested values are frozen and shared) and avoid per-line garbage.
 */
import type Stripe from 'stripe';
import {
  addInterval,
  frozen,
  invoicePrefixFor,
  makeCreditNote,
  makeCreditNoteLineItem,
  makeCustomer,
  makeDiscount,
  makeInvoice,
  makeInvoiceLineItem,
  makeList,
  makePrice,
  makeSubscription,
  makeSubscriptionItem,
  newId,
  randomToken,
  wireDecimal,
} from './objects.js';
import { type Catalog, type Currency, type Grant, ONE_OFF_PRICES, SHAPES, buildCatalog, buildCoupons, catalogPrice, couponFits, grantApplies, itemAmount, lineDescription } from './generate/catalog.js';
import { type InvoiceDraft, type ItemDraft, type LineDraft, SCENARIOS, type SubscriptionDraft, type Window, endAtPeriodEnd, itemDraft, lineDraft, pauseCollection, periodStarts, settleInvoices, subscriptionInvoices, timelineFor } from './generate/histories.js';
import { Random } from './generate/random.js';
import { DAY, FINALIZE_DELAY, HOUR, MINUTE } from './generate/time.js';

export interface ApiKey {
  key: string;
  permissions: string[] | 'all';
}

export interface FixtureAccount {
  id: string;
  api_keys: ApiKey[];
  customers: Stripe.Customer[];
  products: Stripe.Product[];
  prices: Stripe.Price[];
  subscriptions: Stripe.Subscription[];
  invoices: Stripe.Invoice[];
  credit_notes: Stripe.CreditNote[];
  coupons: Stripe.Coupon[];
  discounts: Stripe.Discount[];
}

export type FixtureFile = { accounts: FixtureAccount[] };

export interface GenerateOptions {
  customers: number;
  seed?: number;
  accountId?: string;
  livemode?: boolean;
  /** Unix seconds at which the account's history ends. */
  now?: number;
}

/** 2026-11-01T00:00:00Z, just after the pinned API version: fixtures never depend on the clock. */
export const DEFAULT_NOW = 1_793_491_200;
export const DEFAULT_SEED = 1;

/** A typical read-only restricted key; it lacks credit_note_read, so LTV has to degrade. */
export const RESTRICTED_KEY_PERMISSIONS = ['customer_read', 'subscription_read', 'invoice_read', 'product_read', 'plan_read', 'coupon_read', 'event_read'];


/** Factory defaults with their nested values frozen, copied by every object of the type. */
function blank<T extends object>(object: T): T {
  for (const value of Object.values(object)) frozen(value);
  return object;
}

const METERED_RECURRING: Stripe.Price.Recurring = { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'metered' };
const BLANK_INVOICE = blank(makeInvoice({ id: '', created: 0 }));
const BLANK_LINE = blank(makeInvoiceLineItem({ id: '' }));
const BLANK_ITEM = blank(makeSubscriptionItem({ id: '', created: 0 }));
const BLANK_METERED_ITEM = blank(makeSubscriptionItem({ id: '', created: 0, price: makePrice({ id: '', created: 0, recurring: METERED_RECURRING }) }));
const NO_TRANSITIONS = BLANK_INVOICE.status_transitions;

// ---------------------------------------------------------------------------------------------
// One customer

interface Context {
  rng: Random;
  now: number;
  livemode: boolean;
  catalog: Catalog;
  coupons: Stripe.Coupon[];
  account: FixtureAccount;
  /** Earlier customers' emails, a few of which are reused in another case. */
  emails: string[];
}

interface CustomerFacts {
  id: string;
  currency: Currency;
  email: string | null;
  name: string | null;
  phone: string | null;
  metadata: Stripe.Metadata;
  prefix: string;
  grant: Grant | null;
  /** `[grant]` when there is one: what applies to invoices without discounts of their own. */
  grants: Grant[];
}

const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Vik', 'Wen', 'Yuki', 'Zoe'];
const LAST_NAMES = ['Okafor', 'Schmidt', 'García', 'Nguyen', 'Tanaka', 'Rossi', 'Dubois', 'Kowalski', 'Smith', 'Haddad', 'Silva', 'Johansson', 'Murphy', 'Cohen', 'Patel', 'Kim', "O'Brien", 'Müller'];
const DOMAINS = ['example.com', 'acme.io', 'globex.dev', 'initech.co', 'umbrella.org', 'mail.example.net'];
const PHONE_PREFIX: Record<Currency, string> = { usd: '+1415555', eur: '+4930555', jpy: '+8135550' };
const LOCALES: Record<Currency, string[]> = { usd: [], eur: ['de'], jpy: ['ja'] };

function emailFor(ctx: Context, first: string, last: string, index: number): string | null {
  const { rng } = ctx;
  if (!rng.chance(0.92)) return null;
  // The same person signing up twice, in another case: invites must dedupe on lower(email).
  if (ctx.emails.length > 0 && rng.chance(0.005)) return rng.pick(ctx.emails).toUpperCase();
  const email = `${first}.${last}.${index}@${rng.pick(DOMAINS)}`.normalize('NFD').replace(/[^A-Za-z0-9.@-]/g, '').toLowerCase();
  ctx.emails.push(email);
  return email;
}

function customerFacts(ctx: Context, index: number): CustomerFacts {
  const { rng } = ctx;
  const currency = rng.weighted([['usd', 78], ['eur', 15], ['jpy', 7]] as const);
  const id = newId('cus', rng.next);
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const email = emailFor(ctx, first, last, index);
  const metadata: Stripe.Metadata = {};
  if (rng.chance(0.35)) metadata.crm_id = `crm_${rng.int(10_000, 99_999)}`;
  if (rng.chance(0.15)) metadata.segment = rng.pick(['smb', 'mid_market', 'enterprise']);
  return {
    id,
    currency,
    email,
    name: rng.chance(0.88) ? `${first} ${last}` : null,
    phone: rng.chance(0.3) ? `${PHONE_PREFIX[currency]}${rng.int(1000, 9999)}` : null,
    metadata,
    prefix: invoicePrefixFor(id),
    grant: null,
    grants: [],
  };
}

function subscriptionDraft(ctx: Context, currency: Currency, taken: Set<string>): SubscriptionDraft {
  const { rng, catalog } = ctx;
  let choices = rng.weighted(SHAPES[currency])(rng);
  // A customer rarely subscribes to the same price twice: draw once more if so.
  if (choices.some((choice) => taken.has(choice.price))) choices = rng.weighted(SHAPES[currency])(rng);
  for (const choice of choices) taken.add(choice.price);
  const id = newId('sub', rng.next);
  const items = choices.map((choice) => itemDraft(rng, id, catalogPrice(catalog, choice.price), choice.quantity ?? 1));
  const spec = items[0]?.entry.spec;
  if (!spec?.interval) throw new Error('a subscription needs a recurring first item');
  const cadence = { interval: spec.interval, count: spec.count ?? 1 };
  const [scenario, status] = rng.weighted(SCENARIOS);
  const timeline = timelineFor(scenario, rng, ctx.now, cadence);
  const starts = periodStarts(timeline, cadence);
  if (scenario === 'canceled') endAtPeriodEnd(rng, timeline, cadence, starts, ctx.now);
  const metadata: Stripe.Metadata = rng.chance(0.2) ? { source: rng.pick(['website', 'sales', 'partner']) } : {};
  // A snapshot: invoices keep the subscription metadata they were finalized with.
  const invoiceParent: Stripe.Invoice.Parent = frozen({ quote_details: null, subscription_details: { metadata: { ...metadata }, subscription: id }, type: 'subscription_details' });
  const collection = scenario === 'active_send_invoice' ? 'send_invoice' : 'charge_automatically';
  return { id, scenario, status, cadence, timeline, starts, items, collection, metadata, invoiceParent, grants: [], subscriptionGrants: [], invoices: [] };
}

function grantDiscount(ctx: Context, customerId: string, coupon: Stripe.Coupon, start: number, subscriptionId: string | null, itemId: string | null): Grant {
  const discount = makeDiscount({
    id: newId('di', ctx.rng.next),
    start,
    customer: customerId,
    end: coupon.duration === 'repeating' && coupon.duration_in_months !== null ? addInterval(start, 'month', coupon.duration_in_months) : null,
    source: { coupon: coupon.id, type: 'coupon' },
    subscription: subscriptionId,
    subscription_item: itemId,
  });
  coupon.times_redeemed += 1;
  ctx.account.discounts.push(discount);
  return { discount, coupon, itemId };
}

function attachDiscounts(ctx: Context, customer: CustomerFacts, sub: SubscriptionDraft): void {
  const { rng } = ctx;
  const fitting = ctx.coupons.filter((coupon) => couponFits(coupon, customer.currency));
  const start = sub.timeline.created;
  if (rng.chance(0.1)) {
    const grant = grantDiscount(ctx, customer.id, rng.pick(fitting), start, sub.id, null);
    sub.grants.push(grant);
    sub.subscriptionGrants.push(grant);
  }
  if (rng.chance(0.04)) {
    const percentOnly = fitting.filter((coupon) => coupon.percent_off !== null);
    sub.grants.push(grantDiscount(ctx, customer.id, rng.pick(percentOnly), start, sub.id, rng.pick(sub.items).id));
  }
}

function cut(line: LineDraft, grant: Grant, budget: { left: number }): void {
  const percent = grant.coupon.percent_off;
  // Percentages apply to what is left; an amount is taken once per invoice, line after line.
  const amount = percent !== null ? Math.round((line.net * percent) / 100) : Math.min(line.net, budget.left);
  if (percent === null) budget.left -= amount;
  if (grant.itemId !== null) line.itemCut += amount;
  line.net -= amount;
  line.discountAmounts.push({ amount, discount: grant.discount.id });
}

/** Item discounts first, then the subscription's (or else the customer's), as Stripe applies them. */
function applyDiscounts(draft: InvoiceDraft, invoiceGrants: Grant[], usedOnce: Set<string>): Grant[] {
  const applied: Grant[] = [];
  const itemGrants = draft.subscription?.grants ?? [];
  for (const line of draft.lines) {
    for (const grant of itemGrants) {
      if (grant.itemId === null || grant.itemId !== line.item?.id || !grantApplies(grant, draft.created, line.entry.product.id, usedOnce)) continue;
      line.itemDiscounts.push(grant.discount.id);
      cut(line, grant, { left: 0 });
      if (!applied.includes(grant)) applied.push(grant);
    }
  }
  for (const grant of invoiceGrants) {
    const budget = { left: grant.coupon.amount_off ?? 0 };
    for (const line of draft.lines) {
      if (!grantApplies(grant, draft.created, line.entry.product.id, usedOnce)) continue;
      cut(line, grant, budget);
      if (!applied.includes(grant)) applied.push(grant);
    }
  }
  for (const grant of applied) if (grant.coupon.duration === 'once') usedOnce.add(grant.discount.id);
  return applied;
}

function oneOffInvoices(ctx: Context, customerCreated: number, currency: Currency): InvoiceDraft[] {
  const { rng, now } = ctx;
  const drafts: InvoiceDraft[] = [];
  for (let count = rng.int(1, 3); count > 0; count--) {
    const entry = catalogPrice(ctx.catalog, rng.pick(ONE_OFF_PRICES[currency]));
    const created = customerCreated + rng.int(1, Math.max(1, now - customerCreated - 1));
    const quantity = rng.int(1, 2);
    const line = lineDraft(entry, null, quantity, itemAmount(entry.spec, quantity), { start: created, end: created }, lineDescription(entry, quantity));
    const status = rng.weighted([['paid', 70], ['draft', 10], ['open', 10], ['void', 5], ['uncollectible', 5]] as const);
    const paidShare = rng.chance(0.4) ? 0.3 + rng.next() * 0.4 : 0;
    drafts.push({ id: newId('in', rng.next), created, reason: 'manual', periodStart: created, status, paidShare, attempts: 0, lines: [line], subscription: null, collection: 'send_invoice', settledAt: null });
  }
  return drafts;
}

// ---------------------------------------------------------------------------------------------
// Stripe objects from drafts

function oneOffParent(rng: Random): Stripe.InvoiceLineItem.Parent {
  return {
    invoice_item_details: { invoice_item: newId('ii', rng.next), proration: false, proration_details: { credited_items: null }, subscription: null },
    subscription_item_details: null,
    type: 'invoice_item_details',
  };
}

function invoiceLine(ctx: Context, invoiceId: string, line: LineDraft, currency: string, subscriptionId: string | null): Stripe.InvoiceLineItem {
  return {
    ...BLANK_LINE,
    id: newId('il', ctx.rng.next),
    amount: line.amount,
    currency,
    description: line.description,
    discount_amounts: line.discountAmounts.length > 0 ? line.discountAmounts : BLANK_LINE.discount_amounts,
    discounts: line.itemDiscounts.length > 0 ? line.itemDiscounts : BLANK_LINE.discounts,
    invoice: invoiceId,
    livemode: ctx.livemode,
    parent: line.item?.lineParent ?? oneOffParent(ctx.rng),
    period: line.period,
    pricing: line.entry.linePricing,
    quantity: line.quantity,
    quantity_decimal: wireDecimal(line.quantity),
    subscription: subscriptionId,
    subtotal: line.amount,
  };
}

function discountTotals(lines: LineDraft[], applied: Grant[]): Stripe.Invoice['total_discount_amounts'] {
  if (applied.length === 0) return BLANK_INVOICE.total_discount_amounts;
  const totals: Stripe.Invoice.TotalDiscountAmount[] = [];
  for (const line of lines) {
    for (const { amount, discount } of line.discountAmounts) {
      const total = totals.find((entry) => entry.discount === discount);
      if (total) total.amount += amount;
      else totals.push({ amount, discount });
    }
  }
  return totals.length > 0 ? totals : BLANK_INVOICE.total_discount_amounts;
}

function statusTransitions(rng: Random, draft: InvoiceDraft, now: number): Stripe.Invoice.StatusTransitions {
  if (draft.status === 'draft') return NO_TRANSITIONS;
  const delayed = draft.reason === 'subscription_cycle' && draft.created + FINALIZE_DELAY <= now;
  const finalized = draft.created + (delayed ? FINALIZE_DELAY : 0);
  const settled = draft.settledAt ?? Math.min(now, finalized + rng.int(1, 10) * DAY);
  return {
    finalized_at: finalized,
    marked_uncollectible_at: draft.status === 'uncollectible' ? settled : null,
    paid_at: draft.status === 'paid' ? Math.min(now, finalized + rng.int(1, 30)) : null,
    voided_at: draft.status === 'void' ? settled : null,
  };
}

function paidAmount(draft: InvoiceDraft, total: number): number {
  if (draft.status === 'paid') return total;
  return draft.status === 'open' || draft.status === 'uncollectible' ? Math.floor(total * draft.paidShare) : 0;
}

function buildInvoice(ctx: Context, customer: CustomerFacts, draft: InvoiceDraft, number: string | null, usedOnce: Set<string>): Stripe.Invoice {
  const { rng, now } = ctx;
  const sub = draft.subscription;
  const invoiceGrants = sub && sub.subscriptionGrants.length > 0 ? sub.subscriptionGrants : customer.grants;
  const applied = applyDiscounts(draft, invoiceGrants, usedOnce);
  let subtotal = 0;
  let total = 0;
  for (const line of draft.lines) {
    subtotal += line.amount - line.itemCut;
    total += line.net;
  }
  // `map` sizes the array exactly; pushing would reserve room for 17 lines on every invoice.
  const lines = draft.lines.map((line) => invoiceLine(ctx, draft.id, line, customer.currency, sub?.id ?? null));
  const paid = paidAmount(draft, total);
  const transitions = statusTransitions(rng, draft, now);
  const finalized = transitions.finalized_at;
  const isDraft = draft.status === 'draft';
  const sendInvoice = draft.collection === 'send_invoice';
  const discounts = applied.length === 0 ? [] : applied.filter((grant) => grant.itemId === null).map((grant) => grant.discount.id);
  return {
    ...BLANK_INVOICE,
    id: draft.id,
    amount_due: total,
    amount_paid: paid,
    amount_remaining: total - paid,
    attempt_count: isDraft || sendInvoice ? 0 : draft.attempts,
    attempted: !isDraft && !sendInvoice && draft.attempts > 0,
    auto_advance: isDraft || draft.status === 'open',
    automatically_finalizes_at: isDraft && draft.created + HOUR > now ? draft.created + HOUR : null,
    billing_reason: draft.reason,
    collection_method: draft.collection,
    created: draft.created,
    currency: customer.currency,
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name,
    customer_phone: customer.phone,
    discounts: discounts.length > 0 ? discounts : BLANK_INVOICE.discounts,
    due_date: sendInvoice && finalized !== null ? finalized + 30 * DAY : null,
    effective_at: finalized,
    ending_balance: finalized === null ? null : 0,
    lines: makeList(lines, `/v1/invoices/${draft.id}/lines`),
    livemode: ctx.livemode,
    next_payment_attempt: draft.status === 'open' && sub?.scenario === 'past_due' ? now + rng.int(1, 3) * DAY : null,
    number,
    parent: sub?.invoiceParent ?? null,
    period_end: draft.created,
    period_start: draft.periodStart,
    status: draft.status,
    status_transitions: transitions,
    subtotal,
    subtotal_excluding_tax: subtotal,
    total,
    total_discount_amounts: discountTotals(draft.lines, applied),
    total_excluding_tax: total,
    webhooks_delivered_at: isDraft ? null : Math.min(now, draft.created + rng.int(1, 5)),
  };
}

type RefundKind = 'full' | 'partial' | 'out_of_band' | 'mixed' | 'void';

const REFUND_KINDS: readonly (readonly [RefundKind, number])[] = [
  ['full', 40],
  ['partial', 25],
  ['out_of_band', 10],
  ['mixed', 10],
  ['void', 15],
];

/** A few paid invoices get a credit note: refunded in full or in part, out of band, or voided. */
function maybeCreditNote(ctx: Context, customer: CustomerFacts, invoice: Stripe.Invoice): void {
  const { rng, now } = ctx;
  const paidAt = invoice.status_transitions.paid_at;
  const invoiceLine = invoice.lines.data[0];
  if (invoice.status !== 'paid' || invoice.amount_paid <= 0 || paidAt === null || paidAt + DAY > now || !invoiceLine) return;
  if (!rng.chance(0.015)) return;
  const kind = rng.weighted(REFUND_KINDS);
  const created = Math.min(now, paidAt + rng.int(1, 45) * DAY);
  const amount = kind === 'full' || kind === 'void' ? invoice.amount_paid : Math.max(1, Math.floor(invoice.amount_paid * (0.1 + rng.next() * 0.5)));
  const outOfBand = kind === 'out_of_band' ? amount : kind === 'mixed' ? Math.floor(amount / 2) : 0;
  const refunded = amount - outOfBand;
  const id = newId('cn', rng.next);
  const line = makeCreditNoteLineItem({
    id: newId('cnli', rng.next),
    livemode: ctx.livemode,
    amount,
    description: invoiceLine.description,
    discount_amount: 0,
    invoice_line_item: invoiceLine.id,
    quantity: 1,
    type: 'invoice_line_item',
  });
  const voided = kind === 'void';
  ctx.account.credit_notes.push(
    makeCreditNote({
      id,
      created,
      livemode: ctx.livemode,
      amount,
      currency: customer.currency,
      customer: customer.id,
      discount_amount: 0,
      invoice: invoice.id,
      lines: makeList([line], `/v1/credit_notes/${id}/lines`),
      memo: null,
      number: `${invoice.number ?? customer.prefix}-CN-01`,
      out_of_band_amount: outOfBand > 0 ? outOfBand : null,
      post_payment_amount: amount,
      reason: rng.pick(['duplicate', 'order_change', 'product_unsatisfactory', null] as const),
      refunds: refunded > 0 ? [{ amount_refunded: refunded, payment_record_refund: null, refund: newId('re', rng.next), type: 'refund' }] : [],
      status: voided ? 'void' : 'issued',
      subtotal: amount,
      subtotal_excluding_tax: amount,
      total: amount,
      total_excluding_tax: amount,
      voided_at: voided ? Math.min(now, created + rng.int(1, 5) * DAY) : null,
    }),
  );
  if (!voided) invoice.post_payment_credit_notes_amount += amount;
}

function subscriptionItem(sub: SubscriptionDraft, item: ItemDraft, period: Window): Stripe.SubscriptionItem {
  const { entry } = item;
  if (!entry.plan) throw new Error(`${entry.spec.key} is not recurring`);
  const discounts = sub.grants.filter((grant) => grant.itemId === item.id).map((grant) => grant.discount.id);
  const fields = {
    id: item.id,
    created: sub.timeline.created,
    current_period_end: period.end,
    current_period_start: period.start,
    discounts: discounts.length > 0 ? discounts : BLANK_ITEM.discounts,
    plan: entry.plan,
    price: entry.embedded,
    subscription: sub.id,
  };
  // Metered items carry no quantity at all.
  return entry.spec.metered ? { ...BLANK_METERED_ITEM, ...fields } : { ...BLANK_ITEM, ...fields, quantity: item.quantity };
}

function currentPeriod(sub: SubscriptionDraft): Window {
  const start = sub.starts[sub.starts.length - 1];
  if (start === undefined) return sub.timeline.trial ?? { start: sub.timeline.created, end: sub.timeline.created };
  return { start, end: addInterval(start, sub.cadence.interval, sub.cadence.count) };
}

const FEEDBACK = ['too_expensive', 'missing_features', 'switched_service', 'unused', 'other', null] as const;

function cancellation(rng: Random, sub: SubscriptionDraft, period: Window, now: number): Partial<Stripe.Subscription> {
  const { scenario, timeline } = sub;
  const requested = { comment: null, feedback: rng.pick(FEEDBACK), feedback_option: null, reason: 'cancellation_requested' };
  if (scenario === 'active_cancel_at_period_end') {
    return { cancel_at: period.end, cancel_at_period_end: true, canceled_at: Math.max(period.start + 1, now - rng.int(1, 10) * DAY), cancellation_details: requested };
  }
  if (scenario === 'canceled' && timeline.endedAt !== null) {
    const atPeriodEnd = timeline.endedAtPeriodEnd;
    return {
      cancel_at: atPeriodEnd ? timeline.endedAt : null,
      canceled_at: atPeriodEnd ? Math.max(period.start + 1, timeline.endedAt - rng.int(1, 20) * DAY) : timeline.endedAt,
      cancellation_details: requested,
    };
  }
  if (scenario === 'canceled_payment_failed') {
    return { canceled_at: timeline.endedAt, cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: 'payment_failed' } };
  }
  return {};
}

function buildSubscription(ctx: Context, customer: CustomerFacts, sub: SubscriptionDraft, pause: Stripe.Subscription.PauseCollection | null): Stripe.Subscription {
  const { timeline } = sub;
  const period = currentPeriod(sub);
  const items = sub.items.map((item) => subscriptionItem(sub, item, period));
  return makeSubscription({
    id: sub.id,
    created: timeline.created,
    livemode: ctx.livemode,
    billing_cycle_anchor: timeline.anchor,
    collection_method: sub.collection,
    currency: customer.currency,
    customer: customer.id,
    days_until_due: sub.collection === 'send_invoice' ? 30 : null,
    discounts: sub.subscriptionGrants.map((grant) => grant.discount.id),
    ended_at: timeline.endedAt,
    items: makeList(items, `/v1/subscription_items?subscription=${sub.id}`),
    latest_invoice: sub.invoices[sub.invoices.length - 1]?.id ?? null,
    metadata: sub.metadata,
    pause_collection: pause,
    start_date: timeline.created,
    status: sub.status,
    trial_end: timeline.trial?.end ?? null,
    trial_settings: sub.scenario === 'paused' ? { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'pause' } } : undefined,
    trial_start: timeline.trial?.start ?? null,
    ...cancellation(ctx.rng, sub, period, ctx.now),
  });
}

function customerDiscount(ctx: Context, customer: CustomerFacts, created: number): Grant | null {
  const { rng, now } = ctx;
  if (!rng.chance(0.04)) return null;
  const coupon = rng.pick(ctx.coupons.filter((candidate) => couponFits(candidate, customer.currency)));
  return grantDiscount(ctx, customer.id, coupon, Math.min(now, created + rng.int(MINUTE, 30 * DAY)), null, null);
}

function invoiceNumber(customer: CustomerFacts, sequence: number): string {
  return `${customer.prefix}-${String(sequence).padStart(4, '0')}`;
}

function generateCustomer(ctx: Context, index: number): void {
  const { rng, now, account } = ctx;
  const customer = customerFacts(ctx, index);
  const taken = new Set<string>();
  const subs: SubscriptionDraft[] = [];
  for (let n = rng.weighted([[0, 14], [1, 70], [2, 13], [3, 3]] as const); n > 0; n--) subs.push(subscriptionDraft(ctx, customer.currency, taken));
  const created = subs.length > 0 ? Math.min(...subs.map((sub) => sub.timeline.created)) - rng.int(MINUTE, 60 * DAY) : now - rng.int(DAY, 730 * DAY);
  customer.grant = customerDiscount(ctx, customer, created);
  if (customer.grant) customer.grants.push(customer.grant);

  const drafts: InvoiceDraft[] = [];
  const pauses: (Stripe.Subscription.PauseCollection | null)[] = [];
  for (const sub of subs) {
    attachDiscounts(ctx, customer, sub);
    sub.invoices = subscriptionInvoices(rng, sub);
    settleInvoices(rng, sub, now);
    pauses.push(pauseCollection(rng, sub, now));
    drafts.push(...sub.invoices);
  }
  if (rng.chance(subs.length === 0 ? 0.4 : 0.03)) drafts.push(...oneOffInvoices(ctx, created, customer.currency));
  drafts.sort((a, b) => a.created - b.created);

  const usedOnce = new Set<string>();
  let sequence = 0;
  for (const draft of drafts) {
    const invoice = buildInvoice(ctx, customer, draft, draft.status === 'draft' ? null : invoiceNumber(customer, ++sequence), usedOnce);
    account.invoices.push(invoice);
    maybeCreditNote(ctx, customer, invoice);
  }
  subs.forEach((sub, i) => account.subscriptions.push(buildSubscription(ctx, customer, sub, pauses[i] ?? null)));
  account.customers.push(
    makeCustomer({
      id: customer.id,
      created,
      livemode: ctx.livemode,
      // Stripe sets a customer's currency with its first subscription or invoice.
      currency: drafts.length > 0 ? customer.currency : null,
      delinquent: subs.some((sub) => sub.status === 'past_due' || sub.status === 'unpaid'),
      discount: customer.grant?.discount ?? null,
      email: customer.email,
      invoice_prefix: customer.prefix,
      metadata: customer.metadata,
      name: customer.name,
      next_invoice_sequence: sequence + 1,
      phone: customer.phone,
      preferred_locales: [...LOCALES[customer.currency]],
    }),
  );
}

function apiKeys(rng: Random, livemode: boolean): ApiKey[] {
  const mode = livemode ? 'live' : 'test';
  return [
    // Real secret keys are `sk_test_` plus about 99 alphanumerics.
    { key: randomToken(`sk_${mode}`, 99, rng.next), permissions: 'all' },
    { key: randomToken(`rk_${mode}`, 99, rng.next), permissions: [...RESTRICTED_KEY_PERMISSIONS] },
  ];
}

export function generateAccount(options: GenerateOptions): FixtureAccount {
  const { customers } = options;
  if (!Number.isInteger(customers) || customers < 0) throw new Error(`customers must be a non-negative integer, got ${customers}`);
  const rng = new Random(options.seed ?? DEFAULT_SEED);
  const now = options.now ?? DEFAULT_NOW;
  const livemode = options.livemode ?? false;
  // Drawn even when an id is given, so that the rest of the account does not depend on it.
  const generatedId = newId('acct', rng.next);
  const api_keys = apiKeys(rng, livemode);
  const catalog = buildCatalog(rng, now - 760 * DAY, livemode);
  const account: FixtureAccount = {
    id: options.accountId ?? generatedId,
    api_keys,
    customers: [],
    products: [...catalog.products.values()],
    prices: [...catalog.prices.values()].map((entry) => entry.price),
    subscriptions: [],
    invoices: [],
    credit_notes: [],
    coupons: buildCoupons(catalog, now - 750 * DAY, livemode),
    discounts: [],
  };
  const ctx: Context = { rng, now, livemode, catalog, coupons: account.coupons, account, emails: [] };
  for (let i = 0; i < customers; i++) generateCustomer(ctx, i);
  return account;
}
