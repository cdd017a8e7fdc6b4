/**
 * EXPLAIN [ ( option [, …] ) ] query, as PostgreSQL parses it: ANALYZE, VERBOSE, COSTS,
 * SUMMARY, TIMING, BUFFERS, SETTINGS, WAL (booleans) and FORMAT TEXT | JSON. The result is one
 * text column "QUERY PLAN": a row per line, or one row of JSON. ANALYZE runs the query,
 * discarding its rows, with every operator instrumented (operator-stats.ts).
 */
import type { ColumnDescription } from '../../api.js';
import { bindQuery } from '../../analyzer/bind-select.js';
import { SqlError, SqlState, featureNotSupported } from '../../errors/index.js';
import { vectorFromDatums } from '../../execution/batch/vector.js';
import { Estimator } from '../../optimizer/cost/estimator.js';
import type { RuleTrace } from '../../optimizer/rule.js';
import { type AstNode, unwrap } from '../../parser/ast.js';
import { type ExplainSource, explainFragments, explainJson, explainText, joinOrders } from '../../plan/explain.js';
import type { LogicalPlan } from '../../plan/plan.js';
import { PhysicalPlanner } from '../../scheduler/physical-planner.js';
import { T } from '../../types/pg-type.js';
import { singleStep } from '../execution.js';
import { OperatorRecorder } from './operator-stats.js';
import type { PlannedStatement } from './planned-statement.js';
import { type PreparedPlan, type QueryContext, optimizePlan, optionValue, planStatistics, runPlan } from './query.js';

export interface ExplainOptions {
  readonly analyze: boolean;
  readonly verbose: boolean;
  readonly costs: boolean;
  readonly summary: boolean;
  readonly format: 'text' | 'json';
}

const BOOLEAN_OPTIONS = ['analyze', 'verbose', 'costs', 'summary', 'timing', 'buffers', 'settings', 'wal'];

function booleanOption(name: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.toLowerCase();
  if (['true', 'on', '1', 'yes'].includes(v)) return true;
  if (['false', 'off', '0', 'no'].includes(v)) return false;
  throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${name} requires a Boolean value`);
}

export function explainOptions(defs: readonly AstNode[]): ExplainOptions {
  const set = new Map<string, boolean>();
  let format: ExplainOptions['format'] = 'text';
  for (const d of defs) {
    const def = d.DefElem as AstNode;
    const name = String(def.defname);
    const value = def.arg ? optionValue(def.arg as AstNode) : undefined;
    if (name === 'format') {
      const f = (value ?? '').toLowerCase();
      if (f === 'xml' || f === 'yaml') throw featureNotSupported(`EXPLAIN (FORMAT ${f.toUpperCase()})`, 'Use FORMAT TEXT or FORMAT JSON.');
      if (f !== 'text' && f !== 'json') throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unrecognized value for EXPLAIN option "format": "${value ?? ''}"`);
      format = f;
    } else if (BOOLEAN_OPTIONS.includes(name)) {
      set.set(name, booleanOption(name, value));
    } else {
      throw new SqlError(SqlState.SYNTAX_ERROR, `unrecognized EXPLAIN option "${name}"`, { position: typeof def.location === 'number' ? def.location + 1 : undefined });
    }
  }
  const analyze = set.get('analyze') ?? false;
  if (set.get('timing') === true && !analyze) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'EXPLAIN option TIMING requires ANALYZE');
  return { analyze, verbose: set.get('verbose') ?? false, costs: set.get('costs') ?? true, summary: set.get('summary') ?? analyze, format };
}

const QUERY_PLAN: ColumnDescription = { name: 'QUERY PLAN', type: T.text, tableOid: 0, columnNumber: 0 };

/** One line per rule: whether it changed the plan, and (VERBOSE) the join order it left. */
function traceRecorder(lines: string[]): RuleTrace {
  return (rule, before, after, disabled) => {
    const changed = !disabled && JSON.stringify(before) !== JSON.stringify(after);
    const orders = changed ? joinOrders(after) : [];
    lines.push(`  ${rule.name}: ${disabled ? 'disabled' : changed ? 'changed' : 'unchanged'}${orders.length ? `; join order ${orders.join(', ')}` : ''}`);
  };
}

/** The plan's source fragments, as the physical planner cuts them. */
function sourceFragments(plan: LogicalPlan) {
  const planner = new PhysicalPlanner();
  planner.plan(plan);
  return planner.fragments;
}

export async function planExplain(ctx: QueryContext, stmt: AstNode): Promise<PlannedStatement> {
  const options = explainOptions((stmt.options as AstNode[] | undefined) ?? []);
  const query = stmt.query as AstNode;
  const [kind] = unwrap(query);
  if (kind !== 'SelectStmt') throw featureNotSupported(`EXPLAIN of ${kind.replace(/Stmt$/, '').toUpperCase()}`);
  const planningStart = performance.now();
  const bound = await bindQuery(ctx.binder, query);
  const stats = await planStatistics(ctx, [bound.plan, ...bound.initPlans]);
  const trace: string[] = [];
  const prepared = await optimizePlan(ctx, bound, { stats, trace: options.verbose ? traceRecorder(trace) : undefined });
  const planningMs = performance.now() - planningStart;
  const estimator = new Estimator(stats);
  const columns = [QUERY_PLAN];
  return {
    columns,
    paramTypes: ctx.binder.params.resolved(0),
    start: (params, controller) =>
      singleStep(columns, 'EXPLAIN', async () => {
        const lines = await explain(ctx, prepared, { options, estimator, trace, planningMs }, params, controller);
        return { length: lines.length, columns: [vectorFromDatums(T.text, lines)] };
      }, controller),
  };
}

interface ExplainRun {
  readonly options: ExplainOptions;
  readonly estimator: Estimator;
  readonly trace: readonly string[];
  readonly planningMs: number;
}

async function explain(ctx: QueryContext, prepared: PreparedPlan, run: ExplainRun, params: readonly unknown[], controller: AbortController): Promise<string[]> {
  const { options, estimator } = run;
  const base = { verbose: options.verbose, ...(options.costs ? { estimate: (p: LogicalPlan) => estimator.estimate(p) } : {}) };
  let executionMs: number | undefined;
  let source: ExplainSource;
  if (options.analyze) {
    const recorder = new OperatorRecorder();
    const planner = new PhysicalPlanner(recorder.decorate);
    const start = performance.now();
    for await (const _ of runPlan(ctx, prepared, params, controller, planner)) void _;
    executionMs = performance.now() - start;
    const roots = new Set(planner.fragments.map((f) => f.root));
    source = { ...base, root: prepared.plan, fragments: planner.fragments, actual: (p, exchange) => recorder.stats(p, exchange, roots) };
  } else {
    source = { ...base, root: prepared.plan, fragments: sourceFragments(prepared.plan) };
  }
  const fragments = explainFragments(source);
  const initPlans = prepared.initPlans.map((p) => explainFragments({ ...base, root: p, fragments: sourceFragments(p) }));
  const orders = joinOrders(prepared.plan);
  const summary: [string, number][] = options.summary ? [['Planning Time', run.planningMs], ...(executionMs !== undefined ? [['Execution Time', executionMs] as [string, number]] : [])] : [];
  if (options.format === 'json') {
    const json = explainJson(fragments, {
      ...(orders.length ? { 'Join Order': orders } : {}),
      ...(initPlans.length ? { 'Init Plans': initPlans.map((f) => explainJson(f)) } : {}),
      ...Object.fromEntries(summary.map(([k, v]) => [k, Number(v.toFixed(3))])),
      ...(options.verbose ? { 'Optimizer Trace': run.trace.map((l) => l.trim()) } : {}),
    });
    return [JSON.stringify(json, null, 2)];
  }
  return [
    ...orders.map((o) => `Join order: ${o}`),
    ...explainText(fragments),
    ...initPlans.flatMap((f, i) => explainText(f, [`InitPlan $InitPlan${i}`]).map((l, k) => (k === 0 ? l : `  ${l}`))),
    ...summary.map(([k, v]) => `${k}: ${v.toFixed(3)} ms`),
    ...(options.verbose ? ['Optimizer trace:', ...run.trace] : []),
  ];
}
