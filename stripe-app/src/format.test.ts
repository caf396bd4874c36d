import { describe, expect, it } from 'vitest';
import { formatDate, formatMoney, formatMoneyByCurrency, minorUnitDigits, plural } from './format';

describe('money', () => {
  it('reads Stripe\'s minor units per currency', () => {
    expect(minorUnitDigits('usd')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('krw')).toBe(0);
    expect(minorUnitDigits('kwd')).toBe(3);
  });

  it('formats two-, zero- and three-decimal currencies', () => {
    expect(formatMoney(123456, 'usd')).toBe('$1,234.56');
    expect(formatMoney(5000, 'jpy')).toBe('¥5,000');
    expect(formatMoney(5000, 'krw')).toBe('₩5,000');
    expect(formatMoney(1500, 'kwd')).toBe('KWD\u00a01.500');
    expect(formatMoney(990, 'eur', 'de-DE')).toBe('9,90\u00a0€');
    expect(formatMoney(0, 'gbp')).toBe('£0.00');
  });

  it('shows ISK without decimals although Stripe counts it in hundredths', () => {
    expect(formatMoney(150000, 'isk')).toBe('ISK\u00a01,500');
  });

  it('never adds currencies together', () => {
    expect(formatMoneyByCurrency({ usd: 2000, jpy: 5000 })).toBe('¥5,000 + $20.00');
    expect(formatMoneyByCurrency({ usd: 2000, eur: 0 })).toBe('$20.00');
    expect(formatMoneyByCurrency({ eur: 0 })).toBe('€0.00');
    expect(formatMoneyByCurrency({})).toBeNull();
  });
});

describe('words and dates', () => {
  it('pluralizes counts', () => {
    expect(plural(1, 'participant', 'participants')).toBe('1 participant');
    expect(plural(1200, 'participant', 'participants')).toBe('1,200 participants');
  });

  it('formats dates and tolerates missing ones', () => {
    expect(formatDate('2025-03-14T12:00:00.000Z')).toBe('Mar 14, 2025');
    expect(formatDate(null)).toBeNull();
    expect(formatDate('not a date')).toBeNull();
  });
});
