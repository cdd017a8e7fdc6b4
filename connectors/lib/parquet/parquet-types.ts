/**
 * The one place Parquet types map to PostgreSQL types (PostgreSQL is the model):
 *
 * | Parquet                                              | PostgreSQL                 |
 * |------------------------------------------------------|----------------------------|
 * | BOOLEAN                                              | bool                       |
 * | INT32; INT(32, signed)                               | int4                       |
 * | INT(8/16, signed)                                    | int2                       |
 * | INT(8/16, unsigned)                                  | int4                       |
 * | INT(32, unsigned)                                    | int8                       |
 * | INT64; INT(64, signed)                               | int8                       |
 * | INT(64, unsigned)                                    | numeric(20,0)              |
 * | FLOAT / DOUBLE / FLOAT16 (FIXED[2])                  | float4 / float8 / float4   |
 * | DECIMAL(p,s) on INT32, INT64, FIXED, BYTE_ARRAY      | numeric(p,s)               |
 * | DATE                                                 | date                       |
 * | TIME(MILLIS / MICROS / NANOS)                        | time                       |
 * | TIMESTAMP(unit, isAdjustedToUTC = true / false)      | timestamptz / timestamp    |
 * | INT96 (legacy timestamps)                            | timestamp                  |
 * | STRING, ENUM (UTF8)                                  | text                       |
 * | JSON                                                 | json                       |
 * | UUID (FIXED[16])                                     | uuid                       |
 * | BYTE_ARRAY / FIXED without annotation, BSON, other   | bytea                      |
 * | LIST of one of the above                             | one-dimensional array      |
 *
 * A file may record the exact PostgreSQL types it was written from in its key-value metadata
 * (`lakegate.pg_types`: a JSON object, column name → type text such as "numeric(15,2)" or
 * "character(1)"); a recorded type replaces the mapped one when it holds the same datums.
 */
import { arrayOf, numericTypmod, T, typeByName, type PgType } from '../../../engine/types/pg-type.js';
import { parseTypeText } from '../../../engine/types/type-names.js';
import { ConvertedType, PhysicalType, type SchemaElement } from './format.js';

/** How a column's physical values become datums (see column-decoder.ts). */
export type ValueKind =
  | 'bool'
  | 'int32' // int2, int4, date: the INT32 as is
  | 'uint32' // INT(32, unsigned) → int8
  | 'time-millis' // INT32 milliseconds → time (µs)
  | 'int64' // int8, timestamps and times in µs: the INT64 as is
  | 'int64-millis' // ×1000
  | 'int64-nanos' // ÷1000, rounded down
  | 'uint64' // → numeric
  | 'float'
  | 'float16'
  | 'double'
  | 'int96'
  | 'decimal32'
  | 'decimal64'
  | 'decimal-bytes' // big-endian two's complement in BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY
  | 'string'
  | 'bytes'
  | 'uuid';

export interface ColumnTyping {
  readonly type: PgType;
  readonly kind: ValueKind;
  /** Decimal scale (decimal kinds). */
  readonly scale: number;
}

const typing = (type: PgType, kind: ValueKind, scale = 0): ColumnTyping => ({ type, kind, scale });

/** The PostgreSQL type and value conversion for a primitive (leaf) schema element, or why it has none. */
export function mapPrimitive(el: SchemaElement): ColumnTyping | { unsupported: string } {
  const lt = el.logicalType;
  const ct = el.convertedType;
  const decimal =
    lt?.kind === 'decimal' ? { p: lt.precision, s: lt.scale } : ct === ConvertedType.DECIMAL ? { p: el.precision ?? 38, s: el.scale ?? 0 } : undefined;
  const numericOf = (p: number, s: number): PgType =>
    p >= 1 && p <= 1000 && s >= 0 && s <= p ? typeByName('numeric', numericTypmod(p, s)) : T.numeric;
  switch (el.type) {
    case PhysicalType.BOOLEAN:
      return typing(T.bool, 'bool');
    case PhysicalType.INT32: {
      if (decimal) return typing(numericOf(decimal.p, decimal.s), 'decimal32', decimal.s);
      if (lt?.kind === 'date' || ct === ConvertedType.DATE) return typing(T.date, 'int32');
      if ((lt?.kind === 'time' && lt.unit === 'millis') || ct === ConvertedType.TIME_MILLIS) return typing(T.time, 'time-millis');
      const int = intAnnotation(el);
      if (int) {
        if (int.bits <= 16) return typing(int.signed ? T.int2 : T.int4, 'int32');
        if (!int.signed) return typing(T.int8, 'uint32');
      }
      return typing(T.int4, 'int32');
    }
    case PhysicalType.INT64: {
      if (decimal) return typing(numericOf(decimal.p, decimal.s), 'decimal64', decimal.s);
      if (lt?.kind === 'timestamp') {
        const type = lt.isAdjustedToUTC ? T.timestamptz : T.timestamp;
        return typing(type, lt.unit === 'millis' ? 'int64-millis' : lt.unit === 'nanos' ? 'int64-nanos' : 'int64');
      }
      // the legacy converted types meant instants (isAdjustedToUTC = true)
      if (ct === ConvertedType.TIMESTAMP_MILLIS) return typing(T.timestamptz, 'int64-millis');
      if (ct === ConvertedType.TIMESTAMP_MICROS) return typing(T.timestamptz, 'int64');
      if (lt?.kind === 'time') return typing(T.time, lt.unit === 'nanos' ? 'int64-nanos' : 'int64');
      if (ct === ConvertedType.TIME_MICROS) return typing(T.time, 'int64');
      const int = intAnnotation(el);
      if (int && !int.signed) return typing(numericOf(20, 0), 'uint64');
      return typing(T.int8, 'int64');
    }
    case PhysicalType.INT96:
      return typing(T.timestamp, 'int96');
    case PhysicalType.FLOAT:
      return typing(T.float4, 'float');
    case PhysicalType.DOUBLE:
      return typing(T.float8, 'double');
    case PhysicalType.BYTE_ARRAY:
    case PhysicalType.FIXED_LEN_BYTE_ARRAY: {
      if (decimal) return typing(numericOf(decimal.p, decimal.s), 'decimal-bytes', decimal.s);
      const fixed = el.type === PhysicalType.FIXED_LEN_BYTE_ARRAY;
      if (fixed && (el.typeLength ?? 0) <= 0) return { unsupported: 'FIXED_LEN_BYTE_ARRAY without a length' };
      if (lt?.kind === 'uuid' && fixed && el.typeLength === 16) return typing(T.uuid, 'uuid');
      if (lt?.kind === 'float16' && fixed && el.typeLength === 2) return typing(T.float4, 'float16');
      if (lt?.kind === 'json' || ct === ConvertedType.JSON) return typing(T.json, 'string');
      if (lt?.kind === 'string' || lt?.kind === 'enum' || ct === ConvertedType.UTF8 || ct === ConvertedType.ENUM) return typing(T.text, 'string');
      return typing(T.bytea, 'bytes');
    }
    default:
      return { unsupported: `physical type ${el.type}` };
  }
}

function intAnnotation(el: SchemaElement): { bits: number; signed: boolean } | undefined {
  const lt = el.logicalType;
  if (lt?.kind === 'integer') return { bits: lt.bitWidth, signed: lt.signed };
  switch (el.convertedType) {
    case ConvertedType.INT_8: return { bits: 8, signed: true };
    case ConvertedType.INT_16: return { bits: 16, signed: true };
    case ConvertedType.INT_32: return { bits: 32, signed: true };
    case ConvertedType.INT_64: return { bits: 64, signed: true };
    case ConvertedType.UINT_8: return { bits: 8, signed: false };
    case ConvertedType.UINT_16: return { bits: 16, signed: false };
    case ConvertedType.UINT_32: return { bits: 32, signed: false };
    case ConvertedType.UINT_64: return { bits: 64, signed: false };
    default: return undefined;
  }
}

/** Types whose datums are the same JS values, so a recorded type may stand in for the mapped one. */
const SAME_DATUMS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['text', 'varchar', 'bpchar', 'name', 'json', 'jsonb']),
  new Set(['int2', 'int4']),
  new Set(['timestamp', 'timestamptz']),
  new Set(['float4', 'float8']),
];

function sameDatums(mapped: PgType, recorded: PgType): boolean {
  if (mapped.elem || recorded.elem) return !!mapped.elem && !!recorded.elem && sameDatums(mapped.elem, recorded.elem);
  if (mapped.name === recorded.name) return true;
  return SAME_DATUMS.some((s) => s.has(mapped.name) && s.has(recorded.name));
}

/**
 * The type recorded for a column in `lakegate.pg_types`, when it parses and holds the same
 * datums as the mapped type; otherwise the mapped type.
 */
export function applyRecordedType(mapped: PgType, recorded: string | undefined): PgType {
  if (recorded === undefined) return mapped;
  let parsed: PgType;
  try {
    parsed = parseTypeText(recorded);
  } catch {
    return mapped;
  }
  return parsed.layout === mapped.layout && sameDatums(mapped, parsed) ? parsed : mapped;
}

/** The array type of a LIST column whose elements map to `elem`. */
export const listTypeOf = (elem: PgType): PgType => arrayOf(elem);
