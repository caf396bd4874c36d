/**
 * Realized lifetime value: money actually collected, tax included, less what was refunded through
 * credit notes. Balance credits are not subtracted: they come back as a lower `amount_paid` later.
 */
import type Stripe from 'stripe';
import { type ExactByCurrency, addIn, fraction, negate } from './money.js';

export interface LtvInput {
  invoices: ReadonlyArray<Stripe.Invoice>;
  creditNotes: ReadonlyArray<Stripe.CreditNote>;
  /** False when the connection lacks the credit-note permission: LTV is then gross. */
  creditNotesAvailable: boolean;
}

/** Drafts have collected nothing and void ones never will; open and uncollectible may hold partial payments. */
export function invoiceCounts(invoice: Stripe.Invoice): boolean {
  return invoice.status !== null && invoice.status !== 'draft' && invoice.status !== 'void';
}

export function refundedThrough(creditNote: Stripe.CreditNote): number {
  const refunds = creditNote.refunds.reduce((total, refund) => total + refund.amount_refunded, 0);
  return refunds + (creditNote.out_of_band_amount ?? 0);
}

const invoiceIdOf = (creditNote: Stripe.CreditNote): string =>
  typeof creditNote.invoice === 'string' ? creditNote.invoice : creditNote.invoice.id;

export function grossByCurrency(invoices: ReadonlyArray<Stripe.Invoice>): ExactByCurrency {
  let total: ExactByCurrency = new Map();
  for (const invoice of invoices.filter(invoiceCounts)) total = addIn(total, invoice.currency, fraction(invoice.amount_paid));
  return total;
}

/** Only credit notes on the invoices counted above: a refund of money never counted is no loss. */
export function refundsByCurrency(invoices: ReadonlyArray<Stripe.Invoice>, creditNotes: ReadonlyArray<Stripe.CreditNote>): ExactByCurrency {
  const counted = new Set(invoices.filter(invoiceCounts).map((invoice) => invoice.id));
  let total: ExactByCurrency = new Map();
  for (const creditNote of creditNotes) {
    if (creditNote.status === 'void' || !counted.has(invoiceIdOf(creditNote))) continue;
    total = addIn(total, creditNote.currency, fraction(refundedThrough(creditNote)));
  }
  return total;
}

export function ltvByCurrency({ invoices, creditNotes, creditNotesAvailable }: LtvInput): ExactByCurrency {
  const gross = grossByCurrency(invoices);
  if (!creditNotesAvailable) return gross;
  let net = gross;
  for (const [currency, refunded] of refundsByCurrency(invoices, creditNotes)) net = addIn(net, currency, negate(refunded));
  return net;
}
