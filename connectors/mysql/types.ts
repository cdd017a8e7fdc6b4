/**
 * MySQL/MariaDB column types as PostgreSQL types: the one place the mysql connector maps types
 * (README.md has the table). Table columns come from information_schema.COLUMNS and native-query
 * columns from the result's field metadata; both are reduced to a `MySqlType` and mapped by
 * `pgTypeOf`. `mysqlColumnType` goes the other way, for CREATE TABLE.
 */
import type { FieldPacket } from 'mysql2';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { T, formatType, numericPrecision, numericScale, numericTypmod, typeByName, type PgType } from '../../engine/types/pg-type.js';

/** A MySQL column type, reduced to what decides its PostgreSQL type. */
export interface MySqlType {
  /** Lower-case base name as information_schema.COLUMNS.DATA_TYPE spells it: int, varchar, decimal, … */
  readonly base: string;
  readonly unsigned: boolean;
  /** Characters (char, varchar), bits (bit) or digits (decimal precision). */
  readonly length: number | null;
  /** Decimal scale, or fractional-second digits of time, datetime and timestamp. */
  readonly scale: number | null;
  /** tinyint(1): MySQL's BOOLEAN. */
  readonly boolean: boolean;
}

export type Mapping = { readonly type: PgType } | { readonly unsupported: string };

/** MySQL decimals hold at most 20 digits for an unsigned bigint. */
const UNSIGNED_BIGINT = typeByName('numeric', numericTypmod(20, 0));

const TEXT_TYPES = new Set(['tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/** The PostgreSQL type of a MySQL type, or why there is none. */
export function pgTypeOf(t: MySqlType): Mapping {
  const ok = (type: PgType): Mapping => ({ type });
  switch (t.base) {
    case 'tinyint': return ok(t.boolean && !t.unsigned ? T.bool : T.int2);
    case 'smallint': return ok(t.unsigned ? T.int4 : T.int2);
    case 'mediumint': return ok(T.int4);
    case 'int': return ok(t.unsigned ? T.int8 : T.int4);
    case 'bigint': return ok(t.unsigned ? UNSIGNED_BIGINT : T.int8);
    case 'year': return ok(T.int2);
    case 'decimal':
      return ok(typeByName('numeric', numericTypmod(t.length ?? 10, t.scale ?? 0)));
    case 'float': return ok(T.float4);
    case 'double': return ok(T.float8);
    case 'bit':
      if ((t.length ?? 1) === 1) return ok(T.bool);
      return ok((t.length ?? 1) < 64 ? T.int8 : UNSIGNED_BIGINT);
    case 'char': return ok(typeByName('bpchar', (t.length ?? 1) + 4));
    case 'varchar': return ok(t.length === null ? T.text : typeByName('varchar', t.length + 4));
    case 'json': return ok(T.json);
    case 'date': return ok(T.date);
    case 'datetime': case 'timestamp': return ok(typeByName('timestamp', Math.min(t.scale ?? 0, 6)));
    case 'time': return ok(typeByName('time', Math.min(t.scale ?? 0, 6)));
    case 'uuid': return ok(T.uuid);
  }
  if (TEXT_TYPES.has(t.base)) return ok(T.text);
  if (BINARY_TYPES.has(t.base)) return ok(T.bytea);
  return { unsupported: t.base };
}

/** One row of information_schema.COLUMNS (the fields this connector reads). */
export interface ColumnInfo {
  readonly dataType: string;
  readonly columnType: string;
  readonly numericPrecision: number | null;
  readonly numericScale: number | null;
  readonly characterLength: number | null;
  readonly datetimePrecision: number | null;
  /** MariaDB's JSON is LONGTEXT with a json_valid() check on the column. */
  readonly jsonCheck: boolean;
}

export function columnType(c: ColumnInfo): MySqlType {
  const base = c.dataType.toLowerCase();
  const columnText = c.columnType.toLowerCase();
  const unsigned = /\bunsigned\b/.test(columnText);
  const width = /^\w+\((\d+)\)/.exec(columnText);
  if (c.jsonCheck && base === 'longtext') return { base: 'json', unsigned: false, length: null, scale: null, boolean: false };
  const length = base === 'bit' ? (width ? Number(width[1]) : 1) : base === 'decimal' ? c.numericPrecision : c.characterLength;
  const scale = base === 'decimal' ? c.numericScale : c.datetimePrecision;
  return { base, unsigned, length, scale, boolean: base === 'tinyint' && /^tinyint\(1\)/.test(columnText) };
}

// Field metadata of a result (native queries): mysql2's column types and flags.
const FIELD_TYPE: Readonly<Record<number, string>> = {
  0: 'decimal', 1: 'tinyint', 2: 'smallint', 3: 'int', 4: 'float', 5: 'double', 6: 'null', 7: 'timestamp', 8: 'bigint',
  9: 'mediumint', 10: 'date', 11: 'time', 12: 'datetime', 13: 'year', 14: 'date', 15: 'varchar', 16: 'bit', 242: 'vector',
  245: 'json', 246: 'decimal', 247: 'enum', 248: 'set', 249: 'blob', 250: 'blob', 251: 'blob', 252: 'blob', 253: 'varchar',
  254: 'char', 255: 'geometry',
};
const UNSIGNED_FLAG = 32;
const BINARY_CHARSET = 63;

/**
 * The MySQL type of a result column. Character columns become text (their declared length
 * is in bytes of the connection's character set, not characters); binary ones bytea.
 */
export function fieldType(f: FieldPacket): MySqlType {
  const code = f.columnType ?? f.type ?? -1;
  const flags = typeof f.flags === 'number' ? f.flags : 0;
  const unsigned = (flags & UNSIGNED_FLAG) !== 0;
  const length = f.columnLength ?? f.length ?? null;
  let base = FIELD_TYPE[code] ?? `type ${code}`;
  if (f.extendedFormat === 'json') base = 'json';
  else if (f.extendedTypeName) base = f.extendedTypeName.toLowerCase();
  else if (base === 'char' || base === 'varchar' || base === 'blob') {
    if (f.characterSet === BINARY_CHARSET) base = 'blob';
    else base = 'text';
  } else if (base === 'null') base = 'text';
  if (base === 'decimal') {
    // the display length counts the sign (signed) and the point (scale > 0)
    const digits = (length ?? 11) - (unsigned ? 0 : 1) - (f.decimals > 0 ? 1 : 0);
    return { base, unsigned, length: Math.max(1, digits), scale: f.decimals, boolean: false };
  }
  // fractional digits: 0..6 for temporal columns; larger values (31, 39) mean "not fixed"
  const scale = base === 'time' || base === 'datetime' || base === 'timestamp' ? (f.decimals <= 6 ? f.decimals : 6) : null;
  return { base, unsigned, length, scale, boolean: base === 'tinyint' && length === 1 };
}

const MAX_DECIMAL_PRECISION = 65;
const MAX_DECIMAL_SCALE = 30;
const MAX_CHAR_LENGTH = 255;

const unsupportedForWrite = (t: PgType, why = '') =>
  new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `type ${formatType(t)} cannot be stored in MySQL${why}`);

/**
 * The MySQL column type that stores values of `t` (CREATE TABLE). Unconstrained numeric is
 * DECIMAL(65,30); timestamptz is DATETIME(6) holding UTC; uuid is CHAR(36).
 */
export function mysqlColumnType(t: PgType): string {
  if (t.elem) throw unsupportedForWrite(t);
  switch (t.name) {
    case 'bool': return 'BOOLEAN';
    case 'int2': return 'SMALLINT';
    case 'int4': return 'INT';
    case 'int8': return 'BIGINT';
    case 'float4': return 'FLOAT';
    case 'float8': return 'DOUBLE';
    case 'numeric': {
      if (t.typmod < 4) return `DECIMAL(${MAX_DECIMAL_PRECISION},${MAX_DECIMAL_SCALE})`;
      const p = numericPrecision(t.typmod);
      const s = numericScale(t.typmod);
      if (p > MAX_DECIMAL_PRECISION || s > MAX_DECIMAL_SCALE || s < 0) {
        throw unsupportedForWrite(t, ` (DECIMAL allows precision ≤ ${MAX_DECIMAL_PRECISION} and scale 0..${MAX_DECIMAL_SCALE})`);
      }
      return `DECIMAL(${p},${s})`;
    }
    case 'text': case 'name': return 'LONGTEXT';
    case 'varchar': return t.typmod >= 4 ? `VARCHAR(${t.typmod - 4})` : 'LONGTEXT';
    case 'bpchar': {
      const n = t.typmod >= 4 ? t.typmod - 4 : 1;
      if (n > MAX_CHAR_LENGTH) throw unsupportedForWrite(t, ` (CHAR holds at most ${MAX_CHAR_LENGTH} characters)`);
      return `CHAR(${n})`;
    }
    case 'char': return 'CHAR(1)';
    case 'bytea': return 'LONGBLOB';
    case 'date': return 'DATE';
    case 'time': return `TIME(${t.typmod >= 0 ? t.typmod : 6})`;
    case 'timestamp': case 'timestamptz': return `DATETIME(${t.typmod >= 0 ? t.typmod : 6})`;
    case 'json': case 'jsonb': return 'JSON';
    case 'uuid': return 'CHAR(36)';
    default: throw unsupportedForWrite(t);
  }
}
