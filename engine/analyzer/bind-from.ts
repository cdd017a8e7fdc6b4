/** FROM items: tables, CTE references, derived tables, joins. */
import type { TableMetadata } from '../../connectors/spi/index.js';
import { SqlError, SqlState, featureNotSupported } from '../errors/index.js';
import type { Field } from '../execution/batch/batch.js';
import { type AstNode, positionOf, stringValue, unwrap } from '../parser/ast.js';
import type { Expr } from '../plan/expr.js';
import type { JoinType, LogicalPlan } from '../plan/plan.js';
import { T } from '../types/pg-type.js';
import { ExprBinder } from './bind-expr.js';
import type { QueryBinder } from './bind-select.js';
import { Scope, type ScopeColumn } from './scope.js';
import { joinCorrelated } from './subqueries.js';
import { tableNameOf } from './table-cache.js';
import { guardedTableRelation } from './table-policy.js';

export interface Relation {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

const fieldsOf = (scope: Scope): Field[] => scope.columns.map((c) => ({ name: c.name, type: c.type }));

export function bindFrom(qb: QueryBinder, items: AstNode[]): Relation {
  if (items.length === 0) return { plan: { kind: 'values', rows: [[]], schema: [] }, scope: new Scope([]) };
  let rel = bindFromItem(qb, items[0]!);
  for (const item of items.slice(1)) {
    const lateral = lateralSubselect(item);
    const fn = item.RangeFunction as AstNode | undefined;
    if (lateral) rel = bindLateral(qb, rel, lateral, 'inner', null);
    else if (fn) rel = qb.bindTableFunction(fn, rel);
    else rel = joinRelations(rel, bindFromItem(qb, item), 'cross', null);
  }
  return rel;
}

function joinRelations(left: Relation, right: Relation, joinType: JoinType, condition: Expr | null): Relation {
  const scope = Scope.concat(left.scope, right.scope);
  return { plan: { kind: 'join', joinType, left: left.plan, right: right.plan, condition, schema: fieldsOf(scope) }, scope };
}

function bindFromItem(qb: QueryBinder, node: AstNode): Relation {
  const [kind, body] = unwrap(node);
  switch (kind) {
    case 'RangeVar':
      return bindTable(qb, body);
    case 'JoinExpr':
      return bindJoin(qb, body);
    case 'RangeSubselect': {
      const q = qb.bindQuery(body.subquery as AstNode);
      const alias = body.alias as AstNode | undefined;
      if (!alias) throw new SqlError(SqlState.SYNTAX_ERROR, 'subquery in FROM must have an alias', { hint: 'For example, FROM (SELECT ...) [AS] foo.' });
      return { plan: q.plan, scope: aliasScope(q.columns.map((c) => ({ qualifier: null, name: c.name, type: c.type })), alias) };
    }
    case 'RangeFunction':
      return qb.bindTableFunction(body);
    default:
      throw featureNotSupported(`${kind} in FROM`);
  }
}

export function aliasScope(columns: ScopeColumn[], alias: AstNode): Scope {
  const name = alias.aliasname as string;
  const colnames = ((alias.colnames as AstNode[] | undefined) ?? []).map(stringValue);
  if (colnames.length > columns.length) {
    throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `table "${name}" has ${columns.length} columns available but ${colnames.length} columns specified`);
  }
  return new Scope(columns.map((c, i) => ({ ...c, qualifier: name, name: colnames[i] ?? c.name })));
}

function bindTable(qb: QueryBinder, rv: AstNode): Relation {
  const alias = rv.alias as AstNode | undefined;
  const name = tableNameOf(rv);
  if (name.catalog === undefined && name.schema === undefined) {
    const cte = qb.cte(name.name);
    if (cte) {
      const columns = cte.columns.map((c) => ({ qualifier: name.name, name: c.name, type: c.type }));
      return { plan: cte.plan, scope: alias ? aliasScope(columns, alias) : new Scope(columns) };
    }
  }
  const resolved = qb.ctx.tables.get(name, qb.ctx.defaults, positionOf(rv));
  if ('view' in resolved) {
    // SELECT on the view itself; its tables are then checked, filtered and masked for the invoker.
    qb.ctx.access.check({ catalog: resolved.catalog, schema: resolved.view.schema, table: resolved.view.name }, 'SELECT', 'view');
    const q = qb.forView(resolved.defaults).bindQuery(resolved.ast);
    const columns = q.columns.map((c, i) => ({ qualifier: name.name, name: resolved.view.columnNames[i] ?? c.name, type: c.type }));
    return { plan: q.plan, scope: alias ? aliasScope(columns, alias) : new Scope(columns) };
  }
  return guardedTableRelation(qb, resolved, name.name, alias);
}

/** A scan of every column of `table`, named `qualifier` (or the alias). */
export function tableRelation(catalog: string, table: TableMetadata, qualifier: string, tableOid: number | undefined, alias: AstNode | undefined): Relation {
  const schema: Field[] = table.columns.map((c) => ({ name: c.name, type: c.type }));
  const columns: ScopeColumn[] = table.columns.map((c, i) => ({
    qualifier, name: c.name, type: c.type, ...(tableOid !== undefined ? { tableOid, columnNumber: i + 1 } : {}), ...(c.hidden ? { system: true } : {}),
  }));
  return {
    plan: {
      kind: 'scan',
      catalog,
      schemaName: table.schema,
      tableName: table.name,
      tableHandle: table.handle,
      tableColumns: table.columns,
      columns: table.columns.map((_, i) => i),
      schema,
    },
    scope: alias ? aliasScope(columns, alias) : new Scope(columns),
  };
}

const joinTypes: Record<string, JoinType> = { JOIN_INNER: 'inner', JOIN_LEFT: 'left', JOIN_RIGHT: 'right', JOIN_FULL: 'full' };

const lateralSubselect = (node: AstNode): AstNode | undefined => {
  const body = node.RangeSubselect as AstNode | undefined;
  return body?.lateral ? body : undefined;
};

/**
 * FROM a, LATERAL (subquery): the subquery may read a's columns. It is decorrelated like a
 * correlated subquery and joined to `left`; an aggregating subquery yields its value over no
 * rows (count → 0) for rows of `left` it has no group for.
 */
function bindLateral(qb: QueryBinder, left: Relation, body: AstNode, joinType: 'inner' | 'left', quals: AstNode | null): Relation {
  const alias = body.alias as AstNode | undefined;
  if (!alias) throw new SqlError(SqlState.SYNTAX_ERROR, 'subquery in FROM must have an alias', { hint: 'For example, FROM (SELECT ...) [AS] foo.' });
  const r = qb.child({ scope: left.scope, plan: left.plan }).bindCorrelated(body.subquery as AstNode);
  const target = { plan: left.plan };
  const values = joinCorrelated(target, r.query.plan, joinType, r);
  const leftColumns = left.plan.schema.map((f, i): Expr => ({ kind: 'column', index: i, type: f.type }));
  const visible = r.query.columns.slice(0, r.visible);
  const schema = [...left.plan.schema, ...visible.map((c) => ({ name: c.name, type: c.type }))];
  let plan: LogicalPlan = { kind: 'project', input: target.plan, exprs: [...leftColumns, ...values], schema };
  const scope = Scope.concat(left.scope, aliasScope(visible.map((c) => ({ qualifier: null, name: c.name, type: c.type })), alias));
  if (quals) {
    if (joinType !== 'inner') throw featureNotSupported('LEFT JOIN LATERAL with a join condition other than ON true');
    const predicate = new ExprBinder(scope, { params: qb.ctx.params, aggregates: null, clause: 'JOIN/ON' }).bindCondition(quals);
    plan = { kind: 'filter', input: plan, predicate, schema };
  }
  return { plan, scope };
}

function bindJoin(qb: QueryBinder, j: AstNode): Relation {
  const lateral = lateralSubselect(j.rarg as AstNode);
  if (lateral) {
    const joinType = joinTypes[j.jointype as string];
    if (joinType !== 'inner' && joinType !== 'left') throw featureNotSupported('RIGHT and FULL joins with LATERAL');
    const quals = j.quals as AstNode | undefined;
    const trueQuals = quals && (quals.A_Const as AstNode | undefined)?.boolval !== undefined && ((quals.A_Const as AstNode).boolval as AstNode).boolval === true;
    return bindLateral(qb, bindFromItem(qb, j.larg as AstNode), lateral, joinType, quals && !trueQuals ? quals : null);
  }
  const left = bindFromItem(qb, j.larg as AstNode);
  const right = bindFromItem(qb, j.rarg as AstNode);
  let joinType = joinTypes[j.jointype as string];
  if (!joinType) throw featureNotSupported(`join type ${String(j.jointype)}`);
  const both = Scope.concat(left.scope, right.scope);
  const using = j.isNatural
    ? left.scope.columns.filter((c) => !c.hidden && right.scope.columns.some((r) => r.name === c.name && !r.hidden)).map((c) => c.name)
    : ((j.usingClause as AstNode[] | undefined) ?? []).map(stringValue);
  const params = qb.ctx.params;
  let rel: Relation;
  if (using.length > 0) rel = joinUsing(left, right, joinType, using, params);
  else {
    let condition: Expr | null = null;
    if (j.quals) condition = new ExprBinder(both, { params, aggregates: null, clause: 'JOIN/ON' }).bindCondition(j.quals as AstNode);
    else if (joinType === 'inner') joinType = 'cross';
    rel = joinRelations(left, right, joinType, condition);
  }
  const alias = j.alias as AstNode | undefined;
  return alias ? { plan: rel.plan, scope: aliasScope([...rel.scope.columns], alias) } : rel;
}

/**
 * JOIN … USING (cols) / NATURAL JOIN: equality on each named column; the output starts with one
 * merged column per name (the left value, the right one for RIGHT JOIN, COALESCE for FULL),
 * followed by the other columns of each side. Qualified names still reach each side's column.
 */
function joinUsing(left: Relation, right: Relation, joinType: JoinType, using: string[], params: QueryBinder['ctx']['params']): Relation {
  const nLeft = left.scope.columns.length;
  const binder = new ExprBinder(Scope.concat(left.scope, right.scope), { params, aggregates: null, clause: 'JOIN/USING' });
  const pairs = using.map((name) => {
    const l = left.scope.resolve([name]);
    const r = right.scope.resolve([name]);
    const le: Expr = { kind: 'column', index: l, type: left.scope.columns[l]!.type };
    const re: Expr = { kind: 'column', index: nLeft + r, type: right.scope.columns[r]!.type };
    const eq = binder.operator('=', [le, re]) as Expr & { args: Expr[] };
    return { name, l, r, eq, le: eq.args[0]!, re: eq.args[1]! };
  });
  const condition: Expr = pairs.length === 1 ? pairs[0]!.eq : { kind: 'and', args: pairs.map((p) => p.eq), type: T.bool };
  const joined = joinRelations(left, right, joinType, condition);
  const merged = pairs.map((p): Expr => {
    if (joinType === 'right') return p.re;
    if (joinType === 'full') return { kind: 'coalesce', args: [p.le, p.re], type: p.le.type };
    return p.le;
  });
  const sides = joined.plan.schema.map((f, i): Expr => ({ kind: 'column', index: i, type: f.type }));
  const mergedColumns: ScopeColumn[] = pairs.map((p, i) => ({ qualifier: null, name: p.name, type: merged[i]!.type }));
  const hide = (c: ScopeColumn, i: number, isLeft: boolean) => ({ ...c, hidden: c.hidden || pairs.some((p) => (isLeft ? p.l : p.r) === i) });
  const columns = [...mergedColumns, ...left.scope.columns.map((c, i) => hide(c, i, true)), ...right.scope.columns.map((c, i) => hide(c, i, false))];
  return {
    plan: { kind: 'project', input: joined.plan, exprs: [...merged, ...sides], schema: fieldsOf(new Scope(columns)) },
    scope: new Scope(columns),
  };
}
