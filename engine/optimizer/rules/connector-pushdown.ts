/**
 * Hands work to the connectors that can do it at their source (capability PushdownConnector):
 * filters, aggregations, joins of two tables of one catalog, TopN and LIMIT. Bottom-up, each
 * node directly above a scan (through projections of plain columns) is offered to the scan's
 * connector; what it accepts becomes part of the scan's table handle, what it declines stays
 * in the plan. Only expressions whose value cannot change during the statement are offered
 * (literals and immutable functions); parameters, init plans and dynamic filters reach the
 * source at run time through the scan's constraint instead.
 */
import type { AggregateItem, Connector, ConnectorExpression, ConnectorSession, PushdownConnector, SortItem, TableMetadata } from '../../../connectors/spi/index.js';
import { supportsPushdown } from '../../../connectors/spi/index.js';
import { aggregateById, scalarById } from '../../functions/registry.js';
import { type Expr, conjunction, conjuncts } from '../../plan/expr.js';
import { type AggregateNode, type JoinNode, type LimitNode, type LogicalPlan, type ScanNode, planInputs, withInputs } from '../../plan/plan.js';
import type { OptimizerRule, RuleContext } from '../rule.js';

/** What the rule needs to reach connectors; absent in contexts without catalogs (then it does nothing). */
export interface PushdownContext {
  readonly connector: (catalog: string) => Connector;
  readonly session: ConnectorSession;
}

/** A scan seen through projections of plain columns: `outputs[i]` is the table column of output i. */
interface ScanView {
  readonly scan: ScanNode;
  readonly outputs: readonly number[];
}

function scanView(plan: LogicalPlan): ScanView | undefined {
  if (plan.kind === 'scan') return { scan: plan, outputs: plan.columns };
  if (plan.kind !== 'project') return undefined;
  const inner = scanView(plan.input);
  if (!inner || !plan.exprs.every((e) => e.kind === 'column')) return undefined;
  return { scan: inner.scan, outputs: plan.exprs.map((e) => inner.outputs[(e as { index: number }).index]!) };
}

const tableOf = (scan: ScanNode): TableMetadata => ({ schema: scan.schemaName, name: scan.tableName, columns: scan.tableColumns, handle: scan.tableHandle });

/** A scan of `table` producing its columns `columns` as the fields of `schema`. */
function scanOf(from: ScanNode, table: TableMetadata, columns: readonly number[], schema: LogicalPlan['schema'], describe?: (t: TableMetadata) => string): ScanNode {
  return {
    ...from,
    tableHandle: table.handle,
    tableColumns: table.columns,
    columns,
    schema,
    ...(describe ? { sourceQuery: describe(table) } : {}),
  };
}

/** The expression over table columns (`outputs` maps input positions), or undefined when it cannot be offered. */
export function connectorExpression(e: Expr, outputs: readonly number[], fromPolicy = false): ConnectorExpression | undefined {
  const all = (xs: readonly Expr[]) => {
    const out: ConnectorExpression[] = [];
    for (const x of xs) {
      const c = connectorExpression(x, outputs, fromPolicy);
      if (!c) return undefined;
      out.push(c);
    }
    return out;
  };
  const call = (name: string, xs: readonly Expr[]): ConnectorExpression | undefined => {
    const args = all(xs);
    return args && { kind: 'call', name, args, type: e.type };
  };
  switch (e.kind) {
    case 'column': {
      const column = outputs[e.index];
      return column === undefined ? undefined : { kind: 'column', column, type: e.type };
    }
    case 'literal':
      return { kind: 'constant', text: e.text, type: e.type, ...(fromPolicy ? { inline: true as const } : {}) };
    case 'cast': {
      const arg = connectorExpression(e.arg, outputs, fromPolicy);
      return arg && { kind: 'cast', arg, type: e.type };
    }
    case 'and':
    case 'or':
      return call(e.kind, e.args);
    case 'not':
      return call('not', [e.arg]);
    case 'isnull':
      return call(e.negated ? 'is_not_null' : 'is_null', [e.arg]);
    case 'call': {
      const fn = scalarById(e.fn);
      return fn && fn.volatility === 'immutable' ? call(fn.name, e.args) : undefined;
    }
    default:
      return undefined;
  }
}

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);
/** Casts that accept every value of their input type. */
const LOSSLESS_CASTS = new Set([
  'int2>int4', 'int2>int8', 'int4>int8', 'int2>numeric', 'int4>numeric', 'int8>numeric', 'int2>float8', 'int4>float8', 'float4>float8',
  'varchar>text', 'bpchar>text', 'name>text', 'date>timestamp',
]);

/** True when evaluating `e` on any row cannot raise an error (PostgreSQL's "leakproof"). */
function cannotFail(e: Expr): boolean {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return true;
    case 'and':
    case 'or':
      return e.args.every(cannotFail);
    case 'not':
    case 'isnull':
      return cannotFail(e.arg);
    case 'cast':
      return ((e.arg.type.oid === e.type.oid && (e.type.typmod === -1 || e.type.typmod === e.arg.type.typmod)) || LOSSLESS_CASTS.has(`${e.arg.type.name}>${e.type.name}`)) && cannotFail(e.arg);
    case 'call':
      return COMPARISONS.has(scalarById(e.fn)?.name ?? '') && e.args.every(cannotFail);
    default:
      return false;
  }
}

type Pushdown = Connector & PushdownConnector;

function pushdownConnector(scan: ScanNode, ctx: PushdownContext): Pushdown | undefined {
  const c = ctx.connector(scan.catalog);
  return supportsPushdown(c) ? c : undefined;
}

function pushFilter(plan: LogicalPlan & { kind: 'filter' }, ctx: PushdownContext): LogicalPlan {
  const view = scanView(plan.input);
  const connector = view && pushdownConnector(view.scan, ctx);
  if (!view || !connector?.applyFilter) return plan;
  const parts = conjuncts(plan.predicate);
  // Over a table with a row filter (already part of the source's query), a predicate that can
  // raise an error is kept here: the source may evaluate an AND in any order, and an error from a
  // row the filter removes would reveal that row.
  const governed = view.scan.policy && !plan.policy;
  const offered = parts.map((p) => (governed && !cannotFail(p) ? undefined : connectorExpression(p, view.outputs, plan.policy === true)));
  const indices = offered.flatMap((o, i) => (o ? [i] : []));
  if (indices.length === 0) return plan;
  const result = connector.applyFilter(ctx.session, tableOf(view.scan), indices.map((i) => offered[i]!));
  if (!result) return plan;
  const taken = new Set(indices.filter((_i, k) => result.accepted[k]));
  const input = replaceScan(plan.input, scanOf(view.scan, result.table, view.scan.columns, view.scan.schema, connector.describeTable?.bind(connector)));
  const rest = conjunction(parts.filter((_p, i) => !taken.has(i)));
  return rest ? { ...plan, input, predicate: rest } : input;
}

/** `plan` (a scan under column projections) with its scan replaced. */
function replaceScan(plan: LogicalPlan, scan: ScanNode): LogicalPlan {
  if (plan.kind === 'scan') return scan;
  return withInputs(plan, [replaceScan(planInputs(plan)[0]!, scan)]);
}

function pushAggregate(plan: AggregateNode, ctx: PushdownContext): LogicalPlan {
  const view = scanView(plan.input);
  const connector = view && pushdownConnector(view.scan, ctx);
  if (!view || !connector?.applyAggregation || plan.groupingSets) return plan;
  const groupBy: number[] = [];
  for (const g of plan.groupBy) {
    if (g.kind !== 'column') return plan;
    groupBy.push(view.outputs[g.index]!);
  }
  const aggregates: AggregateItem[] = [];
  for (const [i, a] of plan.aggregates.entries()) {
    const fn = aggregateById(a.fn);
    if (!fn || a.filter || a.orderBy || a.orderedSet) return plan;
    const args = a.args.map((x) => connectorExpression(x, view.outputs));
    if (args.some((x) => x === undefined)) return plan;
    aggregates.push({ name: fn.name, args: args as ConnectorExpression[], distinct: a.distinct, type: plan.schema[plan.groupBy.length + i]!.type });
  }
  const table = connector.applyAggregation(ctx.session, tableOf(view.scan), groupBy, aggregates);
  if (!table) return plan;
  return scanOf(view.scan, table, table.columns.map((_c, i) => i), plan.schema, connector.describeTable?.bind(connector));
}

const literalCount = (e: Expr | null): number | undefined =>
  e === null ? 0 : e.kind === 'literal' && e.text !== null && /^\d+$/.test(e.text) ? Number(e.text) : undefined;

function pushLimit(plan: LimitNode, ctx: PushdownContext): LogicalPlan {
  const count = plan.count ? literalCount(plan.count) : undefined;
  const offset = literalCount(plan.offset);
  if (count === undefined || offset === undefined || plan.withTies || !Number.isSafeInteger(count + offset)) return plan;
  const rows = count + offset;
  if (plan.input.kind === 'sort') {
    const sort = plan.input;
    const view = scanView(sort.input);
    const connector = view && pushdownConnector(view.scan, ctx);
    if (!view || !connector?.applyTopN) return plan;
    const keys: SortItem[] = [];
    for (const k of sort.keys) {
      if (k.expr.kind !== 'column') return plan;
      keys.push({ column: view.outputs[k.expr.index]!, descending: k.descending, nullsFirst: k.nullsFirst });
    }
    const table = connector.applyTopN(ctx.session, tableOf(view.scan), keys, rows);
    if (!table) return plan;
    const scan = scanOf(view.scan, table, view.scan.columns, view.scan.schema, connector.describeTable?.bind(connector));
    return { ...plan, input: { ...sort, input: replaceScan(sort.input, scan) } };
  }
  const view = scanView(plan.input);
  const connector = view && pushdownConnector(view.scan, ctx);
  if (!view || !connector?.applyLimit) return plan;
  const table = connector.applyLimit(ctx.session, tableOf(view.scan), rows);
  if (!table) return plan;
  return { ...plan, input: replaceScan(plan.input, scanOf(view.scan, table, view.scan.columns, view.scan.schema, connector.describeTable?.bind(connector))) };
}

function pushJoin(plan: JoinNode, ctx: PushdownContext): LogicalPlan {
  if (plan.joinType !== 'inner' && plan.joinType !== 'left' && plan.joinType !== 'right' && plan.joinType !== 'full') return plan;
  const left = scanView(plan.left);
  const right = scanView(plan.right);
  if (!left || !right || left.scan.catalog !== right.scan.catalog || plan.condition === null) return plan;
  const connector = pushdownConnector(left.scan, ctx);
  if (!connector?.applyJoin) return plan;
  const offset = left.scan.tableColumns.length;
  const outputs = [...left.outputs, ...right.outputs.map((c) => c + offset)];
  const condition = connectorExpression(plan.condition, outputs);
  if (!condition) return plan;
  const table = connector.applyJoin(ctx.session, plan.joinType, tableOf(left.scan), tableOf(right.scan), condition);
  if (!table) return plan;
  const joined = scanOf(left.scan, { ...table, name: `${left.scan.tableName} ⋈ ${right.scan.tableName}` }, outputs, plan.schema, connector.describeTable?.bind(connector));
  // The source query now holds the right side's row filter too: keep it out of EXPLAIN.
  return right.scan.policy ? { ...joined, policy: true } : joined;
}

function describeScan(scan: ScanNode, ctx: PushdownContext): ScanNode {
  const connector = pushdownConnector(scan, ctx);
  if (!connector?.describeTable || scan.sourceQuery !== undefined) return scan;
  return { ...scan, sourceQuery: connector.describeTable(tableOf(scan)) };
}

function rewrite(plan: LogicalPlan, ctx: PushdownContext): LogicalPlan {
  const p = withInputs(plan, planInputs(plan).map((i) => rewrite(i, ctx)));
  switch (p.kind) {
    case 'scan':
      return describeScan(p, ctx);
    case 'filter':
      return pushFilter(p, ctx);
    case 'aggregate':
      return pushAggregate(p, ctx);
    case 'limit':
      return pushLimit(p, ctx);
    case 'join':
      return pushJoin(p, ctx);
    default:
      return p;
  }
}

export const connectorPushdown: OptimizerRule = {
  name: 'connector_pushdown',
  description: 'let connectors evaluate filters, aggregations, joins within one catalog, TopN and LIMIT at their source',
  rewrite: (plan: LogicalPlan, ctx: RuleContext) => (ctx.pushdown ? rewrite(plan, ctx.pushdown) : plan),
};
