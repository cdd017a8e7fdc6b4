/**
 * The connector SPI: the only thing the engine knows about a data source.
 *
 * A connector is one folder implementing `Connector` (required) and, optionally, capability
 * interfaces checked with the type guards below. Handles and splits are plain
 * JSON-serialisable values owned by the connector: the engine stores and ships them
 * without looking inside, so a remote worker can run a split it did not plan.
 *
 * May import: engine/errors, engine/types, engine/execution/batch (the shared value model).
 */
import type { Batch, Schema } from '../../engine/execution/batch/batch.js';
import type { PgType } from '../../engine/types/pg-type.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ColumnMetadata {
  readonly name: string;
  readonly type: PgType;
  readonly nullable: boolean;
  /**
   * A hidden column (Trino's `$path`, `$pos`, …): readable when named, left out of `SELECT *`,
   * INSERT column lists and the catalog views.
   */
  readonly hidden?: boolean;
}

export interface TableMetadata {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnMetadata[];
  /** Connector-owned, JSON-serialisable identity of the table (and anything pushed into it). */
  readonly handle: Json;
}

/** What is known about one column; every field is optional (unknown). */
export interface ColumnStatistics {
  /** Number of distinct non-NULL values. */
  readonly distinctCount?: number;
  /** Share of rows that are NULL, 0..1. */
  readonly nullFraction?: number;
  /** Smallest and largest non-NULL value: a number, or PostgreSQL text form (dates, strings). */
  readonly min?: number | string;
  readonly max?: number | string;
  /** Total bytes of the column's values (variable-width columns). */
  readonly dataSize?: number;
}

export interface TableStatistics {
  readonly rowCount?: number;
  /** By column name; absent columns are unknown. */
  readonly columns?: Readonly<Record<string, ColumnStatistics>>;
}

export interface Split {
  /** Connector-owned, JSON-serialisable description of one unit of scan work. */
  readonly info: Json;
  /** What the split reads (a file, an object), for EXPLAIN ANALYZE: its name and about how many bytes. */
  readonly source?: { readonly name: string; readonly bytes: number };
}

export interface SplitRequest {
  /** How many splits the engine would like, e.g. the number of parallel tasks. */
  readonly desiredSplits: number;
  /**
   * What the query's filters allow of the scanned rows, when the engine could tell. Connectors
   * may skip files, partitions or row groups that hold no allowed row; the engine still
   * applies every filter, so a connector that ignores this stays correct.
   */
  readonly constraint?: Constraint;
}

/** One end of a range of values. */
export interface RangeBound {
  readonly value: unknown;
  readonly inclusive: boolean;
}

/** Values between `low` and `high` (an absent bound is unbounded). */
export interface ValueRange {
  readonly low?: RangeBound;
  readonly high?: RangeBound;
}

/**
 * The values one table column may take in rows the query wants. Bounds are datums of
 * `compareAs` (the column's type, or a type the column is widened to by a monotonic cast such
 * as date → timestamp); `widen` maps a datum of the column's own type (a statistic, a
 * partition value) to that type.
 */
export interface ColumnDomain {
  /** Index into the table's columns. */
  readonly column: number;
  readonly compareAs: PgType;
  /** Total order on datums of `compareAs`, PostgreSQL's btree order. */
  readonly compare: (a: unknown, b: unknown) => number;
  readonly widen: (columnDatum: unknown) => unknown;
  /** Non-NULL values allowed: a union of ranges; absent means any value. Empty: none. */
  readonly ranges?: readonly ValueRange[];
  readonly nullAllowed: boolean;
}

/** A conjunction of column domains: a row is wanted only if every column is in its domain. */
export interface Constraint {
  readonly domains: readonly ColumnDomain[];
}

export interface ScanRequest {
  readonly table: TableMetadata;
  /** Indices into `table.columns` to produce, in this order. */
  readonly columns: readonly number[];
  readonly split: Split;
  /** Aborted when the query is cancelled or fails; page sources stop promptly. */
  readonly signal: AbortSignal;
  /**
   * What the query's filters allow of the rows (as in SplitRequest): a page source may skip
   * pages or rows outside it. The engine still applies every filter.
   */
  readonly constraint?: Constraint;
}

/** Session facts a connector may need (no engine internals). */
export interface ConnectorSession {
  readonly user: string;
  readonly queryId: string;
}

export interface Connector {
  readonly name: string;
  listSchemas(session: ConnectorSession): Promise<string[]>;
  listTables(session: ConnectorSession, schema: string): Promise<string[]>;
  /** Metadata of one table, or undefined when it does not exist. */
  getTable(session: ConnectorSession, schema: string, table: string): Promise<TableMetadata | undefined>;
  getSplits(session: ConnectorSession, table: TableMetadata, request: SplitRequest): Promise<Split[]>;
  /** Streams the rows of one split as batches whose columns follow `request.columns`. */
  scan(session: ConnectorSession, request: ScanRequest): AsyncIterable<Batch>;
}

/** Capability: row counts and column statistics for the cost-based optimizer. */
export interface StatisticsProvider {
  getStatistics(session: ConnectorSession, table: TableMetadata): Promise<TableStatistics>;
}

/**
 * Capability: keeps statistics the engine computed (ANALYZE) and returns them from
 * `getStatistics` until the table's data changes.
 */
export interface StatisticsStore {
  storeStatistics(session: ConnectorSession, table: TableMetadata, statistics: TableStatistics): Promise<void>;
}

export interface ColumnDefinition {
  readonly name: string;
  readonly type: PgType;
  readonly nullable: boolean;
}

export type TableProperties = Readonly<Record<string, string>>;

/** Capability: DDL and inserts (CREATE SCHEMA/TABLE, INSERT, CREATE TABLE AS, DROP). */
export interface WritableConnector {
  createSchema(session: ConnectorSession, schema: string, ifNotExists: boolean): Promise<void>;
  dropSchema(session: ConnectorSession, schema: string, options: { ifExists: boolean; cascade: boolean }): Promise<void>;
  /**
   * `properties`: the table properties of `CREATE TABLE … WITH (name = value, …)`, values as
   * text (e.g. Iceberg's `partitioning = 'day(ts), bucket(16, id)'`); a connector rejects a
   * name it does not know with 22023.
   */
  createTable(session: ConnectorSession, schema: string, table: string, columns: readonly ColumnDefinition[], ifNotExists: boolean, properties?: TableProperties): Promise<void>;
  dropTable(session: ConnectorSession, schema: string, table: string, ifExists: boolean): Promise<void>;
  /** Appends rows (columns in table order); returns the number of rows written. */
  insert(session: ConnectorSession, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number>;
}

/**
 * Capability: DELETE. The engine scans the table for the rows the WHERE clause selects,
 * reading only the hidden columns `rowIdColumns` names (e.g. `$path` and `$pos`), and hands
 * those values to `deleteRows`, which removes the rows as one change of the table.
 */
export interface RowDeletes {
  rowIdColumns(table: TableMetadata): readonly string[];
  /** Batches hold the row-id columns in `rowIdColumns` order; returns the number of rows deleted. */
  deleteRows(session: ConnectorSession, table: TableMetadata, rowIds: AsyncIterable<Batch>): Promise<number>;
}

export const supportsDeletes = (c: Connector): c is Connector & RowDeletes =>
  typeof (c as Partial<RowDeletes>).deleteRows === 'function';

/** Capability: ALTER TABLE / ALTER VIEW … RENAME TO, a table or view keeping its schema. */
export interface RelationRenames {
  /** Throws 42P01 when `from` does not exist and 42P07 when `to` does. */
  renameRelation(session: ConnectorSession, schema: string, from: string, to: string): Promise<void>;
}

export const supportsRenames = (c: Connector): c is Connector & RelationRenames =>
  typeof (c as Partial<RelationRenames>).renameRelation === 'function';

export interface ViewDefinition {
  readonly schema: string;
  readonly name: string;
  /** The view's defining statement as PostgreSQL SQL text: CREATE [OR REPLACE] VIEW … AS query. */
  readonly sql: string;
  /** Output column names (the query's, or those given in CREATE VIEW v (a, b)). */
  readonly columnNames: readonly string[];
  /** Output column types as bound at CREATE VIEW, for the catalog views (pg_attribute, information_schema.columns). */
  readonly columnTypes?: readonly PgType[];
}

/** Capability: stored views (CREATE VIEW / DROP VIEW); the engine expands them when binding. */
export interface ViewConnector {
  getView(session: ConnectorSession, schema: string, name: string): Promise<ViewDefinition | undefined>;
  listViews(session: ConnectorSession, schema: string): Promise<string[]>;
  createView(session: ConnectorSession, view: ViewDefinition, orReplace: boolean): Promise<void>;
  dropView(session: ConnectorSession, schema: string, name: string, ifExists: boolean): Promise<void>;
}

export const isViewConnector = (c: Connector): c is Connector & ViewConnector =>
  typeof (c as Partial<ViewConnector>).getView === 'function';

export const hasStatistics = (c: Connector): c is Connector & StatisticsProvider =>
  typeof (c as Partial<StatisticsProvider>).getStatistics === 'function';

export const storesStatistics = (c: Connector): c is Connector & StatisticsStore =>
  typeof (c as Partial<StatisticsStore>).storeStatistics === 'function';

export const isWritable = (c: Connector): c is Connector & WritableConnector =>
  typeof (c as Partial<WritableConnector>).insert === 'function';

/** Capability: holds resources (connection pools, sockets) the gateway releases when it shuts down. */
export interface ClosableConnector {
  close(): Promise<void>;
}

export const isClosable = (c: Connector): c is Connector & ClosableConnector =>
  typeof (c as Partial<ClosableConnector>).close === 'function';

/** How to re-create a connector in another thread or process: load `module`, call its `factoryExport`. */
export interface ConnectorOrigin {
  /** URL of an ES module exporting the factory. */
  readonly module: string;
  /** Name of the module's export that is a ConnectorFactory. */
  readonly factoryExport: string;
  readonly catalogName: string;
  readonly properties: Readonly<Record<string, string>>;
}

/**
 * Capability: a copy of this connector, re-created from `origin` in a worker thread (or a remote
 * worker), reads the same splits. Connectors whose data lives in this process's heap (memory)
 * do not declare it; their scans stay in-process.
 */
export interface RunsInWorkers {
  readonly origin: ConnectorOrigin;
}

export const runsInWorkers = (c: Connector): c is Connector & RunsInWorkers =>
  typeof (c as Partial<RunsInWorkers>).origin === 'object' && (c as Partial<RunsInWorkers>).origin !== null;

/**
 * An expression a connector may evaluate at its source, over the columns of one table
 * (`column` indexes `table.columns`). Constants keep PostgreSQL's text form, so a SQL source
 * binds them as parameters and never splices them into its statement. `call` names are the
 * PostgreSQL operator or function names ('=', '<>', '<', '<=', '>', '>=', '+', '-', '*', '/',
 * '%', '||', '~~' (LIKE), '!~~', '~~*', '!~~*', 'lower', 'upper', 'abs', …) plus the logical
 * forms 'and', 'or', 'not', 'is_null', 'is_not_null' and 'in' (first argument the value, the
 * rest the list). Comparisons of text follow PostgreSQL's "C" collation (byte order): a source
 * whose comparisons differ must say so by declining the expression or by forcing a binary
 * collation.
 */
export type ConnectorExpression =
  | { readonly kind: 'column'; readonly column: number; readonly type: PgType }
  | {
      readonly kind: 'constant';
      readonly text: string | null;
      readonly type: PgType;
      /**
       * A constant of an access rule's row filter — written by the administrator, never by the
       * client — that a source may write into its statement text, so the source's own monitoring
       * (pg_stat_activity) shows the filter. Constants of the client's query are always bound.
       */
      readonly inline?: true;
    }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly ConnectorExpression[]; readonly type: PgType }
  | { readonly kind: 'cast'; readonly arg: ConnectorExpression; readonly type: PgType };

/** One ORDER BY key of a pushed-down TopN: a column of the table. */
export interface SortItem {
  readonly column: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** One aggregate of a pushed-down GROUP BY: 'count' with no arguments is count(*). */
export interface AggregateItem {
  /** PostgreSQL aggregate name: count, sum, min, max, avg, bool_and, bool_or, … */
  readonly name: string;
  readonly args: readonly ConnectorExpression[];
  readonly distinct: boolean;
  /** The result type the engine expects (PostgreSQL's: sum(int4) is int8, avg(int8) numeric, …). */
  readonly type: PgType;
}

export type PushdownJoinType = 'inner' | 'left' | 'right' | 'full';

/**
 * Capability: the source does part of the query. Each method is asked at planning time, is
 * pure (no I/O: it only decides and returns a new handle), and returns undefined to decline.
 * The engine applies access control before asking (ARCHITECTURE §3.8).
 *
 * - `applyFilter`: `accepted[i]` says conjunct i is now evaluated exactly by the source (the
 *   engine drops it); declined conjuncts stay in the engine.
 * - `applyLimit` / `applyTopN`: the source may return fewer rows per split; the engine still
 *   applies its own LIMIT/ORDER BY above, so a split-local limit is enough.
 * - `applyAggregation`: the new table's columns are the group keys then the aggregates; the
 *   engine no longer aggregates, so the table's splits must together hold each group once.
 * - `applyJoin`: `condition` reads the left table's columns then the right's (right column j is
 *   index leftColumns + j); the new table's columns are the left's then the right's.
 */
export interface PushdownConnector {
  applyFilter?(session: ConnectorSession, table: TableMetadata, conjuncts: readonly ConnectorExpression[]): { readonly table: TableMetadata; readonly accepted: readonly boolean[] } | undefined;
  applyLimit?(session: ConnectorSession, table: TableMetadata, count: number): TableMetadata | undefined;
  applyTopN?(session: ConnectorSession, table: TableMetadata, keys: readonly SortItem[], count: number): TableMetadata | undefined;
  applyAggregation?(session: ConnectorSession, table: TableMetadata, groupBy: readonly number[], aggregates: readonly AggregateItem[]): TableMetadata | undefined;
  applyJoin?(session: ConnectorSession, joinType: PushdownJoinType, left: TableMetadata, right: TableMetadata, condition: ConnectorExpression): TableMetadata | undefined;
  /** What the source is asked for this table (e.g. its SQL with parameters), for EXPLAIN. */
  describeTable?(table: TableMetadata): string;
}

export const supportsPushdown = (c: Connector): c is Connector & PushdownConnector =>
  ['applyFilter', 'applyLimit', 'applyTopN', 'applyAggregation', 'applyJoin', 'describeTable']
    .some((m) => typeof (c as unknown as Record<string, unknown>)[m] === 'function');

/**
 * Capability: native-query passthrough (Trino's `system.query`). `SELECT … FROM
 * catalog.system.query('native statement')` asks the connector for a table whose rows are the
 * statement's result; the connector learns its columns from the source without running it.
 */
export interface NativeQueryConnector {
  nativeQuery(session: ConnectorSession, query: string): Promise<TableMetadata>;
}

export const supportsNativeQuery = (c: Connector): c is Connector & NativeQueryConnector =>
  typeof (c as Partial<NativeQueryConnector>).nativeQuery === 'function';

/** Builds a connector from catalog properties (etc/catalog/NAME.properties). */
export interface ConnectorFactory {
  readonly name: string;
  create(catalogName: string, properties: Readonly<Record<string, string>>): Connector;
}

export type { Batch, Schema, PgType };
