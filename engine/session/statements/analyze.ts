/**
 * Statistics statements. `ANALYZE [table [(columns)], …]` (PostgreSQL's grammar: a VacuumStmt
 * that is not VACUUM) reads every row of the table and hands row count and per-column
 * distinct count, null fraction, min/max and data size to connectors that keep statistics
 * (StatisticsStore); without a table it analyzes every table of such catalogs.
 * `SHOW STATS FOR table` / `SHOW STATS FOR (query)` is Trino's syntax (not PostgreSQL's), so
 * the session recognises it before parsing (`showStatsQuery`); it prints the optimizer's
 * estimates in Trino's columns, with a summary row holding the row count.
 */
import type { ColumnStatistics, Connector, ConnectorSession, TableMetadata, TableStatistics } from '../../../connectors/spi/index.js';
import { storesStatistics } from '../../../connectors/spi/index.js';
import type { ColumnDescription } from '../../api.js';
import { bindQuery } from '../../analyzer/bind-select.js';
import { SqlError, SqlState, featureNotSupported } from '../../errors/index.js';
import type { Vector } from '../../execution/batch/vector.js';
import { datumAt, vectorFromDatums } from '../../execution/batch/vector.js';
import { comparatorFor, hashKeyFor } from '../../functions/compare.js';
import { Estimator } from '../../optimizer/cost/estimator.js';
import type { AstNode } from '../../parser/ast.js';
import { readsPolicyTable } from '../../plan/explain.js';
import { T, type PgType } from '../../types/pg-type.js';
import { type FormatSettings, formatText } from '../../types/text-codec.js';
import { singleStep } from '../execution.js';
import type { PlannedStatement } from './planned-statement.js';
import { type QueryContext, optimizePlan, planStatistics } from './query.js';

/** Splits ANALYZE asks a connector for; it reads them one after another. */
const ANALYZE_SPLITS = 8;

/** Accumulates one column's statistics over batches. */
class ColumnAccumulator {
  private nulls = 0;
  private readonly distinct = new Set<unknown>();
  private min: unknown = undefined;
  private max: unknown = undefined;
  private bytes = 0;
  private readonly key: (v: unknown) => unknown;
  private readonly compare: (a: unknown, b: unknown) => number;

  constructor(private readonly type: PgType) {
    this.key = hashKeyFor(type);
    this.compare = comparatorFor(type);
  }

  add(v: Vector, length: number): void {
    for (let i = 0; i < length; i++) {
      const d = datumAt(v, i);
      if (d === null) {
        this.nulls++;
        continue;
      }
      this.distinct.add(this.key(d));
      if (this.min === undefined || this.compare(d, this.min) < 0) this.min = d;
      if (this.max === undefined || this.compare(d, this.max) > 0) this.max = d;
      this.bytes += typeof d === 'string' ? d.length : this.type.len > 0 ? this.type.len : 8;
    }
  }

  finish(rows: number, format: FormatSettings): ColumnStatistics {
    const bound = (d: unknown) => (typeof d === 'number' ? d : typeof d === 'bigint' ? Number(d) : formatText(this.type, d, format));
    return {
      distinctCount: this.distinct.size,
      nullFraction: rows > 0 ? this.nulls / rows : 0,
      ...(this.min !== undefined ? { min: bound(this.min), max: bound(this.max) } : {}),
      dataSize: this.bytes,
    };
  }
}

async function computeStatistics(
  connector: Connector, session: ConnectorSession, table: TableMetadata, columns: readonly number[], format: FormatSettings, signal: AbortSignal,
): Promise<TableStatistics> {
  const acc = columns.map((c) => new ColumnAccumulator(table.columns[c]!.type));
  let rows = 0;
  for (const split of await connector.getSplits(session, table, { desiredSplits: ANALYZE_SPLITS })) {
    for await (const b of connector.scan(session, { table, columns, split, signal })) {
      rows += b.length;
      acc.forEach((a, i) => a.add(b.columns[i]!, b.length));
    }
  }
  return { rowCount: rows, columns: Object.fromEntries(columns.map((c, i) => [table.columns[c]!.name, acc[i]!.finish(rows, format)])) };
}

interface Target {
  readonly catalog: string;
  readonly connector: Connector;
  readonly table: TableMetadata;
  readonly columns?: readonly string[];
}

async function analyzeTargets(ctx: QueryContext, stmt: AstNode): Promise<Target[]> {
  const { catalogs, connectorSession: session, defaults } = ctx.binder;
  const rels = (stmt.rels as AstNode[] | undefined) ?? [];
  if (rels.length > 0) {
    return Promise.all(rels.map(async (r) => {
      const rel = r.VacuumRelation as AstNode;
      const rv = rel.relation as AstNode;
      const name = { catalog: rv.catalogname as string | undefined, schema: rv.schemaname as string | undefined, name: rv.relname as string };
      const resolved = await catalogs.resolveTable(session, name, defaults, undefined, ctx.binder.access.visibleName);
      // ANALYZE reads every row, past any row filter: only the table's owner may run it (as in PostgreSQL).
      ctx.binder.access.check({ catalog: resolved.catalog, schema: resolved.table.schema, table: resolved.table.name }, 'OWNERSHIP');
      const columns = ((rel.va_cols as AstNode[] | undefined) ?? []).map((c) => (c.String as AstNode).sval as string);
      return { catalog: resolved.catalog, connector: resolved.connector, table: resolved.table, ...(columns.length ? { columns } : {}) };
    }));
  }
  const targets: Target[] = [];
  for (const catalog of catalogs.names()) {
    const connector = catalogs.connector(catalog);
    if (!storesStatistics(connector)) continue;
    for (const schema of await connector.listSchemas(session)) {
      for (const name of await connector.listTables(session, schema)) {
        if (!ctx.binder.access.table({ catalog, schema, table: name }).privileges.has('OWNERSHIP')) continue;
        const table = await connector.getTable(session, schema, name);
        if (table) targets.push({ catalog, connector, table });
      }
    }
  }
  return targets;
}

export function planAnalyze(ctx: QueryContext, stmt: AstNode, format: () => FormatSettings): PlannedStatement {
  if (stmt.is_vacuumcmd === true) throw featureNotSupported('VACUUM', 'Tables are kept by their connectors; ANALYZE collects statistics.');
  return {
    columns: null,
    paramTypes: [],
    start: (_p, controller) =>
      singleStep(null, 'ANALYZE', async () => {
        const session = ctx.binder.connectorSession;
        for (const t of await analyzeTargets(ctx, stmt)) {
          if (!storesStatistics(t.connector)) {
            ctx.notice?.({ severity: 'WARNING', code: SqlState.WARNING, message: `skipping "${t.table.name}" --- catalog "${t.catalog}" keeps its own statistics` });
            continue;
          }
          const wanted = t.columns ? new Set(t.columns) : undefined;
          const columns = t.table.columns.flatMap((c, i) => (!wanted || wanted.has(c.name) ? [i] : []));
          const stats = await computeStatistics(t.connector, session, t.table, columns, format(), controller.signal);
          await t.connector.storeStatistics(session, t.table, stats);
        }
        return null;
      }, controller),
  };
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const SHOW_STATS_TABLE = new RegExp(String.raw`^\s*show\s+stats\s+for\s+(${IDENT}(?:\s*\.\s*${IDENT}){0,2})\s*;?\s*$`, 'i');
const SHOW_STATS_QUERY = /^\s*show\s+stats\s+for\s*\(([\s\S]+)\)\s*;?\s*$/i;

/** For `SHOW STATS FOR …` (Trino's syntax), the query whose estimates it shows; else undefined. */
export function showStatsQuery(sql: string): string | undefined {
  const q = SHOW_STATS_QUERY.exec(sql);
  if (q) return q[1]!;
  const t = SHOW_STATS_TABLE.exec(sql);
  return t ? `select * from ${t[1]!}` : undefined;
}

const SHOW_STATS_COLUMNS: ColumnDescription[] = [
  ['column_name', T.text], ['data_size', T.float8], ['distinct_values_count', T.float8], ['nulls_fraction', T.float8],
  ['row_count', T.float8], ['low_value', T.text], ['high_value', T.text],
].map(([name, type]) => ({ name: name as string, type: type as PgType, tableOid: 0, columnNumber: 0 }));

export async function planShowStats(ctx: QueryContext, query: AstNode): Promise<PlannedStatement> {
  const bound = await bindQuery(ctx.binder, query);
  const stats = await planStatistics(ctx, [bound.plan, ...bound.initPlans]);
  const { plan } = await optimizePlan(ctx, bound, { stats });
  // Estimates come from the whole table's statistics: not for a table whose rows or values are hidden.
  if (readsPolicyTable(plan)) throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, 'permission denied: statistics are not shown for a table with a row filter or column mask');
  const est = new Estimator(stats).estimate(plan);
  const text = (v: number | string | undefined) => (v === undefined ? null : String(v));
  const rows: unknown[][] = [
    ...bound.columns.map((c, i) => {
      const e = est.columns[i] ?? {};
      return [c.name, e.width !== undefined ? e.width * est.rows : null, e.ndv ?? null, e.nullFraction ?? null, null, text(e.min), text(e.max)];
    }),
    [null, null, null, null, est.rows, null, null],
  ];
  return {
    columns: SHOW_STATS_COLUMNS,
    paramTypes: [],
    start: (_p, controller) =>
      singleStep(SHOW_STATS_COLUMNS, 'SHOW', async () => ({
        length: rows.length,
        columns: SHOW_STATS_COLUMNS.map((c, k) => vectorFromDatums(c.type, rows.map((r) => r[k]))),
      }), controller),
  };
}
