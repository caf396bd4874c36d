/**
 * Catalog and billing changes: products and prices (product.created, price.created), invoices
 * (invoice.created; paying emits invoice.paid + invoice.payment_succeeded) and credit notes
 * (credit_note.created).
 */
import type Stripe from 'stripe';
import { errors } from '../errors.js';
import {
  makeCreditNote,
  makeCreditNoteLineItem,
  makeInvoice,
  makeInvoiceLineItem,
  makeList,
  makePrice,
  makeProduct,
  newId,
} from '../objects.js';
import { accountById, accountOfObject, type EmulatorState } from '../state.js';
import { definedFields, getLive, stored, type Scoped } from './common.js';

export type ProductFields = Partial<Omit<Stripe.Product, 'object'>>;

export function createProduct(state: EmulatorState, fields: ProductFields & Scoped = {}): Stripe.Product {
  const { account: accountId, ...rest } = fields;
  const account = accountById(state, accountId);
  const product = makeProduct({
    livemode: account.livemode,
    name: 'Emulated product',
    ...definedFields(rest),
    id: rest.id ?? newId('prod'),
    created: rest.created ?? state.clock.now(),
  });
  account.store.put(stored(product));
  state.events.record(account, 'product.created', product);
  return product;
}

export interface PriceInput extends Scoped {
  product: string;
  unit_amount: number;
  currency?: string;
  /** A recurring price by default (subscriptions need one); `null` makes a one-time price. */
  recurring?: { interval: Stripe.Price.Recurring.Interval; interval_count?: number } | null;
  id?: string;
  created?: number;
  nickname?: string | null;
  metadata?: Stripe.Metadata;
}

export function createPrice(state: EmulatorState, input: PriceInput): Stripe.Price {
  const account = accountById(state, input.account);
  getLive<Stripe.Product>(account, 'product', input.product);
  const recurring: Stripe.Price.Recurring | null =
    input.recurring === null
      ? null
      : {
          interval: input.recurring?.interval ?? 'month',
          interval_count: input.recurring?.interval_count ?? 1,
          meter: null,
          trial_period_days: null,
          usage_type: 'licensed',
        };
  const price = makePrice({
    id: input.id ?? newId('price'),
    created: input.created ?? state.clock.now(),
    livemode: account.livemode,
    product: input.product,
    unit_amount: input.unit_amount,
    currency: input.currency ?? 'usd',
    recurring,
    type: recurring ? 'recurring' : 'one_time',
    ...definedFields({ nickname: input.nickname, metadata: input.metadata }),
  });
  account.store.put(stored(price));
  state.events.record(account, 'price.created', price);
  return price;
}

export interface InvoiceInput extends Scoped {
  customer: string;
  /** Bills the subscription's items when no amount is given. */
  subscription?: string;
  amount?: number;
  currency?: string;
  status?: 'draft' | 'open';
  id?: string;
  created?: number;
}

function invoiceLines(state: EmulatorState, input: InvoiceInput, invoiceId: string, subscription?: Stripe.Subscription): Stripe.InvoiceLineItem[] {
  const now = input.created ?? state.clock.now();
  const period = { start: now, end: now };
  if (input.amount !== undefined || !subscription) {
    const amount = input.amount ?? 0;
    return [makeInvoiceLineItem({ id: newId('il'), amount, currency: input.currency ?? 'usd', invoice: invoiceId, period, quantity: 1 })];
  }
  return subscription.items.data.map((item) =>
    makeInvoiceLineItem({
      id: newId('il'),
      amount: (item.price.unit_amount ?? 0) * (item.quantity ?? 1),
      currency: item.price.currency,
      invoice: invoiceId,
      quantity: item.quantity ?? 1,
      period: { start: item.current_period_start, end: item.current_period_end },
      subscription: subscription.id,
      pricing: {
        type: 'price_details',
        price_details: { price: item.price.id, product: typeof item.price.product === 'string' ? item.price.product : item.price.product.id },
        unit_amount_decimal: item.price.unit_amount_decimal,
      },
    }),
  );
}

export function createInvoice(state: EmulatorState, input: InvoiceInput): Stripe.Invoice {
  const account = accountById(state, input.account);
  const customer = getLive<Stripe.Customer>(account, 'customer', input.customer);
  const subscription = input.subscription ? getLive<Stripe.Subscription>(account, 'subscription', input.subscription) : undefined;
  const id = input.id ?? newId('in');
  const created = input.created ?? state.clock.now();
  const lines = invoiceLines(state, input, id, subscription);
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const status = input.status ?? 'open';
  const invoice = makeInvoice({
    id,
    created,
    livemode: account.livemode,
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    test_clock: customer.test_clock ?? null,
    currency: lines[0]?.currency ?? input.currency ?? 'usd',
    lines: makeList(lines, `/v1/invoices/${id}/lines`),
    amount_due: total,
    amount_paid: 0,
    amount_remaining: total,
    subtotal: total,
    subtotal_excluding_tax: total,
    total,
    total_excluding_tax: total,
    status,
    billing_reason: subscription ? 'subscription_cycle' : 'manual',
    parent: subscription
      ? { type: 'subscription_details', quote_details: null, subscription_details: { metadata: subscription.metadata, subscription: subscription.id } }
      : null,
    status_transitions: { finalized_at: status === 'open' ? created : null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
  });
  account.store.put(stored(invoice));
  state.events.record(account, 'invoice.created', invoice);
  return invoice;
}

export function payInvoice(state: EmulatorState, id: string): Stripe.Invoice {
  const account = accountOfObject(state, id, 'invoice');
  const before = getLive<Stripe.Invoice>(account, 'invoice', id);
  if (before.status === 'paid') return before;
  if (before.status === 'void' || before.status === 'uncollectible') {
    throw errors.invalidValue('invoice', `Invoice ${id} is ${before.status} and cannot be paid.`);
  }
  const now = state.clock.now();
  const paid: Stripe.Invoice = {
    ...before,
    status: 'paid',
    amount_paid: before.amount_due,
    amount_remaining: 0,
    attempted: true,
    attempt_count: before.attempt_count + 1,
    status_transitions: { ...before.status_transitions, finalized_at: before.status_transitions.finalized_at ?? now, paid_at: now },
  };
  account.store.put(stored(paid));
  state.events.record(account, 'invoice.paid', paid);
  state.events.record(account, 'invoice.payment_succeeded', paid);
  return paid;
}

export interface CreditNoteInput {
  invoice: string;
  /** Defaults to the invoice's paid amount (a full refund). */
  amount?: number;
  /** Refunded outside Stripe (Stripe's `out_of_band_amount`); without it the note credits the customer's balance. */
  outOfBandAmount?: number;
  reason?: Stripe.CreditNote.Reason;
  memo?: string;
  id?: string;
  created?: number;
}

export function createCreditNote(state: EmulatorState, input: CreditNoteInput): Stripe.CreditNote {
  const account = accountOfObject(state, input.invoice, 'invoice');
  const invoice = getLive<Stripe.Invoice>(account, 'invoice', input.invoice);
  const amount = input.amount ?? invoice.amount_paid;
  const id = input.id ?? newId('cn');
  const line = makeCreditNoteLineItem({ id: newId('cnli'), amount, livemode: account.livemode, quantity: 1, unit_amount: amount, description: input.memo ?? null });
  const creditNote = makeCreditNote({
    id,
    created: input.created ?? state.clock.now(),
    livemode: account.livemode,
    invoice: invoice.id,
    customer: invoice.customer ?? '',
    currency: invoice.currency,
    amount,
    subtotal: amount,
    subtotal_excluding_tax: amount,
    total: amount,
    total_excluding_tax: amount,
    reason: input.reason ?? null,
    memo: input.memo ?? null,
    out_of_band_amount: input.outOfBandAmount ?? null,
    status: 'issued',
    type: invoice.status === 'paid' ? 'post_payment' : 'pre_payment',
    post_payment_amount: invoice.status === 'paid' ? amount : 0,
    pre_payment_amount: invoice.status === 'paid' ? 0 : amount,
    lines: makeList([line], `/v1/credit_notes/${id}/lines`),
  });
  account.store.put(stored(creditNote));
  state.events.record(account, 'credit_note.created', creditNote);
  return creditNote;
}
