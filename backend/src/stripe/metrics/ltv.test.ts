import { describe, expect, it } from 'vitest';
import { invoiceCounts } from './ltv.js';
import {
  creditNote,
  invoice,
  participantInput,
  type MetricsSpec,
} from '../../../../test/support/metrics-builders.js';
import { computeParticipantMetrics } from './index.js';
/** The rules under test, over a participant's objects (figures expected below are written by hand). */
const metricsOf = (spec?: MetricsSpec) => computeParticipantMetrics(participantInput(spec));

describe('LTV', () => {
  it('counts paid, open and uncollectible invoices, not drafts, void ones or previews without a status', () => {
    const statuses = ['paid', 'open', 'uncollectible', 'draft', 'void'] as const;
    expect(statuses.filter((status) => invoiceCounts(invoice(status, 100)))).toEqual(['paid', 'open', 'uncollectible']);
    expect(invoiceCounts(invoice('paid', 100, { status: null }))).toBe(false);
  });

  it('subtracts refunds and out-of-band credits of credit notes that are not void', () => {
    const paid = invoice('paid', 5000);
    const creditNotes = [
      creditNote(paid, 1000),
      creditNote(paid, 0, { out_of_band_amount: 700 }),
      creditNote(paid, 300, { out_of_band_amount: 200 }),
      creditNote(paid, 2000, { status: 'void' }),
    ];
    expect(metricsOf({ invoices: [paid], creditNotes }).ltv).toBe(5000 - 1000 - 700 - 500);
  });

  it('does not subtract credits to the customer balance', () => {
    const paid = invoice('paid', 5000);
    expect(metricsOf({ invoices: [paid], creditNotes: [creditNote(paid, 0, { amount: 1500, post_payment_amount: 1500 })] }).ltv).toBe(5000);
  });

  it('ignores credit notes on invoices that do not count or are not the customer’s', () => {
    const voided = invoice('void', 0);
    const foreign = invoice('paid', 9000);
    const m = metricsOf({ invoices: [invoice('paid', 3000), voided], creditNotes: [creditNote(voided, 1000), creditNote(foreign, 9000)] });
    expect(m.ltv).toBe(3000);
  });

  it('is gross, and says so, without the credit-note permission', () => {
    const paid = invoice('paid', 2000);
    const m = metricsOf({ invoices: [paid], creditNotes: [creditNote(paid, 2000)], creditNotesAvailable: false });
    expect(m).toMatchObject({ ltv: 2000, ltvIsGross: true });
    expect(metricsOf({ invoices: [paid], creditNotes: [creditNote(paid, 2000)] })).toMatchObject({ ltv: 0, ltvIsGross: false });
  });

  it('is per currency, refunds included', () => {
    const eur = invoice('paid', 4000, { currency: 'eur' });
    const m = metricsOf({ invoices: [invoice('paid', 1000), eur], creditNotes: [creditNote(eur, 500)] });
    expect(m).toMatchObject({ ltv: 1000, ltvByCurrency: { eur: 3500, usd: 1000 } });
  });

  it('zero-decimal JPY is in yen', () => {
    expect(metricsOf({ invoices: [invoice('paid', 1200, { currency: 'jpy' })] }).ltvByCurrency).toEqual({ jpy: 1200 });
  });
});
