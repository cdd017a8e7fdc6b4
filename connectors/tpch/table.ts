/**
 * What every table generator provides. Generators work in "raw" form, independent of the
 * engine's value model: integers in Int32Array (keys that may outgrow int4 in Float64Array),
 * money as integer cents in Int32Array, dates as days since 1970-01-01 in Int32Array, text
 * as strings (CHAR(n) columns already blank-padded to n, as PostgreSQL stores them).
 */

export type RawColumn = Int32Array | Float64Array | string[];

/**
 * int: Int32Array → int4; key: Float64Array → int4, or int8 when the scale factor's largest
 * key exceeds int4 (`maxKey`); money: Int32Array cents → numeric(15,2); date: Int32Array →
 * date; text: string[] → bpchar(width) when `fixed`, else varchar(width).
 */
export type ColumnKind = 'int' | 'key' | 'money' | 'date' | 'text';

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Declared length of text columns. */
  readonly width?: number;
  /** CHAR(n) rather than VARCHAR(n). */
  readonly fixed?: boolean;
  /** The largest value of a key column at a scale factor (decides int4 vs int8). */
  readonly maxKey?: (sf: number) => number;
  /** Always int8 (order keys). */
  readonly wide?: boolean;
}

export interface RawBatch {
  readonly length: number;
  /** In the order the columns were requested. */
  readonly columns: readonly RawColumn[];
}

/** Produces consecutive batches of one unit range; null when done. */
export interface RowSource {
  next(): RawBatch | null;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** Units that splits divide: rows, or orders (lineitem), or parts (partsupp). */
  unitCount(sf: number): number;
  /** Exact row count when cheaply known; lineitem's depends on random line counts. */
  rowCount(sf: number): number;
  /** Generates units [start, start + count) producing the columns at `columns` (indices). */
  open(sf: number, start: number, count: number, columns: readonly number[]): RowSource;
}

/** Blank-pads to `width` (CHAR(n) values). */
export const padTo = (s: string, width: number): string => (s.length >= width ? s : s.padEnd(width, ' '));

/** Which columns are wanted, by index. */
export function wanted(columnCount: number, columns: readonly number[]): boolean[] {
  const w = new Array<boolean>(columnCount).fill(false);
  for (const c of columns) {
    if (!Number.isInteger(c) || c < 0 || c >= columnCount) throw new RangeError(`no column ${c}`);
    w[c] = true;
  }
  return w;
}

/** `columns` picked, in request order, from the per-index results. */
export function pick(length: number, all: readonly (RawColumn | undefined)[], columns: readonly number[]): RawBatch {
  return { length, columns: columns.map((c) => all[c]!) };
}
