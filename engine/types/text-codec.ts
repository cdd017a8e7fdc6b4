/**
 * PostgreSQL's text input/output functions for every type in pg-type.ts: formatText is the
 * typoutput function (what a DataRow in text format carries), parseText the typinput function
 * with typmod (what a text parameter, COPY FROM or a literal cast reads), with PG's error texts.
 */
import { regNameResolver } from './reg-names.js';
import { SqlError, SqlState } from '../errors/index.js';
import {
  formatDate,
  formatTime,
  formatTimestamp,
  formatTimestamptz,
  parseDate,
  parseTime,
  parseTimestamp,
  parseTimestamptz,
} from './datetime.js';
import { parseFloatText, formatFloat, trimCSpace } from './float-text.js';
import { formatInterval, type Interval, parseInterval } from './interval.js';
import { normalizeJsonb, validateJson } from './jsonb.js';
import { Numeric } from './numeric.js';
import { formatType, numericPrecision, numericScale, type PgType, type RecordField } from './pg-type.js';

/** Settings that change how values are written as text (same shape as engine/api.ts FormatSettings). */
export interface FormatSettings {
  readonly dateStyle: string;
  readonly timeZone: string;
  readonly intervalStyle: string;
  readonly extraFloatDigits: number;
  readonly byteaOutput: string;
}

/** PostgreSQL's defaults. */
export const DEFAULT_FORMAT_SETTINGS: FormatSettings = {
  dateStyle: 'ISO, MDY',
  timeZone: 'UTC',
  intervalStyle: 'postgres',
  extraFloatDigits: 1,
  byteaOutput: 'hex',
};

// ---- output ----------------------------------------------------------------------------------

/** typoutput: the text PostgreSQL sends for a (non-NULL) datum of `type`. */
export function formatText(type: PgType, datum: unknown, settings: FormatSettings): string {
  if (type.elem) return formatArray(type.elem, datum as readonly unknown[], settings);
  if (type.fields) return formatRecord(type.fields, datum as readonly unknown[], settings);
  switch (type.name) {
    case 'bool': return datum ? 't' : 'f';
    case 'regclass': case 'regtype': case 'regproc':
      return datum === 0 ? '-' : (regNameResolver()?.output(type.name, datum as number) ?? String(datum));
    case 'int2': case 'int4': case 'int8':
    case 'oid': case 'xid':
      return String(datum);
    case 'float4': return formatFloat(datum as number, settings.extraFloatDigits, true);
    case 'float8': return formatFloat(datum as number, settings.extraFloatDigits, false);
    case 'numeric': return (datum as Numeric).toString();
    case 'bytea': return formatBytea(datum as Uint8Array, settings.byteaOutput);
    case 'date': return formatDate(datum as number, settings.dateStyle);
    case 'time': return formatTime(datum as bigint);
    case 'timestamp': return formatTimestamp(datum as bigint, settings.dateStyle);
    case 'timestamptz': return formatTimestamptz(datum as bigint, settings);
    case 'interval': return formatInterval(datum as Interval, settings.intervalStyle);
    default: return datum as string;
  }
}

/**
 * `formatText` for one column, chosen once: takes the values as vectors store them (booleans
 * as 0/1), with the common types formatted without going through the type switch per value.
 */
export function textFormatter(type: PgType, settings: FormatSettings): (stored: unknown) => string {
  if (type.elem) return (d) => formatText(type, d, settings);
  switch (type.name) {
    case 'bool': return (d) => (d ? 't' : 'f');
    case 'int2': case 'int4': case 'int8': return (d) => String(d);
    case 'text': case 'varchar': case 'bpchar': case 'name': return (d) => d as string;
    case 'numeric': return (d) => (d as Numeric).toString();
    default: return (d) => formatText(type, d, settings);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** byteaout: '\x…' (hex) or the escape format. */
export function formatBytea(bytes: Uint8Array, byteaOutput = 'hex'): string {
  if (byteaOutput.toLowerCase() !== 'escape') {
    let out = '\\x';
    for (const b of bytes) out += HEX[b];
    return out;
  }
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b > 0x7e) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

/** array_out for one-dimensional arrays. */
function formatArray(elem: PgType, items: readonly unknown[], settings: FormatSettings): string {
  const parts = items.map((x) => (x === null || x === undefined ? 'NULL' : quoteArrayElement(formatText(elem, x, settings))));
  return '{' + parts.join(',') + '}';
}

/** record_out: `(a,,"b c")`; a NULL field is empty; a value that is empty or holds `"`, `\`, `(`, `)`, `,` or white space is quoted, `"` and `\` doubled. */
function formatRecord(fields: readonly RecordField[], values: readonly unknown[], settings: FormatSettings): string {
  const parts = fields.map((f, i) => {
    const v = values[i];
    if (v === null || v === undefined) return '';
    const s = formatText(f.type, v, settings);
    return s !== '' && !/["\\(),\s]/.test(s) ? s : '"' + s.replace(/["\\]/g, '$&$&') + '"';
  });
  return '(' + parts.join(',') + ')';
}

function quoteArrayElement(s: string): string {
  if (s !== '' && s.toUpperCase() !== 'NULL' && !/["\\{},\s]/.test(s)) return s;
  return '"' + s.replace(/["\\]/g, '\\$&') + '"';
}

// ---- input -----------------------------------------------------------------------------------

const invalid = (typeName: string, text: string) =>
  new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid input syntax for type ${typeName}: "${text}"`);

/** typinput with the type's typmod applied (as COPY FROM / a text parameter reads a value). */
export function parseText(type: PgType, text: string, settings: FormatSettings): unknown {
  if (type.elem) return parseArray(text, (s) => parseText(type.elem!, s, settings));
  switch (type.name) {
    case 'bool': return parseBool(text);
    case 'int2': return parseInteger(text, 'smallint');
    case 'int4': return parseInteger(text, 'integer');
    case 'int8': return parseInteger(text, 'bigint');
    case 'oid': case 'xid': case 'regclass': case 'regtype': case 'regproc':
      return parseOid(text, type.name);
    case 'float4': return parseFloatText(text, true);
    case 'float8': return parseFloatText(text, false);
    case 'numeric': {
      const n = Numeric.fromString(text);
      return type.typmod >= 4 ? n.withTypmod(numericPrecision(type.typmod), numericScale(type.typmod)) : n;
    }
    case 'bytea': return parseBytea(text);
    case 'date': return parseDate(text, settings);
    case 'time': return roundToPrecision(parseTime(text, settings), type.typmod);
    case 'timestamp': return roundTimestamp(parseTimestamp(text, settings), type.typmod);
    case 'timestamptz': return roundTimestamp(parseTimestamptz(text, settings), type.typmod);
    case 'interval': return roundInterval(parseInterval(text, settings.intervalStyle), type.typmod);
    case 'uuid': return parseUuid(text);
    case 'json': return validateJson(text);
    case 'jsonb': return normalizeJsonb(text);
    case 'name': return truncateBytes(text, 63);
    case 'char': return [...text][0] ?? '';
    case 'bpchar': case 'varchar': return applyStringTypmod(text, type, false);
    default: return text;
  }
}

const BOOL_TRUE = ['true', 'yes', 'on', '1'];
const BOOL_FALSE = ['false', 'no', 'off', '0'];

/** boolin: any unique prefix of true/false/yes/no, on/off, 1/0 (case-insensitive). */
export function parseBool(text: string): boolean {
  const s = trimCSpace(text).toLowerCase();
  const matches = (words: string[]) => s.length > 0 && words.some((w) => w.startsWith(s) && (s.length > 1 || !w.startsWith('o')));
  if (matches(BOOL_TRUE)) return true;
  if (matches(BOOL_FALSE)) return false;
  throw invalid('boolean', text);
}

const INT_RANGES = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
} as const;
const INT_RE = /^[ \t\n\r\v\f]*([+-]?\d+)[ \t\n\r\v\f]*$/;

/** int2in / int4in / int8in (int8 gives a bigint, the others a number). */
export function parseInteger(text: string, typeName: keyof typeof INT_RANGES): number | bigint {
  const m = INT_RE.exec(text);
  if (!m) throw invalid(typeName, text);
  const v = BigInt(m[1]!);
  const [lo, hi] = INT_RANGES[typeName];
  if (v < lo || v > hi) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value "${text}" is out of range for type ${typeName}`);
  }
  return typeName === 'bigint' ? v : Number(v);
}

/** oidin: unsigned 32-bit; negative input wraps like strtoul. */
function parseRegName(text: string, typeName: 'regclass' | 'regtype' | 'regproc'): number {
  if (typeName === 'regproc' && text.trim() === '-') return 0;
  const oid = regNameResolver()?.input(typeName, text);
  if (oid !== undefined) return oid;
  if (typeName === 'regclass') throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${text}" does not exist`);
  if (typeName === 'regtype') throw new SqlError(SqlState.UNDEFINED_OBJECT, `type "${text}" does not exist`);
  throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function "${text}" does not exist`);
}

function parseOid(text: string, typeName: string): number {
  const m = INT_RE.exec(text);
  if (!m && (typeName === 'regclass' || typeName === 'regtype' || typeName === 'regproc')) return parseRegName(text, typeName);
  if (!m) throw invalid(typeName, text);
  const v = BigInt(m[1]!);
  if (v > 4294967295n || v < -2147483648n) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value "${text}" is out of range for type ${typeName}`);
  }
  return Number(BigInt.asUintN(32, v));
}

/** byteain: '\x' hex (whitespace between digit pairs allowed) or the escape format. */
export function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) return parseHex(text.slice(2));
  const out: number[] = [];
  const raw = new TextEncoder().encode(text);
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== 0x5c) {
      out.push(b);
      continue;
    }
    if (raw[i + 1] === 0x5c) {
      out.push(0x5c);
      i++;
      continue;
    }
    const oct = String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0, raw[i + 3] ?? 0);
    if (!/^[0-3][0-7][0-7]$/.test(oct)) throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, 'invalid input syntax for type bytea');
    out.push(Number.parseInt(oct, 8));
    i += 3;
  }
  return Uint8Array.from(out);
}

function parseHex(hex: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < hex.length; ) {
    const c = hex[i]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const hi = Number.parseInt(c, 16);
    if (Number.isNaN(hi)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid hexadecimal digit: "${c}"`);
    const d = hex[i + 1];
    if (d === undefined) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'invalid hexadecimal data: odd number of digits');
    const lo = Number.parseInt(d, 16);
    if (Number.isNaN(lo)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid hexadecimal digit: "${d}"`);
    out.push(hi * 16 + lo);
    i += 2;
  }
  return Uint8Array.from(out);
}

const UUID_RE = /^[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}$/i;

/** uuid_in: braces optional, hyphens after any group of four digits; canonical lower case out. */
export function parseUuid(text: string): string {
  const braced = text.startsWith('{') && text.endsWith('}');
  const body = braced ? text.slice(1, -1) : text;
  if (!UUID_RE.test(body)) throw invalid('uuid', text);
  const h = body.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A string cut to at most `max` UTF-8 bytes without splitting a character (name input). */
function truncateBytes(s: string, max: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const n = new TextEncoder().encode(ch).length;
    if (bytes + n > max) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/**
 * varchar(n)/bpchar(n) typmod: bpchar pads with spaces to n; a longer value is truncated when
 * the cast is explicit or the excess is only spaces, and otherwise fails with 22001.
 */
export function applyStringTypmod(s: string, type: PgType, explicit: boolean): string {
  if (type.typmod < 4) return s;
  const n = type.typmod - 4;
  const chars = [...s];
  if (chars.length > n) {
    if (!explicit && chars.slice(n).some((c) => c !== ' ')) {
      throw new SqlError(SqlState.STRING_DATA_RIGHT_TRUNCATION, `value too long for type ${formatType(type)}`);
    }
    return chars.slice(0, n).join('');
  }
  return type.name === 'bpchar' ? s + ' '.repeat(n - chars.length) : s;
}

const SCALES = [1000000n, 100000n, 10000n, 1000n, 100n, 10n, 1n];

/** AdjustTimestampForTypmod: µs rounded (half away from zero) to `precision` fractional digits. */
export function roundToPrecision(us: bigint, precision: number): bigint {
  if (precision < 0 || precision >= 6) return us;
  const q = SCALES[precision]!;
  const half = q / 2n;
  return us >= 0n ? ((us + half) / q) * q : -(((-us + half) / q) * q);
}

const INT64_MAX = 0x7fffffffffffffffn;
const roundTimestamp = (ts: bigint, typmod: number): bigint =>
  ts === INT64_MAX || ts === -INT64_MAX - 1n ? ts : roundToPrecision(ts, typmod);

/** interval(p): the precision lives in the low 16 bits of the typmod (0xFFFF = full). */
export function roundInterval(iv: Interval, typmod: number): Interval {
  const precision = typmod < 0 ? -1 : typmod & 0xffff;
  if (precision === 0xffff || precision < 0) return iv;
  return { months: iv.months, days: iv.days, micros: roundToPrecision(iv.micros, precision) };
}

// ---- arrays ----------------------------------------------------------------------------------

/** array_in for one-dimensional arrays; elements go through `parseElement`, NULL → null. */
export function parseArray(text: string, parseElement: (s: string) => unknown): unknown[] {
  const malformed = (detail: string) => new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `malformed array literal: "${text}"`, { detail });
  let i = 0;
  const skipWs = () => {
    while (i < text.length && /[ \t\n\r\v\f]/.test(text[i]!)) i++;
  };
  skipWs();
  const dims = /^\[-?\d+:-?\d+\]=/.exec(text.slice(i));
  if (dims) i += dims[0].length;
  skipWs();
  if (text[i] !== '{') throw malformed('Array value must start with "{" or dimension information.');
  i++;
  const items: unknown[] = [];
  skipWs();
  if (text[i] === '}') {
    i++;
  } else {
    for (;;) {
      skipWs();
      const c = text[i];
      if (c === undefined) throw malformed('Unexpected end of input.');
      if (c === '{') throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'multidimensional arrays are not supported');
      if (c === ',' || c === '}') throw malformed(`Unexpected "${c}" character.`);
      let value = '';
      let quotedOrEscaped = false;
      if (c === '"') {
        quotedOrEscaped = true;
        i++;
        for (;;) {
          const d = text[i++];
          if (d === undefined) throw malformed('Unexpected end of input.');
          if (d === '"') break;
          if (d === '\\') {
            const e = text[i++];
            if (e === undefined) throw malformed('Unexpected end of input.');
            value += e;
          } else value += d;
        }
      } else {
        let trailingWs = 0;
        for (;;) {
          const d = text[i];
          if (d === undefined) throw malformed('Unexpected end of input.');
          if (d === ',' || d === '}') break;
          if (d === '"' || d === '{') throw malformed(`Unexpected "${d}" character.`);
          i++;
          if (d === '\\') {
            const e = text[i++];
            if (e === undefined) throw malformed('Unexpected end of input.');
            value += e;
            quotedOrEscaped = true;
            trailingWs = 0;
          } else {
            value += d;
            trailingWs = /[ \t\n\r\v\f]/.test(d) ? trailingWs + 1 : 0;
          }
        }
        value = value.slice(0, value.length - trailingWs);
      }
      items.push(!quotedOrEscaped && value.toUpperCase() === 'NULL' ? null : parseElement(value));
      skipWs();
      const sep = text[i++];
      if (sep === '}') break;
      if (sep !== ',') throw malformed(sep === undefined ? 'Unexpected end of input.' : `Unexpected "${sep}" character.`);
    }
  }
  skipWs();
  if (i < text.length) throw malformed('Junk after closing right brace.');
  return items;
}
