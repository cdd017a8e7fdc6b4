/**
 * PostgreSQL's planner statistics as Lakegate's (connectors/spi TableStatistics): row count
 * from pg_class (metadata.ts relationFacts), per column from pg_stats.
 */
import { arrayOf, type PgType } from '../../engine/types/pg-type.js';
import { Numeric } from '../../engine/types/numeric.js';
import { formatText, parseText } from '../../engine/types/text-codec.js';
import type { ColumnMetadata, ColumnStatistics, TableStatistics } from '../spi/index.js';
import type { ColumnStatsRow } from './metadata.js';
import { REMOTE_TEXT } from './types.js';

const NUMBER_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']);
const TIME_TYPES = new Set(['date', 'timestamp', 'timestamptz']);

export function tableStatistics(rowCount: number | undefined, columns: readonly ColumnMetadata[], rows: readonly ColumnStatsRow[]): TableStatistics {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const byColumn: Record<string, ColumnStatistics> = {};
  for (const row of rows) {
    const type = types.get(row.column);
    if (type) byColumn[row.column] = columnStatistics(type, row, rowCount);
  }
  return { ...(rowCount !== undefined ? { rowCount } : {}), columns: byColumn };
}

/**
 * null_frac → nullFraction; n_distinct → distinctCount (negative: minus the fraction of rows);
 * avg_width → dataSize of variable-width columns; min/max of numbers, dates and timestamps
 * from the histogram bounds and most common values (ANALYZE's sample, so approximate). Text
 * gets no min/max: PostgreSQL sorts its histogram by the column's collation, not byte order.
 */
function columnStatistics(type: PgType, row: ColumnStatsRow, rowCount: number | undefined): ColumnStatistics {
  const distinctCount = row.distinct > 0 ? row.distinct : row.distinct < 0 && rowCount !== undefined ? Math.round(-row.distinct * rowCount) : undefined;
  const dataSize = type.len === -1 && rowCount !== undefined ? Math.round(row.averageWidth * rowCount * (1 - row.nullFraction)) : undefined;
  return {
    nullFraction: row.nullFraction,
    ...(distinctCount !== undefined ? { distinctCount } : {}),
    ...(dataSize !== undefined ? { dataSize } : {}),
    ...range(type, [row.histogram, row.commonValues]),
  };
}

function range(type: PgType, arrays: readonly (string | null)[]): { min?: number | string; max?: number | string } {
  const isNumber = NUMBER_TYPES.has(type.name) && !type.elem;
  if (!isNumber && !(TIME_TYPES.has(type.name) && !type.elem)) return {};
  const ordinal = (d: unknown): number => (d instanceof Numeric ? Number(d.toString()) : Number(d));
  let low: unknown;
  let high: unknown;
  for (const text of arrays) {
    if (text === null) continue;
    for (const d of parseText(arrayOf(type), text, REMOTE_TEXT) as unknown[]) {
      if (d === null || Number.isNaN(ordinal(d))) continue;
      if (low === undefined || ordinal(d) < ordinal(low)) low = d;
      if (high === undefined || ordinal(d) > ordinal(high)) high = d;
    }
  }
  if (low === undefined || high === undefined) return {};
  const out = (d: unknown) => (isNumber ? ordinal(d) : formatText(type, d, REMOTE_TEXT));
  return { min: out(low), max: out(high) };
}
