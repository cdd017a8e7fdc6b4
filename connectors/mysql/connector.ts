/**
 * The mysql connector: tables of a MySQL or MariaDB server (see README.md). Metadata comes from
 * information_schema, scans run one SELECT per split written by the shared SQL generator
 * (connectors/lib/sql) in the MySQL dialect, pushdown is the generator's with that dialect.
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type {
  AggregateItem, ColumnDefinition, Connector, ConnectorExpression, ConnectorOrigin, ConnectorSession, Json, NativeQueryConnector, PushdownConnector,
  PushdownJoinType, RunsInWorkers, ScanRequest, SortItem, Split, SplitRequest, StatisticsProvider, TableMetadata, TableProperties, TableStatistics,
  WritableConnector,
} from '../spi/index.js';
import { nativeQueryNode, nodeOf, scanStatement, splittableTable, sqlPushdown, tableNode, type SqlNode } from '../lib/sql/index.js';
import { describeColumns, MySqlClient } from './client.js';
import type { MySqlConfig } from './config.js';
import { dialect } from './dialect.js';
import { describeTable, listSchemas, listTables, tableStatistics, type SplitKey } from './metadata.js';
import { streamRows } from './scan.js';
import { fieldType, pgTypeOf } from './types.js';
import { createSchema, createTable, dropSchema, dropTable, insertRows } from './writes.js';

/** What a table handle holds: the generator's node plus what splitting and reading need. */
interface MySqlHandle {
  readonly node: SqlNode;
  /** The integer primary key of the base table, when it has one. */
  readonly splitKey?: SplitKey;
  /** MySQL types of the hidden columns Lakegate cannot read, by name. */
  readonly unsupported?: Readonly<Record<string, string>>;
}

/** What a split holds: a primary-key range [low, high) (absent ends are open), or the whole table. */
interface MySqlSplit {
  readonly low?: string;
  readonly high?: string;
}

const handleOf = (table: TableMetadata) => table.handle as unknown as MySqlHandle;

export interface MySqlConnectorOptions {
  readonly origin?: ConnectorOrigin;
}

export class MySqlConnector implements Connector, StatisticsProvider, WritableConnector, NativeQueryConnector, Required<PushdownConnector>, Partial<RunsInWorkers> {
  readonly origin?: ConnectorOrigin;
  private readonly client: MySqlClient;
  private readonly pushdown = sqlPushdown(dialect);

  constructor(readonly name: string, private readonly config: MySqlConfig, options: MySqlConnectorOptions = {}) {
    this.client = new MySqlClient(config);
    if (options.origin) this.origin = options.origin;
  }

  listSchemas(): Promise<string[]> {
    return listSchemas(this.client);
  }

  listTables(_s: ConnectorSession, schema: string): Promise<string[]> {
    return listTables(this.client, schema);
  }

  async getTable(_s: ConnectorSession, schema: string, table: string): Promise<TableMetadata | undefined> {
    const d = await describeTable(this.client, schema, table);
    if (!d) return undefined;
    const handle: MySqlHandle = {
      node: tableNode(schema, table, d.columns),
      ...(d.splitKey ? { splitKey: d.splitKey } : {}),
      ...(Object.keys(d.unsupported).length > 0 ? { unsupported: d.unsupported } : {}),
    };
    return { schema, name: table, columns: d.columns, handle: handle as unknown as Json };
  }

  async getStatistics(_s: ConnectorSession, table: TableMetadata): Promise<TableStatistics> {
    const node = nodeOf(table);
    return node.kind === 'table' ? tableStatistics(this.client, node.schema, node.table) : {};
  }

  /**
   * One split, or about `desiredSplits` ranges of the integer primary key when the handle is a
   * (filtered) base table with at least `mysql.min-rows-per-split` rows per split.
   */
  async getSplits(_s: ConnectorSession, table: TableMetadata, request: SplitRequest): Promise<Split[]> {
    const whole: Split[] = [{ info: {} }];
    const { node, splitKey } = handleOf(table);
    const base = splittableTable(node);
    if (!base || !splitKey || request.desiredSplits < 2) return whole;
    const { rowCount } = await tableStatistics(this.client, base.schema, base.table);
    const count = Math.min(request.desiredSplits, Math.floor((rowCount ?? 0) / this.config.minRowsPerSplit));
    if (count < 2) return whole;
    const k = dialect.quoteIdentifier(splitKey.column);
    const { rows } = await this.client.query(`SELECT MIN(${k}), MAX(${k}) FROM ${dialect.quoteIdentifier(base.schema)}.${dialect.quoteIdentifier(base.table)}`);
    const [lo, hi] = rows[0] ?? [];
    if (lo === null || lo === undefined || hi === null || hi === undefined) return whole;
    const low = BigInt(String(lo));
    const span = BigInt(String(hi)) - low + 1n;
    const bounds = [...new Set(Array.from({ length: count - 1 }, (_x, i) => low + (span * BigInt(i + 1)) / BigInt(count)))];
    return [undefined, ...bounds].map((b, i) => {
      const split: MySqlSplit = { ...(b !== undefined ? { low: String(b) } : {}), ...(i < bounds.length ? { high: String(bounds[i]) } : {}) };
      return { info: { ...split } };
    });
  }

  async *scan(_s: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    const handle = handleOf(request.table);
    for (const i of request.columns) {
      const c = request.table.columns[i]!;
      const mysqlType = handle.unsupported?.[c.name];
      if (mysqlType !== undefined && c.hidden) {
        throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `column "${c.name}" has MySQL type ${mysqlType}, which Lakegate cannot read`);
      }
    }
    const split = request.split.info as unknown as MySqlSplit;
    const key = handle.splitKey;
    const ranged = key !== undefined && (split.low !== undefined || split.high !== undefined);
    const { sql, params } = scanStatement(dialect, request.table, request.columns, {
      ...(request.constraint ? { constraint: request.constraint } : {}),
      ...(ranged ? { splitCondition: (bind: (v: unknown) => string) => keyRange(key, split, bind) } : {}),
    });
    const types = request.columns.map((i) => request.table.columns[i]!.type);
    yield* streamRows(this.client, sql, params, types, request.signal);
  }

  // ---- pushdown (the shared generator, MySQL dialect) ------------------------------------------

  applyFilter(s: ConnectorSession, table: TableMetadata, conjuncts: readonly ConnectorExpression[]) {
    return this.pushdown.applyFilter(s, table, conjuncts);
  }

  applyLimit(s: ConnectorSession, table: TableMetadata, count: number) {
    return this.pushdown.applyLimit(s, table, count);
  }

  applyTopN(s: ConnectorSession, table: TableMetadata, keys: readonly SortItem[], count: number) {
    return this.pushdown.applyTopN(s, table, keys, count);
  }

  applyAggregation(s: ConnectorSession, table: TableMetadata, groupBy: readonly number[], aggregates: readonly AggregateItem[]) {
    return this.pushdown.applyAggregation(s, table, groupBy, aggregates);
  }

  applyJoin(s: ConnectorSession, joinType: PushdownJoinType, left: TableMetadata, right: TableMetadata, condition: ConnectorExpression) {
    return this.pushdown.applyJoin(s, joinType, left, right, condition);
  }

  describeTable(table: TableMetadata): string {
    return this.pushdown.describeTable(table);
  }

  // ---- native queries ----------------------------------------------------------------------------

  /**
   * A table over one native SELECT. Its columns come from preparing the statement wrapped as
   * `SELECT * FROM (…) q`, as scans will run it (prepared, not executed); the wrapping and
   * prepared statements admit exactly one statement, and only a query.
   */
  async nativeQuery(_s: ConnectorSession, query: string): Promise<TableMetadata> {
    // a trailing line break ends a trailing `-- comment`, so it cannot swallow what the generator appends
    const sql = `${query.replace(/[\s;]+$/, '')}\n`;
    const fields = await this.client.with((c) => describeColumns(c, `SELECT * FROM (${sql}) ${dialect.quoteIdentifier('q')}`));
    const columns = fields.map((f) => {
      const mapped = pgTypeOf(fieldType(f));
      if ('unsupported' in mapped) {
        throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `column "${f.name}" of the native query has MySQL type ${mapped.unsupported}, which Lakegate cannot read`);
      }
      return { name: f.name, type: mapped.type, nullable: true };
    });
    const handle: MySqlHandle = { node: nativeQueryNode(sql, columns) };
    return { schema: 'system', name: 'query', columns, handle: handle as unknown as Json };
  }

  // ---- writes ------------------------------------------------------------------------------------

  createSchema(_s: ConnectorSession, schema: string, ifNotExists: boolean): Promise<void> {
    return createSchema(this.client, schema, ifNotExists);
  }

  dropSchema(_s: ConnectorSession, schema: string, options: { ifExists: boolean; cascade: boolean }): Promise<void> {
    return dropSchema(this.client, schema, options);
  }

  createTable(_s: ConnectorSession, schema: string, table: string, columns: readonly ColumnDefinition[], ifNotExists: boolean, properties: TableProperties = {}): Promise<void> {
    return createTable(this.client, schema, table, columns, ifNotExists, properties);
  }

  dropTable(_s: ConnectorSession, schema: string, table: string, ifExists: boolean): Promise<void> {
    return dropTable(this.client, schema, table, ifExists);
  }

  insert(_s: ConnectorSession, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
    return insertRows(this.client, table, rows);
  }

  /** Closes the connection pool (tests, catalog reloads). */
  close(): Promise<void> {
    return this.client.close();
  }
}

/** `key >= low AND key < high` over the base table, bounds bound as integers of the key's signedness. */
function keyRange(key: SplitKey, split: MySqlSplit, bind: (v: unknown) => string): string {
  const k = dialect.quoteIdentifier(key.column);
  const int = (v: string) => `CAST(${bind(v)} AS ${key.unsigned ? 'UNSIGNED' : 'SIGNED'})`;
  const parts: string[] = [];
  if (split.low !== undefined) parts.push(`${k} >= ${int(split.low)}`);
  if (split.high !== undefined) parts.push(`${k} < ${int(split.high)}`);
  return parts.join(' AND ');
}
