/**
 * Column types: the type names a Trino table description uses, mapped onto PostgreSQL types in
 * this one place, and the value conversions every decoder shares (range checks, typmods, the
 * 22P02 error of a value a decoder cannot read as its column's type).
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { applyTypmod } from '../../engine/types/cast.js';
import { formatType, T, typeByName, type PgType } from '../../engine/types/pg-type.js';
import { parseTypeText } from '../../engine/types/type-names.js';

/** Trino type names (upper case, as descriptions write them) → PostgreSQL types. */
const TRINO_TYPES: Readonly<Record<string, PgType>> = {
  BIGINT: T.int8,
  INTEGER: T.int4,
  INT: T.int4,
  SMALLINT: T.int2,
  // PostgreSQL has no one-byte integer; the decoders keep TINYINT's range (-128..127)
  TINYINT: T.int2,
  DOUBLE: T.float8,
  REAL: T.float4,
  BOOLEAN: T.bool,
  VARCHAR: T.text,
  VARBINARY: T.bytea,
  DATE: T.date,
  TIME: T.time,
  TIMESTAMP: T.timestamp,
  'TIMESTAMP WITH TIME ZONE': T.timestamptz,
  JSON: T.json,
};

/** Ranges the integer types hold; TINYINT columns are int2 with a narrower range. */
const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  tinyint: [-128n, 127n],
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

/** A column's type as a description declares it. */
export interface DeclaredType {
  readonly type: PgType;
  /** The declared name was TINYINT: values must fit in one signed byte. */
  readonly tinyint: boolean;
}

/**
 * The PostgreSQL type of a description's `type`: a Trino name (BIGINT, VARCHAR(20), DOUBLE,
 * TIMESTAMP(3) WITH TIME ZONE, …) or else a PostgreSQL type name (int8, text, …).
 */
export function declaredType(name: string): DeclaredType {
  const text = name.trim().replace(/\s+/g, ' ');
  const upper = text.toUpperCase();
  const exact = TRINO_TYPES[upper];
  if (exact) return { type: exact, tinyint: upper === 'TINYINT' };
  const varchar = /^VARCHAR\((\d+)\)$/.exec(upper);
  if (varchar) return { type: typeByName('varchar', Number(varchar[1]) + 4), tinyint: false };
  const temporal = /^(TIME|TIMESTAMP)\((\d)\)( WITH TIME ZONE)?$/.exec(upper);
  if (temporal) {
    const base = temporal[1] === 'TIME' ? 'time' : temporal[3] ? 'timestamptz' : 'timestamp';
    if (base === 'time' && temporal[3]) throw unsupportedType(name);
    return { type: typeByName(base, Math.min(Number(temporal[2]), 6)), tinyint: false };
  }
  const decimal = /^DECIMAL\((\d+)(?:,\s*(\d+))?\)$/.exec(upper);
  if (decimal) return { type: parseTypeText(`numeric(${decimal[1]},${decimal[2] ?? 0})`), tinyint: false };
  try {
    return { type: parseTypeText(text.toLowerCase()), tinyint: false };
  } catch {
    throw unsupportedType(name);
  }
}

const unsupportedType = (name: string) => new SqlError(SqlState.CONFIG_FILE_ERROR, `unknown column type "${name}"`);

/** What one decoded value is for: its column, for error messages and range checks. */
export interface ValueTarget {
  readonly name: string;
  readonly type: PgType;
  readonly tinyint: boolean;
}

/** The 22P02 error of a value that cannot be read as its column's type (Trino fails the query too). */
export function cannotRead(value: string, target: ValueTarget, why?: string): SqlError {
  const shown = value.length > 64 ? `${value.slice(0, 61)}...` : value;
  return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `could not parse value '${shown}' as ${target.tinyint ? 'tinyint' : formatType(target.type)} for column "${target.name}"${why ? `: ${why}` : ''}`);
}

/** An integer datum of the target's type (number for int2/int4, bigint for int8), range-checked. */
export function integerDatum(value: bigint, target: ValueTarget, shown: string): number | bigint {
  const [lo, hi] = INTEGER_RANGES[target.tinyint ? 'tinyint' : target.type.name]!;
  if (value < lo || value > hi) throw cannotRead(shown, target, 'out of range');
  return target.type.name === 'int8' ? value : Number(value);
}

/** Java's Long.parseLong: an optional sign and decimal digits, nothing else. */
export function parseJavaLong(text: string): bigint | undefined {
  return /^[+-]?\d+$/.test(text) ? BigInt(text) : undefined;
}

/** Java's Double.parseDouble: surrounding blanks, decimal or hex-less forms, NaN and Infinity. */
export function parseJavaDouble(text: string): number | undefined {
  const s = text.trim().replace(/[dDfF]$/, '');
  if (/^[+-]?NaN$/.test(s)) return Number.NaN;
  if (/^[+-]?Infinity$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : undefined;
}

/** A string datum with the column's length limit applied (Trino truncates to VARCHAR(n)). */
export const textDatum = (s: string, target: ValueTarget): string => applyTypmod(s, target.type, true) as string;

/** Whether a column of this type holds integers. */
export const isInteger = (t: PgType): boolean => t.name === 'int2' || t.name === 'int4' || t.name === 'int8';

/** Whether a column of this type holds text. */
export const isText = (t: PgType): boolean => t.name === 'text' || t.name === 'varchar' || t.name === 'bpchar';
