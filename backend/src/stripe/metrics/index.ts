/**
 * Revenue metrics of one participant (a Stripe customer), per /work/shared/revenue-metrics.md.
 * Pure: everything comes in as Stripe objects, nothing is fetched. Callers expand what the rules
 * read (items' prices with `tiers` for tiered prices, discounts with their coupons, or pass the
 * lookups) and pass all of the customer's subscriptions (every status), invoices and credit notes.
 * What cannot be resolved (a discount or coupon id missing from the lookups, a tiered price without
 * its tiers, a price with no amount in the subscription's currency) counts as nothing and is
 * reported in `warnings` rather than guessed.
 */
import type Stripe from 'stripe';
import type { DiscountLookups } from './discounts.js';
import { ltvByCurrency } from './ltv.js';
import { type AmountByCurrency, currencyKey, roundByCurrency } from './money.js';
import { mrrByCurrency } from './mrr.js';
import { choosePlan, planCandidates } from './plan.js';
import { type ParticipantStatus, participantStatus } from './status.js';

export interface ParticipantInput extends DiscountLookups {
  customer: Stripe.Customer;
  subscriptions: ReadonlyArray<Stripe.Subscription>;
  invoices: ReadonlyArray<Stripe.Invoice>;
  creditNotes: ReadonlyArray<Stripe.CreditNote>;
  /** Products by id, for prices whose `product` is not expanded. */
  products: ReadonlyMap<string, Stripe.Product>;
  /** False when the connection lacks the credit-note permission: LTV is then gross (`ltvIsGross`). */
  creditNotesAvailable: boolean;
  /** When neither the customer, its subscriptions nor its invoices have a currency (the account's default). */
  fallbackCurrency?: string;
}

export interface ParticipantMetrics {
  /** Minor units of `currency`, rounded half up once. */
  mrr: number;
  ltv: number;
  currency: string;
  mrrByCurrency: AmountByCurrency;
  ltvByCurrency: AmountByCurrency;
  ltvIsGross: boolean;
  status: ParticipantStatus;
  plan: string | null;
  planProducts: string[];
  signupAt: Date;
  /** Data the rules had to skip (unexpanded coupons or tiers, prices missing the currency); deduplicated. */
  warnings: string[];
}

function latestInvoiceCurrency(invoices: ReadonlyArray<Stripe.Invoice>): string | undefined {
  let latest: Stripe.Invoice | undefined;
  for (const invoice of invoices) if (!latest || invoice.created > latest.created) latest = invoice;
  return latest?.currency;
}

/** The customer's billing currency; without one, the currency its current plan or last invoice is in. */
export function headlineCurrency(input: ParticipantInput): string {
  const currency =
    input.customer.currency ??
    planCandidates(input.subscriptions)[0]?.currency ??
    input.subscriptions[0]?.currency ??
    latestInvoiceCurrency(input.invoices) ??
    input.fallbackCurrency ??
    'usd';
  return currencyKey(currency);
}

export function computeParticipantMetrics(input: ParticipantInput): ParticipantMetrics {
  const warnings = new Set<string>();
  const warn = (message: string): void => void warnings.add(message);
  const currency = headlineCurrency(input);
  const mrrByCurrencyRounded = roundByCurrency(mrrByCurrency(input.subscriptions, { ...input, warn }));
  const ltvByCurrencyRounded = roundByCurrency(ltvByCurrency(input));
  const { plan, planProducts } = choosePlan(input.subscriptions, input.products, warn);
  return {
    mrr: mrrByCurrencyRounded[currency] ?? 0,
    ltv: ltvByCurrencyRounded[currency] ?? 0,
    currency,
    mrrByCurrency: mrrByCurrencyRounded,
    ltvByCurrency: ltvByCurrencyRounded,
    ltvIsGross: !input.creditNotesAvailable,
    status: participantStatus(input.subscriptions),
    plan,
    planProducts,
    signupAt: new Date(input.customer.created * 1000),
    warnings: [...warnings],
  };
}

export type { AmountByCurrency, ExactByCurrency, Fraction } from './money.js';
export { roundHalfUp, sumByCurrency } from './money.js';
export type { DiscountLookups } from './discounts.js';
export type { ParticipantStatus } from './status.js';
export type { PlanResult } from './plan.js';
export type { Warn } from './warnings.js';
