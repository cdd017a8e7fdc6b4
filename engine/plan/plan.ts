/**
 * Logical plans: immutable, plain JSON trees. Every node carries its output schema; the
 * expressions of a node refer to columns of its input (for joins: left columns, then right).
 */
import type { Field } from '../execution/batch/batch.js';
import type { Json } from '../../connectors/spi/index.js';
import type { ColumnMetadata } from '../../connectors/spi/index.js';
import type { Expr } from './expr.js';

export type LogicalPlan =
  | ScanNode
  | ValuesNode
  | FilterNode
  | ProjectNode
  | JoinNode
  | AggregateNode
  | SortNode
  | LimitNode
  | SetOpNode
  | WindowNode
  | DistinctOnNode
  | EnforceSingleRowNode
  | TableFunctionNode
  | RecursiveUnionNode
  | WorkTableNode
  | ProjectSetNode;

export interface ScanNode {
  readonly kind: 'scan';
  readonly catalog: string;
  readonly schemaName: string;
  readonly tableName: string;
  readonly tableHandle: Json;
  readonly tableColumns: readonly ColumnMetadata[];
  /** Which table columns the scan produces, in order. */
  readonly columns: readonly number[];
  readonly schema: readonly Field[];
  /** What the source is asked for (its SQL), when the connector describes it: shown by EXPLAIN. */
  readonly sourceQuery?: string;
  /** A row filter or column mask applies to this table (engine/access): EXPLAIN does not show its source query. */
  readonly policy?: true;
}

export interface ValuesNode {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
  readonly schema: readonly Field[];
}

export interface FilterNode {
  readonly kind: 'filter';
  readonly input: LogicalPlan;
  readonly predicate: Expr;
  readonly schema: readonly Field[];
  /**
   * A row filter from access control, directly above its scan. The query's own predicates are
   * not merged into it (they run after it, so an error they raise cannot reveal filtered rows),
   * and EXPLAIN does not show its text.
   */
  readonly policy?: true;
}

export interface ProjectNode {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly exprs: readonly Expr[];
  readonly schema: readonly Field[];
}

/**
 * 'semi' keeps left rows with a match and 'anti' those without (EXISTS / IN / NOT EXISTS);
 * their output is the left columns only. 'anti' with `nullAware` is NOT IN: a NULL on either
 * side of the key makes the condition unknown, so such rows are not returned.
 */
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'semi' | 'anti';

export interface JoinNode {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  /** Over left columns followed by right columns; null for a cross join. */
  readonly condition: Expr | null;
  /** For 'anti' joins from NOT IN. */
  readonly nullAware?: boolean;
  /**
   * How the hash join's build (right) side reaches the probe side's tasks, chosen by the
   * join_distribution rule from the build side's estimated size: 'broadcast' copies it to
   * every task, 'partitioned' splits both sides by key hash.
   */
  readonly distribution?: 'broadcast' | 'partitioned';
  readonly schema: readonly Field[];
}

export interface AggregateCall {
  /** Registry id of the aggregate, e.g. "sum(numeric)". */
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter: Expr | null;
  /**
   * ORDER BY inside the call (array_agg(x ORDER BY y)), or WITHIN GROUP for ordered-set
   * aggregates. The key expressions are also the trailing entries of `args`, so the accumulator
   * receives the argument vectors followed by the key vectors.
   */
  readonly orderBy?: readonly SortKey[];
  /** An ordered-set aggregate (percentile_cont(0.5) WITHIN GROUP (ORDER BY x)): `args` are the direct arguments, then the keys. */
  readonly orderedSet?: boolean;
}

/**
 * Output: the group keys, then one column per aggregate, then (with grouping sets) one int4
 * column holding the grouping set's bit mask as grouping() reports it for all keys: bit
 * (n-1-i) set when key i is not in the set.
 */
export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly input: LogicalPlan;
  readonly groupBy: readonly Expr[];
  readonly aggregates: readonly AggregateCall[];
  /** GROUPING SETS / ROLLUP / CUBE: each set lists indices into groupBy; absent means one set of all keys. */
  readonly groupingSets?: readonly (readonly number[])[];
  readonly schema: readonly Field[];
}

export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface SortNode {
  readonly kind: 'sort';
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
  readonly schema: readonly Field[];
}

export interface LimitNode {
  readonly kind: 'limit';
  readonly input: LogicalPlan;
  /** Null: no limit. Evaluated once per execution (may be a parameter). */
  readonly count: Expr | null;
  readonly offset: Expr | null;
  /** FETCH … WITH TIES: the ORDER BY keys; rows equal to the last one counted are also returned. */
  readonly withTies?: readonly Expr[];
  readonly schema: readonly Field[];
}

/** UNION / INTERSECT / EXCEPT [ALL]; columns match by position (already coerced to `schema`). */
export interface SetOpNode {
  readonly kind: 'setop';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly schema: readonly Field[];
}

export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  readonly end: FrameBound;
  readonly exclude: 'no_others' | 'current_row' | 'group' | 'ties';
}

export interface FrameBound {
  readonly kind: 'unbounded_preceding' | 'preceding' | 'current_row' | 'following' | 'unbounded_following';
  /** For 'preceding' / 'following': the offset (evaluated once per partition). */
  readonly offset?: Expr;
}

/** One window function call: a window function (row_number, lag, …) or an aggregate over a frame. */
export interface WindowCall {
  /** Registry id: a window function ("row_number()") or an aggregate ("sum(int4)"). */
  readonly fn: string;
  readonly isAggregate: boolean;
  readonly args: readonly Expr[];
  readonly filter: Expr | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  readonly frame: WindowFrame;
  readonly type: Field['type'];
}

/** Output: the input columns, then one column per window call. */
export interface WindowNode {
  readonly kind: 'window';
  readonly input: LogicalPlan;
  readonly calls: readonly WindowCall[];
  readonly schema: readonly Field[];
}

/** DISTINCT ON: the first row of each run of equal `keys`; the input is sorted by the keys first. */
export interface DistinctOnNode {
  readonly kind: 'distinct_on';
  readonly input: LogicalPlan;
  readonly keys: readonly Expr[];
  readonly schema: readonly Field[];
}

/** A scalar subquery's input: passes at most one row; a second row is error 21000. */
export interface EnforceSingleRowNode {
  readonly kind: 'single_row';
  readonly input: LogicalPlan;
  readonly schema: readonly Field[];
}

/** A set-returning function in FROM (generate_series, unnest), optionally WITH ORDINALITY. */
export interface TableFunctionNode {
  readonly kind: 'table_function';
  /** Registry id of the table function. */
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly ordinality: boolean;
  readonly schema: readonly Field[];
}

/**
 * WITH RECURSIVE: `anchor` once, then `step` repeatedly over the rows the previous round
 * produced (read through a WorkTableNode with the same `id`) until a round produces none.
 * UNION (not ALL) drops rows already produced.
 */
export interface RecursiveUnionNode {
  readonly kind: 'recursive_union';
  readonly id: number;
  readonly all: boolean;
  readonly anchor: LogicalPlan;
  readonly step: LogicalPlan;
  readonly schema: readonly Field[];
}

/**
 * Set-returning functions in the select list (PostgreSQL's ProjectSet): for each input row the
 * functions run side by side, as many output rows as the longest yields (the others NULL);
 * a row for which every function yields nothing is dropped. Output: input columns, then each
 * call's columns. Also runs functions in FROM that read an earlier FROM item's columns.
 */
export interface ProjectSetCall {
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly ordinality?: boolean;
  readonly record?: boolean;
}

export interface ProjectSetNode {
  readonly kind: 'project_set';
  readonly input: LogicalPlan;
  /**
   * Each call adds its function's columns (and, WITH ORDINALITY, a row number); with `record`
   * (several columns in the select list), one column of type record holding them.
   */
  readonly calls: readonly ProjectSetCall[];
  readonly schema: readonly Field[];
}

export interface WorkTableNode {
  readonly kind: 'work_table';
  readonly id: number;
  readonly schema: readonly Field[];
}

export function planInputs(p: LogicalPlan): readonly LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'values':
    case 'table_function':
    case 'work_table':
      return [];
    case 'join':
    case 'setop':
      return [p.left, p.right];
    case 'recursive_union':
      return [p.anchor, p.step];
    default:
      return [p.input];
  }
}

/** Rebuilds a node with new inputs (same order as planInputs). */
export function withInputs(p: LogicalPlan, inputs: readonly LogicalPlan[]): LogicalPlan {
  switch (p.kind) {
    case 'scan':
    case 'values':
    case 'table_function':
    case 'work_table':
      return p;
    case 'join':
    case 'setop':
      return { ...p, left: inputs[0]!, right: inputs[1]! };
    case 'recursive_union':
      return { ...p, anchor: inputs[0]!, step: inputs[1]! };
    default:
      return { ...p, input: inputs[0]! } as LogicalPlan;
  }
}

/** Rebuilds a node with every expression it owns (not its inputs') passed through `f`. */
export function mapPlanExprs(p: LogicalPlan, f: (e: Expr) => Expr): LogicalPlan {
  const keys = (ks: readonly SortKey[]) => ks.map((k) => ({ ...k, expr: f(k.expr) }));
  switch (p.kind) {
    case 'scan':
    case 'work_table':
    case 'setop':
    case 'single_row':
    case 'recursive_union':
      return p;
    case 'values':
      return { ...p, rows: p.rows.map((r) => r.map(f)) };
    case 'filter':
      return { ...p, predicate: f(p.predicate) };
    case 'project':
      return { ...p, exprs: p.exprs.map(f) };
    case 'join':
      return { ...p, condition: p.condition ? f(p.condition) : null };
    case 'aggregate':
      return {
        ...p,
        groupBy: p.groupBy.map(f),
        aggregates: p.aggregates.map((a) => ({
          ...a,
          args: a.args.map(f),
          filter: a.filter ? f(a.filter) : null,
          ...(a.orderBy ? { orderBy: keys(a.orderBy) } : {}),
        })),
      };
    case 'sort':
      return { ...p, keys: keys(p.keys) };
    case 'limit':
      return { ...p, count: p.count ? f(p.count) : null, offset: p.offset ? f(p.offset) : null, ...(p.withTies ? { withTies: p.withTies.map(f) } : {}) };
    case 'window': {
      const bound = (b: FrameBound): FrameBound => (b.offset ? { ...b, offset: f(b.offset) } : b);
      return {
        ...p,
        calls: p.calls.map((c) => ({
          ...c,
          args: c.args.map(f),
          filter: c.filter ? f(c.filter) : null,
          partitionBy: c.partitionBy.map(f),
          orderBy: keys(c.orderBy),
          frame: { ...c.frame, start: bound(c.frame.start), end: bound(c.frame.end) },
        })),
      };
    }
    case 'distinct_on':
      return { ...p, keys: p.keys.map(f) };
    case 'table_function':
      return { ...p, args: p.args.map(f) };
    case 'project_set':
      return { ...p, calls: p.calls.map((c) => ({ ...c, args: c.args.map(f) })) };
  }
}
