import { describe, expect, it } from 'vitest';
import { wireDecimal } from '../../../../test/stripe-emulator/objects.js';
import { fraction } from './money.js';
import { amountPerPeriod, billedQuantity, pricingIn } from './price-amount.js';
import { price } from '../../../../test/support/metrics-builders.js';

const perPeriod = (spec: Parameters<typeof price>[0], quantity?: number) => {
  const pricing = pricingIn(price(spec), spec?.currency ?? 'usd');
  return pricing && amountPerPeriod(pricing, quantity);
};

describe('amount per billing period', () => {
  it('a missing quantity is 1', () => {
    expect(perPeriod({ unit: 2000 })).toEqual(fraction(2000));
  });

  it('keeps sub-unit decimals exact', () => {
    expect(perPeriod({ unit: '0.333333333333' }, 3)).toEqual(fraction(999999999999n, 10n ** 12n));
  });

  it('transform_quantity rounds down or up as the price says', () => {
    expect(billedQuantity(25, { divide_by: 10, round: 'down' })).toBe(2n);
    expect(billedQuantity(25, { divide_by: 10, round: 'up' })).toBe(3n);
    expect(billedQuantity(30, { divide_by: 10, round: 'up' })).toBe(3n);
    expect(billedQuantity(0, { divide_by: 10, round: 'up' })).toBe(0n);
    expect(perPeriod({ unit: 1000, transform: { divide_by: 10, round: 'down' } }, 25)).toEqual(fraction(2000));
  });

  it('volume tiers: up_to is inclusive and the flat amount of the reached tier is added', () => {
    const tiers = [
      { up_to: 5, unit_amount: 700, flat_amount: 1000 },
      { up_to: 10, unit_amount: 650, flat_amount_decimal: wireDecimal('500.5') },
      { up_to: null, unit_amount_decimal: wireDecimal('600.25') },
    ];
    expect(perPeriod({ tiers, tiersMode: 'volume' }, 5)).toEqual(fraction(5 * 700 + 1000));
    expect(perPeriod({ tiers, tiersMode: 'volume' }, 10)).toEqual(fraction(10 * 650 * 2 + 1001, 2));
    expect(perPeriod({ tiers, tiersMode: 'volume' }, 11)).toEqual(fraction(11 * 60025, 100));
  });

  it('graduated tiers: each tier with a unit adds its flat amount', () => {
    const tiers = [
      { up_to: 5, unit_amount: 0, flat_amount: 5000 },
      { up_to: 10, unit_amount: 650, flat_amount: 100 },
      { up_to: null, unit_amount: 600, flat_amount: 1 },
    ];
    expect(perPeriod({ tiers, tiersMode: 'graduated' }, 0)).toEqual(fraction(0));
    expect(perPeriod({ tiers, tiersMode: 'graduated' }, 5)).toEqual(fraction(5000));
    expect(perPeriod({ tiers, tiersMode: 'graduated' }, 6)).toEqual(fraction(5000 + 650 + 100));
    expect(perPeriod({ tiers, tiersMode: 'graduated' }, 12)).toEqual(fraction(5000 + 5 * 650 + 100 + 2 * 600 + 1));
  });

  it('tiers listed out of order are read in order of up_to', () => {
    const tiers = [{ up_to: null, unit_amount: 600 }, { up_to: 10, unit_amount: 650 }, { up_to: 5, unit_amount: 700 }];
    expect(perPeriod({ tiers, tiersMode: 'graduated' }, 6)).toEqual(fraction(4150));
  });

  it('a tiered price without its tiers has no known amount', () => {
    const p = { ...price({ tiers: [{ up_to: null, unit_amount: 1 }] }) };
    delete p.tiers;
    expect(amountPerPeriod(p, 3)).toBeUndefined();
  });

  it('bills another currency only through currency_options', () => {
    const p = price({
      unit: 2000,
      currencyOptions: { eur: { custom_unit_amount: null, tax_behavior: 'inclusive', unit_amount: 1800, unit_amount_decimal: wireDecimal(1800) } },
    });
    const eur = pricingIn(p, 'EUR');
    expect(eur && amountPerPeriod(eur, 2)).toEqual(fraction(3600));
    expect(eur?.tax_behavior).toBe('inclusive');
    expect(pricingIn(p, 'gbp')).toBeUndefined();
  });
});
