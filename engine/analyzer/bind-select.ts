/**
 * Binds a query (SELECT, VALUES, set operations, WITH) into a logical plan:
 *   FROM → WHERE (semi/anti joins for EXISTS / IN) → GROUP BY/aggregates → HAVING
 *   → select list (+ hidden ORDER BY columns) → DISTINCT → ORDER BY → LIMIT → final projection.
 * Binding is synchronous: table metadata is fetched before (table-cache.ts).
 */
import type { ConnectorSession } from '../../connectors/spi/index.js';
import type { StatementAccess } from '../access/access-control.js';
import type { CatalogManager, NameDefaults } from '../catalog/catalog-manager.js';
import { SqlError, SqlState, featureNotSupported } from '../errors/index.js';
import type { Field } from '../execution/batch/batch.js';
import { type AstNode, positionOf, stringValue, unwrap } from '../parser/ast.js';
import { type Expr, conjunction, conjuncts, mapExpr, referencedColumns } from '../plan/expr.js';
import { type LogicalPlan, type SortKey, type WindowNode, mapPlanExprs } from '../plan/plan.js';
import { T, type PgType } from '../types/pg-type.js';
import { type AggregateCollector, ExprBinder, OUTER_BASE, functionName, SET_RETURNING_BASE, type SetReturningCollector, isOuterRef, isPlaceholder } from './bind-expr.js';
import { aliasScope, bindFrom, tableRelation, type Relation } from './bind-from.js';
import { bindGroupingSets, expandGroupingSets, groupingSetsPlan, hasGroupingSets, resolveGroupingCalls, type GroupingCollector } from './grouping-sets.js';
import { WINDOW_BASE, type WindowCollector } from './bind-window.js';
import { coerceTo, commonType, selectCandidate, type ParamTypes } from './coerce.js';
import { tablesNamed } from '../functions/registry.js';
import { Scope } from './scope.js';
import {
  bindGroupItem, bindOrderItems, expandTargets, toAggregateOutput, type OrderItem, type Target,
} from './select-list.js';
import { Correlator, SubqueryAttacher, type Correlation, type CorrelatedResult } from './subqueries.js';
import { TableCache, nativeQueryCall } from './table-cache.js';

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

/** A bound statement: its plan plus the uncorrelated subqueries to compute first. */
export interface BoundStatement extends BoundQuery {
  readonly initPlans: readonly LogicalPlan[];
}

export interface BinderContext {
  readonly catalogs: CatalogManager;
  readonly connectorSession: ConnectorSession;
  readonly defaults: NameDefaults;
  readonly params: ParamTypes;
  /** The identity and rules tables are checked against; row filters and masks come from here. */
  readonly access: StatementAccess;
}

export interface StatementContext extends BinderContext {
  readonly tables: TableCache;
  /** Init plans of the statement, by id (shared by every level of nesting). */
  readonly initPlans: LogicalPlan[];
  /** Work tables of WITH RECURSIVE, numbered per statement. */
  readonly workTables: { count: number };
}

interface CteDef {
  readonly plan: LogicalPlan;
  readonly columns: readonly { name: string; type: PgType }[];
}

/** Binds a whole query statement: fetches table metadata, then binds. */
export async function bindQuery(ctx: BinderContext, node: AstNode): Promise<BoundStatement> {
  const tables = await TableCache.prefetch(ctx.catalogs, ctx.connectorSession, ctx.defaults, node, ctx.access);
  const statement: StatementContext = { ...ctx, tables, initPlans: [], workTables: { count: 0 } };
  const bound = new QueryBinder(statement, new Map(), null).bindQuery(node);
  return { ...bound, initPlans: statement.initPlans };
}

const fieldsOf = (cols: readonly { name: string; type: PgType }[]): Field[] => cols.map((c) => ({ name: c.name, type: c.type }));

export class QueryBinder {
  constructor(
    readonly ctx: StatementContext,
    private readonly ctes: ReadonlyMap<string, CteDef>,
    /** Set when binding a subquery that may refer to the enclosing query's columns. */
    private readonly correlation: Correlation | null,
  ) {}

  cte(name: string): CteDef | undefined {
    return this.ctes.get(name);
  }

  /** The query of a view: no CTEs or correlation, names resolved as the view's were. */
  forView(defaults: NameDefaults): QueryBinder {
    return new QueryBinder({ ...this.ctx, defaults }, new Map(), null);
  }

  /** A nested query (derived table, CTE body, subquery) with the same CTEs in scope. */
  child(correlation: Correlation | null = null, ctes = this.ctes): QueryBinder {
    return new QueryBinder(this.ctx, ctes, correlation);
  }

  bindQuery(node: AstNode): BoundQuery {
    return this.bindCorrelated(node).query;
  }

  /** Binds a query; with a correlation, also returns how it joins to the enclosing query. */
  bindCorrelated(node: AstNode): CorrelatedResult {
    const [kind, stmt] = unwrap(node);
    if (kind !== 'SelectStmt') throw featureNotSupported(`${kind} as a query`);
    if (stmt.withClause) return this.withCtes(stmt.withClause as AstNode).bindCorrelated({ SelectStmt: { ...stmt, withClause: undefined } });
    if (stmt.op && stmt.op !== 'SETOP_NONE') return this.uncorrelated(this.bindSetOp(stmt));
    if (stmt.valuesLists) return this.uncorrelated(this.finishSimple(this.bindValues(stmt.valuesLists as AstNode[]), stmt));
    return this.bindSelect(stmt);
  }

  private uncorrelated(query: BoundQuery): CorrelatedResult {
    return { query, visible: query.columns.length, conditions: [] };
  }

  /**
   * generate_series(…), unnest(…) and other set-returning functions in FROM. With `left` (an
   * earlier FROM item), the arguments may read its columns (functions in FROM are implicitly
   * LATERAL): the function then runs once per row of `left`, as a ProjectSet over it.
   */
  bindTableFunction(body: AstNode, left?: Relation): Relation {
    const functions = body.functions as AstNode[];
    if (functions.length !== 1 || body.is_rowsfrom) throw featureNotSupported('ROWS FROM');
    const call = ((functions[0]!.List as AstNode).items as AstNode[])[0]!;
    const fc = call.FuncCall as AstNode | undefined;
    if (!fc) throw featureNotSupported('this function call form in FROM');
    const native = nativeQueryCall(fc);
    if (native) {
      const rel = tableRelation(native.catalog, this.ctx.tables.native(native), 'query', undefined, body.alias as AstNode | undefined);
      if (!left) return rel;
      const plan: LogicalPlan = { kind: 'join', joinType: 'cross', left: left.plan, right: rel.plan, condition: null, schema: [...left.plan.schema, ...rel.plan.schema] };
      return { plan, scope: Scope.concat(left.scope, rel.scope) };
    }
    const name = functionName(fc.funcname as AstNode[], positionOf(fc));
    const binder = new ExprBinder(left?.scope ?? new Scope([]), { params: this.ctx.params, aggregates: null, clause: 'FROM', subqueries: null, outer: this.correlation?.scope });
    const args = ((fc.args as AstNode[] | undefined) ?? []).map((a) => binder.bind(a));
    const fn = selectCandidate(name, tablesNamed(name), args.map((a) => a.type), false);
    if (!fn) {
      throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${name}(${args.map((a) => a.type.name).join(', ')}) does not exist`, {
        position: positionOf(fc),
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    const coerced = args.map((a, i) => coerceTo(a, fn.args[i] ?? fn.variadic ?? a.type, this.ctx.params));
    const alias = body.alias as AstNode | undefined;
    const produced = fn.columns(coerced.map((a) => a.type));
    const columns = produced.map((c) => ({ qualifier: null, name: produced.length === 1 && alias && !alias.colnames ? (alias.aliasname as string) : c.name, type: c.type }));
    if (body.ordinality) columns.push({ qualifier: null, name: 'ordinality', type: T.int8 });
    const scope = aliasScope(columns, alias ?? { aliasname: stringValue((fc.funcname as AstNode[]).at(-1)!) });
    const ordinality = body.ordinality === true;
    const outerRefs = [...new Set(coerced.flatMap((a) => [...referencedColumns(a)].filter(isOuterRef)))].sort((a, b) => a - b);
    if (outerRefs.length > 0 && this.correlation) {
      // Reads the enclosing query: run it once per distinct value of the outer columns it reads;
      // those values stay as hidden key columns that correlate the subquery (see bindSelect).
      if (left && coerced.some((a) => [...referencedColumns(a)].some((c) => !isOuterRef(c)))) {
        throw featureNotSupported('a function in FROM reading both the enclosing query and an earlier FROM item');
      }
      const outerSchema = this.correlation.plan.schema;
      const keys = outerRefs.map((r) => ({ index: r - OUTER_BASE, type: outerSchema[r - OUTER_BASE]!.type }));
      const keyPlan: LogicalPlan = { kind: 'aggregate', input: this.correlation.plan, groupBy: keys.map((k) => ({ kind: 'column', index: k.index, type: k.type })), aggregates: [], schema: keys.map((k) => outerSchema[k.index]!) };
      const keyArgs = coerced.map((a) => mapExpr(a, (x) => (x.kind === 'column' && isOuterRef(x.index) ? { ...x, index: outerRefs.indexOf(x.index) } : x)));
      const plan: LogicalPlan = { kind: 'project_set', input: keyPlan, calls: [{ fn: fn.id, args: keyArgs, ordinality }], schema: [...keyPlan.schema, ...fieldsOf(columns)] };
      const keyColumns = keys.map((k, j) => ({ qualifier: null, name: `_outer${j}`, type: k.type, hidden: true, outerKey: k.index }));
      const rel = { plan, scope: Scope.concat(new Scope(keyColumns), scope) };
      if (!left) return rel;
      return { plan: { kind: 'join', joinType: 'cross', left: left.plan, right: plan, condition: null, schema: [...left.plan.schema, ...plan.schema] }, scope: Scope.concat(left.scope, rel.scope) };
    }
    if (left && coerced.some((a) => referencedColumns(a).size > 0)) {
      const plan: LogicalPlan = { kind: 'project_set', input: left.plan, calls: [{ fn: fn.id, args: coerced, ordinality }], schema: [...left.plan.schema, ...fieldsOf(columns)] };
      return { plan, scope: Scope.concat(left.scope, scope) };
    }
    const plan: LogicalPlan = { kind: 'table_function', fn: fn.id, args: coerced, ordinality, schema: fieldsOf(columns) };
    if (!left) return { plan, scope };
    return { plan: { kind: 'join', joinType: 'cross', left: left.plan, right: plan, condition: null, schema: [...left.plan.schema, ...plan.schema] }, scope: Scope.concat(left.scope, scope) };
  }

  private withCtes(withClause: AstNode): QueryBinder {
    const ctes = new Map(this.ctes);
    const recursive = withClause.recursive === true;
    for (const item of withClause.ctes as AstNode[]) {
      const cte = item.CommonTableExpr as AstNode;
      const name = cte.ctename as string;
      const aliases = ((cte.aliascolnames as AstNode[] | undefined) ?? []).map(stringValue);
      const query = cte.ctequery as AstNode;
      const bound = recursive && refersTo(query, name) ? this.child(null, ctes).bindRecursive(name, aliases, query) : this.child(null, ctes).bindQuery(query);
      if (aliases.length > bound.columns.length) {
        throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `WITH query "${name}" has ${bound.columns.length} columns available but ${aliases.length} columns specified`);
      }
      ctes.set(name, { plan: bound.plan, columns: bound.columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: c.type })) });
    }
    return this.child(this.correlation, ctes);
  }

  /** WITH RECURSIVE name AS (anchor UNION [ALL] step), where step reads `name`. */
  private bindRecursive(name: string, aliases: string[], node: AstNode): BoundQuery {
    const stmt = node.SelectStmt as AstNode;
    if (stmt.op !== 'SETOP_UNION') {
      throw new SqlError(SqlState.INVALID_RECURSION, `recursive query "${name}" does not have the form non-recursive-term UNION [ALL] recursive-term`);
    }
    const anchor = this.bindQuery({ SelectStmt: stmt.larg });
    const columns = anchor.columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: c.type }));
    const id = this.ctx.workTables.count++;
    const schema = fieldsOf(columns);
    const ctes = new Map(this.ctes).set(name, { plan: { kind: 'work_table', id, schema }, columns });
    const step = this.child(null, ctes).bindQuery({ SelectStmt: stmt.rarg });
    if (step.columns.length !== columns.length) {
      throw new SqlError(SqlState.SYNTAX_ERROR, 'each UNION query must have the same number of columns');
    }
    const stepPlan = coercePlan(step, columns.map((c) => c.type), this.ctx.params);
    return {
      plan: { kind: 'recursive_union', id, all: stmt.all === true, anchor: anchor.plan, step: stepPlan, schema },
      columns: anchor.columns.map((c, i) => ({ ...c, name: columns[i]!.name })),
    };
  }

  private bindSetOp(stmt: AstNode): BoundQuery {
    const op = ({ SETOP_UNION: 'union', SETOP_INTERSECT: 'intersect', SETOP_EXCEPT: 'except' } as const)[stmt.op as 'SETOP_UNION'];
    const left = this.child().bindQuery({ SelectStmt: stmt.larg });
    const right = this.child().bindQuery({ SelectStmt: stmt.rarg });
    const name = op.toUpperCase();
    if (left.columns.length !== right.columns.length) {
      throw new SqlError(SqlState.SYNTAX_ERROR, `each ${name} query must have the same number of columns`);
    }
    const types = left.columns.map((c, i) => commonType([c.type, right.columns[i]!.type], name));
    const columns = left.columns.map((c, i) => ({ name: c.name, type: types[i]!, tableOid: 0, columnNumber: 0 }));
    const plan: LogicalPlan = {
      kind: 'setop',
      op,
      all: stmt.all === true,
      left: coercePlan(left, types, this.ctx.params),
      right: coercePlan(right, types, this.ctx.params),
      schema: fieldsOf(columns),
    };
    return this.finishSimple({ plan, columns }, stmt);
  }

  private bindValues(lists: AstNode[]): BoundQuery {
    const binder = new ExprBinder(new Scope([]), { params: this.ctx.params, aggregates: null, clause: 'VALUES', subqueries: null });
    const rows = lists.map((l) => ((l.List as AstNode).items as AstNode[]).map((n) => binder.bind(n)));
    const width = rows[0]!.length;
    if (rows.some((r) => r.length !== width)) throw new SqlError(SqlState.SYNTAX_ERROR, 'VALUES lists must all be the same length');
    const types = Array.from({ length: width }, (_, c) => commonType(rows.map((r) => r[c]!.type), 'VALUES'));
    const coerced = rows.map((r) => r.map((e, c) => coerceTo(e, types[c]!, this.ctx.params)));
    const schema: Field[] = types.map((type, i) => ({ name: `column${i + 1}`, type }));
    return { plan: { kind: 'values', rows: coerced, schema }, columns: schema.map((f) => ({ name: f.name, type: f.type, tableOid: 0, columnNumber: 0 })) };
  }

  /** ORDER BY / LIMIT on VALUES or a set operation: by output position or output name. */
  private finishSimple(q: BoundQuery, stmt: AstNode): BoundQuery {
    const scope = new Scope(q.columns.map((c) => ({ qualifier: null, name: c.name, type: c.type })));
    const targets: Target[] = q.columns.map((c, i) => ({ expr: { kind: 'column', index: i, type: c.type }, name: c.name, tableOid: 0, columnNumber: 0 }));
    const binder = new ExprBinder(scope, { params: this.ctx.params, aggregates: null, clause: 'ORDER BY', subqueries: null });
    const order = bindOrderItems(binder, targets, (stmt.sortClause as AstNode[] | undefined) ?? []);
    let plan = q.plan;
    if (order.length) {
      const keys = order.map((o) => ({ expr: o.targetIndex !== undefined ? targets[o.targetIndex]!.expr : o.expr!, descending: o.descending, nullsFirst: o.nullsFirst }));
      plan = { kind: 'sort', input: plan, keys, schema: plan.schema };
    }
    return { plan: this.bindLimit(plan, stmt), columns: q.columns };
  }

  private bindSelect(stmt: AstNode): CorrelatedResult {
    if (stmt.lockingClause) throw featureNotSupported('SELECT … FOR UPDATE/SHARE');
    if (stmt.intoClause) throw featureNotSupported('SELECT INTO', 'Use CREATE TABLE … AS.');
    const from = bindFrom(this, (stmt.fromClause as AstNode[] | undefined) ?? []);
    const scope = from.scope;
    const attacher = new SubqueryAttacher(this, from.plan, scope);
    const params = this.ctx.params;
    const outer = this.correlation?.scope;

    // WHERE: EXISTS / IN conjuncts become semi or anti joins; references to an enclosing
    // query (correlation) are set aside to become the join condition with it.
    const correlated: Expr[] = [];
    // Key columns of FROM functions that read the enclosing query correlate on equality.
    scope.columns.forEach((c, i) => {
      if (c.outerKey === undefined) return;
      correlated.push({ kind: 'call', fn: `=(${c.type.name},${c.type.name})`, args: [{ kind: 'column', index: i, type: c.type }, { kind: 'column', index: OUTER_BASE + c.outerKey, type: c.type }], type: T.bool });
    });
    if (stmt.whereClause) {
      const whereBinder = new ExprBinder(scope, { params, aggregates: null, clause: 'WHERE', outer, subqueries: attacher });
      const local: Expr[] = [];
      for (const part of astConjuncts(stmt.whereClause as AstNode)) {
        if (attacher.tryJoinSubquery(part)) continue;
        const e = whereBinder.bindCondition(part);
        for (const c of conjuncts(e)) ((referencesOuter(c) ? correlated : local) as Expr[]).push(c);
      }
      const predicate = conjunction(local);
      if (predicate) attacher.plan = { kind: 'filter', input: attacher.plan, predicate, schema: attacher.plan.schema };
    }

    const collector: AggregateCollector = { calls: [], types: [] };
    const windows: WindowCollector = { calls: [], definitions: windowDefinitions(stmt) };
    const grouping: GroupingCollector = { calls: [] };
    const setReturning: SetReturningCollector = { calls: [], types: [] };
    const binder = (clause: string, aggregates: AggregateCollector | null, w: WindowCollector | null = null) =>
      new ExprBinder(scope, { params, aggregates, clause, subqueries: attacher, windows: w, grouping: aggregates ? grouping : null });
    const targets = expandTargets(
      new ExprBinder(scope, { params, aggregates: collector, clause: 'SELECT', outer, subqueries: attacher, windows, grouping, setReturning }),
      scope,
      (stmt.targetList as AstNode[] | undefined) ?? [],
    );
    const groupBinder = binder('GROUP BY', null);
    const groupClause = (stmt.groupClause as AstNode[] | undefined) ?? [];
    const groupingSets = hasGroupingSets(groupClause) ? bindGroupingSets(expandGroupingSets(groupClause), (g) => bindGroupItem(groupBinder, targets, g)) : null;
    const groupBy = groupingSets ? groupingSets.keys : groupClause.map((g) => bindGroupItem(groupBinder, targets, g));
    const having = stmt.havingClause ? binder('HAVING', collector).bindCondition(stmt.havingClause as AstNode) : null;
    const order = bindOrderItems(binder('ORDER BY', collector, windows), targets, (stmt.sortClause as AstNode[] | undefined) ?? []);
    const distinctOnAst = ((stmt.distinctClause as AstNode[] | undefined) ?? []).filter((d) => Object.keys(d).length > 0);
    const distinctOn = bindOrderItems(binder('DISTINCT ON', collector, windows), targets, distinctOnAst.map((node) => ({ SortBy: { node, sortby_dir: 'SORTBY_DEFAULT', sortby_nulls: 'SORTBY_NULLS_DEFAULT' } })));
    const aggregating = groupBy.length > 0 || collector.calls.length > 0 || having !== null || groupingSets !== null;

    // Enclosing-query columns the select list reads join in as key columns (see Correlator).
    const outerInTargets = [...new Set(targets.flatMap((t) => [...referencedColumns(t.expr)].filter(isOuterRef)))];
    const correlator = this.correlation ? new Correlator(this.correlation, correlated, scope, attacher, aggregating, outerInTargets) : null;
    const grouped = aggregating && groupBy.length === 0;
    correlator?.prepareInput(groupBy);
    if (correlator) for (const t of targets) t.expr = correlator.resolveOuter(t.expr);

    let plan = attacher.plan;
    if (aggregating) {
      const keys = groupBy;
      const aggFields: Field[] = [
        ...keys.map((k, i) => ({ name: `_group${i}`, type: k.type })),
        ...collector.types.map((t, i) => ({ name: `_agg${i}`, type: t })),
      ];
      plan = groupingSets
        ? groupingSetsPlan(plan, keys, groupingSets.sets, collector.calls, collector.types)
        : { kind: 'aggregate', input: plan, groupBy: keys, aggregates: collector.calls, schema: aggFields };
      const maskColumn = groupingSets ? keys.length + collector.calls.length : null;
      const rewrite = (e: Expr) => resolveGroupingCalls(toAggregateOutput(e, keys, scope), grouping, keys, maskColumn);
      for (const t of targets) t.expr = rewrite(t.expr);
      for (const o of [...order, ...distinctOn]) if (o.expr) o.expr = rewrite(o.expr);
      if (having) plan = { kind: 'filter', input: plan, predicate: rewrite(having), schema: plan.schema };
      correlator?.rewriteKeys(rewrite);
      windows.calls.splice(0, windows.calls.length, ...windows.calls.map((c) => mapPlanExprs({ kind: 'window', input: plan, calls: [c], schema: [] }, rewrite) as WindowNode).map((w) => w.calls[0]!));
      for (const c of setReturning.calls) c.args = c.args.map(rewrite);
    }
    if (windows.calls.length > 0) {
      const base = plan.schema.length;
      plan = { kind: 'window', input: plan, calls: windows.calls, schema: [...plan.schema, ...windows.calls.map((c, i) => ({ name: `_window${i}`, type: c.type }))] };
      const resolve = (e: Expr) => mapExpr(e, (x) => (x.kind === 'column' && isPlaceholder(x.index, WINDOW_BASE) ? { ...x, index: base + x.index - WINDOW_BASE } : x));
      for (const t of targets) t.expr = resolve(t.expr);
      for (const o of [...order, ...distinctOn]) if (o.expr) o.expr = resolve(o.expr);
      for (const c of setReturning.calls) c.args = c.args.map(resolve);
    }
    if (setReturning.calls.length > 0) {
      // Set-returning functions of the select list run after aggregation and windows.
      const base = plan.schema.length;
      plan = { kind: 'project_set', input: plan, calls: setReturning.calls, schema: [...plan.schema, ...setReturning.types.map((type, i) => ({ name: `_srf${i}`, type }))] };
      const resolve = (e: Expr) => mapExpr(e, (x) => (x.kind === 'column' && isPlaceholder(x.index, SET_RETURNING_BASE) ? { ...x, index: base + x.index - SET_RETURNING_BASE } : x));
      for (const t of targets) t.expr = resolve(t.expr);
      for (const o of [...order, ...distinctOn]) if (o.expr) o.expr = resolve(o.expr);
    }

    // Select list, then correlation keys, then ORDER BY expressions not in the list (hidden).
    const exprs = targets.map((t) => t.expr);
    const extras = correlator?.outputs() ?? [];
    exprs.push(...extras);
    const plainDistinct = stmt.distinctClause !== undefined && distinctOn.length === 0;
    const sortKeys = this.sortKeys(order, exprs, plainDistinct);
    const distinctKeys = this.sortKeys(distinctOn, exprs, false);
    const visible = targets.length + extras.length;
    const projectSchema: Field[] = exprs.map((e, i) => ({ name: targets[i]?.name ?? `_col${i}`, type: e.type }));
    plan = { kind: 'project', input: plan, exprs, schema: projectSchema };

    if (distinctKeys.length > 0) {
      // DISTINCT ON: sort (by ORDER BY, which must start with the DISTINCT ON expressions), keep each run's first row.
      const leading = sortKeys.slice(0, distinctKeys.length).map((k) => JSON.stringify(k.expr));
      if (sortKeys.length > 0 && !distinctKeys.every((k) => leading.includes(JSON.stringify(k.expr)))) {
        throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
      }
      plan = { kind: 'sort', input: plan, keys: sortKeys.length > 0 ? sortKeys : distinctKeys, schema: plan.schema };
      plan = { kind: 'distinct_on', input: plan, keys: distinctKeys.map((k) => k.expr), schema: plan.schema };
    } else {
      if (plainDistinct) plan = { kind: 'aggregate', input: plan, groupBy: projectSchema.map((f, i) => ({ kind: 'column', index: i, type: f.type })), aggregates: [], schema: projectSchema };
      if (sortKeys.length > 0) plan = { kind: 'sort', input: plan, keys: sortKeys, schema: plan.schema };
    }
    plan = this.bindLimit(plan, stmt);
    if (exprs.length > visible) {
      const keep: Expr[] = projectSchema.slice(0, visible).map((f, i) => ({ kind: 'column', index: i, type: f.type }));
      plan = { kind: 'project', input: plan, exprs: keep, schema: projectSchema.slice(0, visible) };
    }
    const query: BoundQuery = {
      plan,
      columns: targets.map((t) => ({ name: t.name, type: t.expr.type, tableOid: t.tableOid, columnNumber: t.columnNumber })),
    };
    const emptyValues = grouped ? targets.map((t) => valueOverNoRows(t.expr, groupBy.length, collector, (i) => correlator?.outerColumnOf(groupBy[i]!))) : null;
    return { query, visible: targets.length, conditions: correlator?.conditions(targets.length) ?? [], grouped, emptyValues };
  }

  private sortKeys(order: OrderItem[], exprs: Expr[], distinct: boolean): SortKey[] {
    return order.map((o) => {
      let index = o.targetIndex;
      if (index === undefined) {
        index = exprs.findIndex((e) => JSON.stringify(e) === JSON.stringify(o.expr));
        if (index < 0) {
          if (distinct) {
            throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', { position: o.position });
          }
          exprs.push(o.expr!);
          index = exprs.length - 1;
        }
      }
      return { expr: { kind: 'column', index, type: exprs[index]!.type }, descending: o.descending, nullsFirst: o.nullsFirst };
    });
  }

  private bindLimit(plan: LogicalPlan, stmt: AstNode): LogicalPlan {
    if (!stmt.limitCount && !stmt.limitOffset) return plan;
    const withTies = stmt.limitOption === 'LIMIT_OPTION_WITH_TIES';
    if (withTies && plan.kind !== 'sort') throw new SqlError(SqlState.SYNTAX_ERROR, 'WITH TIES cannot be specified without ORDER BY clause');
    const empty = new Scope([]);
    const bind = (node: AstNode | undefined, clause: string) => {
      if (!node) return null;
      const e = new ExprBinder(empty, { params: this.ctx.params, aggregates: null, clause, subqueries: null }).bind(node);
      if (e.kind === 'literal' && e.text === null) return null;
      return coerceTo(e, T.int8, this.ctx.params);
    };
    return {
      kind: 'limit',
      input: plan,
      count: bind(stmt.limitCount as AstNode | undefined, 'LIMIT'),
      offset: bind(stmt.limitOffset as AstNode | undefined, 'OFFSET'),
      ...(withTies && plan.kind === 'sort' ? { withTies: plan.keys.map((k) => k.expr) } : {}),
      schema: plan.schema,
    };
  }
}

/** Casts a query's output columns to `types` where they differ. */
function coercePlan(q: BoundQuery, types: readonly PgType[], params: ParamTypes): LogicalPlan {
  if (q.columns.every((c, i) => c.type.oid === types[i]!.oid && (types[i]!.typmod === -1 || c.type.typmod === types[i]!.typmod))) return q.plan;
  const exprs = q.columns.map((c, i) => coerceTo({ kind: 'column', index: i, type: c.type }, types[i]!, params));
  return { kind: 'project', input: q.plan, exprs, schema: q.columns.map((c, i) => ({ name: c.name, type: types[i]! })) };
}

function windowDefinitions(stmt: AstNode): Map<string, AstNode> {
  const defs = new Map<string, AstNode>();
  for (const w of (stmt.windowClause as AstNode[] | undefined) ?? []) {
    const def = w.WindowDef as AstNode;
    defs.set(def.name as string, def);
  }
  return defs;
}

/** An expression over aggregate outputs evaluated for an empty input: count → 0, a joined outer key its enclosing-query column, others NULL. */
function valueOverNoRows(e: Expr, keyCount: number, collector: AggregateCollector, outerKey: (i: number) => Expr | undefined): Expr {
  return mapExpr(e, (x) => {
    if (x.kind !== 'column') return x;
    if (x.index < keyCount) return outerKey(x.index) ?? { kind: 'literal', text: null, type: x.type };
    const call = collector.calls[x.index - keyCount];
    const isCount = call !== undefined && call.fn.startsWith('count(');
    return { kind: 'literal', text: isCount ? '0' : null, type: x.type };
  });
}

function astConjuncts(node: AstNode): AstNode[] {
  const b = node.BoolExpr as AstNode | undefined;
  return b && b.boolop === 'AND_EXPR' ? (b.args as AstNode[]).flatMap(astConjuncts) : [node];
}

const referencesOuter = (e: Expr): boolean => [...referencedColumns(e)].some(isOuterRef);

/** Whether a query's text refers to a relation called `name` (for WITH RECURSIVE). */
function refersTo(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => refersTo(n, name));
  if (node === null || typeof node !== 'object') return false;
  for (const [k, v] of Object.entries(node as AstNode)) {
    if (k === 'RangeVar' && (v as AstNode).relname === name && !(v as AstNode).schemaname) return true;
    if (refersTo(v, name)) return true;
  }
  return false;
}
