/**
 * CSV (and other delimited text): RFC 4180 quoting as PostgreSQL's COPY … CSV reads it — a
 * quoted empty string is '', an unquoted field equal to the NULL string is NULL — with the
 * delimiter, quote, escape, header and NULL string configurable per table.
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';

export interface CsvOptions {
  readonly delimiter: string;
  readonly quote: string;
  /** Character that makes the next quote literal inside a quoted field (default: the quote itself). */
  readonly escape: string;
  /** The first line of each file names the columns. */
  readonly header: boolean;
  /** Unquoted fields equal to this are NULL. */
  readonly nullString: string;
}

export const DEFAULT_CSV: CsvOptions = { delimiter: ',', quote: '"', escape: '"', header: true, nullString: '' };

/** Fields of each record, column by column: fields[c][r] (missing trailing fields are NULL). */
export interface CsvRecords {
  readonly fields: (string | null)[][];
  readonly rows: number;
}

const CR = 13;
const LF = 10;

/**
 * Calls `onRecord` with the fields of each record of `text` (the array is reused). Blank lines
 * are skipped when the NULL string is empty.
 */
export function forEachRecord(text: string, options: CsvOptions, file: string, onRecord: (fields: (string | null)[]) => void): void {
  const delim = options.delimiter.charCodeAt(0);
  const quote = options.quote.charCodeAt(0);
  const escape = options.escape.charCodeAt(0);
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const record: (string | null)[] = [];
  while (pos < n) {
    record.length = 0;
    for (;;) {
      let value: string | null;
      if (text.charCodeAt(pos) === quote) {
        let out = '';
        let from = ++pos;
        for (;;) {
          if (pos >= n) throw new SqlError(SqlState.BAD_COPY_FILE_FORMAT, `unterminated CSV quoted field in file "${file}"`);
          const c = text.charCodeAt(pos);
          if (c === escape && escape !== quote && pos + 1 < n && (text.charCodeAt(pos + 1) === quote || text.charCodeAt(pos + 1) === escape)) {
            out += text.slice(from, pos);
            from = ++pos;
            pos++;
          } else if (c === quote) {
            if (escape === quote && text.charCodeAt(pos + 1) === quote) {
              out += text.slice(from, pos + 1);
              pos += 2;
              from = pos;
            } else {
              out += text.slice(from, pos);
              pos++;
              break;
            }
          } else pos++;
        }
        // anything between the closing quote and the delimiter is kept, as COPY does
        const rest = pos;
        while (pos < n && !isFieldEnd(text.charCodeAt(pos), delim)) pos++;
        value = out + text.slice(rest, pos);
      } else {
        const from = pos;
        while (pos < n && !isFieldEnd(text.charCodeAt(pos), delim)) pos++;
        const raw = text.slice(from, pos);
        value = raw === options.nullString ? null : raw;
      }
      record.push(value);
      if (pos < n && text.charCodeAt(pos) === delim) {
        pos++;
        continue;
      }
      if (pos < n && text.charCodeAt(pos) === CR) pos++;
      if (pos < n && text.charCodeAt(pos) === LF) pos++;
      break;
    }
    if (record.length === 1 && record[0] === null && options.nullString === '') continue;
    onRecord(record);
  }
}

/**
 * The records of `text` column by column, `columns` fields each (missing trailing fields are
 * NULL; extra fields fail with 22P04, as COPY does). `skipFirst` drops the header record.
 */
export function parseCsv(text: string, options: CsvOptions, columns: number, skipFirst: boolean, file: string): CsvRecords {
  const fields: (string | null)[][] = Array.from({ length: columns }, () => []);
  let rows = 0;
  let skip = skipFirst;
  forEachRecord(text, options, file, (record) => {
    if (skip) {
      skip = false;
      return;
    }
    if (record.length > columns) {
      throw new SqlError(SqlState.BAD_COPY_FILE_FORMAT, `extra data after last expected column in file "${file}", record ${rows + 1}`);
    }
    for (let c = 0; c < columns; c++) fields[c]!.push(c < record.length ? record[c]! : null);
    rows++;
  });
  return { fields, rows };
}

const isFieldEnd = (c: number, delim: number): boolean => c === delim || c === LF || c === CR;

/**
 * Column names (the header's, made unique, or column1, column2, … without one) and the
 * records of a sample. `truncated`: the sample was cut from a longer file, so its last line
 * may be partial and is dropped.
 */
export function sampleCsv(text: string, options: CsvOptions, file: string, truncated: boolean): { names: string[]; records: CsvRecords } {
  let sample = truncated ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
  let first: (string | null)[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      first = [];
      forEachRecord(sample, { ...options, nullString: '\u0000' }, file, (r) => {
        if (first.length === 0) first = [...r];
      });
      break;
    } catch (e) {
      // a quoted field the cut split in two: drop the sample's last line and try again
      if (!truncated || attempt > 8 || sample.length === 0) throw e;
      sample = sample.slice(0, sample.lastIndexOf('\n', sample.length - 2) + 1);
    }
  }
  const seen = new Map<string, number>();
  const names = first.map((f, i) => {
    const base = options.header ? (f ?? '').trim() || `column${i + 1}` : `column${i + 1}`;
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return k === 1 ? base : `${base}_${k}`;
  });
  return { names, records: parseCsv(sample, options, names.length, options.header, file) };
}
