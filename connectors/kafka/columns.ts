/**
 * A topic's columns: the fields its description maps from the key, then from the message, then
 * Trino's internal columns (hidden when `kafka.hide-internal-columns` is true: readable by
 * name, left out of `SELECT *`).
 */
import { T, type PgType } from '../../engine/types/pg-type.js';
import type { ColumnMetadata } from '../spi/index.js';
import type { DescribedCodec } from './descriptions.js';

export type InternalColumn =
  | '_partition_id' | '_partition_offset' | '_message_corrupt' | '_message' | '_headers'
  | '_message_length' | '_key_corrupt' | '_key' | '_key_length' | '_timestamp';

/** Trino's internal columns, in Trino's order, with their PostgreSQL types. */
export const INTERNAL_COLUMNS: readonly { readonly name: InternalColumn; readonly type: PgType; readonly nullable: boolean }[] = [
  { name: '_partition_id', type: T.int8, nullable: false },
  { name: '_partition_offset', type: T.int8, nullable: false },
  { name: '_message_corrupt', type: T.bool, nullable: false },
  { name: '_message', type: T.text, nullable: true },
  { name: '_headers', type: T.jsonb, nullable: false },
  { name: '_message_length', type: T.int8, nullable: true },
  { name: '_key_corrupt', type: T.bool, nullable: false },
  { name: '_key', type: T.text, nullable: true },
  { name: '_key_length', type: T.int8, nullable: true },
  { name: '_timestamp', type: T.timestamp, nullable: true },
];

const INTERNAL_NAMES: ReadonlySet<string> = new Set(INTERNAL_COLUMNS.map((c) => c.name));

export const isInternal = (name: string): name is InternalColumn => INTERNAL_NAMES.has(name);

/** Where a table column's values come from. */
export type ColumnSource =
  | { readonly kind: 'key'; readonly field: number }
  | { readonly kind: 'message'; readonly field: number }
  | { readonly kind: 'internal'; readonly name: InternalColumn };

export function tableColumns(key: DescribedCodec | undefined, message: DescribedCodec | undefined, hideInternal: boolean): ColumnMetadata[] {
  const data = [...(key?.fields ?? []), ...(message?.fields ?? [])];
  return [
    ...data.map((f) => ({ name: f.name, type: f.type, nullable: true, ...(f.hidden ? { hidden: true } : {}) })),
    ...INTERNAL_COLUMNS.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, ...(hideInternal ? { hidden: true } : {}) })),
  ];
}

/** The source of the column called `name`. */
export function columnSource(name: string, key: DescribedCodec | null, message: DescribedCodec | null): ColumnSource {
  if (isInternal(name)) return { kind: 'internal', name };
  const k = key?.fields.findIndex((f) => f.name === name) ?? -1;
  if (k >= 0) return { kind: 'key', field: k };
  return { kind: 'message', field: message?.fields.findIndex((f) => f.name === name) ?? -1 };
}
