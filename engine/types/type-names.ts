/**
 * PostgreSQL type names → PgType: the names SQL accepts (int, character varying, …) and the
 * text form format_type() prints ("numeric(15,2)", "character(1)", "integer[]"), so type names
 * stored in files (a Parquet file's recorded types, a table's schema file) read back exactly.
 */
import { SqlError, SqlState } from '../errors/index.js';
import { arrayOf, numericTypmod, T, typeByName, type BaseTypeName, type PgType } from './pg-type.js';

const aliases: Record<string, BaseTypeName> = {
  int: 'int4', integer: 'int4', int4: 'int4', smallint: 'int2', int2: 'int2', bigint: 'int8', int8: 'int8',
  real: 'float4', float4: 'float4', float8: 'float8', 'double precision': 'float8', float: 'float8',
  numeric: 'numeric', decimal: 'numeric', bool: 'bool', boolean: 'bool', text: 'text', varchar: 'varchar',
  'character varying': 'varchar', bpchar: 'bpchar', character: 'bpchar', char: 'bpchar', name: 'name',
  bytea: 'bytea', date: 'date', time: 'time', timestamp: 'timestamp', timestamptz: 'timestamptz',
  'time without time zone': 'time', 'timestamp without time zone': 'timestamp', 'timestamp with time zone': 'timestamptz',
  interval: 'interval', uuid: 'uuid', json: 'json', jsonb: 'jsonb', oid: 'oid', regclass: 'regclass',
  regtype: 'regtype', regproc: 'regproc', xid: 'xid', unknown: 'unknown',
  // reg* types Lakegate has no name I/O for: plain OIDs (catalog queries cast to them, e.g. psql's \d).
  regnamespace: 'oid', regrole: 'oid', regprocedure: 'regproc', regoper: 'oid', regoperator: 'oid', regconfig: 'oid', regcollation: 'oid',
};

/** The base type a (lower-case) SQL type name stands for, if any. */
export const baseTypeNamed = (name: string): BaseTypeName | undefined => (Object.hasOwn(aliases, name) ? aliases[name] : undefined);

/** A base type with its SQL modifiers applied: numeric(p,s), varchar(n), timestamp(p), … */
export function withTypeModifiers(base: BaseTypeName, mods: readonly number[]): PgType {
  if (base === 'char') return T.char;
  if (mods.length === 0) return base === 'bpchar' ? typeByName('bpchar', 1 + 4) : T[base];
  switch (base) {
    case 'numeric': {
      const [precision, scale = 0] = mods;
      if (precision! < 1 || precision! > 1000) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `NUMERIC precision ${precision} must be between 1 and 1000`);
      }
      return typeByName('numeric', numericTypmod(precision!, scale));
    }
    case 'varchar':
    case 'bpchar': {
      const n = mods[0]!;
      if (n < 1) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `length for type ${base} must be at least 1`);
      return typeByName(base, n + 4);
    }
    case 'timestamp':
    case 'timestamptz':
    case 'time':
      return typeByName(base, mods[0]!);
    case 'interval':
      // INTERVAL [fields] [(p)]: typmod = field mask << 16 | precision (0xFFFF = full precision).
      return typeByName('interval', ((mods[0]! & 0x7fff) << 16) | (mods[1] ?? 0xffff));
    default:
      throw new SqlError(SqlState.SYNTAX_ERROR, `type modifier is not allowed for type "${base}"`);
  }
}

const TYPE_TEXT = /^\s*(.*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\))?\s*((?:\[\])*)\s*$/;

/**
 * A type from its text form, as format_type() prints it or as written in SQL: "integer",
 * "numeric(15,2)", "character varying(25)", "timestamp(3) with time zone", "text[]", "\"char\"".
 */
export function parseTypeText(text: string): PgType {
  const zone = /^(timestamp|time)\s*(\(\s*\d+\s*\))?\s+(with|without) time zone(\s*\[\])?$/i.exec(text.trim());
  const normalised = zone ? `${zone[1]} ${zone[3]} time zone${zone[2] ?? ''}${zone[4] ?? ''}` : text;
  const m = TYPE_TEXT.exec(normalised);
  const unknownType = () => new SqlError(SqlState.UNDEFINED_OBJECT, `type "${text}" does not exist`);
  if (!m) throw unknownType();
  const [, rawName, first, second, brackets] = m;
  const name = rawName!.toLowerCase();
  if (name === 'time with time zone') throw unknownType();
  const base = name === '"char"' ? 'char' : baseTypeNamed(name);
  if (!base) throw unknownType();
  const mods = first === undefined ? [] : second === undefined ? [Number(first)] : [Number(first), Number(second)];
  const type = withTypeModifiers(base, mods);
  return brackets ? arrayOf(type) : type;
}
