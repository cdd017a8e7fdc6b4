/** FROM items: tables, CTE references, derived tables, joins. */
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
    rel = lateral ? bindLateral(qb, rel, lateral, 'inner', null) : joinRelations(rel, bindFromItem(qb, item), 'cross', null);
  }
  return rel;
}

function joinRelations(left: Relation, right: Relation, joinType: JoinType, condition: Expr | null, rightScope = right.scope): Relation {
  const scope = Scope.concat(left.scope, rightScope);
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
    const q = qb.forView(resolved.defaults).bindQuery(resolved.ast);
    const columns = q.columns.map((c, i) => ({ qualifier: name.name, name: resolved.view.columnNames[i] ?? c.name, type: c.type }));
    return { plan: q.plan, scope: alias ? aliasScope(columns, alias) : new Scope(columns) };
  }
  const table = resolved.table;
  const schema: Field[] = table.columns.map((c) => ({ name: c.name, type: c.type }));
  const columns: ScopeColumn[] = table.columns.map((c, i) => ({ qualifier: name.name, name: c.name, type: c.type, tableOid: resolved.oid, columnNumber: i + 1 }));
  return {
    plan: {
      kind: 'scan',
      catalog: resolved.catalog,
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
  let condition: Expr | null = null;
  let rightScope = right.scope;
  const using = j.isNatural
    ? left.scope.columns.filter((c) => !c.hidden && right.scope.columns.some((r) => r.name === c.name && !r.hidden)).map((c) => c.name)
    : ((j.usingClause as AstNode[] | undefined) ?? []).map(stringValue);
  const params = qb.ctx.params;
  if (using.length > 0) {
    if (joinType === 'right' || joinType === 'full') throw featureNotSupported('RIGHT and FULL joins with USING or NATURAL');
    const binder = new ExprBinder(both, { params, aggregates: null, clause: 'JOIN/USING' });
    const parts: Expr[] = using.map((name) => {
      const l = left.scope.resolve([name]);
      const r = right.scope.resolve([name]);
      return binder.operator('=', [
        { kind: 'column', index: l, type: left.scope.columns[l]!.type },
        { kind: 'column', index: left.scope.columns.length + r, type: right.scope.columns[r]!.type },
      ]);
    });
    condition = parts.length === 1 ? parts[0]! : { kind: 'and', args: parts, type: T.bool };
    rightScope = new Scope(right.scope.columns.map((c) => (using.includes(c.name) ? { ...c, hidden: true } : c)));
  } else if (j.quals) {
    condition = new ExprBinder(both, { params, aggregates: null, clause: 'JOIN/ON' }).bindCondition(j.quals as AstNode);
  } else if (joinType === 'inner') {
    joinType = 'cross';
  }
  const rel = joinRelations(left, right, joinType, condition, rightScope);
  const alias = j.alias as AstNode | undefined;
  return alias ? { plan: rel.plan, scope: aliasScope([...rel.scope.columns], alias) } : rel;
}
