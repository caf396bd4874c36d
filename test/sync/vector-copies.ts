/**
 * A long account whose every participant has hand-written figures: the vectors of
 * docs/revenue-metrics.md (vector-account.ts) copied many times over, each copy with its own ids,
 * plus optionally a "long history" customer per copy (many paid invoices, figures written below).
 * The expected MRR, LTV, status and plan of each customer are the table's, never computed: the
 * tests that read long lists (ranges, pages, resume after a kill) check figures against them.
 *
 * Copies share the catalog (products, prices, coupons). Customer and invoice creation times are
 * laid out by `layout` (the figures do not depend on them).
 */
import type Stripe from 'stripe';
import type { FixtureAccount } from '../stripe-emulator/generator.js';
import { RESTRICTED_KEY_PERMISSIONS } from '../stripe-emulator/generator.js';
import { makeCustomer, makeInvoice, newId, randomToken } from '../stripe-emulator/objects.js';
import { buildVectorAccount, NOW, seeded, type VectorExpectation } from './vector-account.js';

export { NOW };

const DAY = 86_400;

/**
 * LTV when the connection may not read credit notes (gross: nothing taken off), by vector. Only
 * vector 28 has a credit note: 2000 + 2000 paid, 2000 refunded.
 */
const GROSS_LTV: Record<string, number> = { '28': 4000 };

/** The long-history customer: no subscription, this many one-off invoices paid LONG_HISTORY_PAID each. */
const LONG_HISTORY_PAID = 1000;

export interface CopyExpectation extends VectorExpectation {
  /** LTV without credit notes. */
  grossLtv: number;
  copy: number;
}

export interface BoundaryLayout {
  kind: 'boundaries';
  /** Ranges the backfill plans for a list whose first page falls in one second (its SYNC_CONCURRENCY). */
  ranges: number;
  /** Seconds between range boundaries. */
  width: number;
}

/**
 * `spread`: customers, subscriptions and invoices evenly over the history, each in its own
 * second: no list is split into ranges, so a sync reads the minimum of pages.
 * `boundaries`: for each of the two lists, 103 objects in its newest second (a first page of 100
 * and three more in that second) and the rest in older seconds, three in each second where
 * the backfill's ranges meet and one in the second below it. With a first page of one second,
 * the backfill plans `ranges` equal ranges between the account's creation and that second.
 * Subscriptions keep their vector's times: the copies' share seconds.
 */
export type Layout = { kind: 'spread' } | BoundaryLayout;

export interface VectorCopies {
  account: FixtureAccount;
  secretKey: string;
  /** Without credit_note_read. */
  restrictedKey: string;
  /** The emulator's account `created`: a day before its oldest customer or product. */
  accountCreated: number;
  /** `boundaries` layout: the seconds where ranges meet (lower bounds of all ranges but the oldest), and the burst second. */
  boundaries: number[];
  burst?: number;
  /** By Stripe customer id. */
  expected: Map<string, CopyExpectation>;
}

type PerCustomer = Pick<FixtureAccount, 'customers' | 'subscriptions' | 'invoices' | 'credit_notes' | 'discounts'>;
const CATALOG_OBJECTS = new Set(['price', 'product', 'coupon', 'plan']);

/** Ids of every object held in `value` that is not part of the shared catalog. */
function ownIds(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) ownIds(v, into);
  else if (value && typeof value === 'object') {
    const o = value as { id?: unknown; object?: unknown };
    if (typeof o.id === 'string' && !CATALOG_OBJECTS.has(String(o.object))) into.add(o.id);
    for (const v of Object.values(value)) ownIds(v, into);
  }
  return into;
}

function shiftInvoice(invoice: Stripe.Invoice, created: number): void {
  const delta = created - invoice.created;
  const shift = (t: number | null) => (t === null ? null : t + delta);
  invoice.created = created;
  invoice.period_start = created;
  invoice.period_end = created;
  invoice.effective_at = shift(invoice.effective_at);
  const s = invoice.status_transitions;
  invoice.status_transitions = { finalized_at: shift(s.finalized_at), paid_at: shift(s.paid_at), marked_uncollectible_at: shift(s.marked_uncollectible_at), voided_at: shift(s.voided_at) };
}

const BURST = 103;
const AT_BOUNDARY = 3;

/** Creation seconds for `count` objects of one list in the boundaries layout, newest first. */
function boundarySeconds(count: number, lower: number, layout: BoundaryLayout): { seconds: number[]; boundaries: number[]; burst: number } {
  const { ranges, width } = layout;
  // Narrower, the first boundary would lie before the catalog and move the account's creation.
  if (width < DAY) throw new Error('the boundaries layout needs ranges at least a day wide');
  const burst = lower + ranges * width;
  const boundaries = Array.from({ length: ranges - 1 }, (_, i) => lower + (i + 1) * width);
  const seconds: number[] = Array.from({ length: BURST }, () => burst);
  for (const boundary of boundaries) {
    for (let i = 0; i < AT_BOUNDARY; i++) seconds.push(boundary);
    // The second below belongs to the range beneath: lower + width - 1 would make that object the account's oldest.
    if (boundary > lower + width) seconds.push(boundary - 1);
  }
  const rest = count - seconds.length;
  if (rest < 0) throw new Error(`the boundaries layout needs at least ${seconds.length} objects in a list, got ${count}`);
  // The rest between the first boundary and the burst, away from the boundaries.
  for (let i = 0; i < rest; i++) seconds.push(lower + width + 1 + Math.floor(((i + 0.5) * (ranges - 1) * width) / rest));
  return { seconds: seconds.sort((a, b) => b - a), boundaries, burst };
}

/**
 * Subscriptions a minute apart from `from`, keeping the order (and the ties) of each customer's
 * own: the plan rule breaks ties on the older subscription. Returns the minutes used.
 */
function spreadSubscriptions(subscriptions: Stripe.Subscription[], from: number): number {
  const byCustomer = new Map<string, Stripe.Subscription[]>();
  for (const subscription of subscriptions) {
    const id = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
    byCustomer.set(id, [...(byCustomer.get(id) ?? []), subscription]);
  }
  let slot = 0;
  for (const own of byCustomer.values()) {
    const seconds = [...new Set(own.map((s) => s.created))].sort((a, b) => a - b);
    for (const subscription of own) subscription.created = from + 60 * (slot + seconds.indexOf(subscription.created));
    slot += seconds.length;
  }
  return slot;
}

export function buildVectorCopies(options: { copies: number; longHistoryInvoices?: number; layout: Layout; seed?: number }): VectorCopies {
  const base = buildVectorAccount();
  const rng = seeded(options.seed ?? 20_261_208);
  const id = (prefix: string) => newId(prefix, rng);
  const longHistory = options.longHistoryInvoices ?? 0;

  const own: PerCustomer = {
    customers: base.account.customers,
    subscriptions: base.account.subscriptions,
    invoices: base.account.invoices,
    credit_notes: base.account.credit_notes,
    discounts: base.account.discounts,
  };
  const baseExpected = new Map(base.expected);
  if (longHistory > 0) {
    const customer = makeCustomer({ id: id('cus'), created: NOW - 600 * DAY, currency: 'usd', email: 'vector.long-history@example.com', name: 'Vector long history', metadata: { vector: 'long history' } });
    own.customers = [...own.customers, customer];
    own.invoices = [...own.invoices];
    for (let i = 0; i < longHistory; i++) {
      const created = NOW - 590 * DAY + i * DAY;
      own.invoices.push(
        makeInvoice({
          id: id('in'),
          created,
          customer: customer.id,
          customer_email: customer.email,
          customer_name: customer.name,
          currency: 'usd',
          status: 'paid',
          number: `${customer.invoice_prefix}-${String(i + 1).padStart(4, '0')}`,
          billing_reason: 'manual',
          amount_due: LONG_HISTORY_PAID,
          amount_paid: LONG_HISTORY_PAID,
          amount_remaining: 0,
          subtotal: LONG_HISTORY_PAID,
          subtotal_excluding_tax: LONG_HISTORY_PAID,
          total: LONG_HISTORY_PAID,
          total_excluding_tax: LONG_HISTORY_PAID,
          ending_balance: 0,
          effective_at: created,
          status_transitions: { finalized_at: created + 3600, paid_at: created + 3700, marked_uncollectible_at: null, voided_at: null },
        }),
      );
    }
    // Written by hand: no subscription, `longHistory` invoices of 1000 paid.
    baseExpected.set(customer.id, { vector: 'long history', mrr: 0, ltv: longHistory * LONG_HISTORY_PAID, status: 'none', currency: 'usd', plan: null, planProducts: [] });
  }
  for (const note of own.credit_notes) {
    const vector = baseExpected.get(typeof note.customer === 'string' ? note.customer : note.customer.id)?.vector;
    if (vector === undefined || GROSS_LTV[vector] === undefined) throw new Error(`vector ${vector} has a credit note: write its gross LTV in GROSS_LTV`);
  }

  const ids = ownIds(own, new Set());
  const template = JSON.stringify(own);
  const account: FixtureAccount = {
    ...base.account,
    id: id('acct'),
    api_keys: [],
    customers: [],
    subscriptions: [],
    invoices: [],
    credit_notes: [],
    discounts: [],
  };
  const secretKey = randomToken('sk_test', 99, rng);
  const restrictedKey = randomToken('rk_test', 99, rng);
  account.api_keys = [
    { key: secretKey, permissions: 'all' },
    { key: restrictedKey, permissions: [...RESTRICTED_KEY_PERMISSIONS] },
  ];
  const expected = new Map<string, CopyExpectation>();
  for (let copy = 0; copy < options.copies; copy++) {
    const renamed = new Map<string, string>();
    const text = template
      .replace(/[A-Za-z0-9_]+/g, (token) => {
        if (!ids.has(token)) return token;
        const prefix = token.slice(0, token.indexOf('_'));
        let fresh = renamed.get(token);
        if (!fresh) renamed.set(token, (fresh = id(prefix)));
        return fresh;
      })
      .replace(/"vector\.([^"@]*)@example\.com"/g, `"vector.$1+copy${copy}@example.com"`);
    const objects = JSON.parse(text) as PerCustomer;
    // Every fifth copy has no email addresses: customers without one are participants too.
    if (copy % 5 === 4) {
      for (const customer of objects.customers) customer.email = null;
      for (const invoice of objects.invoices) invoice.customer_email = null;
    }
    for (const [baseId, row] of baseExpected) {
      expected.set(renamed.get(baseId)!, { ...row, copy, grossLtv: GROSS_LTV[row.vector] ?? row.ltv });
    }
    account.customers.push(...objects.customers);
    account.subscriptions.push(...objects.subscriptions);
    account.invoices.push(...objects.invoices);
    account.credit_notes.push(...objects.credit_notes);
    account.discounts.push(...objects.discounts);
  }

  const oldestProduct = Math.min(...account.products.map((p) => p.created));
  const accountCreated = oldestProduct - DAY;
  const invoicesByAge = [...account.invoices];
  let boundaries: number[] = [];
  let burst: number | undefined;
  if (options.layout.kind === 'spread') {
    // Customers, then subscriptions, a minute apart from the oldest product on; invoices an hour
    // apart after them.
    account.customers.forEach((customer, i) => (customer.created = oldestProduct + 60 * (i + 1)));
    const subscriptionsFrom = oldestProduct + 60 * (account.customers.length + 1);
    const start = subscriptionsFrom + 60 * (spreadSubscriptions(account.subscriptions, subscriptionsFrom) + 1);
    invoicesByAge.forEach((invoice, i) => shiftInvoice(invoice, start + 3600 * (i + 1)));
  } else {
    const customers = boundarySeconds(account.customers.length, accountCreated, options.layout);
    account.customers.forEach((customer, i) => (customer.created = customers.seconds[i]!));
    const invoices = boundarySeconds(account.invoices.length, accountCreated, options.layout);
    invoicesByAge.forEach((invoice, i) => shiftInvoice(invoice, invoices.seconds[i]!));
    boundaries = customers.boundaries;
    burst = customers.burst;
  }
  for (const note of account.credit_notes) {
    const invoice = account.invoices.find((i) => i.id === note.invoice)!;
    note.created = invoice.created + 5 * DAY;
  }
  if (Math.min(...account.customers.map((c) => c.created)) < oldestProduct) throw new Error('a customer is older than the catalog: the account would be older than planned');
  return { account, secretKey, restrictedKey, accountCreated, boundaries, burst, expected };
}
