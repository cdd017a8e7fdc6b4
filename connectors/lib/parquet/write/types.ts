/**
 * PostgreSQL types → Parquet schema: the one place the writer decides how each type is stored.
 *
 * | PostgreSQL                         | Parquet physical            | logical (converted)            |
 * |------------------------------------|-----------------------------|--------------------------------|
 * | bool                               | BOOLEAN                     |                                |
 * | int2                               | INT32                       | INT(16, signed) (INT_16)       |
 * | int4                               | INT32                       |                                |
 * | int8                               | INT64                       |                                |
 * | float4 / float8                    | FLOAT / DOUBLE              |                                |
 * | numeric(p,s), p ≤ 9 / ≤ 18 / ≤ 38  | INT32 / INT64 / FIXED[n]    | DECIMAL(p,s) (DECIMAL)         |
 * | numeric (no typmod)                | FIXED[16]                   | DECIMAL(38,18), exact or 22003 |
 * | text, varchar, bpchar, name, char  | BYTE_ARRAY                  | STRING (UTF8)                  |
 * | json, jsonb                        | BYTE_ARRAY                  | JSON (JSON)                    |
 * | interval                           | BYTE_ARRAY (PostgreSQL text)| STRING (UTF8)                  |
 * | bytea                              | BYTE_ARRAY                  |                                |
 * | uuid                               | FIXED[16]                   | UUID                           |
 * | date                               | INT32                       | DATE (DATE)                    |
 * | time                               | INT64                       | TIME(MICROS, false) (TIME_MICROS) |
 * | timestamp / timestamptz            | INT64                       | TIMESTAMP(MICROS, false / true) (TIMESTAMP_MICROS) |
 * | one-dimensional arrays             | 3-level LIST of the element |  LIST (LIST)                   |
 *
 * The exact PostgreSQL types go into the key-value metadata `lakegate.pg_types`, so Lakegate
 * reads back bpchar(n), varchar(n), json vs jsonb, interval and int2 as they were written.
 */
import { SqlError, SqlState } from '../../../../engine/errors/index.js';
import { pow10, type Numeric } from '../../../../engine/types/numeric.js';
import { formatType, numericPrecision, numericScale, type PgType } from '../../../../engine/types/pg-type.js';
import { ConvertedType, PhysicalType, Repetition, type LogicalType, type SchemaElement } from './format.js';

/** How leaf values are taken from a vector. */
export type ValueKind =
  | { readonly kind: 'bool' | 'int32' | 'int64' | 'float32' | 'float64' | 'string' | 'interval' | 'bytea' | 'uuid' }
  | DecimalKind;

export interface DecimalKind {
  readonly kind: 'decimal';
  readonly precision: number;
  readonly scale: number;
  /** Byte width of the FIXED_LEN_BYTE_ARRAY form (physical FIXED_LEN_BYTE_ARRAY only). */
  readonly width: number;
  readonly physical: PhysicalType;
  /** numeric without a typmod: values must fit DECIMAL(38,18) exactly. */
  readonly unconstrained: boolean;
  /** Bounds of the unscaled value: |u| < 10^precision. */
  readonly limit: bigint;
}

export interface LeafMapping {
  readonly physical: PhysicalType;
  readonly typeLength?: number;
  readonly convertedType?: ConvertedType;
  readonly logicalType?: LogicalType;
  readonly value: ValueKind;
}

export interface ColumnMapping {
  readonly name: string;
  readonly pgType: PgType;
  /** format_type()'s name, e.g. "numeric(15,2)", "character(1)", "integer[]". */
  readonly pgTypeName: string;
  readonly nullable: boolean;
  readonly list: boolean;
  readonly leaf: LeafMapping;
  readonly schema: readonly SchemaElement[];
  readonly path: readonly string[];
  readonly maxDefinition: number;
  readonly maxRepetition: number;
}

const unsupported = (column: string, t: PgType): SqlError =>
  new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `column "${column}" of type ${formatType(t)} cannot be written to Parquet`, {
    hint: 'Cast it to text or to a numeric, date/time, boolean or bytea type.',
  });

/** Smallest two's-complement byte width holding every unscaled value of `precision` digits. */
export function decimalWidth(precision: number): number {
  const max = pow10(precision) - 1n;
  let w = 1;
  while ((1n << BigInt(8 * w - 1)) <= max) w++;
  return w;
}

function decimalLeaf(precision: number, scale: number, unconstrained: boolean): LeafMapping {
  const physical = precision <= 9 ? PhysicalType.INT32 : precision <= 18 ? PhysicalType.INT64 : PhysicalType.FIXED_LEN_BYTE_ARRAY;
  const width = physical === PhysicalType.FIXED_LEN_BYTE_ARRAY ? decimalWidth(precision) : 0;
  return {
    physical,
    ...(width > 0 ? { typeLength: width } : {}),
    convertedType: ConvertedType.DECIMAL,
    logicalType: { kind: 'decimal', precision, scale },
    value: { kind: 'decimal', precision, scale, width, physical, unconstrained, limit: pow10(precision) },
  };
}

/** Precision and scale of numeric without a typmod. */
export const UNCONSTRAINED_PRECISION = 38;
export const UNCONSTRAINED_SCALE = 18;

function leafFor(column: string, t: PgType): LeafMapping {
  switch (t.name) {
    case 'bool': return { physical: PhysicalType.BOOLEAN, value: { kind: 'bool' } };
    case 'int2':
      return {
        physical: PhysicalType.INT32, convertedType: ConvertedType.INT_16,
        logicalType: { kind: 'int', bitWidth: 16, signed: true }, value: { kind: 'int32' },
      };
    case 'int4': return { physical: PhysicalType.INT32, value: { kind: 'int32' } };
    case 'int8': return { physical: PhysicalType.INT64, value: { kind: 'int64' } };
    case 'float4': return { physical: PhysicalType.FLOAT, value: { kind: 'float32' } };
    case 'float8': return { physical: PhysicalType.DOUBLE, value: { kind: 'float64' } };
    case 'numeric': {
      if (t.typmod < 4) return decimalLeaf(UNCONSTRAINED_PRECISION, UNCONSTRAINED_SCALE, true);
      const p = numericPrecision(t.typmod);
      const s = numericScale(t.typmod);
      // Parquet needs 0 ≤ scale ≤ precision: numeric(p,-k) holds integers of p+k digits,
      // numeric(p,s) with s > p holds fractions below 10^(p-s).
      const precision = s < 0 ? p - s : Math.max(p, s);
      const scale = Math.max(s, 0);
      if (precision > 38) {
        throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `column "${column}" of type ${formatType(t)} cannot be written to Parquet: decimal precision above 38 is not supported`, {
          hint: 'Cast it to numeric(38,s) or to text.',
        });
      }
      return decimalLeaf(precision, scale, false);
    }
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'unknown':
      return { physical: PhysicalType.BYTE_ARRAY, convertedType: ConvertedType.UTF8, logicalType: { kind: 'string' }, value: { kind: 'string' } };
    case 'json': case 'jsonb':
      return { physical: PhysicalType.BYTE_ARRAY, convertedType: ConvertedType.JSON, logicalType: { kind: 'json' }, value: { kind: 'string' } };
    case 'interval':
      return { physical: PhysicalType.BYTE_ARRAY, convertedType: ConvertedType.UTF8, logicalType: { kind: 'string' }, value: { kind: 'interval' } };
    case 'bytea': return { physical: PhysicalType.BYTE_ARRAY, value: { kind: 'bytea' } };
    case 'uuid':
      return { physical: PhysicalType.FIXED_LEN_BYTE_ARRAY, typeLength: 16, logicalType: { kind: 'uuid' }, value: { kind: 'uuid' } };
    case 'date':
      return { physical: PhysicalType.INT32, convertedType: ConvertedType.DATE, logicalType: { kind: 'date' }, value: { kind: 'int32' } };
    case 'time':
      return { physical: PhysicalType.INT64, convertedType: ConvertedType.TIME_MICROS, logicalType: { kind: 'time', utc: false }, value: { kind: 'int64' } };
    case 'timestamp': case 'timestamptz':
      return {
        physical: PhysicalType.INT64, convertedType: ConvertedType.TIMESTAMP_MICROS,
        logicalType: { kind: 'timestamp', utc: t.name === 'timestamptz' }, value: { kind: 'int64' },
      };
    default:
      throw unsupported(column, t);
  }
}

function leafElement(name: string, leaf: LeafMapping, repetition: Repetition): SchemaElement {
  const e: SchemaElement = { name, type: leaf.physical, repetition };
  const v = leaf.value;
  return {
    ...e,
    ...(leaf.typeLength !== undefined ? { typeLength: leaf.typeLength } : {}),
    ...(leaf.convertedType !== undefined ? { convertedType: leaf.convertedType } : {}),
    ...(v.kind === 'decimal' ? { scale: v.scale, precision: v.precision } : {}),
    ...(leaf.logicalType !== undefined ? { logicalType: leaf.logicalType } : {}),
  };
}

/** The Parquet schema of one column, or 0A000 for a type Parquet cannot hold. */
export function mapColumn(spec: { readonly name: string; readonly type: PgType; readonly nullable: boolean; readonly fieldId?: number; readonly elementFieldId?: number }): ColumnMapping {
  const id = (fieldId: number | undefined) => (fieldId === undefined ? {} : { fieldId });
  const t = spec.type;
  const repetition = spec.nullable ? Repetition.OPTIONAL : Repetition.REQUIRED;
  const base = { name: spec.name, pgType: t, pgTypeName: formatType(t), nullable: spec.nullable };
  if (t.elem) {
    if (t.elem.elem) throw unsupported(spec.name, t);
    const leaf = leafFor(spec.name, t.elem);
    return {
      ...base,
      list: true,
      leaf,
      schema: [
        { name: spec.name, repetition, numChildren: 1, convertedType: ConvertedType.LIST, logicalType: { kind: 'list' }, ...id(spec.fieldId) },
        { name: 'list', repetition: Repetition.REPEATED, numChildren: 1 },
        { ...leafElement('element', leaf, Repetition.OPTIONAL), ...id(spec.elementFieldId) },
      ],
      path: [spec.name, 'list', 'element'],
      maxDefinition: spec.nullable ? 3 : 2,
      maxRepetition: 1,
    };
  }
  const leaf = leafFor(spec.name, t);
  return {
    ...base,
    list: false,
    leaf,
    schema: [{ ...leafElement(spec.name, leaf, repetition), ...id(spec.fieldId) }],
    path: [spec.name],
    maxDefinition: spec.nullable ? 1 : 0,
    maxRepetition: 0,
  };
}

// ---- numeric → unscaled decimal ------------------------------------------------------------

function notRepresentable(column: string, n: Numeric, d: DecimalKind): SqlError {
  if (d.unconstrained) {
    return new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `numeric value ${n.toString()} in column "${column}" does not fit Parquet DECIMAL(${d.precision},${d.scale})`, {
      detail: 'A numeric column without precision and scale is written as DECIMAL(38,18) (20 digits before the point, values rounded to 18 after it); NaN and infinite values cannot be written.',
      hint: `Cast the column to numeric(p,s) with the precision and scale its values need, e.g. "${column}"::numeric(38,6).`,
    });
  }
  return new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `numeric value ${n.toString()} in column "${column}" cannot be written as Parquet DECIMAL(${d.precision},${d.scale})`, {
    detail: n.isFinite() ? `The value needs more than ${d.precision} digits.` : 'Parquet decimals cannot hold NaN or infinite values.',
  });
}

/** The unscaled value of `n` at the column's scale; 22003 when it does not fit. */
export function decimalUnscaled(n: Numeric, d: DecimalKind, column: string): bigint {
  let u = n.unscaled;
  const s = n.scale;
  if (s !== d.scale) {
    if (!n.isFinite()) throw notRepresentable(column, n, d);
    if (s < d.scale) u *= pow10(d.scale - s);
    else {
      const f = pow10(s - d.scale);
      const q = u / f;
      const r = u - q * f;
      if (r !== 0n) {
        // Digits beyond the column's scale are rounded half away from zero, as assignment to
        // numeric(p,s) rounds (an unconstrained numeric keeps 18 decimal places).
        const twice = 2n * (r < 0n ? -r : r);
        u = twice >= f ? q + (u < 0n ? -1n : 1n) : q;
      } else u = q;
    }
  } else if (u === 0n && !n.isFinite()) throw notRepresentable(column, n, d);
  if (u >= d.limit || u <= -d.limit) throw notRepresentable(column, n, d);
  return u;
}
