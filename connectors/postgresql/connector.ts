/**
 * The postgresql connector: tables, views, materialized views and foreign tables of one
 * upstream PostgreSQL database, read through pooled sessions with pinned settings, with filter,
 * limit, top-N, aggregation and join pushdown through the shared SQL generator, native queries,
 * statistics, split reads and writes (see README.md).
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import {
  type SqlDialect, type SqlNode, nativeQueryNode, nodeOf, scanStatement, splittableTable, sqlPushdown, tableNode,
} from '../lib/sql/index.js';
import type {
  AggregateItem, ColumnDefinition, Connector, ConnectorExpression, ConnectorOrigin, ConnectorSession, Json, NativeQueryConnector,
  PushdownConnector, PushdownJoinType, RunsInWorkers, ScanRequest, SortItem, Split, SplitRequest, StatisticsProvider, TableMetadata,
  TableProperties, TableStatistics, WritableConnector,
} from '../spi/index.js';
import type { PostgresqlConfig } from './config.js';
import { postgresqlDialect } from './dialect.js';
import {
  columnStatistics, describeQuery, describeTable, integerPrimaryKey, keyRange, listSchemas, listTables, relationFacts,
} from './metadata.js';
import { RemoteDatabase } from './remote.js';
import { cursorBatches } from './scan.js';
import { asSplit, blockSplits, keySplits, splitCondition, TID_RANGE_SCAN_VERSION, WHOLE, type PgSplit } from './splits.js';
import { tableStatistics } from './statistics.js';
import { isSendableText } from './types.js';
import { createSchemaSql, createTableSql, dropSchemaSql, dropTableSql, insertRows } from './writes.js';

/** What a table handle holds. */
interface PgHandle {
  readonly node: SqlNode;
  /** The server's encoding orders text bytes as UTF-8 (see dialect.ts). */
  readonly byteOrderText: boolean;
  /** The handle runs a native query: its session is closed after the scan. */
  readonly native?: boolean;
}

/** Server encodings whose byte order is Unicode code point order, as UTF-8's is. */
const BYTE_ORDER_ENCODINGS = new Set(['UTF8', 'SQL_ASCII', 'LATIN1']);

const handleOf = (table: TableMetadata): PgHandle => table.handle as unknown as PgHandle;

export interface PostgresqlConnectorOptions {
  readonly origin?: ConnectorOrigin;
}

export class PostgresqlConnector
implements Connector, StatisticsProvider, WritableConnector, Required<PushdownConnector>, NativeQueryConnector, Partial<RunsInWorkers> {
  readonly origin?: ConnectorOrigin;
  private readonly remote: RemoteDatabase;
  private readonly dialects = { bytes: postgresqlDialect({ byteOrderText: true }), other: postgresqlDialect({ byteOrderText: false }) };
  private readonly pushdowns = { bytes: sqlPushdown(this.dialects.bytes), other: sqlPushdown(this.dialects.other) };
  private readonly quote = this.dialects.bytes.quoteIdentifier;
  private encoding: Promise<boolean> | undefined;

  constructor(readonly name: string, private readonly config: PostgresqlConfig, options: PostgresqlConnectorOptions = {}) {
    this.remote = new RemoteDatabase(name, config);
    if (options.origin) this.origin = options.origin;
  }

  /** Closes the pooled sessions (tests and shutdown). */
  close(): Promise<void> {
    return this.remote.close();
  }

  listSchemas(): Promise<string[]> {
    return listSchemas(this.remote);
  }

  listTables(_s: ConnectorSession, schema: string): Promise<string[]> {
    return listTables(this.remote, schema);
  }

  async getTable(_s: ConnectorSession, schema: string, table: string): Promise<TableMetadata | undefined> {
    const [columns, byteOrderText] = await Promise.all([describeTable(this.remote, schema, table), this.byteOrderText()]);
    if (!columns) return undefined;
    const handle: PgHandle = { node: tableNode(schema, table, columns), byteOrderText };
    return { schema, name: table, columns, handle: handle as unknown as Json };
  }

  async getStatistics(_s: ConnectorSession, table: TableMetadata): Promise<TableStatistics> {
    const node = nodeOf(table);
    if (node.kind !== 'table') return {};
    const facts = await relationFacts(this.remote, node.schema, node.table);
    if (!facts) return {};
    const stats = await columnStatistics(this.remote, node.schema, node.table, facts.kind === 'p');
    return tableStatistics(facts.rows, table.columns, stats);
  }

  async getSplits(_s: ConnectorSession, table: TableMetadata, request: SplitRequest): Promise<Split[]> {
    const base = splittableTable(nodeOf(table));
    if (!base || request.desiredSplits <= 1) return [asSplit(WHOLE)];
    const facts = await relationFacts(this.remote, base.schema, base.table);
    if (!facts || facts.rows === undefined || facts.rows <= this.config.splitMinRows) return [asSplit(WHOLE)];
    const key = await integerPrimaryKey(this.remote, facts.oid);
    const q = this.quote;
    if (key) {
      const range = await keyRange(this.remote, `${q(base.schema)}.${q(base.table)}`, q(key.name));
      return range ? keySplits(key.name, key.typeName, range[0], range[1], request.desiredSplits).map(asSplit) : [asSplit(WHOLE)];
    }
    const blocksAddressable = (facts.kind === 'r' || facts.kind === 'm') && facts.serverVersion >= TID_RANGE_SCAN_VERSION;
    return blocksAddressable && facts.blocks > 1 ? blockSplits(facts.blocks, request.desiredSplits).map(asSplit) : [asSplit(WHOLE)];
  }

  scan(_s: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    const handle = handleOf(request.table);
    const dialect = this.dialectFor(handle);
    const condition = splitCondition(request.split.info as unknown as PgSplit, dialect.quoteIdentifier);
    const statement = scanStatement(dialect, request.table, request.columns, {
      ...(request.constraint ? { constraint: request.constraint } : {}),
      ...(condition ? { splitCondition: condition } : {}),
    });
    const types = request.columns.map((i) => request.table.columns[i]!.type);
    return cursorBatches(this.remote, statement, types, request.signal, { fetchSize: this.config.fetchSize, isolated: handle.native === true });
  }

  // ---- pushdown (connectors/lib/sql) ----------------------------------------------------------

  applyFilter(s: ConnectorSession, table: TableMetadata, conjuncts: readonly ConnectorExpression[]) {
    return this.pushdownFor(table).applyFilter(s, table, conjuncts);
  }

  applyLimit(s: ConnectorSession, table: TableMetadata, count: number) {
    return this.pushdownFor(table).applyLimit(s, table, count);
  }

  applyTopN(s: ConnectorSession, table: TableMetadata, keys: readonly SortItem[], count: number) {
    return this.pushdownFor(table).applyTopN(s, table, keys, count);
  }

  applyAggregation(s: ConnectorSession, table: TableMetadata, groupBy: readonly number[], aggregates: readonly AggregateItem[]) {
    return this.pushdownFor(table).applyAggregation(s, table, groupBy, aggregates);
  }

  applyJoin(s: ConnectorSession, joinType: PushdownJoinType, left: TableMetadata, right: TableMetadata, condition: ConnectorExpression) {
    const l = handleOf(left);
    const r = handleOf(right);
    const joined = this.pushdownFor(left).applyJoin(s, joinType, left, right, condition);
    if (!joined) return undefined;
    const handle: PgHandle = { ...handleOf(joined), ...(l.native || r.native ? { native: true } : {}) };
    return { ...joined, handle: handle as unknown as Json };
  }

  describeTable(table: TableMetadata): string {
    return this.pushdownFor(table).describeTable(table);
  }

  // ---- native queries -------------------------------------------------------------------------

  /** Trino's `system.query`: one read-only statement in the upstream's SQL (README.md, "Native queries"). */
  async nativeQuery(_s: ConnectorSession, query: string): Promise<TableMetadata> {
    if (!isSendableText(query)) throw new SqlError(SqlState.CHARACTER_NOT_IN_REPERTOIRE, 'the native query is not valid UTF-8 text (NUL or a lone surrogate)');
    // The generator puts the statement in parentheses: a trailing semicolon would end it early,
    // and a trailing -- comment would swallow the closing parenthesis.
    const trimmed = query.replace(/[\s;]+$/, '');
    const sql = trimmed.includes('--') ? `${trimmed}\n` : trimmed;
    const [columns, byteOrderText] = await Promise.all([describeQuery(this.remote, sql), this.byteOrderText()]);
    const handle: PgHandle = { node: nativeQueryNode(sql, columns), byteOrderText, native: true };
    return { schema: 'system', name: 'query', columns, handle: handle as unknown as Json };
  }

  // ---- writes ---------------------------------------------------------------------------------

  async createSchema(_s: ConnectorSession, schema: string, ifNotExists: boolean): Promise<void> {
    await this.remote.execute(createSchemaSql(this.quote, schema, ifNotExists));
  }

  async dropSchema(_s: ConnectorSession, schema: string, options: { ifExists: boolean; cascade: boolean }): Promise<void> {
    await this.remote.execute(dropSchemaSql(this.quote, schema, options));
  }

  async createTable(_s: ConnectorSession, schema: string, table: string, columns: readonly ColumnDefinition[], ifNotExists: boolean, properties: TableProperties = {}): Promise<void> {
    await this.remote.execute(createTableSql(this.quote, schema, table, columns, ifNotExists, properties));
  }

  async dropTable(_s: ConnectorSession, schema: string, table: string, ifExists: boolean): Promise<void> {
    await this.remote.execute(dropTableSql(this.quote, schema, table, ifExists));
  }

  insert(_s: ConnectorSession, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
    return insertRows(this.remote, this.quote, table, rows);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private dialectFor(handle: PgHandle): SqlDialect {
    return handle.byteOrderText ? this.dialects.bytes : this.dialects.other;
  }

  private pushdownFor(table: TableMetadata): Required<PushdownConnector> {
    return handleOf(table).byteOrderText ? this.pushdowns.bytes : this.pushdowns.other;
  }

  /** Whether the server's encoding orders text as UTF-8 bytes (asked once). */
  private byteOrderText(): Promise<boolean> {
    this.encoding ??= this.remote.query(`SELECT pg_catalog.current_setting('server_encoding')`).then(
      (rows) => BYTE_ORDER_ENCODINGS.has(rows[0]![0]!),
      (e: unknown) => {
        this.encoding = undefined;
        throw e;
      },
    );
    return this.encoding;
  }
}
