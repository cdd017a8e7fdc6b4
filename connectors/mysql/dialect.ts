/**
 * The MySQL/MariaDB dialect of the shared SQL generator (connectors/lib/sql). It relies on the
 * session every connection pins (client.ts: sql_mode with NO_BACKSLASH_ESCAPES and without
 * ANSI_QUOTES or PIPES_AS_CONCAT, utf8mb4, UTC) and takes only what MySQL computes exactly as
 * PostgreSQL does; README.md lists what is declined and why. In short:
 *
 * - text compares, sorts and groups as bytes of UTF-8 (PostgreSQL's "C" collation) through
 *   `CAST(CONVERT(x USING utf8mb4) AS BINARY)`: MySQL's collations ignore case, accents and
 *   (PAD SPACE) trailing spaces, a binary string does not;
 * - LIKE runs under utf8mb4_bin (one character per `_`, case-sensitive, trailing spaces count)
 *   with the backslash escape written out;
 * - constants are bound values inside a CAST to the type PostgreSQL compares in (float4
 *   constants are bound as their float32 value, as MySQL compares FLOAT columns as doubles);
 * - integer arithmetic only on bigint, in signed 64-bit (MySQL raises on overflow as PostgreSQL
 *   does; int4 arithmetic would not overflow in MySQL, unsigned would fail below zero);
 * - NULLS FIRST/LAST by an `x IS NULL` sort key.
 */
import { formatDate, formatTime, formatTimestamp } from '../../engine/types/datetime.js';
import type { PgType } from '../../engine/types/pg-type.js';
import { DEFAULT_FORMAT_SETTINGS, parseBytea, parseText } from '../../engine/types/text-codec.js';
import type { Numeric } from '../../engine/types/numeric.js';
import { type SqlDialect, standardCall } from '../lib/sql/index.js';

/** Types whose values compare, sort and group in MySQL as in PostgreSQL (text after binaryText). */
const COMPARABLE = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'text', 'varchar', 'date', 'timestamp', 'time', 'bytea']);
const INTEGERS = ['int2', 'int4', 'int8'];
const STRINGS = new Set(['text', 'varchar']);
const MAX_DECIMAL_PRECISION = 65;
const MAX_DECIMAL_SCALE = 30;

const is = (t: PgType | undefined, ...names: string[]) => t !== undefined && t.elem === undefined && names.includes(t.name);
const signed = (sql: string) => `CAST(${sql} AS SIGNED)`;
const binary = (sql: string) => `CAST(CONVERT(${sql} USING utf8mb4) AS BINARY)`;

/** A lone UTF-16 surrogate: not valid text, so never sent (it would arrive as U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** DECIMAL(p,s) that holds a numeric constant exactly, or undefined beyond MySQL's limits. */
function decimalFor(n: Numeric): string | undefined {
  const text = n.toString();
  const m = /^-?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const scale = m[2]?.length ?? 0;
  const precision = Math.max(m[1]!.replace(/^0+/, '').length + scale, 1);
  if (precision > MAX_DECIMAL_PRECISION || scale > MAX_DECIMAL_SCALE) return undefined;
  return `DECIMAL(${precision},${scale})`;
}

/** An ISO date(time) MySQL can hold: years 1..9999, no BC, no infinity. */
const storable = (s: string) => /^\d{4}-/.test(s) && !s.endsWith(' BC');

function constant(text: string, type: PgType, placeholder: string): { sql: string; value: unknown } | undefined {
  if (type.elem || LONE_SURROGATE.test(text)) return undefined;
  let datum: unknown;
  try {
    datum = parseText(type, text, DEFAULT_FORMAT_SETTINGS);
  } catch {
    return undefined;
  }
  switch (type.name) {
    case 'int2': case 'int4': case 'int8':
      return { sql: signed(placeholder), value: String(datum) };
    case 'numeric': {
      const decimal = decimalFor(datum as Numeric);
      return decimal === undefined ? undefined : { sql: `CAST(${placeholder} AS ${decimal})`, value: (datum as Numeric).toString() };
    }
    case 'float4': case 'float8': {
      const x = type.name === 'float4' ? Math.fround(datum as number) : (datum as number);
      return Number.isFinite(x) ? { sql: `CAST(${placeholder} AS DOUBLE)`, value: String(x) } : undefined;
    }
    case 'text': case 'varchar':
      return { sql: placeholder, value: datum as string };
    case 'bytea': {
      const b = parseBytea(text);
      return { sql: placeholder, value: Buffer.from(b.buffer, b.byteOffset, b.byteLength) };
    }
    case 'date': {
      const s = formatDate(datum as number);
      return storable(s) ? { sql: `CAST(${placeholder} AS DATE)`, value: s } : undefined;
    }
    case 'timestamp': {
      const s = formatTimestamp(datum as bigint);
      return storable(s) ? { sql: `CAST(${placeholder} AS DATETIME(6))`, value: s } : undefined;
    }
    case 'time':
      return { sql: `CAST(${placeholder} AS TIME(6))`, value: formatTime(datum as bigint) };
    default:
      return undefined;
  }
}

function call(name: string, args: readonly string[], argTypes: readonly PgType[], type: PgType): string | undefined {
  const [a, b] = argTypes;
  const all = (...names: string[]) => argTypes.every((t) => is(t, ...names));
  switch (name) {
    case '+': case '-': case '*':
      if (args.length === 1 && name === '-') {
        if (is(a, 'int8') && is(type, 'int8')) return `- (${signed(args[0]!)})`;
        return is(a, 'float8') ? standardCall(name, args) : undefined;
      }
      if (args.length !== 2) return undefined;
      if (all('int8') && is(type, 'int8')) return `(${signed(args[0]!)}) ${name} (${signed(args[1]!)})`;
      return all('float8') && is(type, 'float8') ? standardCall(name, args) : undefined;
    case '||':
      return args.length === 2 && STRINGS.has(a?.name ?? '') && STRINGS.has(b?.name ?? '') ? `CONCAT(${args[0]}, ${args[1]})` : undefined;
    case '~~': case '!~~': {
      if (args.length !== 2 || !all(...STRINGS)) return undefined;
      const like = name === '~~' ? 'LIKE' : 'NOT LIKE';
      // the escape literal is one backslash under the pinned NO_BACKSLASH_ESCAPES
      return `(CONVERT(${args[0]} USING utf8mb4) COLLATE utf8mb4_bin) ${like} (CONVERT(${args[1]} USING utf8mb4)) ESCAPE '\\'`;
    }
    case 'abs':
      if (args.length !== 1) return undefined;
      if (is(a, 'int8')) return `ABS(${signed(args[0]!)})`;
      return is(a, 'float8', 'numeric') ? standardCall(name, args) : undefined;
    case 'length': case 'char_length':
      return args.length === 1 && all(...STRINGS) ? `CHAR_LENGTH(${args[0]})` : undefined;
    default:
      return undefined;
  }
}

function cast(sql: string, from: PgType, to: PgType): string | undefined {
  if (from.elem || to.elem) return undefined;
  if (from.name === to.name && (to.typmod === -1 || to.typmod === from.typmod)) return sql;
  const width = (t: PgType) => INTEGERS.indexOf(t.name);
  if (width(from) >= 0 && width(to) >= width(from)) return sql;
  if (width(from) >= 0 && to.name === 'numeric' && to.typmod === -1) return sql;
  if (width(from) >= 0 && to.name === 'float8') return `CAST(${sql} AS DOUBLE)`;
  if (from.name === 'float4' && to.name === 'float8') return sql;
  if (from.name === 'date' && to.name === 'timestamp') return `CAST(${sql} AS DATETIME(6))`;
  if (from.name === 'varchar' && to.name === 'text') return sql;
  if (from.name === 'text' && to.name === 'varchar' && to.typmod === -1) return sql;
  return undefined;
}

function aggregate(name: string, args: readonly string[], argTypes: readonly PgType[], distinct: boolean, type: PgType): string | undefined {
  const [a] = argTypes;
  const arg = args[0];
  const comparable = a !== undefined && dialect.comparable(a);
  const keyed = arg !== undefined && a !== undefined && STRINGS.has(a.name) ? binary(arg) : arg;
  switch (name) {
    case 'count':
      if (args.length === 0) return 'COUNT(*)';
      if (args.length !== 1) return undefined;
      if (!distinct) return `COUNT(${arg})`;
      return comparable ? `COUNT(DISTINCT ${keyed})` : undefined;
    case 'min': case 'max':
      return args.length === 1 && comparable ? `${name.toUpperCase()}(${keyed})` : undefined;
    case 'sum': {
      if (args.length !== 1 || (distinct && !comparable)) return undefined;
      const exact = (is(a, 'int2', 'int4') && is(type, 'int8')) || (is(a, 'int8', 'numeric') && is(type, 'numeric'));
      return exact ? `SUM(${distinct ? 'DISTINCT ' : ''}${arg})` : undefined;
    }
    case 'bool_and': case 'every': case 'bool_or':
      return args.length === 1 && is(a, 'bool') ? `${name === 'bool_or' ? 'MAX' : 'MIN'}((${arg}) <> 0)` : undefined;
    default:
      return undefined;
  }
}

export const dialect: SqlDialect = {
  name: 'mysql',
  quoteIdentifier: (name) => '`' + name.replaceAll('`', '``') + '`',
  placeholder: () => '?',
  constant,
  comparable: (t) => t.elem === undefined && COMPARABLE.has(t.name),
  binaryText: binary,
  call,
  cast,
  aggregate,
  sortKey: (sql, descending, nullsFirst) => `(${sql}) IS NULL ${nullsFirst ? 'DESC' : 'ASC'}, ${sql} ${descending ? 'DESC' : 'ASC'}`,
};

