/**
 * Iceberg schemas and the one place Iceberg types map to PostgreSQL types:
 *
 * | Iceberg                         | PostgreSQL                       |
 * |---------------------------------|----------------------------------|
 * | boolean                         | bool                             |
 * | int / long                      | int4 / int8                      |
 * | float / double                  | float4 / float8                  |
 * | decimal(p,s)                    | numeric(p,s)                     |
 * | date / time                     | date / time                      |
 * | timestamp / timestamp_ns        | timestamp (microseconds)         |
 * | timestamptz / timestamptz_ns    | timestamptz (microseconds)       |
 * | string                          | text                             |
 * | uuid                            | uuid                             |
 * | fixed[L] / binary               | bytea                            |
 * | list of a primitive above       | one-dimensional array            |
 * | struct, map, list of nested     | not exposed (the column is hidden) |
 * | variant, geometry, unknown, …   | not exposed                      |
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { arrayOf, numericTypmod, T, typeByName, type PgType } from '../../engine/types/pg-type.js';

export type IcebergPrimitive = string;

export interface ListType {
  readonly type: 'list';
  readonly 'element-id': number;
  readonly element: IcebergType;
  readonly 'element-required': boolean;
}

export interface MapType {
  readonly type: 'map';
  readonly 'key-id': number;
  readonly key: IcebergType;
  readonly 'value-id': number;
  readonly value: IcebergType;
  readonly 'value-required': boolean;
}

export interface StructType {
  readonly type: 'struct';
  readonly fields: readonly NestedField[];
}

export type IcebergType = IcebergPrimitive | ListType | MapType | StructType;

export interface NestedField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string;
}

export interface IcebergSchema extends StructType {
  readonly 'schema-id': number;
  readonly 'identifier-field-ids'?: readonly number[];
}

/** The PostgreSQL type of a primitive Iceberg type, or undefined when it has none. */
export function primitiveType(t: IcebergPrimitive): PgType | undefined {
  switch (t) {
    case 'boolean': return T.bool;
    case 'int': return T.int4;
    case 'long': return T.int8;
    case 'float': return T.float4;
    case 'double': return T.float8;
    case 'date': return T.date;
    case 'time': return T.time;
    case 'timestamp': case 'timestamp_ns': return T.timestamp;
    case 'timestamptz': case 'timestamptz_ns': return T.timestamptz;
    case 'string': return T.text;
    case 'uuid': return T.uuid;
    case 'binary': return T.bytea;
    default: {
      const d = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
      if (d) return typeByName('numeric', numericTypmod(Number(d[1]), Number(d[2])));
      if (/^fixed\[\d+\]$/.test(t)) return T.bytea;
      return undefined;
    }
  }
}

/** The PostgreSQL type of a column, or undefined when the column is not exposed. */
export function columnType(t: IcebergType): PgType | undefined {
  if (typeof t === 'string') return primitiveType(t);
  if (t.type === 'list' && typeof t.element === 'string') {
    const elem = primitiveType(t.element);
    return elem ? arrayOf(elem) : undefined;
  }
  return undefined;
}

/** A column the connector exposes: a top-level field with a PostgreSQL type. */
export interface IcebergColumn {
  readonly fieldId: number;
  readonly name: string;
  /** The Iceberg type as written in the schema (a primitive name, or the list's JSON). */
  readonly icebergType: IcebergType;
  readonly type: PgType;
  readonly nullable: boolean;
}

/** The exposed columns of a schema: top-level fields whose types map (see the table above). */
export function schemaColumns(schema: IcebergSchema): IcebergColumn[] {
  const out: IcebergColumn[] = [];
  for (const f of schema.fields) {
    const type = columnType(f.type);
    if (type) out.push({ fieldId: f.id, name: f.name, icebergType: f.type, type, nullable: !f.required });
  }
  return out;
}

/** Every field of a schema by id, nested fields included. */
export function fieldsById(schema: StructType): Map<number, NestedField> {
  const out = new Map<number, NestedField>();
  const walk = (t: IcebergType): void => {
    if (typeof t === 'string') return;
    if (t.type === 'struct') for (const f of t.fields) {
      out.set(f.id, f);
      walk(f.type);
    } else if (t.type === 'list') walk(t.element);
    else if (t.type === 'map') {
      walk(t.key);
      walk(t.value);
    }
  };
  walk(schema);
  return out;
}

export const invalidMetadata = (what: string) => new SqlError(SqlState.FDW_ERROR, `invalid Iceberg metadata: ${what}`);
