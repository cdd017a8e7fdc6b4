/**
 * Binds a SELECT (or VALUES) statement into a logical plan:
 *   FROM → WHERE → GROUP BY/aggregates → HAVING → select list (+ hidden ORDER BY columns)
 *   → DISTINCT → ORDER BY → LIMIT/OFFSET → final projection.
 */
import type { ConnectorSession } from '../../connectors/spi/index.js';
import type { CatalogManager, NameDefaults } from '../catalog/catalog-manager.js';
import { SqlError, SqlState, featureNotSupported } from '../errors/index.js';
import type { Field } from '../execution/batch/batch.js';
import { type AstNode, intConst, positionOf, stringValue, unwrap } from '../parser/ast.js';
import { type Expr, mapChildren, sameExpr } from '../plan/expr.js';
import type { JoinType, LogicalPlan, SortKey } from '../plan/plan.js';
import { T, type PgType } from '../types/pg-type.js';
import { AGGREGATE_BASE, type AggregateCollector, ExprBinder } from './bind-expr.js';
import { coerceTo, commonType, type ParamTypes } from './coerce.js';
import { Scope, type ScopeColumn } from './scope.js';

export interface OutputColumn {
  readonly name: string;
  readonly type: PgType;
  readonly tableOid: number;
  readonly columnNumber: number;
}

export interface BoundQuery {
  readonly plan: LogicalPlan;
  readonly columns: readonly OutputColumn[];
}

export interface BinderContext {
  readonly catalogs: CatalogManager;
  readonly connectorSession: ConnectorSession;
  readonly defaults: NameDefaults;
  readonly params: ParamTypes;
}

interface Relation {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

const fieldsOf = (scope: Scope): Field[] => scope.columns.map((c) => ({ name: c.name, type: c.type }));

export async function bindQuery(ctx: BinderContext, node: AstNode): Promise<BoundQuery> {
  const [kind, body] = unwrap(node);
  if (kind !== 'SelectStmt') throw featureNotSupported(`${kind} as a query`);
  return bindSelect(ctx, body);
}

async function bindSelect(ctx: BinderContext, stmt: AstNode): Promise<BoundQuery> {
  if (stmt.op && stmt.op !== 'SETOP_NONE') throw featureNotSupported('UNION, INTERSECT and EXCEPT');
  if (stmt.withClause) throw featureNotSupported('WITH queries');
  if (stmt.lockingClause) throw featureNotSupported('SELECT … FOR UPDATE/SHARE');
  if (stmt.intoClause) throw featureNotSupported('SELECT INTO');
  if (stmt.valuesLists) return limitAndSort(ctx, bindValues(ctx, stmt.valuesLists as AstNode[]), stmt);

  const from = await bindFrom(ctx, (stmt.fromClause as AstNode[] | undefined) ?? []);
  let plan = from.plan;
  const scope = from.scope;
  if (stmt.whereClause) {
    const where = new ExprBinder(scope, { params: ctx.params, aggregates: null, clause: 'WHERE' }).bindCondition(stmt.whereClause as AstNode);
    plan = { kind: 'filter', input: plan, predicate: where, schema: plan.schema };
  }

  const collector: AggregateCollector = { calls: [], types: [] };
  const binder = new ExprBinder(scope, { params: ctx.params, aggregates: collector, clause: 'SELECT' });
  const targets = expandTargets(binder, scope, (stmt.targetList as AstNode[] | undefined) ?? []);
  const groupBy = ((stmt.groupClause as AstNode[] | undefined) ?? []).map((g) => bindGroupItem(ctx, scope, targets, g));
  const having = stmt.havingClause ? new ExprBinder(scope, { params: ctx.params, aggregates: collector, clause: 'HAVING' }).bindCondition(stmt.havingClause as AstNode) : null;
  const order = bindOrderBy(ctx, scope, collector, targets, (stmt.sortClause as AstNode[] | undefined) ?? []);

  if (groupBy.length > 0 || collector.calls.length > 0 || having) {
    const keys = groupBy;
    const aggFields: Field[] = [
      ...keys.map((k, i) => ({ name: `_group${i}`, type: k.type })),
      ...collector.types.map((t, i) => ({ name: `_agg${i}`, type: t })),
    ];
    plan = { kind: 'aggregate', input: plan, groupBy: keys, aggregates: collector.calls, schema: aggFields };
    const rewrite = (e: Expr) => toAggregateOutput(e, keys, scope);
    for (const t of targets) t.expr = rewrite(t.expr);
    for (const o of order) if (o.expr) o.expr = rewrite(o.expr);
    if (having) plan = { kind: 'filter', input: plan, predicate: rewrite(having), schema: plan.schema };
  }

  // Select list plus any ORDER BY expressions that are not in it (hidden columns).
  const exprs = targets.map((t) => t.expr);
  const sortKeys: SortKey[] = [];
  for (const o of order) {
    let index = o.targetIndex;
    if (index === undefined) {
      index = exprs.findIndex((e) => sameExpr(e, o.expr!));
      if (index < 0) {
        if (stmt.distinctClause) {
          throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', { position: o.position });
        }
        exprs.push(o.expr!);
        index = exprs.length - 1;
      }
    }
    sortKeys.push({ expr: { kind: 'column', index, type: exprs[index]!.type }, descending: o.descending, nullsFirst: o.nullsFirst });
  }
  const visible = targets.length;
  const projectSchema: Field[] = exprs.map((e, i) => ({ name: targets[i]?.name ?? `_sort${i}`, type: e.type }));
  plan = { kind: 'project', input: plan, exprs, schema: projectSchema };

  if (stmt.distinctClause) {
    const distinctOn = (stmt.distinctClause as AstNode[]).filter((d) => Object.keys(d).length > 0);
    if (distinctOn.length > 0) throw featureNotSupported('DISTINCT ON');
    const keys: Expr[] = projectSchema.map((f, i) => ({ kind: 'column', index: i, type: f.type }));
    plan = { kind: 'aggregate', input: plan, groupBy: keys, aggregates: [], schema: projectSchema };
  }
  if (sortKeys.length > 0) plan = { kind: 'sort', input: plan, keys: sortKeys, schema: plan.schema };
  plan = bindLimit(ctx, plan, stmt);
  if (exprs.length > visible) {
    const keep: Expr[] = projectSchema.slice(0, visible).map((f, i) => ({ kind: 'column', index: i, type: f.type }));
    plan = { kind: 'project', input: plan, exprs: keep, schema: projectSchema.slice(0, visible) };
  }
  return {
    plan,
    columns: targets.map((t) => ({ name: t.name, type: t.expr.type, tableOid: t.tableOid, columnNumber: t.columnNumber })),
  };
}

interface Target {
  expr: Expr;
  name: string;
  tableOid: number;
  columnNumber: number;
}

function expandTargets(binder: ExprBinder, scope: Scope, list: AstNode[]): Target[] {
  const out: Target[] = [];
  for (const item of list) {
    const res = item.ResTarget as AstNode;
    const val = res.val as AstNode;
    const colRef = val.ColumnRef as AstNode | undefined;
    const fields = colRef?.fields as AstNode[] | undefined;
    if (fields && 'A_Star' in fields[fields.length - 1]!) {
      const qualifier = fields.length > 1 ? stringValue(fields[fields.length - 2]!) : null;
      for (const i of scope.star(qualifier, positionOf(colRef!))) out.push(columnTarget(scope.columns[i]!, i));
      continue;
    }
    let expr = binder.bind(val);
    if (expr.type.oid === T.unknown.oid) expr = coerceTo(expr, T.text);
    const source = expr.kind === 'column' && expr.index < AGGREGATE_BASE ? scope.columns[expr.index] : undefined;
    out.push({
      expr,
      name: (res.name as string | undefined) ?? figureColumnName(val),
      tableOid: source?.tableOid ?? 0,
      columnNumber: source?.columnNumber ?? 0,
    });
  }
  return out;
}

const columnTarget = (c: ScopeColumn, index: number): Target => ({
  expr: { kind: 'column', index, type: c.type },
  name: c.name,
  tableOid: c.tableOid ?? 0,
  columnNumber: c.columnNumber ?? 0,
});

/** PostgreSQL's FigureColname: the output name of an unaliased select-list expression. */
export function figureColumnName(node: AstNode): string {
  return figure(node) ?? '?column?';
}

function figure(node: AstNode): string | undefined {
  const [kind, body] = unwrap(node);
  switch (kind) {
    case 'ColumnRef': {
      const fields = body.fields as AstNode[];
      const last = fields[fields.length - 1]!;
      return 'String' in last ? stringValue(last) : undefined;
    }
    case 'FuncCall':
      return stringValue((body.funcname as AstNode[]).at(-1)!);
    case 'TypeCast':
      return figure(body.arg as AstNode) ?? stringValue(((body.typeName as AstNode).names as AstNode[]).at(-1)!);
    case 'CaseExpr':
      return body.defresult ? (figure(body.defresult as AstNode) ?? 'case') : 'case';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'MinMaxExpr':
      return body.op === 'IS_GREATEST' ? 'greatest' : 'least';
    case 'SQLValueFunction':
      return String(body.op).replace(/^SVFOP_/, '').toLowerCase().replace(/_n$/, '');
    case 'A_Expr':
      return body.kind === 'AEXPR_NULLIF' ? 'nullif' : undefined;
    default:
      return undefined;
  }
}

function bindGroupItem(ctx: BinderContext, scope: Scope, targets: Target[], node: AstNode): Expr {
  const [kind, body] = unwrap(node);
  if (kind === 'A_Const' && 'ival' in body) return targetByOrdinal(targets, intConst(node), 'GROUP BY', positionOf(body)).expr;
  if (kind === 'GroupingSet') throw featureNotSupported('GROUPING SETS, ROLLUP and CUBE');
  const binder = new ExprBinder(scope, { params: ctx.params, aggregates: null, clause: 'GROUP BY' });
  try {
    return binder.bind(node);
  } catch (e) {
    const alias = outputAlias(node, targets);
    if (e instanceof SqlError && e.code === SqlState.UNDEFINED_COLUMN && alias) return alias.expr;
    throw e;
  }
}

function targetByOrdinal(targets: Target[], n: number, clause: string, position?: number): Target {
  const t = targets[n - 1];
  if (!t) throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `${clause} position ${n} is not in select list`, { position });
  if (t.expr.kind === 'column' && t.expr.index >= AGGREGATE_BASE && clause === 'GROUP BY') {
    throw new SqlError(SqlState.GROUPING_ERROR, 'aggregate functions are not allowed in GROUP BY', { position });
  }
  return t;
}

/** The select-list entry a bare column name refers to by its output name, if any. */
function outputAlias(node: AstNode, targets: Target[]): Target | undefined {
  const fields = (node.ColumnRef as AstNode | undefined)?.fields as AstNode[] | undefined;
  if (!fields || fields.length !== 1 || !('String' in fields[0]!)) return undefined;
  const name = stringValue(fields[0]!);
  const matches = targets.filter((t) => t.name === name);
  if (matches.length > 1 && !matches.every((m) => sameExpr(m.expr, matches[0]!.expr))) {
    throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `ORDER BY "${name}" is ambiguous`, { position: positionOf(node.ColumnRef as AstNode) });
  }
  return matches[0];
}

interface OrderItem {
  targetIndex?: number;
  expr?: Expr;
  descending: boolean;
  nullsFirst: boolean;
  position?: number;
}

function bindOrderBy(ctx: BinderContext, scope: Scope, collector: AggregateCollector, targets: Target[], list: AstNode[]): OrderItem[] {
  const binder = new ExprBinder(scope, { params: ctx.params, aggregates: collector, clause: 'ORDER BY' });
  return list.map((item) => {
    const sortBy = item.SortBy as AstNode;
    const node = sortBy.node as AstNode;
    const descending = sortBy.sortby_dir === 'SORTBY_DESC';
    const nulls = sortBy.sortby_nulls as string;
    const nullsFirst = nulls === 'SORTBY_NULLS_FIRST' || (nulls !== 'SORTBY_NULLS_LAST' && descending);
    if (sortBy.useOp) throw featureNotSupported('ORDER BY … USING');
    const position = positionOf(sortBy.node ? unwrap(node)[1] : sortBy);
    const [kind, body] = unwrap(node);
    if (kind === 'A_Const' && 'ival' in body) {
      const t = targetByOrdinal(targets, intConst(node), 'ORDER BY', positionOf(body));
      return { targetIndex: targets.indexOf(t), descending, nullsFirst, position };
    }
    const alias = outputAlias(node, targets);
    if (alias) return { targetIndex: targets.indexOf(alias), descending, nullsFirst, position };
    return { expr: binder.bind(node), descending, nullsFirst, position };
  });
}

/** Rewrites an expression over FROM columns into one over the aggregate's output. */
function toAggregateOutput(e: Expr, keys: readonly Expr[], scope: Scope): Expr {
  const k = keys.findIndex((key) => sameExpr(key, e));
  if (k >= 0) return { kind: 'column', index: k, type: e.type };
  if (e.kind === 'column') {
    if (e.index >= AGGREGATE_BASE) return { ...e, index: keys.length + e.index - AGGREGATE_BASE };
    const c = scope.columns[e.index]!;
    const name = c.qualifier ? `${c.qualifier}.${c.name}` : c.name;
    throw new SqlError(SqlState.GROUPING_ERROR, `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`);
  }
  return mapChildren(e, (x) => toAggregateOutput(x, keys, scope));
}

function bindLimit(ctx: BinderContext, plan: LogicalPlan, stmt: AstNode): LogicalPlan {
  if (!stmt.limitCount && !stmt.limitOffset) return plan;
  if (stmt.limitOption === 'LIMIT_OPTION_WITH_TIES') throw featureNotSupported('FETCH … WITH TIES');
  const empty = new Scope([]);
  const bind = (node: AstNode | undefined, clause: string) => {
    if (!node) return null;
    const e = new ExprBinder(empty, { params: ctx.params, aggregates: null, clause }).bind(node);
    if (e.kind === 'literal' && e.text === null) return null;
    return coerceTo(e, T.int8, ctx.params);
  };
  return { kind: 'limit', input: plan, count: bind(stmt.limitCount as AstNode | undefined, 'LIMIT'), offset: bind(stmt.limitOffset as AstNode | undefined, 'OFFSET'), schema: plan.schema };
}

function bindValues(ctx: BinderContext, lists: AstNode[]): BoundQuery {
  const binder = new ExprBinder(new Scope([]), { params: ctx.params, aggregates: null, clause: 'VALUES' });
  const rows = lists.map((l) => ((l.List as AstNode).items as AstNode[]).map((n) => binder.bind(n)));
  const width = rows[0]!.length;
  if (rows.some((r) => r.length !== width)) throw new SqlError(SqlState.SYNTAX_ERROR, 'VALUES lists must all be the same length');
  const types = Array.from({ length: width }, (_, c) => commonType(rows.map((r) => r[c]!.type), 'VALUES'));
  const coerced = rows.map((r) => r.map((e, c) => coerceTo(e, types[c]!, ctx.params)));
  const schema: Field[] = types.map((type, i) => ({ name: `column${i + 1}`, type }));
  return { plan: { kind: 'values', rows: coerced, schema }, columns: schema.map((f) => ({ name: f.name, type: f.type, tableOid: 0, columnNumber: 0 })) };
}

/** ORDER BY and LIMIT on a VALUES statement. */
function limitAndSort(ctx: BinderContext, q: BoundQuery, stmt: AstNode): BoundQuery {
  const scope = new Scope(q.plan.schema.map((f) => ({ qualifier: null, name: f.name, type: f.type })));
  const targets: Target[] = q.columns.map((c, i) => ({ expr: { kind: 'column', index: i, type: c.type }, name: c.name, tableOid: 0, columnNumber: 0 }));
  const order = bindOrderBy(ctx, scope, { calls: [], types: [] }, targets, (stmt.sortClause as AstNode[] | undefined) ?? []);
  let plan = q.plan;
  if (order.length) {
    const keys = order.map((o) => ({ expr: o.targetIndex !== undefined ? targets[o.targetIndex]!.expr : o.expr!, descending: o.descending, nullsFirst: o.nullsFirst }));
    plan = { kind: 'sort', input: plan, keys, schema: plan.schema };
  }
  return { plan: bindLimit(ctx, plan, stmt), columns: q.columns };
}

async function bindFrom(ctx: BinderContext, items: AstNode[]): Promise<Relation> {
  if (items.length === 0) return { plan: { kind: 'values', rows: [[]], schema: [] }, scope: new Scope([]) };
  let rel = await bindFromItem(ctx, items[0]!);
  for (const item of items.slice(1)) {
    const right = await bindFromItem(ctx, item);
    rel = joinRelations(rel, right, 'cross', null);
  }
  return rel;
}

function joinRelations(left: Relation, right: Relation, joinType: JoinType, condition: Expr | null, rightScope = right.scope): Relation {
  const scope = Scope.concat(left.scope, rightScope);
  return { plan: { kind: 'join', joinType, left: left.plan, right: right.plan, condition, schema: fieldsOf(scope) }, scope };
}

async function bindFromItem(ctx: BinderContext, node: AstNode): Promise<Relation> {
  const [kind, body] = unwrap(node);
  switch (kind) {
    case 'RangeVar':
      return bindTable(ctx, body);
    case 'JoinExpr':
      return bindJoin(ctx, body);
    case 'RangeSubselect': {
      if (body.lateral) throw featureNotSupported('LATERAL');
      const q = await bindQuery(ctx, body.subquery as AstNode);
      const alias = body.alias as AstNode | undefined;
      if (!alias) throw new SqlError(SqlState.SYNTAX_ERROR, 'subquery in FROM must have an alias');
      return { plan: q.plan, scope: aliasScope(q.columns.map((c) => ({ qualifier: null, name: c.name, type: c.type })), alias) };
    }
    default:
      throw featureNotSupported(`${kind} in FROM`);
  }
}

function aliasScope(columns: ScopeColumn[], alias: AstNode): Scope {
  const name = alias.aliasname as string;
  const colnames = ((alias.colnames as AstNode[] | undefined) ?? []).map(stringValue);
  if (colnames.length > columns.length) {
    throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `table "${name}" has ${columns.length} columns available but ${colnames.length} columns specified`);
  }
  return new Scope(columns.map((c, i) => ({ ...c, qualifier: name, name: colnames[i] ?? c.name })));
}

async function bindTable(ctx: BinderContext, rv: AstNode): Promise<Relation> {
  const resolved = await ctx.catalogs.resolveTable(
    ctx.connectorSession,
    { catalog: rv.catalogname as string | undefined, schema: rv.schemaname as string | undefined, name: rv.relname as string },
    ctx.defaults,
    positionOf(rv),
  );
  const table = resolved.table;
  const schema: Field[] = table.columns.map((c) => ({ name: c.name, type: c.type }));
  const columns: ScopeColumn[] = table.columns.map((c, i) => ({ qualifier: rv.relname as string, name: c.name, type: c.type, tableOid: resolved.oid, columnNumber: i + 1 }));
  const alias = rv.alias as AstNode | undefined;
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

async function bindJoin(ctx: BinderContext, j: AstNode): Promise<Relation> {
  const left = await bindFromItem(ctx, j.larg as AstNode);
  const right = await bindFromItem(ctx, j.rarg as AstNode);
  let joinType = joinTypes[j.jointype as string];
  if (!joinType) throw featureNotSupported(`join type ${String(j.jointype)}`);
  const both = Scope.concat(left.scope, right.scope);
  let condition: Expr | null = null;
  let rightScope = right.scope;
  const using = j.isNatural
    ? left.scope.columns.filter((c) => !c.hidden && right.scope.columns.some((r) => r.name === c.name && !r.hidden)).map((c) => c.name)
    : ((j.usingClause as AstNode[] | undefined) ?? []).map(stringValue);
  if (using.length > 0) {
    if (joinType === 'right' || joinType === 'full') throw featureNotSupported('RIGHT and FULL joins with USING or NATURAL');
    const binder = new ExprBinder(both, { params: ctx.params, aggregates: null, clause: 'JOIN/USING' });
    const parts: Expr[] = using.map((name) => {
      const l = left.scope.resolve([name]);
      const r = right.scope.resolve([name]);
      return binder.operator('=', [{ kind: 'column', index: l, type: left.scope.columns[l]!.type }, { kind: 'column', index: left.scope.columns.length + r, type: right.scope.columns[r]!.type }]);
    });
    condition = parts.length === 1 ? parts[0]! : { kind: 'and', args: parts, type: T.bool };
    rightScope = new Scope(right.scope.columns.map((c) => (using.includes(c.name) ? { ...c, hidden: true } : c)));
  } else if (j.quals) {
    condition = new ExprBinder(both, { params: ctx.params, aggregates: null, clause: 'JOIN/ON' }).bindCondition(j.quals as AstNode);
  } else if (joinType === 'inner') {
    joinType = 'cross';
  }
  const rel = joinRelations(left, right, joinType, condition, rightScope);
  const alias = j.alias as AstNode | undefined;
  return alias ? { plan: rel.plan, scope: aliasScope([...rel.scope.columns], alias) } : rel;
}
