import { describe, expect, it } from 'vitest';
import { fraction } from './money.js';
import { monthlyFactor, toMonthly } from './normalize.js';

describe('normalize to a month', () => {
  it('uses day 365/12, week 52/12, month 1, year 1/12, over interval_count', () => {
    expect(monthlyFactor({ interval: 'day', interval_count: 1 })).toEqual(fraction(365, 12));
    expect(monthlyFactor({ interval: 'week', interval_count: 2 })).toEqual(fraction(52, 24));
    expect(monthlyFactor({ interval: 'month', interval_count: 3 })).toEqual(fraction(1, 3));
    expect(monthlyFactor({ interval: 'year', interval_count: 1 })).toEqual(fraction(1, 12));
    expect(toMonthly(fraction(1001), { interval: 'month', interval_count: 2 })).toEqual(fraction(1001, 2));
  });

  it('has no factor for an unknown interval or a bad count', () => {
    expect(monthlyFactor({ interval: 'fortnight', interval_count: 1 })).toBeUndefined();
    expect(monthlyFactor({ interval: 'constructor', interval_count: 1 })).toBeUndefined();
    expect(monthlyFactor({ interval: 'month', interval_count: 0 })).toBeUndefined();
  });
});
