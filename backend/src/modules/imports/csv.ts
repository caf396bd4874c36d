import { CsvError, parse } from 'csv-parse/sync';
import { AppError } from '../../http/app-error.js';

export interface CsvRecord {
  /** The line the record starts on; the header is line 1. */
  line: number;
  values: Record<string, string>;
}

/** Columns the import understands; `custom.<key>` (or `custom_fields.<key>`) columns are custom fields. */
export const KNOWN_COLUMNS = ['email', 'stripe_customer_id', 'name', 'company', 'groups', 'sso_uid', 'phone', 'mrr', 'ltv', 'currency'] as const;
const CUSTOM = /^(custom|custom_fields)\.(.+)$/i;

const normalize = (header: string) => header.trim().toLowerCase().replace(/\s+/g, '_');

/**
 * Parses a CSV file with csv-parse: a BOM, quoted fields (with commas, quotes and line breaks),
 * CRLF or LF line ends, rows shorter or longer than the header. Known columns are matched
 * case-insensitively; the others are reported as ignored.
 */
export function parseCsv(input: Buffer): { used: string[]; ignored: string[]; records: CsvRecord[] } {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    // CRLF to LF first: csv-parse counts a CRLF inside a quoted field as two lines.
    const text = input.includes('\r\n') ? Buffer.from(input.toString('utf8').replaceAll('\r\n', '\n')) : input;
    rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true, info: true, trim: false }) as unknown as typeof rows;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new AppError(422, 'invalid_csv', `the file is not valid CSV${line ? ` (line ${line})` : ''}: ${error.message}`, [{ field: 'file', message: error.message }]);
    }
    throw error;
  }
  const [header, ...body] = rows;
  if (!header) throw new AppError(422, 'invalid_csv', 'the file is empty', [{ field: 'file', message: 'no header row' }]);

  // Column index -> the key a record gets (a known column name, or `custom.<key>`).
  const keys = new Map<number, string>();
  const used: string[] = [];
  const ignored: string[] = [];
  header.record.forEach((raw, index) => {
    const name = normalize(raw);
    const custom = CUSTOM.exec(raw.trim());
    const key = (KNOWN_COLUMNS as readonly string[]).includes(name) ? name : custom ? `custom.${custom[2]!.trim()}` : undefined;
    if (!key || used.includes(key)) {
      if (raw.trim()) ignored.push(raw.trim());
      return;
    }
    keys.set(index, key);
    used.push(key);
  });
  if (!used.includes('email')) {
    throw new AppError(422, 'missing_email_column', 'the file needs an `email` column (header row)', [{ field: 'file.email', message: 'column missing' }]);
  }

  const records = body.map(({ record, info }) => {
    const values: Record<string, string> = {};
    for (const [index, key] of keys) {
      const value = record[index]?.trim();
      if (value) values[key] = value;
    }
    // `info.lines` is the line the record ends on; line breaks inside quoted fields come before it.
    const embedded = record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
    return { line: info.lines - embedded, values };
  });
  return { used, ignored, records };
}
