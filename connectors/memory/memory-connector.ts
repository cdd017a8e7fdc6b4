/** Tables held in memory as lists of batches; one split per group of batches. */
import type {
  ColumnDefinition, ColumnMetadata, Connector, RelationRenames, RowDeletes, TableProperties, ConnectorFactory, ConnectorSession, ScanRequest, Split, SplitRequest, StatisticsProvider,
  StatisticsStore, TableMetadata, TableStatistics, ViewConnector, ViewDefinition, WritableConnector,
} from '../spi/index.js';
import { takeBatchRows, type Batch } from '../../engine/execution/batch/batch.js';
import type { Vector } from '../../engine/execution/batch/vector.js';
import { T } from '../../engine/types/pg-type.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';

interface MemoryTable {
  readonly columns: readonly ColumnDefinition[];
  readonly batches: Batch[];
  /** Bumped on DROP so a scan of a dropped-and-recreated table does not see new rows. */
  readonly id: number;
}

interface TableHandle {
  readonly schema: string;
  readonly table: string;
  readonly id: number;
}

interface SplitInfo {
  readonly first: number;
  readonly count: number;
}

/** The hidden column DELETE finds rows by: the row's position in the table. */
const ROW_ID: ColumnMetadata = { name: '$row_id', type: T.int8, nullable: false, hidden: true };

function rowIds(start: number, length: number): Vector {
  const data = new BigInt64Array(length);
  for (let i = 0; i < length; i++) data[i] = BigInt(start + i);
  return { type: T.int8, length, data, nulls: null };
}

const notNullViolation = (column: string, table: string) =>
  new SqlError(SqlState.NOT_NULL_VIOLATION, `null value in column "${column}" of relation "${table}" violates not-null constraint`);

export class MemoryConnector implements Connector, WritableConnector, StatisticsProvider, StatisticsStore, ViewConnector, RowDeletes, RelationRenames {
  private readonly schemas = new Map<string, Map<string, MemoryTable>>([['public', new Map()]]);
  /** Column statistics from the last ANALYZE, until the next insert. */
  private readonly analyzed = new WeakMap<MemoryTable, TableStatistics['columns']>();
  private nextId = 1;
  private readonly views = new Map<string, Map<string, ViewDefinition>>();

  constructor(readonly name: string) {}

  async listSchemas(): Promise<string[]> {
    return [...this.schemas.keys()];
  }

  async listTables(_s: ConnectorSession, schema: string): Promise<string[]> {
    return [...(this.schemas.get(schema)?.keys() ?? [])];
  }

  async getTable(_s: ConnectorSession, schema: string, table: string): Promise<TableMetadata | undefined> {
    const t = this.schemas.get(schema)?.get(table);
    if (!t) return undefined;
    const handle: TableHandle = { schema, table, id: t.id };
    return { schema, name: table, columns: [...t.columns, ROW_ID], handle: { ...handle } };
  }

  async getStatistics(_s: ConnectorSession, table: TableMetadata): Promise<TableStatistics> {
    const t = this.lookup(table);
    const columns = this.analyzed.get(t);
    return { rowCount: t.batches.reduce((n, b) => n + b.length, 0), ...(columns ? { columns } : {}) };
  }

  async storeStatistics(_s: ConnectorSession, table: TableMetadata, statistics: TableStatistics): Promise<void> {
    if (statistics.columns) this.analyzed.set(this.lookup(table), statistics.columns);
  }

  async getSplits(_s: ConnectorSession, table: TableMetadata, request: SplitRequest): Promise<Split[]> {
    const t = this.lookup(table);
    const n = t.batches.length;
    const per = Math.max(1, Math.ceil(n / Math.max(1, request.desiredSplits)));
    const splits: Split[] = [];
    for (let first = 0; first < n; first += per) splits.push({ info: { first, count: Math.min(per, n - first) } satisfies SplitInfo });
    return splits.length ? splits : [{ info: { first: 0, count: 0 } }];
  }

  async *scan(_s: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    const t = this.lookup(request.table);
    const { first, count } = request.split.info as unknown as SplitInfo;
    let position = t.batches.slice(0, first).reduce((n, b) => n + b.length, 0);
    for (let i = first; i < first + count && i < t.batches.length; i++) {
      if (request.signal.aborted) return;
      const b = t.batches[i]!;
      const start = position;
      position += b.length;
      yield { length: b.length, columns: request.columns.map((c) => (c < t.columns.length ? b.columns[c]! : rowIds(start, b.length))) };
    }
  }

  async getView(_s: ConnectorSession, schema: string, name: string): Promise<ViewDefinition | undefined> {
    return this.views.get(schema)?.get(name);
  }

  async listViews(_s: ConnectorSession, schema: string): Promise<string[]> {
    return [...(this.views.get(schema)?.keys() ?? [])];
  }

  async createView(_s: ConnectorSession, view: ViewDefinition, orReplace: boolean): Promise<void> {
    if (!this.schemas.has(view.schema)) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${view.schema}" does not exist`);
    if (this.schemas.get(view.schema)!.has(view.name)) throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${view.name}" is not a view`);
    const views = this.views.get(view.schema) ?? new Map<string, ViewDefinition>();
    if (views.has(view.name) && !orReplace) throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${view.name}" already exists`);
    views.set(view.name, view);
    this.views.set(view.schema, views);
  }

  async dropView(_s: ConnectorSession, schema: string, name: string, ifExists: boolean): Promise<void> {
    if (!this.views.get(schema)?.delete(name) && !ifExists) throw new SqlError(SqlState.UNDEFINED_TABLE, `view "${name}" does not exist`);
  }

  async createSchema(_s: ConnectorSession, schema: string, ifNotExists: boolean): Promise<void> {
    if (this.schemas.has(schema)) {
      if (ifNotExists) return;
      throw new SqlError(SqlState.DUPLICATE_SCHEMA, `schema "${schema}" already exists`);
    }
    this.schemas.set(schema, new Map());
  }

  async dropSchema(_s: ConnectorSession, schema: string, options: { ifExists: boolean; cascade: boolean }): Promise<void> {
    const tables = this.schemas.get(schema);
    if (!tables) {
      if (options.ifExists) return;
      throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`);
    }
    if ((tables.size > 0 || (this.views.get(schema)?.size ?? 0) > 0) && !options.cascade) {
      throw new SqlError(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, `cannot drop schema ${schema} because other objects depend on it`, {
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    this.schemas.delete(schema);
    this.views.delete(schema);
  }

  async createTable(_s: ConnectorSession, schema: string, table: string, columns: readonly ColumnDefinition[], ifNotExists: boolean, properties: TableProperties = {}): Promise<void> {
    const unknown = Object.keys(properties)[0];
    if (unknown !== undefined) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unrecognized table property "${unknown}"`, { hint: 'Tables of the memory connector take no properties.' });
    const tables = this.schemas.get(schema);
    if (!tables) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`);
    if (tables.has(table) || this.views.get(schema)?.has(table)) {
      if (ifNotExists) return;
      throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${table}" already exists`);
    }
    const names = new Set<string>();
    for (const c of columns) {
      if (names.has(c.name)) throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${c.name}" specified more than once`);
      names.add(c.name);
    }
    tables.set(table, { columns, batches: [], id: this.nextId++ });
  }

  async dropTable(_s: ConnectorSession, schema: string, table: string, ifExists: boolean): Promise<void> {
    if (!this.schemas.get(schema)?.delete(table) && !ifExists) {
      throw new SqlError(SqlState.UNDEFINED_TABLE, `table "${table}" does not exist`);
    }
  }

  async renameRelation(_s: ConnectorSession, schema: string, from: string, to: string): Promise<void> {
    const tables = this.schemas.get(schema);
    if (!tables) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`);
    const views = this.views.get(schema);
    const table = tables.get(from);
    const view = views?.get(from);
    if (!table && !view) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${from}" does not exist`);
    if (tables.has(to) || views?.has(to)) throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${to}" already exists`);
    if (table) {
      tables.delete(from);
      tables.set(to, table);
    } else {
      views!.delete(from);
      views!.set(to, { ...view!, name: to });
    }
  }

  async insert(_s: ConnectorSession, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
    const t = this.lookup(table);
    const staged: Batch[] = [];
    let count = 0;
    for await (const b of rows) {
      t.columns.forEach((c, i) => {
        const nulls = b.columns[i]!.nulls;
        if (!c.nullable && nulls !== null && nulls.subarray(0, b.length).includes(1)) throw notNullViolation(c.name, table.name);
      });
      staged.push(b);
      count += b.length;
    }
    // Rows become visible only once the whole statement has succeeded.
    t.batches.push(...staged.filter((b) => b.length > 0));
    if (count > 0) this.analyzed.delete(t);
    return count;
  }

  rowIdColumns(): readonly string[] {
    return [ROW_ID.name];
  }

  async deleteRows(_s: ConnectorSession, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
    const t = this.lookup(table);
    const doomed = new Set<bigint>();
    for await (const b of rows) {
      const ids = b.columns[0]!.data as BigInt64Array;
      for (let i = 0; i < b.length; i++) doomed.add(ids[i]!);
    }
    if (doomed.size === 0) return 0;
    let position = 0n;
    const kept: Batch[] = [];
    for (const b of t.batches) {
      const keep: number[] = [];
      for (let i = 0; i < b.length; i++, position++) if (!doomed.has(position)) keep.push(i);
      if (keep.length === b.length) kept.push(b);
      else if (keep.length > 0) kept.push(takeBatchRows(b, keep));
    }
    t.batches.splice(0, t.batches.length, ...kept);
    this.analyzed.delete(t);
    return doomed.size;
  }

  private lookup(table: TableMetadata): MemoryTable {
    const h = table.handle as unknown as TableHandle;
    const t = this.schemas.get(h.schema)?.get(h.table);
    if (!t || t.id !== h.id) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${h.schema}.${h.table}" does not exist`);
    return t;
  }
}

export const memoryConnectorFactory: ConnectorFactory = {
  name: 'memory',
  create: (catalogName) => new MemoryConnector(catalogName),
};
