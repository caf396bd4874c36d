/**
 * Money and dates as a merchant reads them. Amounts arrive in a currency's minor unit, the way
 * Stripe counts them: cents for USD, yen for JPY (zero-decimal), fils for KWD (three decimals).
 */

// https://docs.stripe.com/currencies#zero-decimal and #three-decimal
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** How many decimals Stripe's integer amounts carry in this currency. */
export function minorUnitDigits(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** `formatMoney(123456, 'usd')` → "$1,234.56"; `formatMoney(5000, 'jpy')` → "¥5,000". */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const digits = minorUnitDigits(currency);
  const value = amount / 10 ** digits;
  try {
    // The currency's own display digits (ISK shows none although Stripe counts it in hundredths).
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency.toUpperCase()}`;
  }
}

/** Totals never mix currencies: `{usd: 1000, jpy: 500}` → "$10.00 + ¥500"; null when there are none. */
export function formatMoneyByCurrency(amounts: Record<string, number>, locale = 'en-US'): string | null {
  const entries = Object.entries(amounts).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return null;
  const nonZero = entries.filter(([, amount]) => amount !== 0);
  return (nonZero.length > 0 ? nonZero : entries.slice(0, 1)).map(([currency, amount]) => formatMoney(amount, currency, locale)).join(' + ');
}

export function formatCount(count: number, locale = 'en-US'): string {
  return new Intl.NumberFormat(locale).format(count);
}

export const plural = (count: number, one: string, many: string, locale = 'en-US') => `${formatCount(count, locale)} ${count === 1 ? one : many}`;

export function formatDateTime(iso: string | null | undefined, locale = 'en-US'): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatDate(iso: string | null | undefined, locale = 'en-US'): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}
