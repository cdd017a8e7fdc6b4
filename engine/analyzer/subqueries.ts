/**
 * Subqueries, decorrelated into joins (never re-run per row):
 * - uncorrelated scalar subqueries become init plans, computed once before the statement;
 * - EXISTS / NOT EXISTS / IN / NOT IN conjuncts of WHERE become semi and anti joins;
 * - correlated scalar subqueries become a LEFT JOIN to the subquery grouped by its
 *   correlation keys. Equality correlation (inner = outer) groups by the inner expression;
 *   any other correlation first joins the subquery's input to the distinct outer key values.
 * EXISTS and IN elsewhere in an expression are rewritten as counting scalar subqueries.
 */
import { SqlError, SqlState } from '../errors/index.js';
import { scalarById } from '../functions/registry.js';
import '../functions/aggregate/single-value.js';
import type { AstNode } from '../parser/ast.js';
import { positionOf } from '../parser/ast.js';
import { type Expr, conjunction, mapExpr, referencedColumns } from '../plan/expr.js';
import type { AggregateCall, JoinType, LogicalPlan } from '../plan/plan.js';
import { T } from '../types/pg-type.js';
import { ExprBinder, OUTER_BASE, isOuterRef, type SubqueryBinder } from './bind-expr.js';
import type { BoundQuery, QueryBinder } from './bind-select.js';
import type { Scope } from './scope.js';

/** Columns of the subquery's result in a correlation condition are at this offset + position. */
const RIGHT_BASE = 3_000_000;

/** The enclosing query as a correlated subquery sees it. */
export interface Correlation {
  readonly scope: Scope;
  /** The enclosing query's plan so far (its FROM and WHERE), for the distinct key values. */
  readonly plan: LogicalPlan;
}

export interface CorrelatedResult {
  readonly query: BoundQuery;
  /** Leading output columns the subquery's select list produced (the rest are correlation keys). */
  readonly visible: number;
  /** Join conditions: enclosing-query columns by index, subquery outputs at RIGHT_BASE + position. */
  readonly conditions: readonly Expr[];
  /** True when the subquery yields at most one row per correlation key (it aggregates without GROUP BY). */
  readonly grouped?: boolean;
  /** With `grouped`: each output's value over no rows (count → 0), for enclosing rows that match no key. */
  readonly emptyValues?: readonly Expr[] | null;
}

const BOOL = T.bool;
const column = (index: number, type: Expr['type']): Expr => ({ kind: 'column', index, type });

export class SubqueryAttacher implements SubqueryBinder {
  constructor(
    private readonly qb: QueryBinder,
    /** The relation being built; subquery joins are added on top of it. */
    public plan: LogicalPlan,
    private readonly scope: Scope,
  ) {}

  scalar(subselect: AstNode, position?: number): Expr {
    const r = this.qb.child({ scope: this.scope, plan: this.plan }).bindCorrelated(subselect);
    if (r.visible !== 1) throw new SqlError(SqlState.SYNTAX_ERROR, 'subquery must return only one column', { position });
    const type = r.query.columns[0]!.type;
    if (r.conditions.length === 0) {
      const initPlans = this.qb.ctx.initPlans;
      initPlans.push({ kind: 'single_row', input: r.query.plan, schema: r.query.plan.schema.slice(0, 1) });
      return { kind: 'init_plan', id: initPlans.length - 1, type };
    }
    return this.attachScalar(r, type);
  }

  /** LEFT JOIN to the subquery (one row per key); the value, or its empty value for unmatched rows. */
  private attachScalar(r: CorrelatedResult, type: Expr['type']): Expr {
    let right = r.query.plan;
    const width = right.schema.length;
    if (!r.grouped) {
      // value first, keys after, at most one row per key (21000 otherwise).
      const keys = right.schema.slice(1).map((f, i) => column(i + 1, f.type));
      const single: AggregateCall = { fn: 'single_value(unknown)', args: [column(0, type)], distinct: false, filter: null };
      const grouped: LogicalPlan = { kind: 'aggregate', input: right, groupBy: keys, aggregates: [single], schema: [...right.schema.slice(1), right.schema[0]!] };
      right = { kind: 'project', input: grouped, exprs: [column(width - 1, type), ...keys.map((k, i) => column(i, k.type))], schema: right.schema };
    }
    return joinCorrelated(this, right, 'left', r)[0]!;
  }

  /** Adds a join to `right` on top of the relation (conditions use RIGHT_BASE for right columns). */
  join(right: LogicalPlan, joinType: JoinType, conditions: readonly Expr[], nullAware = false): void {
    this.plan = joinPlans(this.plan, right, joinType, conditions, nullAware);
  }

  /**
   * A WHERE conjunct that is [NOT] EXISTS (…) or x [NOT] IN (…) becomes a semi or anti join on
   * the relation; returns false when the conjunct has another form (bound as an expression).
   */
  tryJoinSubquery(node: AstNode): boolean {
    let negated = false;
    let sub = node.SubLink as AstNode | undefined;
    const not = node.BoolExpr as AstNode | undefined;
    if (!sub && not?.boolop === 'NOT_EXPR') {
      sub = ((not.args as AstNode[])[0] as AstNode).SubLink as AstNode | undefined;
      negated = true;
    }
    if (!sub) return false;
    const kind = sub.subLinkType;
    const isIn = kind === 'ANY_SUBLINK' && ((sub.operName as AstNode[] | undefined) ?? []).length <= 1 && !('RowExpr' in (sub.testexpr as AstNode));
    if (kind !== 'EXISTS_SUBLINK' && !isIn) return false;
    const r = this.qb.child({ scope: this.scope, plan: this.plan }).bindCorrelated(sub.subselect as AstNode);
    if (kind === 'EXISTS_SUBLINK') {
      this.join(r.query.plan, negated ? 'anti' : 'semi', r.conditions);
      return true;
    }
    if (negated && r.conditions.length > 0) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'correlated NOT IN subqueries are not supported', { hint: 'Use NOT EXISTS.' });
    if (r.visible !== 1) throw new SqlError(SqlState.SYNTAX_ERROR, 'subquery has too many columns', { position: positionOf(sub) });
    const binder = new ExprBinder(this.scope, { params: this.qb.ctx.params, aggregates: null, clause: 'WHERE', subqueries: null });
    const test = binder.bind(sub.testexpr as AstNode);
    const equality = binder.operator('=', [test, column(RIGHT_BASE, r.query.columns[0]!.type)], positionOf(sub));
    this.join(r.query.plan, negated ? 'anti' : 'semi', [equality, ...r.conditions], negated);
    return true;
  }
}

/** A join of `left` and `right` whose condition addresses right columns at RIGHT_BASE + position. */
export function joinPlans(left: LogicalPlan, right: LogicalPlan, joinType: JoinType, conditions: readonly Expr[], nullAware = false): LogicalPlan {
  const leftWidth = left.schema.length;
  const condition = conjunction(conditions.map((c) => mapExpr(c, (x) => (x.kind === 'column' && x.index >= RIGHT_BASE ? { ...x, index: leftWidth + x.index - RIGHT_BASE } : x))));
  const schema = joinType === 'semi' || joinType === 'anti' ? left.schema : [...left.schema, ...right.schema];
  return { kind: 'join', joinType, left, right, condition, ...(nullAware ? { nullAware } : {}), schema };
}

/**
 * Joins a decorrelated subquery's result to `target.plan` and returns expressions for its
 * visible columns. A grouped subquery (aggregates without GROUP BY) has one row per key; an
 * enclosing row without a key gets the subquery's value over no rows (count → 0), told apart
 * by a marker column.
 */
export function joinCorrelated(target: { plan: LogicalPlan }, right: LogicalPlan, joinType: 'inner' | 'left', r: CorrelatedResult): Expr[] {
  const empties = r.grouped ? (r.emptyValues ?? []).map((e) => (e.kind === 'literal' && e.text === null ? null : e)) : [];
  const needsMarker = empties.some((e) => e !== null);
  let rightPlan = right;
  if (needsMarker) {
    rightPlan = {
      kind: 'project',
      input: right,
      exprs: [...right.schema.map((f, i) => column(i, f.type)), { kind: 'literal', text: 't', type: BOOL }],
      schema: [...right.schema, { name: '_matched', type: BOOL }],
    };
  }
  const leftWidth = target.plan.schema.length;
  target.plan = joinPlans(target.plan, rightPlan, r.grouped ? 'left' : joinType, r.conditions);
  const marker = column(leftWidth + rightPlan.schema.length - 1, BOOL);
  return r.query.columns.slice(0, r.visible).map((c, i) => {
    const value = column(leftWidth + i, c.type);
    const empty = empties[i];
    if (!empty) return value;
    return { kind: 'case', whens: [{ when: { kind: 'isnull', arg: marker, negated: false, type: BOOL }, then: empty }], otherwise: value, type: c.type };
  });
}

/**
 * Inside a correlated subquery: turns the WHERE conjuncts that reference the enclosing query
 * into extra output columns and join conditions.
 */
export class Correlator {
  private outputsList: Expr[] = [];
  private conditionsFor: (visible: number) => Expr[] = () => [];
  /** After a key join: where each enclosing-query column (by outer index) is in the subquery's input. */
  private keyColumns = new Map<number, number>();

  constructor(
    private readonly correlation: Correlation,
    private readonly correlated: readonly Expr[],
    private readonly scope: Scope,
    private readonly attacher: SubqueryAttacher,
    private readonly aggregating: boolean,
    /** Outer references (OUTER_BASE + index) in the select list. */
    private readonly selectOuter: readonly number[] = [],
  ) {}

  /** Called before aggregation: may add group keys (and, for general correlation, a key join). */
  prepareInput(groupBy: Expr[]): void {
    if (this.correlated.length === 0 && this.selectOuter.length === 0) return;
    // A select list that reads the enclosing query needs its values as columns: the key join.
    if (this.selectOuter.length > 0) return this.joinOuterKeys(groupBy);
    if (!this.aggregating) return this.exposeInnerColumns();
    const equalities = this.correlated.map(splitEquality);
    if (equalities.every((e) => e !== null)) {
      const pairs = equalities as { inner: Expr; outer: Expr }[];
      for (const p of pairs) groupBy.push(p.inner);
      this.outputsList = pairs.map((p) => p.inner);
      this.conditionsFor = (visible) => pairs.map((p, i) => eq(p.outer, column(RIGHT_BASE + visible + i, p.inner.type)));
      return;
    }
    this.joinOuterKeys(groupBy);
  }

  /** No aggregation: the inner columns the conditions read become extra outputs. */
  private exposeInnerColumns(): void {
    const inner = [...new Set(this.correlated.flatMap((c) => [...referencedColumns(c)].filter((i) => !isOuterRef(i))))].sort((a, b) => a - b);
    this.outputsList = inner.map((i) => column(i, this.scope.columns[i]?.type ?? this.attacher.plan.schema[i]!.type));
    this.conditionsFor = (visible) =>
      this.correlated.map((c) => mapExpr(c, (x) => (x.kind !== 'column' ? x : isOuterRef(x.index) ? { ...x, index: x.index - OUTER_BASE } : { ...x, index: RIGHT_BASE + visible + inner.indexOf(x.index) })));
  }

  /**
   * General correlation (under aggregation, or read by the select list): join the input to the
   * distinct outer key values; the subquery then reads them as its own columns.
   */
  private joinOuterKeys(groupBy: Expr[]): void {
    const outerRefs = [...this.correlated.flatMap((c) => [...referencedColumns(c)].filter(isOuterRef)), ...this.selectOuter];
    const outerKeys = [...new Set(outerRefs.map((i) => i - OUTER_BASE))].sort((a, b) => a - b);
    const outerSchema = this.correlation.plan.schema;
    const keyExprs = outerKeys.map((k) => column(k, outerSchema[k]!.type));
    const keyPlan: LogicalPlan = { kind: 'aggregate', input: this.correlation.plan, groupBy: keyExprs, aggregates: [], schema: outerKeys.map((k) => outerSchema[k]!) };
    const width = this.attacher.plan.schema.length;
    const condition = conjunction(this.correlated.map((c) => mapExpr(c, (x) => (x.kind === 'column' && isOuterRef(x.index) ? { ...x, index: width + outerKeys.indexOf(x.index - OUTER_BASE) } : x))));
    const input = this.attacher.plan;
    this.attacher.plan = { kind: 'join', joinType: 'inner', left: input, right: keyPlan, condition, schema: [...input.schema, ...keyPlan.schema] };
    const keys = outerKeys.map((k, j) => column(width + j, outerSchema[k]!.type));
    this.keyColumns = new Map(outerKeys.map((k, j) => [k, width + j]));
    if (this.aggregating) groupBy.push(...keys);
    this.outputsList = keys;
    this.conditionsFor = (visible) => outerKeys.map((k, j) => notDistinct(column(k, outerSchema[k]!.type), column(RIGHT_BASE + visible + j, outerSchema[k]!.type)));
  }

  /** The enclosing query's column a group key holds when it is a joined outer key (its value where the subquery finds no rows). */
  outerColumnOf(key: Expr): Expr | undefined {
    if (key.kind !== 'column') return undefined;
    for (const [outer, inner] of this.keyColumns) if (inner === key.index) return column(outer, key.type);
    return undefined;
  }

  /** An expression of the select list with its outer references read from the joined key columns. */
  resolveOuter(e: Expr): Expr {
    if (this.keyColumns.size === 0) return e;
    return mapExpr(e, (x) => (x.kind === 'column' && isOuterRef(x.index) ? column(this.keyColumns.get(x.index - OUTER_BASE)!, x.type) : x));
  }

    rewriteKeys(rewrite: (e: Expr) => Expr): void {
    this.outputsList = this.outputsList.map(rewrite);
  }

  outputs(): Expr[] {
    return this.outputsList;
  }

  conditions(visible: number): Expr[] {
    return this.conditionsFor(visible);
  }
}

/** `inner = outer` (either order) with each side reading only its own query, or null. */
function splitEquality(c: Expr): { inner: Expr; outer: Expr } | null {
  if (c.kind !== 'call' || scalarById(c.fn)?.name !== '=' || c.args.length !== 2) return null;
  const side = (e: Expr) => {
    const cols = [...referencedColumns(e)];
    if (cols.length === 0) return 'none';
    if (cols.every(isOuterRef)) return 'outer';
    return cols.some(isOuterRef) ? 'both' : 'inner';
  };
  const [a, b] = c.args as [Expr, Expr];
  const toOuter = (e: Expr) => mapExpr(e, (x) => (x.kind === 'column' ? { ...x, index: x.index - OUTER_BASE } : x));
  if (side(a) === 'inner' && side(b) === 'outer') return { inner: a, outer: toOuter(b) };
  if (side(b) === 'inner' && side(a) === 'outer') return { inner: b, outer: toOuter(a) };
  return null;
}

const eqFn = (type: Expr['type']): string => `=(${type.name},${type.name})`;
const eq = (a: Expr, b: Expr): Expr => ({ kind: 'call', fn: eqFn(b.type), args: [a.type.oid === b.type.oid ? a : { kind: 'cast', arg: a, type: b.type }, b], type: BOOL });

/** a IS NOT DISTINCT FROM b. */
function notDistinct(a: Expr, b: Expr): Expr {
  const isNull = (x: Expr): Expr => ({ kind: 'isnull', arg: x, negated: false, type: BOOL });
  return { kind: 'or', args: [eq(a, b), { kind: 'and', args: [isNull(a), isNull(b)], type: BOOL }], type: BOOL };
}
