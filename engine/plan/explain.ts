/**
 * EXPLAIN output: the fragmented plan as a tree of operators per fragment, with estimated
 * rows and cost, and (EXPLAIN ANALYZE) what each operator did. Fragments come from the
 * physical planner: the root fragment (0) runs once; each source fragment runs one task per
 * split of its table and feeds a RemoteSource in the fragment above.
 *
 * Access-control policies stay secret: a row filter shows as "Filter: <row filter>", the source
 * query of a filtered or masked table is not shown, and a plan that reads such a table shows no
 * estimates (they come from the whole table's statistics) and no row counts for its scans.
 */
import type { Json } from '../../connectors/spi/index.js';
import type { PlanFragment } from '../scheduler/fragment.js';
import { splitJoinCondition } from '../scheduler/physical-planner.js';
import type { Expr } from './expr.js';
import { formatExpr } from './explain-expr.js';
import { type LogicalPlan, type SortKey, planInputs } from './plan.js';

/** What an operator did, summed over the tasks that ran it. */
export interface OperatorStats {
  readonly rows: number;
  readonly batches: number;
  /** Wall time inside the operator (its inputs' time excluded), summed over tasks. */
  readonly timeMs: number;
  readonly tasks: number;
  readonly peakMemoryBytes?: number;
  /** Scans: distinct files (or objects) their splits read, and the bytes those splits cover. */
  readonly input?: { readonly files: number; readonly bytes: number };
}

export interface ExplainSource {
  /** The root fragment's plan. */
  readonly root: LogicalPlan;
  /** Source fragments, by their root plan node. */
  readonly fragments: readonly PlanFragment[];
  readonly verbose: boolean;
  readonly estimate?: (plan: LogicalPlan) => { readonly rows: number; readonly cost: number };
  /** Operator stats by plan node; `exchange` asks for the RemoteSource reading a fragment. */
  readonly actual?: (plan: LogicalPlan, exchange: boolean) => OperatorStats | undefined;
}

export interface ExplainNode {
  readonly name: string;
  readonly details: readonly string[];
  readonly estimate?: { readonly rows: number; readonly cost: number };
  readonly actual?: OperatorStats;
  readonly children: readonly ExplainNode[];
}

export interface ExplainFragment {
  readonly id: number;
  readonly partitioning: string;
  readonly root: ExplainNode;
}

const names = (p: LogicalPlan) => p.schema.map((f) => f.name);
const list = (exprs: readonly Expr[], cols: readonly string[]) => exprs.map((e) => formatExpr(e, cols)).join(', ');
const sortKeys = (keys: readonly SortKey[], cols: readonly string[]) =>
  keys.map((k) => `${formatExpr(k.expr, cols)}${k.descending ? ' DESC' : ''}${k.nullsFirst !== k.descending ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`).join(', ');

function describe(p: LogicalPlan): { name: string; details: string[] } {
  const input = planInputs(p)[0];
  const cols = input ? names(input) : [];
  switch (p.kind) {
    case 'scan':
      return {
        name: `TableScan ${p.catalog}.${p.schemaName}.${p.tableName}`,
        details: [
          `Columns: ${names(p).join(', ')}`,
          ...(p.sourceQuery === undefined ? [] : [`Source Query: ${p.policy ? HIDDEN_SOURCE_QUERY : p.sourceQuery}`]),
        ],
      };
    case 'values':
      return { name: 'Values', details: [`Rows: ${p.rows.length}`] };
    case 'filter':
      return { name: 'Filter', details: [`Filter: ${p.policy ? '<row filter>' : formatExpr(p.predicate, cols)}`] };
    case 'project':
      return { name: 'Project', details: [] };
    case 'join': {
      const both = [...names(p.left), ...names(p.right)];
      const { keys, residual } = splitJoinCondition(p);
      const hashed = keys.left.length > 0;
      const distribution = p.distribution ? ` [${p.distribution}]` : '';
      const details = hashed ? [`Hash Keys: ${keys.left.map((k, i) => `${formatExpr(k, names(p.left))} = ${formatExpr(keys.right[i]!, names(p.right))}`).join(', ')}`] : [];
      if (residual) details.push(`Join Filter: ${formatExpr(residual, both)}`);
      return { name: `${hashed ? 'HashJoin' : 'NestedLoopJoin'} ${p.joinType}${p.nullAware ? ' (null-aware)' : ''}${distribution}`, details };
    }
    case 'aggregate':
      return {
        name: 'HashAggregate',
        details: [
          ...(p.groupBy.length ? [`Group Key: ${list(p.groupBy, cols)}`] : []),
          ...(p.groupingSets ? [`Grouping Sets: ${p.groupingSets.map((s) => `(${s.join(', ')})`).join(', ')}`] : []),
          `Aggregates: ${p.aggregates.map((a) => `${a.fn.replace(/\(.*$/, '')}(${a.distinct ? 'DISTINCT ' : ''}${list(a.args, cols) || '*'})`).join(', ') || 'none'}`,
        ],
      };
    case 'sort':
      return { name: 'Sort', details: [`Sort Key: ${sortKeys(p.keys, cols)}`] };
    case 'limit':
      return { name: 'Limit', details: [...(p.count ? [`Count: ${formatExpr(p.count, [])}`] : []), ...(p.offset ? [`Offset: ${formatExpr(p.offset, [])}`] : [])] };
    case 'setop':
      return { name: `SetOp ${p.op}${p.all ? ' all' : ''}`, details: [] };
    case 'window':
      return { name: 'Window', details: [`Functions: ${p.calls.map((c) => c.fn).join(', ')}`] };
    case 'distinct_on':
      return { name: 'DistinctOn', details: [`Keys: ${list(p.keys, cols)}`] };
    case 'single_row':
      return { name: 'EnforceSingleRow', details: [] };
    case 'table_function':
      return { name: `TableFunction ${p.fn}`, details: [] };
    case 'project_set':
      return { name: 'ProjectSet', details: [`Functions: ${p.calls.map((c) => c.fn).join(', ')}`] };
    case 'recursive_union':
      return { name: `RecursiveUnion${p.all ? ' all' : ''}`, details: [] };
    case 'work_table':
      return { name: `WorkTableScan ${p.id}`, details: [] };
  }
}

const HIDDEN_SOURCE_QUERY = '<not shown: a row filter or column mask applies>';

/** Whether the plan scans a table with a row filter or column mask (its statistics are then not shown). */
export const readsPolicyTable = (p: LogicalPlan): boolean => (p.kind === 'scan' && p.policy === true) || planInputs(p).some(readsPolicyTable);

/** The plan cut into fragments, each as a tree of explain nodes. */
export function explainFragments(source: ExplainSource): ExplainFragment[] {
  const byRoot = new Map(source.fragments.map((f) => [f.root, f] as [LogicalPlan, PlanFragment]));
  const estimate = readsPolicyTable(source.root) ? undefined : source.estimate;
  const node = (p: LogicalPlan, inFragment: boolean): ExplainNode => {
    const fragment = inFragment ? undefined : byRoot.get(p);
    const measured = (exchange: boolean) => {
      const actual = p.kind === 'scan' && p.policy ? undefined : source.actual?.(p, exchange);
      return { ...(estimate ? { estimate: estimate(p) } : {}), ...(actual ? { actual } : {}) };
    };
    if (fragment) return { name: `RemoteSource [fragment ${fragment.id}]`, details: [], ...measured(true), children: [] };
    const { name, details } = describe(p);
    const output = source.verbose ? [`Output: ${names(p).join(', ')}`] : [];
    return { name, details: [...output, ...details], ...measured(false), children: planInputs(p).map((i) => node(i, inFragment)) };
  };
  return [
    { id: 0, partitioning: 'single', root: node(source.root, false) },
    ...source.fragments.map((f) => ({ id: f.id, partitioning: f.partitioning === 'source' ? 'source: one task per split' : f.partitioning, root: node(f.root, true) })),
  ];
}

/** Join trees as text, e.g. "((lineitem ⋈ part) ⋈ partsupp)": one per top-level join. */
export function joinOrders(plan: LogicalPlan): string[] {
  const leaf = (p: LogicalPlan): string => {
    if (p.kind === 'scan') return p.tableName;
    if (p.kind === 'join') {
      const op = p.joinType === 'inner' || p.joinType === 'cross' ? '⋈' : `${p.joinType.toUpperCase()} JOIN`;
      return `(${leaf(p.left)} ${op} ${leaf(p.right)})`;
    }
    const inputs = planInputs(p);
    return inputs.length === 1 && (p.kind === 'filter' || p.kind === 'project') ? leaf(inputs[0]!) : p.kind;
  };
  const out: string[] = [];
  const visit = (p: LogicalPlan) => (p.kind === 'join' ? out.push(leaf(p)) : planInputs(p).forEach(visit));
  visit(plan);
  return out;
}

const rows = (n: number) => (n >= 10 ? Math.round(n) : Number(n.toPrecision(2)));
const ms = (n: number) => n.toFixed(3);

function annotation(n: ExplainNode): string {
  const est = n.estimate ? `  (rows=${rows(n.estimate.rows)} cost=${Math.round(n.estimate.cost)})` : '';
  const a = n.actual;
  const memory = a?.peakMemoryBytes !== undefined ? ` peak memory=${Math.ceil(a.peakMemoryBytes / 1024)}kB` : '';
  const input = a?.input ? ` files=${a.input.files} bytes=${a.input.bytes}` : '';
  const act = a ? ` (actual rows=${a.rows} batches=${a.batches} tasks=${a.tasks}${input} time=${ms(a.timeMs)} ms${memory})` : '';
  return est + act;
}

/** PostgreSQL-style text: one string per line. */
export function explainText(fragments: readonly ExplainFragment[], header: readonly string[] = []): string[] {
  const lines = [...header];
  const emit = (n: ExplainNode, indent: number, arrow: boolean) => {
    const pad = ' '.repeat(indent);
    lines.push(`${pad}${arrow ? '->  ' : ''}${n.name}${annotation(n)}`);
    const inner = ' '.repeat(indent + (arrow ? 6 : 2));
    for (const d of n.details) lines.push(`${inner}${d}`);
    for (const c of n.children) emit(c, indent + (arrow ? 6 : 2), true);
  };
  for (const f of fragments) {
    lines.push(`Fragment ${f.id} [${f.partitioning}]`);
    emit(f.root, 2, false);
  }
  return lines;
}

function nodeJson(n: ExplainNode): Json {
  return {
    'Node Type': n.name,
    ...(n.details.length ? { Details: [...n.details] } : {}),
    ...(n.estimate ? { 'Plan Rows': rows(n.estimate.rows), 'Total Cost': Math.round(n.estimate.cost) } : {}),
    ...(n.actual
      ? {
          'Actual Rows': n.actual.rows,
          'Actual Batches': n.actual.batches,
          'Actual Tasks': n.actual.tasks,
          'Actual Total Time': Number(ms(n.actual.timeMs)),
          ...(n.actual.peakMemoryBytes !== undefined ? { 'Peak Memory Bytes': n.actual.peakMemoryBytes } : {}),
          ...(n.actual.input ? { 'Files Read': n.actual.input.files, 'Bytes Read': n.actual.input.bytes } : {}),
        }
      : {}),
    ...(n.children.length ? { Plans: n.children.map(nodeJson) } : {}),
  };
}

/** FORMAT JSON: an array with one object, as PostgreSQL returns. */
export function explainJson(fragments: readonly ExplainFragment[], extra: { readonly [key: string]: Json } = {}): Json {
  return [{ Fragments: fragments.map((f) => ({ Id: f.id, Partitioning: f.partitioning, Plan: nodeJson(f.root) })), ...extra }];
}
