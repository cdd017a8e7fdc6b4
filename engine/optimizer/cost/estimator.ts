/**
 * Cardinality and cost estimates for logical plans, from connector statistics (row counts,
 * per-column distinct counts, null fractions, min/max) and the selectivity heuristics in
 * `selectivity.ts`. Cost is cumulative and counts rows handled: every row read, probed,
 * aggregated or produced costs 1, a row put into a hash table BUILD_WEIGHT, and sorting
 * n log2 n — enough to rank join orders, not a time prediction.
 */
import type { Expr } from '../../plan/expr.js';
import type { JoinNode, LogicalPlan, ScanNode } from '../../plan/plan.js';
import { splitJoinCondition } from '../../scheduler/physical-planner.js';
import type { StatsLookup } from '../statistics/stats-lookup.js';
import { type ColumnEstimate, DEFAULT_EQ_SELECTIVITY, columnOf, selectivity } from './selectivity.js';

export interface PlanEstimate {
  readonly rows: number;
  readonly cost: number;
  /** One per output column. */
  readonly columns: readonly ColumnEstimate[];
}

/** Rows assumed for a table whose connector reports none. */
export const UNKNOWN_TABLE_ROWS = 1000;
/** A hash-table insert costs this many probes. */
export const BUILD_WEIGHT = 2;
/** Bytes assumed for a variable-width value of unknown size. */
const DEFAULT_WIDTH = 16;

const capNdv = (columns: readonly ColumnEstimate[], rows: number): ColumnEstimate[] =>
  columns.map((c) => (c.ndv !== undefined && c.ndv > rows ? { ...c, ndv: Math.max(1, rows) } : c));

const literalCount = (e: Expr | null): number | undefined => (e?.kind === 'literal' && e.text !== null ? Number(e.text) : undefined);

export class Estimator {
  private readonly memo = new WeakMap<LogicalPlan, PlanEstimate>();

  constructor(private readonly stats: StatsLookup) {}

  estimate(plan: LogicalPlan): PlanEstimate {
    let e = this.memo.get(plan);
    if (!e) {
      e = this.compute(plan);
      this.memo.set(plan, e);
    }
    return e;
  }

  /** Estimated bytes per output row. */
  rowWidth(plan: LogicalPlan): number {
    const est = this.estimate(plan);
    return plan.schema.reduce((n, f, i) => n + (est.columns[i]?.width ?? (f.type.len > 0 ? f.type.len : DEFAULT_WIDTH)), 0);
  }

  private compute(plan: LogicalPlan): PlanEstimate {
    switch (plan.kind) {
      case 'scan':
        return this.scan(plan);
      case 'values':
        return { rows: plan.rows.length, cost: plan.rows.length, columns: plan.schema.map(() => ({})) };
      case 'filter': {
        const input = this.estimate(plan.input);
        const rows = input.rows * selectivity(plan.predicate, input.columns);
        return { rows, cost: input.cost + input.rows, columns: capNdv(input.columns, rows) };
      }
      case 'project': {
        const input = this.estimate(plan.input);
        const columns = plan.exprs.map((e) => {
          const c = columnOf(e);
          return c !== undefined ? (input.columns[c] ?? {}) : e.kind === 'literal' ? { ndv: 1 } : {};
        });
        return { rows: input.rows, cost: input.cost + input.rows, columns };
      }
      case 'join':
        return this.join(plan);
      case 'aggregate': {
        const input = this.estimate(plan.input);
        const sets = plan.groupingSets ?? [plan.groupBy.map((_, i) => i)];
        const groups = sets.reduce((n, set) => n + this.groups(set.map((i) => plan.groupBy[i]!), input), 0);
        const keys = plan.groupBy.map((g) => input.columns[columnOf(g) ?? -1] ?? {});
        const columns = capNdv([...keys, ...plan.schema.slice(keys.length).map(() => ({}))], groups);
        return { rows: groups, cost: input.cost + input.rows + groups, columns };
      }
      case 'sort': {
        const input = this.estimate(plan.input);
        return { ...input, cost: input.cost + input.rows * Math.log2(Math.max(2, input.rows)) };
      }
      case 'limit': {
        const input = this.estimate(plan.input);
        const rows = Math.min(input.rows, literalCount(plan.count) ?? input.rows);
        return { rows, cost: input.cost, columns: capNdv(input.columns, rows) };
      }
      case 'setop': {
        const [l, r] = [this.estimate(plan.left), this.estimate(plan.right)];
        const rows = plan.op === 'union' ? l.rows + r.rows : plan.op === 'intersect' ? Math.min(l.rows, r.rows) : l.rows;
        return { rows, cost: l.cost + r.cost + l.rows + r.rows, columns: plan.schema.map(() => ({})) };
      }
      case 'distinct_on': {
        const input = this.estimate(plan.input);
        const rows = this.groups(plan.keys, input);
        return { rows, cost: input.cost + input.rows, columns: capNdv(input.columns, rows) };
      }
      case 'single_row':
        return { rows: 1, cost: this.estimate(plan.input).cost, columns: plan.schema.map(() => ({ ndv: 1 })) };
      case 'project_set': {
        const input = this.estimate(plan.input);
        return { rows: input.rows * 10, cost: input.cost + input.rows * 10, columns: [...input.columns, ...plan.calls.map(() => ({}))] };
      }
      case 'window': {
        const input = this.estimate(plan.input);
        return { rows: input.rows, cost: input.cost + input.rows, columns: [...input.columns, ...plan.calls.map(() => ({}))] };
      }
      case 'recursive_union': {
        const [a, s] = [this.estimate(plan.anchor), this.estimate(plan.step)];
        return { rows: a.rows + s.rows, cost: a.cost + s.cost, columns: plan.schema.map(() => ({})) };
      }
      case 'table_function':
      case 'work_table':
        return { rows: UNKNOWN_TABLE_ROWS, cost: UNKNOWN_TABLE_ROWS, columns: plan.schema.map(() => ({})) };
    }
  }

  private scan(plan: ScanNode): PlanEstimate {
    const stats = this.stats(plan);
    const rows = stats?.rowCount ?? UNKNOWN_TABLE_ROWS;
    const columns = plan.columns.map((c): ColumnEstimate => {
      const s = stats?.columns?.[plan.tableColumns[c]!.name];
      if (!s) return {};
      const width = s.dataSize !== undefined && rows > 0 ? s.dataSize / rows : undefined;
      return { ndv: s.distinctCount, nullFraction: s.nullFraction, min: s.min, max: s.max, width };
    });
    return { rows, cost: rows, columns: capNdv(columns, rows) };
  }

  /** Distinct combinations of `keys`: the product of their distinct counts, at most the input's rows. */
  private groups(keys: readonly Expr[], input: PlanEstimate): number {
    if (keys.length === 0) return 1;
    const product = keys.reduce((n, k) => n * (input.columns[columnOf(k) ?? -1]?.ndv ?? input.rows * DEFAULT_EQ_SELECTIVITY), 1);
    return Math.max(1, Math.min(input.rows, product));
  }

  private join(plan: JoinNode): PlanEstimate {
    const l = this.estimate(plan.left);
    const r = this.estimate(plan.right);
    const { keys, residual } = splitJoinCondition(plan);
    // The most selective key counts fully; each further key (often correlated) by its square root.
    const keySel = keys.left
      .map((k, i) => {
        const ndv = Math.max(l.columns[columnOf(k) ?? -1]?.ndv ?? 0, r.columns[columnOf(keys.right[i]!) ?? -1]?.ndv ?? 0);
        return ndv > 0 ? 1 / ndv : DEFAULT_EQ_SELECTIVITY;
      })
      .sort((a, b) => a - b)
      .reduce((s, x, i) => s * (i === 0 ? x : Math.sqrt(x)), 1);
    const both = [...l.columns, ...r.columns];
    const inner = l.rows * r.rows * keySel * (residual ? selectivity(residual, both) : 1);
    const cost = l.cost + r.cost + l.rows + BUILD_WEIGHT * r.rows;
    const matchedShare = Math.min(1, l.rows > 0 ? inner / l.rows : 0);
    let rows: number;
    switch (plan.joinType) {
      case 'semi':
        rows = l.rows * matchedShare;
        break;
      case 'anti':
        rows = l.rows * Math.max(0.1, 1 - matchedShare);
        break;
      case 'left':
        rows = Math.max(inner, l.rows);
        break;
      case 'right':
        rows = Math.max(inner, r.rows);
        break;
      case 'full':
        rows = Math.max(inner, l.rows, r.rows);
        break;
      default:
        rows = inner;
    }
    const columns = plan.joinType === 'semi' || plan.joinType === 'anti' ? l.columns : both;
    return { rows, cost: cost + rows, columns: capNdv(columns, rows) };
  }
}
