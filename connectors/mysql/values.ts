/**
 * Values between mysql2 and Lakegate datums. Rows arrive through the binary protocol with
 * exact representations (see `DRIVER_OPTIONS` in client.ts): integers up to 32 bits and
 * floating point as numbers, BIGINT and DECIMAL as strings, temporal values as strings, JSON
 * as text, binary strings as Buffers. Values sent to MySQL are strings (or Buffers for bytea):
 * MySQL converts them to the column's type exactly, and the driver never expands them.
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { DATE_NEG_INFINITY, DATE_POS_INFINITY, daysFromCivil, formatDate, formatTime, formatTimestamp, TIMESTAMP_NEG_INFINITY, TIMESTAMP_POS_INFINITY, USECS_PER_DAY } from '../../engine/types/datetime.js';
import { Numeric } from '../../engine/types/numeric.js';
import { formatType, type PgType } from '../../engine/types/pg-type.js';
import { applyStringTypmod } from '../../engine/types/text-codec.js';

/** What the driver hands over for one non-NULL value. */
type DriverValue = number | string | bigint | Buffer;

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

const outOfRange = (value: unknown, type: PgType) =>
  new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `MySQL value ${String(value)} is out of range for type ${formatType(type)}`);
const badTemporal = (value: string, type: PgType) =>
  new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, `MySQL value "${value}" is not a valid ${formatType(type)}`, {
    hint: 'MySQL zero dates (0000-00-00) and times outside 00:00:00..24:00:00 have no PostgreSQL equivalent.',
  });

const text = (v: DriverValue): string => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/** A big-endian unsigned integer (BIT columns). */
function bitsValue(b: Buffer): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

function toBigInt(v: DriverValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (Buffer.isBuffer(v)) return bitsValue(v);
  return BigInt(v);
}

/** The value of `length` decimal digits of s at `at`, or NaN. */
function digits(s: string, at: number, length: number): number {
  let v = 0;
  for (let i = at; i < at + length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** Days of a "YYYY-MM-DD…" text (MySQL's date output). */
function parseDate(s: string, type: PgType): number {
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (!(y > 0 && mo > 0 && d > 0) || s[4] !== '-' || s[7] !== '-') throw badTemporal(s, type);
  return daysFromCivil(y, mo, d);
}

/** Microseconds of a "[-]H+:MM:SS[.f]" clock (a number: at most 838 hours). */
function clockMicros(s: string, type: PgType): number {
  const m = /^(-?)(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(s);
  if (!m) throw badTemporal(s, type);
  const us = ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4])) * 1_000_000 + Number((m[5] ?? '').padEnd(6, '0'));
  return m[1] ? -us : us;
}

/** Microseconds since 1970 of a "YYYY-MM-DD HH:MM:SS[.f]" text. */
function parseTimestamp(s: string, type: PgType): bigint {
  const days = parseDate(s, type);
  if (s.length === 10) return BigInt(days) * USECS_PER_DAY;
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const frac = s.length > 20 ? digits(s, 20, s.length - 20) * 10 ** (26 - s.length) : 0;
  if (s[10] !== ' ' || Number.isNaN(h + mi + sec + frac) || (s.length > 19 && s[19] !== '.')) throw badTemporal(s, type);
  return BigInt(days) * USECS_PER_DAY + BigInt(((h * 60 + mi) * 60 + sec) * 1_000_000 + frac);
}

/** numeric_in for MySQL's DECIMAL text ("-123.45"): small values without BigInt. */
function parseDecimal(s: string): Numeric {
  const point = s.indexOf('.');
  const scale = point < 0 ? 0 : s.length - point - 1;
  const digitsText = point < 0 ? s : s.slice(0, point) + s.slice(point + 1);
  if (digitsText.length <= 15) {
    const u = Number(digitsText);
    if (Number.isSafeInteger(u)) return Numeric.fromSafeInteger(u, scale);
  }
  return Numeric.fromString(s);
}

/** Converts one driver value (never null) of a column of `type` to its datum. */
export function decoderFor(type: PgType): (v: DriverValue) => unknown {
  switch (type.name) {
    case 'bool':
      return (v) => (Buffer.isBuffer(v) ? v.some((b) => b !== 0) : typeof v === 'string' ? v !== '0' : Number(v) !== 0);
    case 'int2':
    case 'int4': {
      const [lo, hi] = type.name === 'int2' ? [-32768, 32767] : [-2147483648, 2147483647];
      return (v) => {
        const n = typeof v === 'number' ? v : Number(toBigInt(v));
        if (!Number.isInteger(n) || n < lo || n > hi) throw outOfRange(v, type);
        return n;
      };
    }
    case 'int8':
      return (v) => {
        const n = toBigInt(v);
        if (n < INT8_MIN || n > INT8_MAX) throw outOfRange(v, type);
        return n;
      };
    case 'numeric':
      return (v) => (Buffer.isBuffer(v) ? Numeric.fromBigInt(bitsValue(v)) : typeof v === 'string' ? parseDecimal(v) : Numeric.fromString(String(v)));
    case 'float4':
    case 'float8':
      return (v) => (typeof v === 'number' ? v : Number(text(v)));
    case 'bytea':
      return (v) => (Buffer.isBuffer(v) ? new Uint8Array(v) : new TextEncoder().encode(text(v)));
    case 'bpchar':
      return (v) => applyStringTypmod(text(v), type, true);
    case 'date':
      return (v) => parseDate(text(v), type);
    case 'timestamp':
      return (v) => parseTimestamp(text(v), type);
    case 'time':
      return (v) => {
        const s = text(v);
        const us = clockMicros(s, type);
        if (us < 0 || us > 86_400_000_000) throw badTemporal(s, type);
        return BigInt(us);
      };
    default:
      return text;
  }
}

const cannotStore = (what: string, type: PgType) =>
  new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `MySQL cannot store ${what} in a column of type ${formatType(type)}`);
const cannotStoreTemporal = (what: string, type: PgType) =>
  new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, `MySQL cannot store ${what} in a column of type ${formatType(type)}`, {
    hint: 'MySQL dates and timestamps range over the years 1 to 9999, without BC dates or infinity.',
  });

/** Checks an ISO date(time) text is one MySQL can store (no BC, no infinity, 4-digit year). */
function storableTemporal(s: string, type: PgType): string {
  if (!/^\d{4}-/.test(s) || s.endsWith(' BC')) throw cannotStoreTemporal(s, type);
  return s;
}

/** Converts a datum of `type` (never null) to the value bound for MySQL. */
export function encoderFor(type: PgType): (datum: unknown) => string | Buffer {
  switch (type.name) {
    case 'bool':
      return (d) => (d ? '1' : '0');
    case 'int2': case 'int4': case 'int8':
      return (d) => String(d);
    case 'float4': case 'float8':
      return (d) => {
        const x = d as number;
        if (!Number.isFinite(x)) throw cannotStore(String(x), type);
        return String(x);
      };
    case 'numeric':
      return (d) => {
        const s = (d as Numeric).toString();
        if (!/^-?\d/.test(s)) throw cannotStore(s, type);
        return s;
      };
    case 'bytea':
      return (d) => {
        const b = d as Uint8Array;
        return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      };
    case 'date':
      return (d) => {
        const days = d as number;
        if (days === DATE_POS_INFINITY || days === DATE_NEG_INFINITY) throw cannotStoreTemporal(formatDate(days), type);
        return storableTemporal(formatDate(days), type);
      };
    case 'timestamp': case 'timestamptz':
      return (d) => {
        const ts = d as bigint;
        if (ts === TIMESTAMP_POS_INFINITY || ts === TIMESTAMP_NEG_INFINITY) throw cannotStoreTemporal(formatTimestamp(ts), type);
        return storableTemporal(formatTimestamp(ts), type);
      };
    case 'time':
      return (d) => formatTime(d as bigint);
    default:
      return (d) => String(d);
  }
}
