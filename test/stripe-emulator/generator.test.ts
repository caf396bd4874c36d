import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { DEFAULT_NOW, RESTRICTED_KEY_PERMISSIONS, generateAccount, type FixtureAccount } from './generator.js';
import { makeAccount, makeEvent, makeCustomer, newId } from './objects.js';

const canonical: Record<string, Record<string, unknown>> = JSON.parse(
  readFileSync(new URL('../../vendor/stripe-reference/openapi-fixtures3.json', import.meta.url), 'utf8'),
).resources;

const N = 2000;
// Generated before anything else, so that a later equal generation also proves no state leaks.
const first = generateAccount({ customers: 200, seed: 7 });
const account = generateAccount({ customers: N, seed: 42 });

function keysOf(value: object): string[] {
  return Object.keys(value).sort();
}

function canonicalKeys(resource: string): string[] {
  const example = canonical[resource];
  if (!example) throw new Error(`no canonical ${resource}`);
  return keysOf(example);
}

/**
 * Where API 2026-10-28 (the SDK's types) and the canonical examples (captured 2026-07-29)
 * differ, and the includable fields the store keeps so that the server can serve `expand[]`.
 */
function expectedKeys(resource: string, object: Record<string, unknown>): string[] {
  const keys = new Set(canonicalKeys(resource));
  if (resource === 'product') keys.add('tax_details');
  if (resource === 'invoice') keys.delete('subscription');
  if (resource === 'subscription_item') keys.add('current_trial');
  if (resource === 'subscription_item' && object.quantity === undefined) keys.delete('quantity');
  if (resource === 'price' && object.billing_scheme === 'tiered') keys.add('tiers');
  if (resource === 'coupon' && object.applies_to !== undefined) keys.add('applies_to');
  return [...keys].sort();
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.id;
}

function invoiceSubscription(invoice: Stripe.Invoice): string | undefined {
  return idOf(invoice.parent?.subscription_details?.subscription);
}

function findUndefined(value: unknown, path: string, seen: Set<unknown>): string | null {
  if (value === undefined) return path;
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  seen.add(value);
  for (const [key, child] of Object.entries(value)) {
    const found = findUndefined(child, `${path}.${key}`, seen);
    if (found) return found;
  }
  return null;
}

describe('generateAccount', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const small = generateAccount({ customers: 200, seed: 7 });
    expect(small).toEqual(first);
    const other = generateAccount({ customers: 200, seed: 8 });
    expect(other.customers.map((customer) => customer.id)).not.toEqual(small.customers.map((customer) => customer.id));
    expect(other.api_keys).not.toEqual(small.api_keys);
    expect(JSON.stringify(other.invoices.slice(0, 50))).not.toBe(JSON.stringify(small.invoices.slice(0, 50)));
  });

  it('makes exactly the requested number of customers', () => {
    expect(account.customers).toHaveLength(N);
    expect(generateAccount({ customers: 0 }).customers).toHaveLength(0);
    expect(generateAccount({ customers: 1 }).customers).toHaveLength(1);
    expect(new Set(account.customers.map((customer) => customer.id)).size).toBe(N);
  });

  it('gives every object a unique, Stripe-shaped id', () => {
    const ids = [
      ...account.customers.map((o) => o.id),
      ...account.products.map((o) => o.id),
      ...account.prices.map((o) => o.id),
      ...account.subscriptions.flatMap((o) => [o.id, ...o.items.data.map((item) => item.id)]),
      ...account.invoices.flatMap((o) => [o.id, ...o.lines.data.map((line) => line.id)]),
      ...account.credit_notes.map((o) => o.id),
      ...account.discounts.map((o) => o.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !/^(cus|prod|price|sub|si|in|il|cn|di)_[A-Za-z0-9]{14,24}$/.test(id))).toEqual([]);
    expect(account.id).toMatch(/^acct_[A-Za-z0-9]{16}$/);
  });

  it('resolves every id an object refers to', () => {
    const ids = (objects: readonly { id: string }[]) => new Set(objects.map((o) => o.id));
    const known = {
      customer: ids(account.customers),
      product: ids(account.products),
      price: ids(account.prices),
      subscription: ids(account.subscriptions),
      subscription_item: ids(account.subscriptions.flatMap((o) => o.items.data)),
      invoice: ids(account.invoices),
      line_item: ids(account.invoices.flatMap((o) => o.lines.data)),
      coupon: ids(account.coupons),
      discount: ids(account.discounts),
    };
    const dangling: string[] = [];
    const ref = (from: string, type: keyof typeof known, value: string | { id: string } | null | undefined) => {
      const id = idOf(value);
      if (id === undefined || !known[type].has(id)) dangling.push(`${from} → ${type} ${String(id)}`);
    };
    for (const price of account.prices) ref(price.id, 'product', price.product as string);
    for (const product of account.products) ref(product.id, 'price', product.default_price as string);
    for (const sub of account.subscriptions) {
      ref(sub.id, 'customer', sub.customer as string);
      ref(sub.id, 'invoice', sub.latest_invoice as string);
      for (const id of sub.discounts) ref(sub.id, 'discount', id as string);
      for (const item of sub.items.data) {
        ref(item.id, 'price', item.price);
        if (item.plan.id !== item.price.id || item.subscription !== sub.id) dangling.push(`${item.id} plan/subscription`);
        for (const id of item.discounts) ref(item.id, 'discount', id as string);
      }
    }
    for (const invoice of account.invoices) {
      ref(invoice.id, 'customer', invoice.customer as string);
      if (invoice.parent !== null) ref(invoice.id, 'subscription', invoiceSubscription(invoice));
      for (const id of invoice.discounts) ref(invoice.id, 'discount', id as string);
      for (const line of invoice.lines.data) {
        if (line.invoice !== invoice.id) dangling.push(`${line.id} → invoice ${line.invoice}`);
        ref(line.id, 'price', line.pricing?.price_details?.price as string);
        const item = line.parent?.subscription_item_details;
        if (item) ref(line.id, 'subscription_item', item.subscription_item);
        for (const amount of line.discount_amounts ?? []) ref(line.id, 'discount', amount.discount as string);
      }
    }
    for (const note of account.credit_notes) {
      ref(note.id, 'invoice', note.invoice as string);
      ref(note.id, 'customer', note.customer as string);
      for (const line of note.lines.data) ref(line.id, 'line_item', line.invoice_line_item);
    }
    for (const discount of [...account.discounts, ...account.customers.flatMap((c) => (c.discount ? [c.discount] : []))]) {
      ref(discount.id, 'coupon', discount.source.coupon as string);
      ref(discount.id, 'customer', discount.customer as string);
      if (discount.subscription !== null) ref(discount.id, 'subscription', discount.subscription);
      if (discount.subscription_item !== null) ref(discount.id, 'subscription_item', discount.subscription_item);
    }
    expect(dangling).toEqual([]);
  });

  it('covers every subscription status and the active variants', () => {
    const statuses = countBy(account.subscriptions, (sub) => sub.status);
    for (const status of ['active', 'trialing', 'past_due', 'canceled', 'unpaid', 'incomplete_expired', 'paused']) {
      expect(statuses[status], status).toBeGreaterThan(0);
    }
    expect(statuses.active).toBeGreaterThan(account.subscriptions.length / 2);
    const active = account.subscriptions.filter((sub) => sub.status === 'active');
    expect(active.some((sub) => sub.cancel_at_period_end && sub.cancel_at !== null)).toBe(true);
    expect(active.some((sub) => sub.pause_collection !== null)).toBe(true);
    expect(active.some((sub) => sub.collection_method === 'send_invoice')).toBe(true);
  });

  it('mixes customers: no email, names, phones, metadata, several currencies, 0 to 3 subscriptions', () => {
    const noEmail = account.customers.filter((customer) => customer.email === null).length;
    expect(noEmail / N).toBeGreaterThan(0.05);
    expect(noEmail / N).toBeLessThan(0.12);
    expect(account.customers.some((customer) => customer.name !== null && customer.phone !== null)).toBe(true);
    expect(account.customers.some((customer) => Object.keys(customer.metadata).length > 0)).toBe(true);
    expect(Object.keys(countBy(account.customers, (customer) => String(customer.currency))).sort()).toEqual(['eur', 'jpy', 'null', 'usd']);
    const perCustomer = countBy(account.subscriptions, (sub) => String(idOf(sub.customer)));
    expect(Object.keys(perCustomer).length).toBeLessThan(N);
    expect(Object.values(perCustomer).some((count) => count >= 2)).toBe(true);
    const emails = account.customers.flatMap((customer) => (customer.email ? [customer.email.toLowerCase()] : []));
    expect(new Set(emails).size).toBeLessThan(emails.length);
  });

  it('keeps a customer, its subscriptions and its invoices in one currency', () => {
    const currency = new Map(account.customers.map((customer) => [customer.id, customer.currency]));
    const mixed = [
      ...account.subscriptions.filter((sub) => sub.currency !== currency.get(String(idOf(sub.customer))) || sub.items.data.some((item) => item.price.currency !== sub.currency)),
      ...account.invoices.filter((invoice) => invoice.currency !== currency.get(String(idOf(invoice.customer)))),
    ];
    expect(mixed.map((object) => object.id)).toEqual([]);
  });

  it('has subscriptions with more than 10 items, whose lists hold every entry', () => {
    const large = account.subscriptions.filter((sub) => sub.items.data.length > 10);
    expect(large.length).toBeGreaterThan(0);
    const badItems = account.subscriptions.filter((sub) => sub.items.object !== 'list' || sub.items.has_more || sub.items.url !== `/v1/subscription_items?subscription=${sub.id}`);
    expect(badItems).toEqual([]);
    expect(account.invoices.some((invoice) => invoice.lines.data.length > 10)).toBe(true);
    const badLines = account.invoices.filter((invoice) => invoice.lines.object !== 'list' || invoice.lines.has_more || invoice.lines.url !== `/v1/invoices/${invoice.id}/lines`);
    expect(badLines).toEqual([]);
  });

  it('prices monthly, yearly, weekly, quarterly, per seat, tiered, metered and transformed', () => {
    const recurring = account.prices.flatMap((price) => (price.recurring ? [price.recurring] : []));
    const cadences = new Set(recurring.map((r) => `${r.interval}/${r.interval_count}`));
    for (const cadence of ['month/1', 'year/1', 'week/1', 'month/3']) expect(cadences).toContain(cadence);
    expect(account.prices.some((price) => price.tiers_mode === 'volume' && price.tiers?.length)).toBe(true);
    expect(account.prices.some((price) => price.tiers_mode === 'graduated' && price.tiers?.length)).toBe(true);
    expect(recurring.some((r) => r.usage_type === 'metered')).toBe(true);
    expect(account.prices.some((price) => price.transform_quantity !== null)).toBe(true);
    expect(account.products.length).toBeGreaterThanOrEqual(4);
    expect(account.products.length).toBeLessThanOrEqual(8);
    const items = account.subscriptions.flatMap((sub) => sub.items.data);
    expect(items.some((item) => item.price.billing_scheme === 'per_unit' && (item.quantity ?? 0) > 1)).toBe(true);
    expect(items.some((item) => item.price.recurring?.usage_type === 'metered' && item.quantity === undefined)).toBe(true);
  });

  it('covers invoice statuses, partial payments and one-off invoices', () => {
    const statuses = countBy(account.invoices, (invoice) => String(invoice.status));
    for (const status of ['paid', 'open', 'void', 'draft', 'uncollectible']) expect(statuses[status], status).toBeGreaterThan(0);
    expect(statuses.paid).toBeGreaterThan(account.invoices.length / 2);
    expect(account.invoices.some((i) => i.status === 'open' && i.amount_paid > 0 && i.amount_paid < i.amount_due)).toBe(true);
    expect(account.invoices.some((i) => invoiceSubscription(i) === undefined && i.billing_reason === 'manual')).toBe(true);
    const inconsistent = account.invoices.filter(
      (i) => i.amount_remaining !== i.amount_due - i.amount_paid || (i.number === null) !== (i.status === 'draft') || (i.status === 'paid' && i.amount_paid !== i.amount_due),
    );
    expect(inconsistent.map((invoice) => invoice.id)).toEqual([]);
  });

  it('issues credit notes refunding in full, in part, out of band, and voids some', () => {
    const invoices = new Map(account.invoices.map((invoice) => [invoice.id, invoice]));
    const notes = account.credit_notes;
    expect(notes.some((note) => note.status === 'void' && note.voided_at !== null)).toBe(true);
    expect(notes.some((note) => note.out_of_band_amount !== null && note.out_of_band_amount > 0)).toBe(true);
    const full = notes.filter((note) => note.refunds.some((refund) => refund.amount_refunded === invoices.get(String(idOf(note.invoice)))?.amount_paid));
    expect(full.length).toBeGreaterThan(0);
    expect(notes.some((note) => note.status === 'issued' && note.amount < (invoices.get(String(idOf(note.invoice)))?.amount_paid ?? 0))).toBe(true);
    const inconsistent = notes.filter((note) => {
      const invoice = invoices.get(String(idOf(note.invoice)));
      const refunded = note.refunds.reduce((sum, refund) => sum + refund.amount_refunded, 0);
      return invoice?.status !== 'paid' || refunded + (note.out_of_band_amount ?? 0) !== note.amount || !(note.created > (invoice.status_transitions.paid_at ?? Infinity));
    });
    expect(inconsistent.map((note) => note.id)).toEqual([]);
  });

  it('discounts with percent and amount coupons of every duration at item, subscription and customer level', () => {
    const coupons = new Map(account.coupons.map((coupon) => [coupon.id, coupon]));
    expect(account.coupons.some((coupon) => coupon.percent_off !== null)).toBe(true);
    expect(account.coupons.some((coupon) => coupon.amount_off !== null && coupon.currency !== null)).toBe(true);
    expect(new Set(account.coupons.map((coupon) => coupon.duration))).toEqual(new Set(['forever', 'repeating', 'once']));
    expect(account.coupons.some((coupon) => (coupon.applies_to?.products.length ?? 0) > 0)).toBe(true);
    const discounts = account.discounts;
    expect(discounts.some((d) => d.subscription_item !== null)).toBe(true);
    expect(discounts.some((d) => d.subscription !== null && d.subscription_item === null)).toBe(true);
    expect(account.customers.some((customer) => customer.discount !== null && customer.discount?.subscription === null)).toBe(true);
    const endless = discounts.filter((discount) => (discount.end !== null) !== (coupons.get(String(idOf(discount.source.coupon)))?.duration === 'repeating'));
    expect(endless.map((discount) => discount.id)).toEqual([]);
    const redeemed = countBy(discounts, (discount) => String(idOf(discount.source.coupon)));
    expect(account.coupons.map((coupon) => coupon.times_redeemed)).toEqual(account.coupons.map((coupon) => redeemed[coupon.id] ?? 0));
    expect(account.invoices.some((invoice) => invoice.total_discount_amounts?.some((entry) => entry.amount > 0))).toBe(true);
  });

  it('orders time: catalog, then customer, then its subscriptions, invoices and credit notes', () => {
    const customerCreated = new Map(account.customers.map((customer) => [customer.id, customer.created]));
    const subCreated = new Map(account.subscriptions.map((sub) => [sub.id, sub.created]));
    const firstCustomer = Math.min(...account.customers.map((customer) => customer.created));
    expect(firstCustomer).toBeGreaterThan(DEFAULT_NOW - 731 * 86_400);
    expect(account.prices.filter((price) => price.created >= firstCustomer)).toEqual([]);
    const after = (object: { created: number }, before: number | undefined) => before !== undefined && object.created > before && object.created <= DEFAULT_NOW;
    const early = [
      ...account.subscriptions.filter((sub) => !after(sub, customerCreated.get(String(idOf(sub.customer))))),
      ...account.invoices.filter((invoice) => {
        const sub = invoiceSubscription(invoice);
        const paidAt = invoice.status_transitions.paid_at;
        return !after(invoice, customerCreated.get(String(idOf(invoice.customer)))) || (sub !== undefined && !after(invoice, subCreated.get(sub))) || (paidAt !== null && paidAt > DEFAULT_NOW);
      }),
      ...account.credit_notes.filter((note) => note.created > DEFAULT_NOW),
    ];
    expect(early.map((object) => object.id)).toEqual([]);
    const periods = account.subscriptions.flatMap((sub) => sub.items.data).filter((item) => item.current_period_end <= item.current_period_start);
    expect(periods).toEqual([]);
  });

  it('has a full secret key and a restricted key without credit_note_read, both from the seed', () => {
    const [secret, restricted] = account.api_keys;
    expect(secret?.key).toMatch(/^sk_test_[A-Za-z0-9]{24,}$/);
    expect(secret?.permissions).toBe('all');
    expect(restricted?.key).toMatch(/^rk_test_[A-Za-z0-9]{24,}$/);
    expect(restricted?.permissions).toEqual(RESTRICTED_KEY_PERMISSIONS);
    expect(restricted?.permissions).not.toContain('credit_note_read');
    const live = generateAccount({ customers: 20, seed: 42, livemode: true, accountId: 'acct_1LiveAccount0001' });
    expect(live.id).toBe('acct_1LiveAccount0001');
    expect(live.api_keys.map((key) => key.key.slice(0, 8))).toEqual(['sk_live_', 'rk_live_']);
    expect([...live.customers, ...live.subscriptions, ...live.invoices].every((object) => object.livemode)).toBe(true);
  });

  it('gives every object the top-level keys of its canonical example', () => {
    const mismatches: string[] = [];
    const check = (resource: string, objects: readonly object[]) => {
      for (const object of objects) {
        const actual = keysOf(object).join(',');
        const expected = expectedKeys(resource, object as Record<string, unknown>).join(',');
        if (actual !== expected) mismatches.push(`${resource}: ${actual} ≠ ${expected}`);
      }
    };
    check('customer', account.customers);
    check('product', account.products);
    check('price', account.prices);
    check('subscription', account.subscriptions);
    check('subscription_item', account.subscriptions.flatMap((sub) => sub.items.data));
    // Embedded prices come without the includable `tiers`, as the API sends them.
    for (const item of account.subscriptions.flatMap((sub) => sub.items.data)) {
      if (keysOf(item.price).join(',') !== canonicalKeys('price').join(',')) mismatches.push(`price in ${item.id}`);
    }
    check('invoice', account.invoices);
    check('line_item', account.invoices.flatMap((invoice) => invoice.lines.data));
    check('credit_note', account.credit_notes);
    check('credit_note_line_item', account.credit_notes.flatMap((note) => note.lines.data));
    check('coupon', account.coupons);
    check('discount', [...account.discounts, ...account.customers.flatMap((customer) => (customer.discount ? [customer.discount] : []))]);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('leaves nothing undefined', () => {
    const found = findUndefined(account satisfies FixtureAccount, 'account', new Set());
    expect(found).toBeNull();
  });
});

describe('objects', () => {
  it('makes Stripe-like ids', () => {
    expect(newId('cus')).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(newId('sub_')).toMatch(/^sub_[A-Za-z0-9]{24}$/);
    let state = 0;
    const rng = () => (state = (state + 0.37) % 1);
    const first = newId('evt', rng);
    state = 0;
    expect(newId('evt', rng)).toBe(first);
  });

  it('builds an event for a connected account around any object', () => {
    const customer = makeCustomer({ id: 'cus_QXg1o8vcGmoR32', created: 1_790_000_000, email: 'a@example.com' });
    const event = makeEvent({
      id: 'evt_1',
      type: 'customer.updated',
      created: 1_790_000_100,
      account: 'acct_1PgafTB7WZ01zgkW',
      livemode: false,
      object: customer,
      previous_attributes: { email: null },
    });
    expect(event.data.object.email).toBe('a@example.com');
    expect(event.data.previous_attributes).toEqual({ email: null });
    expect(event.api_version).toBe('2026-10-28.endive');
    expect(keysOf(event)).toEqual([...canonicalKeys('event'), 'account'].sort());
  });

  it('builds an account with the canonical keys', () => {
    const acct = makeAccount({ id: 'acct_1PgafTB7WZ01zgkW', created: 1_700_000_000, email: 'owner@example.com' });
    expect(keysOf(acct)).toEqual(canonicalKeys('account'));
    expect(acct.external_accounts?.url).toBe('/v1/accounts/acct_1PgafTB7WZ01zgkW/external_accounts');
  });
});
