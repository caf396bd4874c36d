import { describe, expect, it } from 'vitest';
import {
  customer,
  invoice,
  item,
  price,
  simple,
  subscription,
  participantInput,
  type MetricsSpec,
} from '../../../../test/support/metrics-builders.js';
import { countsTowardMrr } from './mrr.js';
import { computeParticipantMetrics } from './index.js';
/** The rules under test, over a participant's objects (figures expected below are written by hand). */
const metricsOf = (spec?: MetricsSpec) => computeParticipantMetrics(participantInput(spec));

describe('MRR', () => {
  it('keeps currencies apart; the headline is the customer currency', () => {
    const m = metricsOf({
      subscriptions: [simple({ unit: 2000 }), simple({ unit: 3000, currency: 'eur' })],
      invoices: [invoice('paid', 2000), invoice('paid', 3000, { currency: 'eur' })],
    });
    expect(m).toMatchObject({ currency: 'usd', mrr: 2000, ltv: 2000, mrrByCurrency: { usd: 2000, eur: 3000 }, ltvByCurrency: { usd: 2000, eur: 3000 } });
    const inEuros = metricsOf({ customer: customer({ currency: 'EUR' }), subscriptions: [simple({ unit: 2000 }), simple({ unit: 3000, currency: 'eur' })] });
    expect(inEuros).toMatchObject({ currency: 'eur', mrr: 3000 });
  });

  it('JPY is in whole yen: 1000/day is 30417', () => {
    const m = metricsOf({ customer: customer({ currency: 'jpy' }), subscriptions: [simple({ unit: 1000, currency: 'jpy', interval: 'day' })] });
    expect(m).toMatchObject({ mrr: 30417, currency: 'jpy', mrrByCurrency: { jpy: 30417 } });
  });

  it('without a customer currency, uses the current subscription’s, then the last invoice’s', () => {
    const noCurrency = customer({ currency: null });
    expect(metricsOf({ customer: noCurrency, subscriptions: [simple({ unit: 700, currency: 'gbp' })] })).toMatchObject({ currency: 'gbp', mrr: 700 });
    const invoices = [invoice('paid', 100, { currency: 'eur', created: 1 }), invoice('paid', 200, { currency: 'chf', created: 2 })];
    expect(metricsOf({ customer: noCurrency, invoices })).toMatchObject({ currency: 'chf', ltv: 200 });
    expect(metricsOf({ customer: noCurrency, fallbackCurrency: 'CAD' })).toMatchObject({ currency: 'cad', mrr: 0, mrrByCurrency: {} });
  });

  it('only active and past_due subscriptions without pause_collection count', () => {
    const statuses = ['active', 'past_due', 'trialing', 'incomplete', 'incomplete_expired', 'unpaid', 'canceled', 'paused'] as const;
    const counted = statuses.filter((status) => countsTowardMrr(simple({}, { status })));
    expect(counted).toEqual(['active', 'past_due']);
    expect(countsTowardMrr(simple({}, { pause_collection: { behavior: 'keep_as_draft', resumes_at: null } }))).toBe(false);
  });

  it('a paused subscription brings no MRR and is churned', () => {
    expect(metricsOf({ subscriptions: [simple({ unit: 2000 }, { status: 'paused' })] })).toMatchObject({ mrr: 0, status: 'churned' });
  });

  it('an incomplete subscription is ignored', () => {
    expect(metricsOf({ subscriptions: [simple({ unit: 2000 }, { status: 'incomplete' })] })).toMatchObject({ mrr: 0, status: 'none', plan: null });
  });

  it('adds several subscriptions of one currency exactly before rounding', () => {
    const weekly = () => simple({ unit: 1000, interval: 'week' });
    expect(metricsOf({ subscriptions: [weekly(), weekly(), weekly()] }).mrr).toBe(13000);
  });

  it('a price without an amount in the subscription currency, or tiered without tiers, counts 0 with a warning', () => {
    const sub = subscription([item(price({ unit: 2000, currency: 'usd' }))], { currency: 'eur' });
    const tiered = price({ tiers: [{ up_to: null, unit_amount: 100 }] });
    delete tiered.tiers;
    const m = metricsOf({ customer: customer({ currency: 'eur' }), subscriptions: [sub, subscription([item(tiered)])] });
    expect(m.mrrByCurrency).toEqual({ eur: 0, usd: 0 });
    expect(m.warnings).toHaveLength(2);
  });

  it('a metered-only subscription counts as active with MRR 0', () => {
    expect(metricsOf({ subscriptions: [simple({ unit: 5, usage: 'metered' })] })).toMatchObject({ mrr: 0, status: 'active', mrrByCurrency: { usd: 0 } });
  });
});
