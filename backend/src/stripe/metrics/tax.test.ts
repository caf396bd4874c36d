import { describe, expect, it } from 'vitest';
import { fraction } from './money.js';
import { excludeTax, inclusiveDivisor } from './tax.js';
import {
  amountOff,
  discount,
  invoice,
  simple,
  taxRate,
  participantInput,
  type MetricsSpec,
} from '../../../../test/support/metrics-builders.js';
import { computeParticipantMetrics } from './index.js';
/** The rules under test, over a participant's objects (figures expected below are written by hand). */
const metricsOf = (spec?: MetricsSpec) => computeParticipantMetrics(participantInput(spec));

describe('tax', () => {
  it('divides an inclusive price by 1 + its inclusive rates (added, not compounded)', () => {
    expect(inclusiveDivisor([taxRate(19, true)])).toEqual(fraction(119, 100));
    expect(inclusiveDivisor([taxRate(5, true), taxRate(9.975, true), taxRate(20, false)])).toEqual(fraction(114975, 100000));
    expect(excludeTax(fraction(1190), 'inclusive', [taxRate(19, true)])).toEqual(fraction(1000));
  });

  it('leaves exclusive and unspecified prices, and inclusive ones without known rates, as they are', () => {
    expect(excludeTax(fraction(1190), 'exclusive', [taxRate(19, false)])).toEqual(fraction(1190));
    expect(excludeTax(fraction(1190), 'unspecified', [taxRate(19, true)])).toEqual(fraction(1190));
    expect(excludeTax(fraction(1190), 'inclusive', [])).toEqual(fraction(1190));
  });

  it('MRR of an inclusive price excludes its tax, from the item or the subscription defaults', () => {
    const onItem = simple({ unit: 1190, taxBehavior: 'inclusive', taxRates: [taxRate(19, true)] });
    const byDefault = simple({ unit: 1190, taxBehavior: 'inclusive' }, { default_tax_rates: [taxRate(19, true)] });
    expect(metricsOf({ subscriptions: [onItem] }).mrr).toBe(1000);
    expect(metricsOf({ subscriptions: [byDefault] }).mrr).toBe(1000);
  });

  it('a coupon reduces the tax-inclusive amount before the tax is taken out', () => {
    const sub = simple({ unit: 1190, taxBehavior: 'inclusive', taxRates: [taxRate(19, true)] }, { discounts: [discount(amountOff(119))] });
    expect(metricsOf({ subscriptions: [sub] }).mrr).toBe(900);
  });

  it('LTV keeps the tax that was paid', () => {
    const sub = simple({ unit: 1190, taxBehavior: 'inclusive', taxRates: [taxRate(19, true)] });
    expect(metricsOf({ subscriptions: [sub], invoices: [invoice('paid', 1190)] })).toMatchObject({ mrr: 1000, ltv: 1190 });
  });
});
