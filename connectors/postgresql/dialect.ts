/**
 * PostgreSQL as a dialect of the shared SQL generator (connectors/lib/sql). The upstream is
 * the database Lakegate emulates, so most expressions render as themselves; what remains to
 * decide is where the upstream session could still compute something else than Lakegate:
 *
 * - text compares, sorts and groups in the column's collation: every text comparison, sort key,
 *   group key and min/max argument gets `COLLATE "C"` (byte order, as Lakegate's), and only when
 *   the server's encoding orders bytes as UTF-8 does (UTF8, LATIN1, SQL_ASCII); otherwise text
 *   is not comparable at the source at all;
 * - constants are bound as `$n::pg_catalog.type` with their text re-written in the pinned
 *   session's canonical form (remote.ts); text whose meaning depends on DateStyle,
 *   IntervalStyle or TimeZone (the client's, unknown here) is declined;
 * - lower/upper/ILIKE depend on the database's LC_CTYPE, casts involving time zones on the
 *   session's TimeZone, float → text on extra_float_digits: all declined and left to Lakegate.
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { T, type PgType } from '../../engine/types/pg-type.js';
import { formatText, parseText, type FormatSettings } from '../../engine/types/text-codec.js';
import { type SqlDialect, standardCall } from '../lib/sql/index.js';
import { castName, isSendableText, REMOTE_TEXT, typeSql } from './types.js';

const NAMEDATALEN = 63;
const NUMBERS = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']);
const INTEGERS = new Set(['int2', 'int4', 'int8']);
/** Text types whose comparisons COLLATE "C" makes byte order. */
const TEXTS = new Set(['text', 'varchar', 'bpchar', 'name']);
/** Types whose equality and order at the source are PostgreSQL's (they are PostgreSQL's). */
const ORDERED = new Set([...NUMBERS, 'bool', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid', 'bytea', 'oid']);
/** Types a constant may have (arrays of them too). */
const CONSTANT_TYPES = new Set([...ORDERED, ...TEXTS, 'char', 'json', 'jsonb']);
/** Types a typmod-only cast (numeric(p,s), varchar(n), timestamp(p), …) applies the same way to. */
const TYPMOD_CASTS = new Set(['numeric', 'varchar', 'bpchar', 'time', 'timestamp', 'timestamptz', 'interval']);
const DATE_CASTS = new Set(['date>timestamp', 'timestamp>date', 'timestamp>time']);

const isScalar = (t: PgType, names: ReadonlySet<string>) => !t.elem && names.has(t.name);
const sameType = (a: PgType, b: PgType) => a.oid === b.oid && !a.elem && !b.elem;

export interface DialectOptions {
  /** The server's encoding orders bytes as UTF-8 does, so COLLATE "C" is Lakegate's text order. */
  readonly byteOrderText: boolean;
}

export function postgresqlDialect(options: DialectOptions): SqlDialect {
  const comparable = (t: PgType) => isScalar(t, ORDERED) || (options.byteOrderText && isScalar(t, TEXTS));
  const binaryText = (sql: string) => `(${sql}) COLLATE "C"`;

  const cast = (sql: string, from: PgType, to: PgType): string | undefined =>
    exactCast(from, to) ? `CAST(${sql} AS ${typeSql(to)})` : undefined;

  return {
    name: 'postgresql',
    fullJoin: true,

    quoteIdentifier(name) {
      if (!isSendableText(name)) throw new SqlError(SqlState.CHARACTER_NOT_IN_REPERTOIRE, 'identifier is not valid UTF-8 text');
      if (Buffer.byteLength(name) > NAMEDATALEN) {
        throw new SqlError(SqlState.NAME_TOO_LONG, `identifier "${name}" is longer than PostgreSQL's ${NAMEDATALEN} bytes`);
      }
      return `"${name.replaceAll('"', '""')}"`;
    },

    placeholder: (n) => `$${n}`,

    constant(text, type, placeholder) {
      const canonical = sendableConstant(text, type);
      return canonical === undefined ? undefined : { sql: `${placeholder}::${castName(type)}`, value: canonical };
    },

    // Quoting by doubling is exact because every session pins standard_conforming_strings=on.
    literal(text, type) {
      const canonical = sendableConstant(text, type);
      return canonical === undefined ? undefined : `'${canonical.replaceAll("'", "''")}'::${castName(type)}`;
    },

    comparable,
    binaryText,

    call(name, args, argTypes, type) {
      const [a, b] = argTypes;
      switch (name) {
        case '+': case '-': case '*': case '/':
          if (args.length === 1 && name === '-' && sameType(a!, type) && isScalar(type, NUMBERS)) return standardCall(name, args);
          return args.length === 2 && sameType(a!, type) && sameType(b!, type) && isScalar(type, NUMBERS) ? standardCall(name, args) : undefined;
        case '%':
          return args.length === 2 && sameType(a!, type) && sameType(b!, type) && (isScalar(type, INTEGERS) || type.name === 'numeric') ? standardCall(name, args) : undefined;
        case '||':
          return args.length === 2 && argTypes.every((t) => t.name === 'text' || t.name === 'varchar') && type.name === 'text' ? standardCall(name, args) : undefined;
        case '~~': case '!~~':
          return args.length === 2 && options.byteOrderText && isScalar(a!, TEXTS) && a!.name !== 'bpchar' && isScalar(b!, TEXTS)
            ? standardCall(name, [binaryText(args[0]!), args[1]!]) : undefined;
        case 'like_escape':
          return args.length === 2 && argTypes.every((t) => t.name === 'text') ? `pg_catalog.like_escape(${args[0]}, ${args[1]})` : undefined;
        case 'abs':
          return args.length === 1 && sameType(a!, type) && isScalar(type, NUMBERS) ? `pg_catalog.abs(${args[0]})` : undefined;
        case 'length': case 'char_length':
          return args.length === 1 && (a!.name === 'text' || a!.name === 'varchar') && !a!.elem && type.name === 'int4' ? `pg_catalog.length(${args[0]})` : undefined;
        default:
          return undefined;
      }
    },

    cast,

    aggregate(name, args, argTypes, distinct, type) {
      const natural = aggregateType(name, argTypes);
      if (natural === undefined) return undefined;
      const arg = argTypes[0];
      // Which values are equal (DISTINCT) or smallest must be decided in Lakegate's order.
      const ordered = arg !== undefined && (distinct || name === 'min' || name === 'max');
      if (ordered && !comparable(arg)) return undefined;
      const rendered = ordered && isScalar(arg, TEXTS) ? [binaryText(args[0]!)] : args;
      const sql = args.length === 0 ? `pg_catalog.${name}(*)` : `pg_catalog.${name}(${distinct ? 'DISTINCT ' : ''}${rendered.join(', ')})`;
      return natural.oid === type.oid ? sql : cast(sql, natural, type);
    },

    sortKey: (sql, descending, nullsFirst) => `${sql} ${descending ? 'DESC' : 'ASC'} NULLS ${nullsFirst ? 'FIRST' : 'LAST'}`,
  };
}

/**
 * Settings under which the engine may have written a constant's text (it formats folded
 * values with the client session's DateStyle, IntervalStyle and TimeZone, which the connector
 * does not see): text that means the same value under all of them is unambiguous.
 */
const READINGS: readonly FormatSettings[] = [
  REMOTE_TEXT,
  { ...REMOTE_TEXT, dateStyle: 'ISO, DMY', intervalStyle: 'sql_standard', timeZone: 'America/New_York' },
  { ...REMOTE_TEXT, dateStyle: 'ISO, YMD', intervalStyle: 'iso_8601', timeZone: 'Asia/Kolkata' },
];

/**
 * The constant's text as the pinned session writes it, or undefined when it is invalid or its
 * meaning depends on session settings (e.g. '01/02/2024', or a timestamptz without an offset).
 */
/** The constant's text as the pinned session reads it; undefined when it cannot be sent unchanged (it then stays in Lakegate, which compares it exactly). */
function sendableConstant(text: string, type: PgType): string | undefined {
  return isSendableText(text) && CONSTANT_TYPES.has((type.elem ?? type).name) ? canonicalText(text, type) : undefined;
}

function canonicalText(text: string, type: PgType): string | undefined {
  let canonical: string | undefined;
  for (const settings of READINGS) {
    let reading: string;
    try {
      reading = formatText(type, parseText(type, text, settings), REMOTE_TEXT);
    } catch {
      return undefined;
    }
    if (canonical !== undefined && reading !== canonical) return undefined;
    canonical = reading;
  }
  return canonical;
}

/** Casts PostgreSQL performs the way Lakegate's cast rules do, independent of session settings. */
function exactCast(from: PgType, to: PgType): boolean {
  if (from.elem || to.elem) return false;
  if (from.oid === to.oid) return TYPMOD_CASTS.has(to.name);
  if (NUMBERS.has(from.name) && NUMBERS.has(to.name)) return true;
  const strings = ['text', 'varchar', 'bpchar'];
  if (strings.includes(from.name) && strings.includes(to.name)) return true;
  if ((INTEGERS.has(from.name) || from.name === 'numeric' || from.name === 'bool') && (to.name === 'text' || to.name === 'varchar')) return true;
  if ((from.name === 'text' || from.name === 'varchar') && (INTEGERS.has(to.name) || to.name === 'numeric' || to.name === 'bool')) return true;
  return DATE_CASTS.has(`${from.name}>${to.name}`);
}

/** Argument types PostgreSQL has min/max for (it has none for bool, uuid, bytea). */
const MIN_MAX = new Set([...NUMBERS, ...TEXTS, 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'oid']);

/** PostgreSQL's result type of an aggregate over `argTypes`, or undefined when it is not one Lakegate pushes down. */
function aggregateType(name: string, argTypes: readonly PgType[]): PgType | undefined {
  const arg = argTypes[0];
  if (name === 'count') return argTypes.length <= 1 ? T.int8 : undefined;
  if (argTypes.length !== 1 || arg!.elem) return undefined;
  switch (name) {
    case 'min': case 'max':
      return MIN_MAX.has(arg!.name) ? arg : undefined;
    case 'sum':
      if (arg!.name === 'int2' || arg!.name === 'int4') return T.int8;
      if (arg!.name === 'int8' || arg!.name === 'numeric') return T.numeric;
      return ['float4', 'float8', 'interval'].includes(arg!.name) ? arg : undefined;
    case 'avg':
      if (INTEGERS.has(arg!.name) || arg!.name === 'numeric') return T.numeric;
      if (arg!.name === 'float4' || arg!.name === 'float8') return T.float8;
      return arg!.name === 'interval' ? arg : undefined;
    case 'bool_and': case 'bool_or': case 'every':
      return arg!.name === 'bool' ? T.bool : undefined;
    default:
      return undefined;
  }
}
