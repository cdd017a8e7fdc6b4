/**
 * Rows in dbgen's .tbl text form ("v1|v2|…|"): integers, money with two decimals, dates as
 * YYYY-MM-DD, CHAR(n) values without their padding,
 * l_quantity as an integer. Tests compare these lines (or their
 * MD5s) with dbgen's output and io.trino.tpch's published checksums.
 */
import { formatEpochDay } from './dates.js';
import type { RawBatch, TableSpec } from './table.js';

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The .tbl lines of a raw batch whose columns are all of `table`'s, in table order. */
export function formatLines(table: TableSpec, batch: RawBatch): string[] {
  const lines = new Array<string>(batch.length).fill('');
  table.columns.forEach((col, c) => {
    const data = batch.columns[c]!;
    for (let i = 0; i < batch.length; i++) {
      const v = data[i]!;
      let text: string;
      switch (col.kind) {
        // dbgen prints the quantity as an integer
        case 'money': text = col.name === 'l_quantity' ? String((v as number) / 100) : formatCents(v as number); break;
        case 'date': text = formatEpochDay(v as number); break;
        case 'text': text = col.fixed ? (v as string).trimEnd() : (v as string); break;
        default: text = String(v);
      }
      lines[i] += text + '|';
    }
  });
  return lines;
}
