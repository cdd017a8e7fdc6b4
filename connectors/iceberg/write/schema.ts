/**
 * PostgreSQL column types → Iceberg types for CREATE TABLE (the reverse of `types.ts`), and the
 * format-version 2 table metadata of a new, empty table:
 *
 * | PostgreSQL                                       | Iceberg                        |
 * |--------------------------------------------------|--------------------------------|
 * | bool                                             | boolean                        |
 * | int2, int4 / int8                                | int / long                     |
 * | float4 / float8                                  | float / double                 |
 * | numeric(p,s), p ≤ 38, 0 ≤ s ≤ p                  | decimal(p,s)                   |
 * | numeric (no precision)                           | decimal(38,18)                 |
 * | date, time, timestamp, timestamptz               | date, time, timestamp, timestamptz |
 * | text, varchar, bpchar (trailing blanks dropped), name, "char", json, jsonb | string |
 * | uuid / bytea                                     | uuid / binary                  |
 * | one-dimensional array of the above               | list                           |
 * | interval, oid, reg* and anything else            | 0A000                          |
 *
 * Field ids are assigned from 1: top-level columns first, in order, then list elements.
 */
import { randomUUID } from 'node:crypto';
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { formatType, numericPrecision, numericScale, type PgType } from '../../../engine/types/pg-type.js';
import type { ColumnDefinition } from '../../spi/index.js';
import type { NewTable } from '../catalog/catalog.js';
import type { PartitionField } from '../metadata.js';
import type { IcebergSchema, IcebergType, NestedField } from '../types.js';

const notSupported = (column: string, t: PgType, hint?: string) =>
  new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `column "${column}" of type ${formatType(t)} cannot be stored in an Iceberg table`, {
    hint: hint ?? 'Cast it to text, or to a numeric, date/time, boolean, uuid or bytea type.',
  });

/** The Iceberg primitive type a PostgreSQL (non-array) type is stored as. */
export function icebergPrimitiveOf(t: PgType, column: string): string {
  switch (t.name) {
    case 'bool': return 'boolean';
    case 'int2': case 'int4': return 'int';
    case 'int8': return 'long';
    case 'float4': return 'float';
    case 'float8': return 'double';
    case 'date': return 'date';
    case 'time': return 'time';
    case 'timestamp': return 'timestamp';
    case 'timestamptz': return 'timestamptz';
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'json': case 'jsonb': return 'string';
    case 'uuid': return 'uuid';
    case 'bytea': return 'binary';
    case 'numeric': {
      if (t.typmod < 0) return 'decimal(38,18)';
      const p = numericPrecision(t.typmod);
      const s = numericScale(t.typmod);
      if (p > 38 || s < 0 || s > p) throw notSupported(column, t, 'Iceberg decimals have a precision of at most 38 and a scale between 0 and the precision.');
      return `decimal(${p},${s})`;
    }
    default: throw notSupported(column, t);
  }
}

/** The table schema (id 0) of new columns, and the highest field id used. */
export function schemaOf(columns: readonly ColumnDefinition[]): { schema: IcebergSchema; lastColumnId: number } {
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name)) throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${c.name}" specified more than once`);
    names.add(c.name);
  }
  let next = columns.length;
  const fields: NestedField[] = columns.map((c, i) => {
    let type: IcebergType;
    if (c.type.elem) {
      if (c.type.elem.elem) throw notSupported(c.name, c.type);
      type = { type: 'list', 'element-id': ++next, element: icebergPrimitiveOf(c.type.elem, c.name), 'element-required': false };
    } else type = icebergPrimitiveOf(c.type, c.name);
    return { id: i + 1, name: c.name, required: !c.nullable, type };
  });
  return { schema: { type: 'struct', 'schema-id': 0, fields }, lastColumnId: next };
}

/** A spec's fields as table metadata and the REST catalog spell them. */
export const specFieldsJson = (fields: readonly PartitionField[]) =>
  fields.map((f) => ({ name: f.name, transform: f.transform, 'source-id': f.sourceId, 'field-id': f.fieldId }));

/** Metadata (format version 2, or 1 when asked) of a new table without snapshots, unsorted, partitioned by spec 0. */
export function newTableMetadata(location: string, table: NewTable): Record<string, unknown> {
  const { schema, lastColumnId, properties } = table;
  const version = table.formatVersion ?? 2;
  const fields = specFieldsJson(table.partitionFields ?? []);
  return {
    'format-version': version,
    'table-uuid': randomUUID(),
    location,
    ...(version >= 2 ? { 'last-sequence-number': 0 } : {}),
    'last-updated-ms': Date.now(),
    'last-column-id': lastColumnId,
    ...(version === 1 ? { schema, 'partition-spec': fields } : {}),
    'current-schema-id': 0,
    schemas: [schema],
    'default-spec-id': 0,
    'partition-specs': [{ 'spec-id': 0, fields }],
    'last-partition-id': 999 + fields.length,
    'default-sort-order-id': 0,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    properties: { ...properties },
    'current-snapshot-id': -1,
    refs: {},
    snapshots: [],
    statistics: [],
    'partition-statistics': [],
    'snapshot-log': [],
    'metadata-log': [],
  };
}

/** Table properties Lakegate sets on the tables it creates. */
export const NEW_TABLE_PROPERTIES: Readonly<Record<string, string>> = {
  'write.format.default': 'parquet',
  'write.parquet.compression-codec': 'snappy',
  'created-by': 'lakegate',
};
