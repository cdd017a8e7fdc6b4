/** SELECT / VALUES, and COPY … TO STDOUT: bind, optimize, cut into fragments, run. */
import type { ColumnDescription, CopyOutFormat, Notice } from '../../api.js';
import { bindQuery, type BinderContext, type BoundQuery } from '../../analyzer/bind-select.js';
import { SqlError, SqlState, featureNotSupported } from '../../errors/index.js';
import type { TaskContext } from '../../execution/operators/exec-node.js';
import type { EvalContext, SleepRequests } from '../../functions/registry.js';
import { hasStatistics } from '../../../connectors/spi/index.js';
import { optimize } from '../../optimizer/optimizer.js';
import type { RuleTrace } from '../../optimizer/rule.js';
import { collectStatistics, type StatsLookup } from '../../optimizer/statistics/stats-lookup.js';
import { type AstNode, stringValue, unwrap } from '../../parser/ast.js';
import type { LogicalPlan } from '../../plan/plan.js';
import type { Batch } from '../../execution/batch/batch.js';
import { datumAt } from '../../execution/batch/vector.js';
import { PhysicalPlanner } from '../../scheduler/physical-planner.js';
import { StreamExecution } from '../execution.js';
import type { PlannedStatement } from './planned-statement.js';

export interface QueryContext {
  readonly binder: BinderContext;
  readonly evalContext: (params: readonly unknown[]) => EvalContext;
  readonly task: (evalContext: EvalContext, signal: AbortSignal) => TaskContext;
  readonly disabledRules: () => ReadonlySet<string>;
  readonly notice?: (n: Notice) => void;
  /** Where CREATE TEMPORARY puts tables and views: the session's own schema, made on first use. */
  readonly temporarySchema?: () => Promise<{ catalog: string; schema: string }>;
}

export const describeColumns = (q: BoundQuery): ColumnDescription[] =>
  q.columns.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid, columnNumber: c.columnNumber }));

/** A statement's plan and the init plans (uncorrelated scalar subqueries) it reads. */
export interface PreparedPlan {
  readonly plan: LogicalPlan;
  readonly initPlans: readonly LogicalPlan[];
}

/** Statistics of the tables `plans` scan, from the connectors that provide them. */
export const planStatistics = (ctx: QueryContext, plans: readonly LogicalPlan[]): Promise<StatsLookup> =>
  collectStatistics(plans, async (scan) => {
    const connector = ctx.binder.catalogs.connector(scan.catalog);
    const table = { schema: scan.schemaName, name: scan.tableName, columns: scan.tableColumns, handle: scan.tableHandle };
    return hasStatistics(connector) ? connector.getStatistics(ctx.binder.connectorSession, table) : undefined;
  });

/** Optimizes a bound statement, by cost from its tables' statistics; done once, when the statement is prepared. */
export async function optimizePlan(ctx: QueryContext, bound: PreparedPlan, options: { stats?: StatsLookup; trace?: RuleTrace } = {}): Promise<PreparedPlan> {
  const evalContext = ctx.evalContext([]);
  const stats = options.stats ?? (await planStatistics(ctx, [bound.plan, ...bound.initPlans]));
  const disabled = ctx.disabledRules();
  const pushdown = { connector: (catalog: string) => ctx.binder.catalogs.connector(catalog), session: ctx.binder.connectorSession };
  return {
    plan: optimize(bound.plan, evalContext, { stats, disabled, trace: options.trace, pushdown }),
    initPlans: bound.initPlans.map((p) => optimize(p, evalContext, { stats, disabled, pushdown })),
  };
}

/** Runs the init plans (each yields at most one value), then streams the main plan's batches. */
/** `planner` builds the main plan's operators (EXPLAIN ANALYZE passes one that instruments them). */
export async function* runPlan(
  ctx: QueryContext, prepared: PreparedPlan, params: readonly unknown[], controller: AbortController, planner = new PhysicalPlanner(),
): AsyncIterable<Batch> {
  const sleeps: SleepRequests = { ms: 0 };
  const base = { ...ctx.evalContext(params), sleeps };
  const initPlanValues: unknown[] = [];
  // Each plan runs with its own task context: per-plan state such as dynamic filters is keyed
  // by ids that each planner numbers from the start.
  const task = () => ctx.task({ ...base, initPlanValues }, controller.signal);
  for (const initPlan of prepared.initPlans) {
    let value: unknown = null;
    for await (const batch of new PhysicalPlanner().plan(initPlan).execute(task())) {
      if (batch.length > 0) value = datumAt(batch.columns[0]!, 0);
    }
    initPlanValues.push(value);
  }
  for await (const batch of planner.plan(prepared.plan).execute(task())) {
    await sleepRequested(sleeps, controller.signal);
    yield batch;
  }
  await sleepRequested(sleeps, controller.signal);
}

/** Waits what pg_sleep() asked for so far; cancel and statement_timeout end the wait. */
async function sleepRequested(sleeps: SleepRequests, signal: AbortSignal): Promise<void> {
  if (sleeps.ms <= 0) return;
  const ms = sleeps.ms;
  sleeps.ms = 0;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(done, ms);
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted, { once: true });
  });
}

export async function planQuery(ctx: QueryContext, ast: AstNode): Promise<PlannedStatement> {
  const bound = await bindQuery(ctx.binder, ast);
  const columns = describeColumns(bound);
  const plan = await optimizePlan(ctx, bound);
  return {
    columns,
    paramTypes: ctx.binder.params.resolved(0),
    start: (params, controller) =>
      new StreamExecution({ columns, batches: runPlan(ctx, plan, params, controller), tag: (n) => `SELECT ${n}`, controller }),
  };
}

export async function planCopy(ctx: QueryContext, stmt: AstNode): Promise<PlannedStatement> {
  if (stmt.is_from) throw featureNotSupported('COPY FROM', 'Use INSERT to load rows.');
  if (stmt.filename) {
    throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, 'COPY to a file is not allowed', { hint: 'Use COPY … TO STDOUT, or psql\'s \\copy.' });
  }
  const query: AstNode = stmt.query
    ? (stmt.query as AstNode)
    : { SelectStmt: { targetList: copyTargets(stmt), fromClause: [{ RangeVar: stmt.relation }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } };
  const bound = await bindQuery(ctx.binder, query);
  const copyOut = copyFormat(stmt, bound.columns.length);
  const plan = await optimizePlan(ctx, bound);
  return {
    columns: null,
    paramTypes: ctx.binder.params.resolved(0),
    start: (params, controller) =>
      new StreamExecution({ columns: describeColumns(bound), copyOut, batches: runPlan(ctx, plan, params, controller), tag: (n) => `COPY ${n}`, controller }),
  };
}

/** COPY table (a, b) → select a, b; COPY table → select *. */
function copyTargets(stmt: AstNode): AstNode[] {
  const attlist = (stmt.attlist as AstNode[] | undefined) ?? [];
  const fields = attlist.length ? attlist.map((a) => [{ String: { sval: stringValue(a) } }]) : [[{ A_Star: {} }]];
  return fields.map((f) => ({ ResTarget: { val: { ColumnRef: { fields: f } } } }));
}

function copyFormat(stmt: AstNode, width: number): CopyOutFormat {
  let format: 'text' | 'csv' = 'text';
  let delimiter: string | undefined;
  let nullString: string | undefined;
  let header = false;
  let quote = '"';
  let escape: string | undefined;
  let forceQuote: number[] | '*' = [];
  for (const o of (stmt.options as AstNode[] | undefined) ?? []) {
    const def = o.DefElem as AstNode;
    const arg = def.arg as AstNode | undefined;
    const value = arg ? optionValue(arg) : undefined;
    switch (def.defname) {
      case 'format':
        if (value !== 'csv' && value !== 'text') throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `COPY format "${value}" not recognized`);
        format = value;
        break;
      case 'delimiter':
        delimiter = value;
        break;
      case 'null':
        nullString = value;
        break;
      case 'header':
        header = value === undefined || ['true', 'on', '1'].includes(value.toLowerCase());
        break;
      case 'quote':
        quote = value ?? '"';
        break;
      case 'escape':
        escape = value;
        break;
      case 'force_quote':
        forceQuote = arg && 'A_Star' in arg ? '*' : [];
        if (forceQuote !== '*') throw featureNotSupported('FORCE_QUOTE with a column list');
        break;
      default:
        throw new SqlError(SqlState.SYNTAX_ERROR, `option "${String(def.defname)}" not recognized`);
    }
  }
  if (forceQuote === '*') forceQuote = Array.from({ length: width }, (_, i) => i);
  return {
    format,
    delimiter: delimiter ?? (format === 'csv' ? ',' : '\t'),
    null: nullString ?? (format === 'csv' ? '' : '\\N'),
    header,
    quote,
    escape: escape ?? quote,
    forceQuote,
  };
}

export function optionValue(arg: AstNode): string {
  const [kind, body] = unwrap(arg);
  if (kind === 'String') return body.sval as string;
  if (kind === 'Integer') return String(body.ival ?? 0);
  if (kind === 'Boolean') return body.boolval ? 'true' : 'false';
  return '';
}
