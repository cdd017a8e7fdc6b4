/** SQL type names (as the parser gives them) → PgType. */
import { SqlError, SqlState } from '../errors/index.js';
import { arrayOf, type PgType } from '../types/pg-type.js';
import { baseTypeNamed, withTypeModifiers } from '../types/type-names.js';
import type { AstNode } from '../parser/ast.js';
import { intConst } from '../parser/ast.js';

/** Resolves a parser TypeName node. */
export function resolveTypeName(typeName: AstNode): PgType {
  const names = (typeName.names as AstNode[]).map((n) => (n.String as AstNode).sval as string);
  const name = names[names.length - 1]!;
  const quotedChar = name === 'char' && names[0] === 'pg_catalog' ? 'bpchar' : name;
  const base = name === 'char' && names.length === 1 ? 'char' : baseTypeNamed(quotedChar);
  if (!base) {
    throw new SqlError(SqlState.UNDEFINED_OBJECT, `type "${names.join('.')}" does not exist`, {
      position: typeof typeName.location === 'number' ? (typeName.location as number) + 1 : undefined,
    });
  }
  const mods = ((typeName.typmods as AstNode[] | undefined) ?? []).map((m) => intConst(m));
  let type = withTypeModifiers(base, mods);
  if (typeName.arrayBounds) type = arrayOf(type);
  return type;
}
