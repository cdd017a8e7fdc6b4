/** SQL type names (as the parser gives them) → PgType. */
import { SqlError, SqlState } from '../errors/index.js';
import { arrayOf, numericTypmod, T, typeByName, type BaseTypeName, type PgType } from '../types/pg-type.js';
import type { AstNode } from '../parser/ast.js';
import { intConst } from '../parser/ast.js';

const aliases: Record<string, BaseTypeName> = {
  int: 'int4', integer: 'int4', int4: 'int4', smallint: 'int2', int2: 'int2', bigint: 'int8', int8: 'int8',
  real: 'float4', float4: 'float4', float8: 'float8', 'double precision': 'float8', float: 'float8',
  numeric: 'numeric', decimal: 'numeric', bool: 'bool', boolean: 'bool', text: 'text', varchar: 'varchar',
  'character varying': 'varchar', bpchar: 'bpchar', character: 'bpchar', char: 'bpchar', name: 'name',
  bytea: 'bytea', date: 'date', time: 'time', timestamp: 'timestamp', timestamptz: 'timestamptz',
  interval: 'interval', uuid: 'uuid', json: 'json', jsonb: 'jsonb', oid: 'oid', regclass: 'regclass',
  regtype: 'regtype', regproc: 'regproc', xid: 'xid', unknown: 'unknown',
  // reg* types Lakegate has no name I/O for: plain OIDs (catalog queries cast to them, e.g. psql's \d).
  regnamespace: 'oid', regrole: 'oid', regprocedure: 'regproc', regoper: 'oid', regoperator: 'oid', regconfig: 'oid', regcollation: 'oid',
};

/** Resolves a parser TypeName node. */
export function resolveTypeName(typeName: AstNode): PgType {
  const names = (typeName.names as AstNode[]).map((n) => (n.String as AstNode).sval as string);
  const name = names[names.length - 1]!;
  const quotedChar = name === 'char' && names[0] === 'pg_catalog' ? 'bpchar' : name;
  const base = name === 'char' && names.length === 1 ? 'char' : aliases[quotedChar];
  if (!base) {
    throw new SqlError(SqlState.UNDEFINED_OBJECT, `type "${names.join('.')}" does not exist`, {
      position: typeof typeName.location === 'number' ? (typeName.location as number) + 1 : undefined,
    });
  }
  const mods = ((typeName.typmods as AstNode[] | undefined) ?? []).map((m) => intConst(m));
  let type = withModifiers(base, mods);
  if (typeName.arrayBounds) type = arrayOf(type);
  return type;
}

function withModifiers(base: BaseTypeName, mods: number[]): PgType {
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
