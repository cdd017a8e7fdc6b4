/** Name resolution: the columns visible to an expression, with their qualifiers. */
import { SqlError, SqlState } from '../errors/index.js';
import type { PgType } from '../types/pg-type.js';

export interface ScopeColumn {
  /** Table name or alias the column can be qualified with. */
  readonly qualifier: string | null;
  readonly name: string;
  readonly type: PgType;
  /** Left out of `*` (e.g. the right-hand copy of a USING column). */
  readonly hidden?: boolean;
  /** A connector's hidden column (`$path`, …): resolvable by name, left out of `*` and `t.*`. */
  readonly system?: boolean;
  /** Source table identity for RowDescription. */
  readonly tableOid?: number;
  readonly columnNumber?: number;
  /** This column carries the enclosing query's column of that index (a correlated FROM function's key). */
  readonly outerKey?: number;
}

export class Scope {
  constructor(readonly columns: readonly ScopeColumn[]) {}

  static concat(a: Scope, b: Scope): Scope {
    return new Scope([...a.columns, ...b.columns]);
  }

  /** Position of the column named by `parts` ([col] or [qualifier, col]); throws 42703/42702/42P01. */
  resolve(parts: readonly string[], position?: number): number {
    const name = parts[parts.length - 1]!;
    const qualifier = parts.length > 1 ? parts[parts.length - 2]! : null;
    if (qualifier !== null && !this.columns.some((c) => c.qualifier === qualifier)) {
      throw new SqlError(SqlState.UNDEFINED_TABLE, `missing FROM-clause entry for table "${qualifier}"`, { position });
    }
    let found = -1;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      if (c.name !== name || (qualifier !== null && c.qualifier !== qualifier)) continue;
      if (qualifier === null && c.hidden) continue;
      if (found >= 0) {
        throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `column reference "${name}" is ambiguous`, { position });
      }
      found = i;
    }
    if (found < 0) {
      const shown = qualifier === null ? `"${name}"` : `${qualifier}.${name}`;
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column ${shown} does not exist`, { position });
    }
    return found;
  }

  /** Positions that `*` or `qualifier.*` expands to. */
  star(qualifier: string | null, position?: number): number[] {
    const out: number[] = [];
    this.columns.forEach((c, i) => {
      if (!c.system && (qualifier === null ? !c.hidden : c.qualifier === qualifier)) out.push(i);
    });
    if (qualifier !== null && out.length === 0) {
      throw new SqlError(SqlState.UNDEFINED_TABLE, `missing FROM-clause entry for table "${qualifier}"`, { position });
    }
    return out;
  }
}
