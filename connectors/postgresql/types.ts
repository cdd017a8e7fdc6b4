/**
 * The one place where PostgreSQL server types meet Lakegate's types (which are PostgreSQL's,
 * see engine/types/pg-type.ts): which remote types a table column may have, the SQL that names a
 * Lakegate type on the server, and the text forms values travel in both ways.
 *
 * | remote type                                                   | Lakegate type                    |
 * |---------------------------------------------------------------|----------------------------------|
 * | boolean, smallint, integer, bigint, real, double precision    | the same                         |
 * | numeric(p,s), character varying(n), character(n), timestamp(p), time(p), interval fields(p) | the same, typmod kept |
 * | text, "char", name, bytea, date, timestamptz, uuid, json, jsonb, oid | the same                  |
 * | arrays of the above                                           | one-dimensional arrays           |
 * | a domain                                                      | its base type (recursively)      |
 * | anything else (enum, composite, range, geometry, inet, money, timetz, bit, xml, tsvector, reg*) | left out (see README) |
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { daysFromCivil } from '../../engine/types/datetime.js';
import { parseFloatText } from '../../engine/types/float-text.js';
import { Numeric } from '../../engine/types/numeric.js';
import { arrayOf, numericPrecision, numericScale, typeByOid, type PgType } from '../../engine/types/pg-type.js';
import { parseText, textFormatter, type FormatSettings } from '../../engine/types/text-codec.js';

/**
 * How the pinned upstream session writes values as text (remote.ts pins the same settings:
 * DateStyle ISO, IntervalStyle postgres, TimeZone UTC, extra_float_digits 3, bytea_output hex).
 */
export const REMOTE_TEXT: FormatSettings = {
  dateStyle: 'ISO, MDY',
  timeZone: 'UTC',
  intervalStyle: 'postgres',
  extraFloatDigits: 3,
  byteaOutput: 'hex',
};

/** Lakegate base types a remote column may have (by pg_type.typname; OIDs are fixed in pg_catalog). */
const SUPPORTED = new Set([
  'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'bpchar', 'char', 'name',
  'bytea', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid', 'json', 'jsonb', 'oid',
]);

/** A pg_type row, for types not known by OID alone (domains, arrays of domains, extension types). */
export interface RemoteTypeRow {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** pg_type.typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  readonly kind: string;
  /** Domains: the type they constrain and its typmod. */
  readonly baseType: number;
  readonly baseTypmod: number;
  /** Arrays (typcategory 'A'): the element type; 0 otherwise. */
  readonly arrayElement: number;
}

export type TypeMapping = { readonly type: PgType } | { readonly unsupported: string };

/** The Lakegate type of a built-in type OID, when Lakegate represents it. */
function builtIn(oid: number, typmod: number): PgType | undefined {
  const t = typeByOid(oid, typmod);
  if (!t) return undefined;
  if (t.elem) return SUPPORTED.has(t.elem.name) ? arrayOf(typeByOid(t.elem.oid, typmod)!) : undefined;
  return SUPPORTED.has(t.name) ? t : undefined;
}

/** True when mapping `oid` needs its pg_type row (it is not a built-in Lakegate type). */
export const needsTypeRow = (oid: number): boolean => builtIn(oid, -1) === undefined;

/**
 * The Lakegate type of a remote column of type `oid` with `typmod` (pg_attribute.atttypmod, or
 * a RowDescription's type modifier). `rows` holds the pg_type rows of every non-built-in type
 * involved (see needsTypeRow; domains and array elements are followed).
 */
export function mapRemoteType(oid: number, typmod: number, rows: ReadonlyMap<number, RemoteTypeRow>): TypeMapping {
  const known = builtIn(oid, typmod);
  if (known) return { type: known };
  const row = rows.get(oid);
  if (!row) return { unsupported: `type with OID ${oid}` };
  const label = `${row.schema}.${row.name}`;
  if (row.kind === 'd') return mapRemoteType(row.baseType, typmod >= 0 ? typmod : row.baseTypmod, rows);
  if (row.arrayElement !== 0) {
    const element = mapRemoteType(row.arrayElement, typmod, rows);
    if ('unsupported' in element) return { unsupported: `${label} (array of ${element.unsupported})` };
    if (element.type.elem) return { unsupported: `${label} (array of arrays)` };
    return { type: arrayOf(element.type) };
  }
  const what = KIND_NAMES[row.kind] ?? 'type';
  return { unsupported: `${label} (${what})` };
}

const KIND_NAMES: Record<string, string> = {
  b: 'base type Lakegate cannot represent', c: 'composite type', e: 'enum type', p: 'pseudo-type', r: 'range type', m: 'multirange type',
};

// ---- Lakegate types as SQL for the server ----------------------------------------------------

/** The name of `t` without modifiers, schema-qualified, for parameter casts: `pg_catalog.int4[]`. */
export function castName(t: PgType): string {
  if (t.elem) return `${castName(t.elem)}[]`;
  return t.name === 'char' ? 'pg_catalog."char"' : `pg_catalog.${t.name}`;
}

/** The full type, modifiers included, for CREATE TABLE and CAST: `numeric(12,2)`, `timestamp(3) without time zone`. */
export function typeSql(t: PgType): string {
  if (t.elem) return `${typeSql(t.elem)}[]`;
  const mod = t.typmod;
  const precision = mod >= 0 ? `(${mod})` : '';
  switch (t.name) {
    case 'bool': return 'boolean';
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'numeric': return mod >= 4 ? `numeric(${numericPrecision(mod)},${numericScale(mod)})` : 'numeric';
    case 'varchar': return mod >= 4 ? `character varying(${mod - 4})` : 'character varying';
    case 'bpchar': return mod >= 4 ? `character(${mod - 4})` : 'pg_catalog.bpchar';
    case 'time': return `time${precision} without time zone`;
    case 'timestamp': return `timestamp${precision} without time zone`;
    case 'timestamptz': return `timestamp${precision} with time zone`;
    case 'interval': return intervalSql(mod);
    default:
      if (!SUPPORTED.has(t.name)) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `type ${t.name} cannot be stored in PostgreSQL through Lakegate`);
      return castName(t);
  }
}

// INTERVAL typmods as PostgreSQL encodes them: field mask << 16 | precision.
const MONTH = 1 << 1, YEAR = 1 << 2, DAY = 1 << 3, HOUR = 1 << 10, MINUTE = 1 << 11, SECOND = 1 << 12;
const INTERVAL_FULL_RANGE = 0x7fff;
const INTERVAL_FULL_PRECISION = 0xffff;
const INTERVAL_FIELDS = new Map<number, string>([
  [YEAR, ' year'], [MONTH, ' month'], [DAY, ' day'], [HOUR, ' hour'], [MINUTE, ' minute'], [SECOND, ' second'],
  [YEAR | MONTH, ' year to month'], [DAY | HOUR, ' day to hour'], [DAY | HOUR | MINUTE, ' day to minute'],
  [DAY | HOUR | MINUTE | SECOND, ' day to second'], [HOUR | MINUTE, ' hour to minute'],
  [HOUR | MINUTE | SECOND, ' hour to second'], [MINUTE | SECOND, ' minute to second'],
]);

function intervalSql(mod: number): string {
  if (mod < 0) return 'interval';
  const range = (mod >> 16) & INTERVAL_FULL_RANGE;
  const precision = mod & 0xffff;
  const fields = range === INTERVAL_FULL_RANGE ? '' : INTERVAL_FIELDS.get(range) ?? '';
  return `interval${fields}${precision === INTERVAL_FULL_PRECISION ? '' : `(${precision})`}`;
}

// ---- values ------------------------------------------------------------------------------------

const UNSENDABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text PostgreSQL can receive unchanged in UTF-8: no NUL (text cannot hold it) and no lone
 * UTF-16 surrogate (it has no UTF-8 form; the driver would send U+FFFD instead).
 */
export const isSendableText = (s: string): boolean => !UNSENDABLE.test(s);

/**
 * Text sent by the pinned session → datum, chosen once per column. The server's output is
 * already canonical for the column's type, so the common types skip the general input routine.
 */
export function valueParser(t: PgType): (text: string) => unknown {
  if (t.elem) return (s) => parseText(t, s, REMOTE_TEXT);
  switch (t.name) {
    case 'bool': return (s) => s === 't';
    case 'int2': case 'int4': return Number;
    case 'int8': return BigInt;
    case 'float4': return (s) => parseFloatText(s, true);
    case 'float8': return (s) => parseFloatText(s, false);
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'json': case 'uuid': return (s) => s;
    // The server's output already has the column's scale and precision.
    case 'numeric': return (s) => Numeric.fromString(s);
    case 'date': return (s) => (ISO_DATE.test(s) ? isoDays(s) : parseText(t, s, REMOTE_TEXT));
    case 'timestamp': return (s) => (ISO_TIMESTAMP.test(s) ? isoMicros(s) : parseText(t, s, REMOTE_TEXT));
    // TimeZone is pinned to UTC: the offset is always +00.
    case 'timestamptz': return (s) => (ISO_TIMESTAMP_UTC.test(s) ? isoMicros(s) : parseText(t, s, REMOTE_TEXT));
    default: return (s) => parseText(t, s, REMOTE_TEXT);
  }
}

// DateStyle ISO output of years 1–9999 AD; other years, BC and ±infinity take the general routine.
const ISO_DATE = /^\d{4}-\d\d-\d\d$/;
const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?$/;
const ISO_TIMESTAMP_UTC = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?\+00$/;

const isoDays = (s: string): number => daysFromCivil(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)));

/** Microseconds since 1970-01-01 00:00 of `YYYY-MM-DD HH:MM:SS[.ffffff]` (any suffix after it ignored). */
function isoMicros(s: string): bigint {
  const seconds = isoDays(s) * 86_400 + Number(s.slice(11, 13)) * 3_600 + Number(s.slice(14, 16)) * 60 + Number(s.slice(17, 19));
  const fraction = s[19] === '.' ? /^\.(\d+)/.exec(s.slice(19))![1]! : '';
  return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(6, '0') || '0');
}

/** Datum (as vectors store it) → text the server parses back to the same value. */
export const valueFormatter = (t: PgType): ((stored: unknown) => string) => textFormatter(t, REMOTE_TEXT);
