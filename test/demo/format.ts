/** What the demo prints, as plain text: money, the segment table, the sync's progress. */
import { CATALOG_TYPES, CUSTOMER_TYPES } from '@ui/backend/src/stripe/registry.js';

/** A failure the demo explains in its own words (no stack trace). */
export class DemoError extends Error {
  override name = 'DemoError';
}

/** Minor units in the currency's own format: 129900 usd → $1,299.00, 5000 jpy → ¥5,000. */
export function formatMoney(minor: number, currency: string | null | undefined): string {
  if (!currency) return String(minor);
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${minor} ${currency}`;
  }
}

/** MRR per currency, largest first: "$12,345.00 + €980.00"; "-" for none. */
export function mrrCell(mrr: Record<string, number>): string {
  const entries = Object.entries(mrr).filter(([, amount]) => amount !== 0);
  if (entries.length === 0) return '-';
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([currency, amount]) => formatMoney(amount, currency))
    .join(' + ');
}

/** A table with a header rule; numeric columns right-aligned. */
export function table(headers: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('   '), ...rows.map(line)];
}

const SYNCED_TYPES: readonly string[] = [...CATALOG_TYPES, ...CUSTOMER_TYPES];

/** How many objects of each synced type Stripe holds: what a full first sync reads. */
export function syncTotals(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(SYNCED_TYPES.map((type) => [type, counts[type] ?? 0]));
}

export interface Progress {
  fraction: number;
  /** "1,200 / 2,000 customers, 4,310 / 7,500 invoices" */
  summary: string;
}

export function progressOf(progress: Record<string, number>, totals: Record<string, number>): Progress {
  let done = 0;
  let total = 0;
  for (const [type, n] of Object.entries(totals)) {
    total += n;
    done += Math.min(progress[type] ?? 0, n);
  }
  const show = (type: string, plural: string) => `${(progress[type] ?? 0).toLocaleString('en-US')} / ${(totals[type] ?? 0).toLocaleString('en-US')} ${plural}`;
  return {
    fraction: total === 0 ? 1 : done / total,
    summary: [show('subscription', 'subscriptions'), show('customer', 'customers'), show('invoice', 'invoices')].join(', '),
  };
}

/** `[#########...........]  45%` (block characters on a terminal). */
export function bar(fraction: number, width: number, unicode: boolean): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  const [full, empty] = unicode ? ['█', '░'] : ['#', '.'];
  return `[${full.repeat(filled)}${empty.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}
