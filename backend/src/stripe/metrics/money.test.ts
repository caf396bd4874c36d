import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { add, compare, fraction, mergeByCurrency, mul, parseDecimal, roundByCurrency, roundHalfUp, sumByCurrency } from './money.js';

describe('parseDecimal', () => {
  it('reads wire strings, numbers and the SDK Decimal exactly', () => {
    expect(parseDecimal('0.5')).toEqual(fraction(1, 2));
    expect(parseDecimal('-12.340')).toEqual(fraction(-1234, 100));
    expect(parseDecimal(25.5)).toEqual(fraction(51, 2));
    expect(parseDecimal('0.000000000001')).toEqual(fraction(1, 10n ** 12n));
    expect(parseDecimal(Stripe.Decimal.from('1e40'))).toEqual(fraction(10n ** 40n));
    expect(parseDecimal(Stripe.Decimal.from('0.1'))).toEqual(fraction(1, 10));
    expect(parseDecimal('1.5E-3')).toEqual(fraction(15, 10000));
  });

  it('refuses what is not a decimal', () => {
    for (const bad of ['', '.', 'abc', '1,5', 'NaN']) expect(() => parseDecimal(bad)).toThrow(RangeError);
  });
});

describe('fractions', () => {
  it('stay reduced with a positive denominator', () => {
    expect(fraction(6, -4)).toEqual({ num: -3n, den: 2n });
    expect(add(fraction(1, 3), fraction(1, 6))).toEqual(fraction(1, 2));
    expect(mul(fraction(52, 12), fraction(3))).toEqual(fraction(13));
    expect(compare(fraction(1, 3), fraction(333, 1000))).toBe(1);
  });

  it('round half up once, halves away from zero', () => {
    expect(roundHalfUp(fraction(1, 2))).toBe(1);
    expect(roundHalfUp(fraction(5, 2))).toBe(3);
    expect(roundHalfUp(fraction(13000, 3))).toBe(4333);
    expect(roundHalfUp(fraction(1001, 2))).toBe(501);
    expect(roundHalfUp(fraction(-1, 2))).toBe(-1);
    expect(roundHalfUp(fraction(-4, 10))).toBe(0);
  });

  it('three weekly thirds add up before rounding (13000, not 3 × 4333)', () => {
    const weekly = mul(fraction(1000), fraction(52, 12));
    expect(roundHalfUp(add(add(weekly, weekly), weekly))).toBe(13000);
  });
});

describe('currency maps', () => {
  it('never add different currencies', () => {
    const a = new Map([['usd', fraction(100)]]);
    const b = new Map([['EUR', fraction(5, 2)], ['usd', fraction(1, 2)]]);
    expect(roundByCurrency(mergeByCurrency([a, b]))).toEqual({ eur: 3, usd: 101 });
  });

  it('segment totals add rounded participants per currency', () => {
    expect(sumByCurrency([{ usd: 2000, jpy: 1000 }, { USD: 501 }, {}])).toEqual({ usd: 2501, jpy: 1000 });
  });
});
