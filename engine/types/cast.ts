/**
 * PostgreSQL's casts between the types in pg-type.ts: castDatum converts a datum (explicit
 * cast semantics), applyTypmod applies a length/precision modifier, canCast answers pg_cast's
 * castcontext, commonType is select_common_type (UNION/CASE/VALUES resolution).
 */
import { SqlError, SqlState } from '../errors/index.js';
import {
  dateToTimestamp,
  dateToTimestamptz,
  timestampToDate,
  timestampToTime,
  timestampToTimestamptz,
  timestamptzToDate,
  timestamptzToTimestamp,
} from './datetime.js';
import { type Interval, interval } from './interval.js';
import { parseJson, normalizeJsonb } from './jsonb.js';
import { Numeric } from './numeric.js';
import { type BaseTypeName, formatType, numericPrecision, numericScale, type PgType, T } from './pg-type.js';
import {
  applyStringTypmod,
  type FormatSettings,
  formatText,
  parseText,
  roundInterval,
  roundToPrecision,
} from './text-codec.js';

export type CastContext = 'implicit' | 'assignment' | 'explicit';

const STRING_TYPES = new Set(['text', 'varchar', 'bpchar', 'name', 'char', 'unknown']);
const isString = (t: PgType): boolean => STRING_TYPES.has(t.name) && !t.elem;
const INT_NAMES: Record<string, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };
const INT_LIMITS: Record<string, [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

/** Applies a typmod to a datum already of `type`'s base type (explicit: truncate strings). */
export function applyTypmod(value: unknown, type: PgType, explicit: boolean): unknown {
  if (value === null || type.typmod < 0) return value;
  if (type.elem) return (value as unknown[]).map((v) => applyTypmod(v, type.elem!, explicit));
  switch (type.name) {
    case 'varchar': case 'bpchar': return applyStringTypmod(value as string, type, explicit);
    case 'numeric': return type.typmod >= 4 ? (value as Numeric).withTypmod(numericPrecision(type.typmod), numericScale(type.typmod)) : value;
    case 'time': return roundToPrecision(value as bigint, type.typmod);
    case 'timestamp': case 'timestamptz': {
      const ts = value as bigint;
      return ts === 0x7fffffffffffffffn || ts === -0x8000000000000000n ? ts : roundToPrecision(ts, type.typmod);
    }
    case 'interval': return roundInterval(value as Interval, type.typmod);
    default: return value;
  }
}

function checkInt(v: bigint, to: string): number | bigint {
  const [lo, hi] = INT_LIMITS[to]!;
  if (v < lo || v > hi) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `${INT_NAMES[to]} out of range`);
  return to === 'int8' ? v : Number(v);
}

/** C rint(): half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function floatToInt(v: number, to: string): number | bigint {
  if (!Number.isFinite(v)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `${INT_NAMES[to]} out of range`);
  const r = rint(v);
  if (to === 'int8' && (r >= 9223372036854775808 || r < -9223372036854775808)) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'bigint out of range');
  }
  return checkInt(BigInt(r), to);
}

function numericToInt(n: Numeric, to: string): number | bigint {
  if (n.isNaN()) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot convert NaN to ${INT_NAMES[to]}`);
  if (!n.isFinite()) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot convert infinity to ${INT_NAMES[to]}`);
  return checkInt(n.toBigIntRounded(), to);
}

function numericToFloat(n: Numeric, real: boolean): number {
  const v = real ? Math.fround(n.toFloat()) : n.toFloat();
  if (n.isFinite() && (!Number.isFinite(v) || (v === 0 && !n.isZero()))) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `"${n.toString()}" is out of range for type ${real ? 'real' : 'double precision'}`);
  }
  return v;
}

function float8ToFloat4(v: number): number {
  const f = Math.fround(v);
  if (Number.isFinite(v) && !Number.isFinite(f)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: overflow');
  if (v !== 0 && f === 0) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: underflow');
  return f;
}

/** A datum of a numeric-category type as a Numeric (for numeric targets). */
function toNumeric(value: unknown, from: string): Numeric {
  switch (from) {
    case 'numeric': return value as Numeric;
    case 'float4': return Numeric.fromFloat(value as number, 6);
    case 'float8': return Numeric.fromFloat(value as number, 15);
    default: return Numeric.fromInt(value as number | bigint);
  }
}

/** Casts between the numeric-category types (ints, floats, numeric, oids); undefined if not one. */
function castNumber(value: unknown, from: string, to: string): unknown {
  const isInt = (n: string) => n in INT_LIMITS;
  const isOid = (n: string) => ['oid', 'regclass', 'regtype', 'regproc'].includes(n);
  if (to === 'numeric') return toNumeric(value, from);
  if (isInt(to)) {
    if (isInt(from)) return checkInt(BigInt(value as number | bigint), to);
    if (from === 'float4' || from === 'float8') return floatToInt(value as number, to);
    if (from === 'numeric') return numericToInt(value as Numeric, to);
    if (isOid(from)) return to === 'int4' ? (value as number) | 0 : checkInt(BigInt(value as number), to);
  }
  if (to === 'float8' || to === 'float4') {
    const real = to === 'float4';
    if (from === 'numeric') return numericToFloat(value as Numeric, real);
    if (from === 'float8' && real) return float8ToFloat4(value as number);
    if (isInt(from) || from === 'float4' || from === 'float8') return real ? Math.fround(Number(value)) : Number(value);
  }
  if (isOid(to)) {
    if (isOid(from)) return value;
    if (isInt(from)) {
      const v = BigInt(value as number | bigint);
      if (v < -2147483648n || v > 4294967295n) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'OID out of range');
      return Number(BigInt.asUintN(32, v));
    }
  }
  return undefined;
}

function castDateTime(value: unknown, from: string, to: string, tz: string): unknown {
  switch (`${from}>${to}`) {
    case 'date>timestamp': return dateToTimestamp(value as number);
    case 'date>timestamptz': return dateToTimestamptz(value as number, tz);
    case 'timestamp>date': return timestampToDate(value as bigint);
    case 'timestamptz>date': return timestamptzToDate(value as bigint, tz);
    case 'timestamp>timestamptz': return timestampToTimestamptz(value as bigint, tz);
    case 'timestamptz>timestamp': return timestamptzToTimestamp(value as bigint, tz);
    case 'timestamp>time': return timestampToTime(value as bigint);
    case 'timestamptz>time': return timestampToTime(timestamptzToTimestamp(value as bigint, tz));
    case 'time>interval': return interval(0, 0, value as bigint);
    case 'interval>time': {
      const r = (value as Interval).micros % 86_400_000_000n;
      return r < 0n ? r + 86_400_000_000n : r;
    }
  }
  return undefined;
}

/** jsonb → bool/numeric/int/float (PG 11+): only the matching scalar kind converts. */
function castFromJsonb(text: string, to: PgType): unknown {
  const v = parseJson(text, true);
  const kind = v === null ? 'null' : typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : Array.isArray(v) ? 'array' : 'num' in v ? 'numeric' : 'object';
  const wrong = () => new SqlError(SqlState.INVALID_PARAMETER_VALUE, `cannot cast jsonb ${kind} to type ${formatType(to)}`);
  if (to.name === 'bool') {
    if (typeof v !== 'boolean') throw wrong();
    return v;
  }
  if (kind !== 'numeric') throw wrong();
  return castNumber(Numeric.fromString((v as { num: string }).num), 'numeric', to.name);
}

const textOf = (value: unknown, from: PgType, settings: FormatSettings): string => {
  if (from.name === 'bool') return value ? 'true' : 'false';
  if (from.name === 'bpchar') return (value as string).replace(/ +$/, '');
  return formatText(from, value, settings);
};

/** Casts a non-NULL datum from one type to another, with explicit-cast semantics unless `explicit` is false (assignment). */
export function castDatum(value: unknown, from: PgType, to: PgType, settings: FormatSettings, explicit = true): unknown {
  if (value === null || value === undefined) return null;
  if (from.elem && to.elem) return (value as unknown[]).map((v) => castDatum(v, from.elem!, to.elem!, settings, explicit));
  const converted = convert(value, from, to, settings);
  return applyTypmod(converted, to, explicit);
}

function convert(value: unknown, from: PgType, to: PgType, settings: FormatSettings): unknown {
  const f = from.name;
  const t = to.name;
  if (from.oid === to.oid && !from.elem && !to.elem) return value;
  if (isString(to) && !to.elem) {
    const s = isString(from) && f !== 'bpchar' ? (value as string) : textOf(value, from, settings);
    if (t === 'name') return parseText(to, s, settings);
    if (t === 'char') return [...s][0] ?? '';
    return s;
  }
  if (isString(from) && !from.elem) return parseText({ ...to, typmod: -1 }, value as string, settings);
  if ((f === 'json' || f === 'jsonb') && (t === 'json' || t === 'jsonb')) return t === 'jsonb' ? normalizeJsonb(value as string) : value;
  if (f === 'jsonb') return castFromJsonb(value as string, to);
  if (f === 'bool' && t === 'int4') return value ? 1 : 0;
  if (t === 'bool' && f === 'int4') return value !== 0;
  const n = from.category === 'N' && to.category === 'N' ? castNumber(value, f, t) : undefined;
  if (n !== undefined) return n;
  const d = castDateTime(value, f, t, settings.timeZone);
  if (d !== undefined) return d;
  if (canCast(from, to) !== null) return parseText({ ...to, typmod: -1 }, formatText(from, value, settings), settings);
  throw new SqlError(SqlState.CANNOT_COERCE, `cannot cast type ${formatType(from)} to ${formatType(to)}`);
}

// ---- pg_cast ---------------------------------------------------------------------------------

type Ctx = 'i' | 'a' | 'e';
/** pg_cast rows among our types: "source>target:context" (I/O casts to and from strings are added below). */
const CASTS: Partial<Record<BaseTypeName, Partial<Record<BaseTypeName, Ctx>>>> = {
  int2: { int4: 'i', int8: 'i', float4: 'i', float8: 'i', numeric: 'i', oid: 'i', regclass: 'i', regtype: 'i', regproc: 'i' },
  int4: { int2: 'a', int8: 'i', float4: 'i', float8: 'i', numeric: 'i', bool: 'e', oid: 'i', regclass: 'i', regtype: 'i', regproc: 'i', char: 'e' },
  int8: { int2: 'a', int4: 'a', float4: 'i', float8: 'i', numeric: 'i', oid: 'i', regclass: 'i', regtype: 'i', regproc: 'i' },
  float4: { int2: 'a', int4: 'a', int8: 'a', float8: 'i', numeric: 'a' },
  float8: { int2: 'a', int4: 'a', int8: 'a', float4: 'a', numeric: 'a' },
  numeric: { int2: 'a', int4: 'a', int8: 'a', float4: 'i', float8: 'i' },
  bool: { int4: 'e' },
  oid: { int4: 'a', int8: 'a', regclass: 'i', regtype: 'i', regproc: 'i' },
  regclass: { oid: 'i', int4: 'a', int8: 'a' },
  regtype: { oid: 'i', int4: 'a', int8: 'a' },
  regproc: { oid: 'i', int4: 'a', int8: 'a' },
  text: { bpchar: 'i', varchar: 'i', name: 'i', char: 'a', regclass: 'i' },
  varchar: { text: 'i', bpchar: 'i', name: 'i', char: 'a', regclass: 'i' },
  bpchar: { text: 'i', varchar: 'i', name: 'i', char: 'a' },
  name: { text: 'i', bpchar: 'a', varchar: 'a' },
  char: { text: 'i', bpchar: 'a', varchar: 'a', int4: 'e' },
  date: { timestamp: 'i', timestamptz: 'i' },
  timestamp: { date: 'a', time: 'a', timestamptz: 'i' },
  timestamptz: { date: 'a', time: 'a', timestamp: 'a' },
  time: { interval: 'i' },
  interval: { time: 'a' },
  json: { jsonb: 'a' },
  jsonb: { json: 'a', bool: 'e', numeric: 'e', int2: 'e', int4: 'e', int8: 'e', float4: 'e', float8: 'e' },
};
const CONTEXT: Record<Ctx, CastContext> = { i: 'implicit', a: 'assignment', e: 'explicit' };

/** A pg_cast row: PostgreSQL lists these casts (not the I/O conversions to and from strings). */
export interface CastEntry {
  readonly source: BaseTypeName;
  readonly target: BaseTypeName;
  readonly context: Ctx;
  /** 'b' binary-coercible, 'i' through text I/O, 'f' by a function named after the target type. */
  readonly method: 'f' | 'i' | 'b';
}

const OID_LIKE = new Set(['int4', 'oid', 'regclass', 'regtype', 'regproc']);
const TEXT_LIKE = new Set(['text', 'varchar', 'bpchar']);

function castMethod(source: string, target: string): CastEntry['method'] {
  if (OID_LIKE.has(source) && OID_LIKE.has(target)) return 'b';
  if (TEXT_LIKE.has(source) && TEXT_LIKE.has(target) && source !== 'bpchar') return 'b';
  if ((source === 'json' || source === 'jsonb') && (target === 'json' || target === 'jsonb')) return 'i';
  return 'f';
}

/** The casts of pg_cast among Lakegate's types, with PostgreSQL's context and method. */
export const castEntries = (): CastEntry[] =>
  Object.entries(CASTS).flatMap(([source, targets]) => Object.entries(targets).map(([target, context]) => ({
    source: source as BaseTypeName, target: target as BaseTypeName, context, method: castMethod(source, target),
  })));

/** The context in which PostgreSQL allows casting `from` to `to`, or null when it never does. */
export function canCast(from: PgType, to: PgType): CastContext | null {
  if (from.elem || to.elem) {
    if (from.name === 'unknown') return 'implicit';
    if (from.elem && to.elem) return canCast(from.elem, to.elem);
    if (from.elem && isString(to) && to.name !== 'char') return 'assignment';
    if (to.elem && isString(from)) return 'explicit';
    return null;
  }
  if (from.oid === to.oid || from.name === 'unknown') return 'implicit';
  const ctx = CASTS[from.name as BaseTypeName]?.[to.name as BaseTypeName];
  if (ctx) return CONTEXT[ctx];
  if (isString(to) && to.name !== 'char') return 'assignment'; // I/O conversion to a string type
  if (isString(from)) return 'explicit'; // I/O conversion from a string type
  return null;
}

const PREFERRED = new Set(['float8', 'oid', 'text', 'timestamptz', 'interval', 'bool']);
const implicitly = (a: PgType, b: PgType) => canCast(a, b) === 'implicit';

/**
 * select_common_type: the type UNION/CASE/VALUES/COALESCE resolve their inputs to, or
 * undefined when PostgreSQL would report that the types cannot be matched.
 */
export function commonType(types: readonly PgType[]): PgType | undefined {
  const known = types.filter((t) => t.name !== 'unknown');
  if (types.length === 0) return undefined;
  if (known.length === 0) return T.text;
  const first = known[0]!;
  if (known.every((t) => t.oid === first.oid)) {
    return known.every((t) => t.typmod === first.typmod) ? first : { ...first, typmod: -1 };
  }
  let candidate = first;
  let preferred = PREFERRED.has(first.name);
  for (const t of known.slice(1)) {
    if (t.oid === candidate.oid) continue;
    if (t.category !== candidate.category) return undefined;
    if (!preferred && implicitly(candidate, t) && !implicitly(t, candidate)) {
      candidate = t;
      preferred = PREFERRED.has(t.name);
    }
  }
  const result = candidate.typmod === -1 ? candidate : { ...candidate, typmod: -1 };
  return known.every((t) => t.oid === result.oid || implicitly(t, result)) ? result : undefined;
}
