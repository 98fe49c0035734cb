import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** A CSV that cannot be read as RFC 4180 (an unterminated quote, a stray quote inside a field): nothing is imported. */
export class UnreadableCsv extends Error {
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
  }
}

/**
 * RFC 4180 CSV for CMDB import (S6) via csv-parse: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM tolerated,
 * rows of any length (the importer reports short or long rows per row). Malformed input is refused whole.
 */
export function parseCsv(text: string): string[][] {
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines ?? null;
      throw new UnreadableCsv(`${e.code}: ${e.message}`, line);
    }
    throw e;
  }
}

/** A cell a spreadsheet would run as a formula (= + - @, or a tab or CR before one): OWASP's CSV injection guard. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** A leading apostrophe keeps such a cell text; a plain number (-5, +3.2) is left alone. */
export function guardCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** CSV for export via csv-stringify: every cell guarded against formula injection, CRLF line ends. */
export function formatCsv(rows: string[][]): string {
  return stringify(rows.map((r) => r.map(guardCell)), { record_delimiter: 'windows' });
}
