/**
 * A table as the statement's identity may see it (engine/access): SELECT is checked, then
 *
 *   Project  masked columns replaced by their mask, columns not allowed left out
 *     └ Filter (policy)  the row filter, over the table's own columns
 *         └ Scan
 *
 * Both are bound here, in the table's own scope, so every query shape above (joins, subqueries,
 * views, aggregates) sees only the filtered, masked rows, and the connector_pushdown rule hands
 * the row filter to the source with the scan. A filter or mask that does not bind is reported to
 * the server log; the client gets 42501 without its text.
 */
import type { ResolvedTable } from '../catalog/catalog-manager.js';
import { SYSTEM_CATALOG } from '../catalog/system/snapshot.js';
import { SqlError, SqlState } from '../errors/index.js';
import type { AstNode } from '../parser/ast.js';
import type { Expr } from '../plan/expr.js';
import type { LogicalPlan } from '../plan/plan.js';
import { ExprBinder } from './bind-expr.js';
import { aliasScope, tableRelation, type Relation } from './bind-from.js';
import type { QueryBinder } from './bind-select.js';
import { coerceTo } from './coerce.js';
import { Scope } from './scope.js';

export function guardedTableRelation(qb: QueryBinder, resolved: ResolvedTable, qualifier: string, alias: AstNode | undefined): Relation {
  if (resolved.catalog === SYSTEM_CATALOG) return tableRelation(resolved.catalog, resolved.table, qualifier, resolved.oid, alias);
  const ref = { catalog: resolved.catalog, schema: resolved.table.schema, table: resolved.table.name };
  const access = qb.ctx.access.check(ref, 'SELECT');
  if (!access.filter && access.columns.size === 0) return tableRelation(resolved.catalog, resolved.table, qualifier, resolved.oid, alias);

  const raw = tableRelation(resolved.catalog, resolved.table, qualifier, resolved.oid, undefined);
  const masked = [...access.columns.values()].some((c) => c.mask !== undefined);
  let plan: LogicalPlan = raw.plan.kind === 'scan' && (access.filter || masked) ? { ...raw.plan, policy: true } : raw.plan;
  const binder = new ExprBinder(raw.scope, { params: qb.ctx.params, aggregates: null, clause: 'a row filter', subqueries: null });
  const bindPolicy = (what: string, bind: () => Expr): Expr => {
    try {
      return bind();
    } catch (e) {
      qb.ctx.access.rules.reportInvalid(`${what} of table ${ref.catalog}.${ref.schema}.${ref.table} cannot be applied: ${(e as Error).message}`);
      throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, `permission denied for table ${ref.table}`, { detail: 'The access rules for this table cannot be applied.' });
    }
  };
  if (access.filter) {
    const filter = access.filter;
    const predicate = bindPolicy('the row filter', () => binder.bindCondition(filter));
    plan = { kind: 'filter', input: plan, predicate, schema: plan.schema, policy: true };
  }
  const kept = raw.scope.columns.flatMap((c, i) => (access.columns.get(c.name)?.allow === false ? [] : [i]));
  if (masked || kept.length < raw.scope.columns.length) {
    const exprs = kept.map((i): Expr => {
      const column = raw.scope.columns[i]!;
      const mask = access.columns.get(column.name)?.mask;
      return mask ? bindPolicy(`the mask of column ${column.name}`, () => coerceTo(binder.bind(mask), column.type)) : { kind: 'column', index: i, type: column.type };
    });
    plan = { kind: 'project', input: plan, exprs, schema: kept.map((i) => raw.plan.schema[i]!) };
  }
  const columns = kept.map((i) => raw.scope.columns[i]!);
  return { plan, scope: alias ? aliasScope(columns, alias) : new Scope(columns) };
}
