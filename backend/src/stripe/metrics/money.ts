/**
 * Exact money arithmetic. Amounts are fractions of a currency's minor unit (BigInt numerator over a
 * positive BigInt denominator, kept reduced) so that a week's 52/12 or a 1/3 tax never drifts:
 * figures are rounded once, half up, when a participant's result is reported.
 */
import type Stripe from 'stripe';

export interface Fraction {
  readonly num: bigint;
  /** Always > 0. */
  readonly den: bigint;
}

/** Rounded integer amounts in minor units, keyed by lowercase ISO currency code. */
export type AmountByCurrency = Record<string, number>;

/** Exact amounts keyed by lowercase ISO currency code; the same currency is never split. */
export type ExactByCurrency = ReadonlyMap<string, Fraction>;

export const ZERO: Fraction = { num: 0n, den: 1n };
export const ONE: Fraction = { num: 1n, den: 1n };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function fraction(num: bigint | number, den: bigint | number = 1n): Fraction {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new RangeError('fraction with a zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d);
  return g > 1n ? { num: n / g, den: d / g } : { num: n, den: d };
}

export const add = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.num, a.den * b.den);

export function div(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den, a.den * b.num);
}

export const compare = (a: Fraction, b: Fraction): number => {
  const diff = a.num * b.den - b.num * a.den;
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
};

export const negate = (a: Fraction): Fraction => ({ num: -a.num, den: a.den });
export const isZero = (a: Fraction): boolean => a.num === 0n;
export const clampAtZero = (a: Fraction): Fraction => (a.num < 0n ? ZERO : a);
export const sum = (values: Iterable<Fraction>): Fraction => {
  let total = ZERO;
  for (const value of values) total = add(total, value);
  return total;
};

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Reads a decimal exactly. Stripe sends `*_decimal` fields as strings ("0.5") and stripe-node 23
 * turns them into `Stripe.Decimal` (scientific notation past 30 digits); plain numbers such as
 * `percent_off: 25.5` go through their shortest decimal spelling, which is what the API sent.
 */
export function parseDecimal(value: Stripe.Decimal | string | number): Fraction {
  const text = String(value).trim();
  const match = DECIMAL.exec(text);
  const [, sign, whole = '', decimals = '', exponent = '0'] = match ?? [];
  if (!match || whole + decimals === '') throw new RangeError(`not a decimal: ${JSON.stringify(text)}`);
  const digits = BigInt(whole + decimals) * (sign === '-' ? -1n : 1n);
  const scale = Number(exponent) - decimals.length;
  return scale >= 0 ? fraction(digits * 10n ** BigInt(scale)) : fraction(digits, 10n ** BigInt(-scale));
}

/** The decimal field when present, else the integer one, else nothing (Stripe sets at most one). */
export function decimalOr(decimal: Stripe.Decimal | null | undefined, integer: number | null | undefined): Fraction | undefined {
  if (decimal !== null && decimal !== undefined) return parseDecimal(decimal);
  if (integer !== null && integer !== undefined) return parseDecimal(integer);
  return undefined;
}

/** Half up, i.e. halves away from zero, the way invoices round. */
export function roundHalfUp(a: Fraction): number {
  const magnitude = a.num < 0n ? -a.num : a.num;
  const rounded = (2n * magnitude + a.den) / (2n * a.den);
  return Number(a.num < 0n ? -rounded : rounded);
}

export const currencyKey = (currency: string): string => currency.toLowerCase();

/** Adds into a currency map; building a new map keeps callers free of shared mutable state. */
export function addIn(map: ExactByCurrency, currency: string, amount: Fraction): ExactByCurrency {
  const key = currencyKey(currency);
  const next = new Map(map);
  next.set(key, add(map.get(key) ?? ZERO, amount));
  return next;
}

export function mergeByCurrency(maps: Iterable<ExactByCurrency>): ExactByCurrency {
  let total: ExactByCurrency = new Map();
  for (const map of maps) for (const [currency, amount] of map) total = addIn(total, currency, amount);
  return total;
}

export function roundByCurrency(map: ExactByCurrency): AmountByCurrency {
  const rounded: AmountByCurrency = {};
  for (const [currency, amount] of [...map].sort(([a], [b]) => a.localeCompare(b))) rounded[currency] = roundHalfUp(amount);
  return rounded;
}

/**
 * Totals over many participants (a segment's MRR): each participant was already rounded once, so
 * the rounded figures add up to what the participants show; currencies stay apart.
 */
export function sumByCurrency(amounts: Iterable<AmountByCurrency>): AmountByCurrency {
  const total: AmountByCurrency = {};
  for (const map of amounts) {
    for (const [currency, amount] of Object.entries(map)) {
      const key = currencyKey(currency);
      total[key] = (total[key] ?? 0) + amount;
    }
  }
  return total;
}
