/**
 * The lake connector: folders of Parquet, CSV and newline-delimited JSON files as tables, on a
 * local disk or S3 (see README.md for the layout and settings).
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { constantVector, type Vector } from '../../engine/execution/batch/vector.js';
import { SqlError, SqlState, internalError } from '../../engine/errors/index.js';
import { formatType, type PgType } from '../../engine/types/pg-type.js';
import { DEFAULT_FORMAT_SETTINGS, parseText } from '../../engine/types/text-codec.js';
import { parseTypeText } from '../../engine/types/type-names.js';
import type {
  ColumnDefinition, ColumnDomain, ColumnMetadata, Connector, Constraint, ConnectorOrigin, ConnectorSession, Json, RunsInWorkers, ScanRequest, Split,
  SplitRequest, StatisticsProvider, TableMetadata, TableProperties, TableStatistics, WritableConnector,
} from '../spi/index.js';
import { csvReader } from './formats/csv-reader.js';
import type { ChunkFilter, ColumnDomains, FileColumn, FileSchema, FormatReader, WantedColumn } from './formats/format-reader.js';
import { TypeGuess } from './formats/infer-types.js';
import { jsonReader } from './formats/json-reader.js';
import { parquetReader } from './formats/parquet-reader.js';
import { domainsByColumn, mayMatch, valueMayMatch } from '../lib/pruning.js';
import type { FileEntry, FileStore } from '../lib/storage/file-store.js';
import { joinPath } from '../lib/storage/file-store.js';
import {
  findTable, listSchemaNames, listTableNames, writeSettings, type DataFile, type FileFormat, type TableLayout, type TableSettings,
} from './table-layout.js';

const READERS: Record<FileFormat, FormatReader> = { parquet: parquetReader, csv: csvReader, json: jsonReader };

/** Bytes of input one split reads, about. */
const SPLIT_BYTES = 32 << 20;
/** File schemas kept (by path and version). */
const SCHEMA_CACHE_ENTRIES = 10_000;

/** What a table handle holds. */
interface LakeHandle {
  readonly schema: string;
  readonly table: string;
  readonly path: string;
  readonly format: FileFormat;
  /** Table columns as [name, PostgreSQL type text]. */
  readonly columns: readonly (readonly [string, string])[];
  /** Names of the partition columns (folder keys), in folder order. */
  readonly partitionKeys: readonly string[];
  readonly settings: TableSettings;
}

/** What a split holds: one part of one file. */
interface LakeSplit {
  readonly file: FileEntry & { readonly compression: DataFile['compression'] };
  readonly partition: readonly (string | null)[];
  readonly part: Json;
}

export interface LakeConnectorOptions {
  readonly origin?: ConnectorOrigin;
}

export class LakeConnector implements Connector, StatisticsProvider, WritableConnector, Partial<RunsInWorkers> {
  readonly origin?: ConnectorOrigin;
  private readonly schemas = new Map<string, FileSchema>();

  constructor(readonly name: string, readonly store: FileStore, options: LakeConnectorOptions = {}) {
    if (options.origin) this.origin = options.origin;
  }

  async listSchemas(): Promise<string[]> {
    return listSchemaNames(this.store);
  }

  async listTables(_s: ConnectorSession, schema: string): Promise<string[]> {
    return listTableNames(this.store, schema);
  }

  async getTable(_s: ConnectorSession, schema: string, table: string): Promise<TableMetadata | undefined> {
    const layout = await findTable(this.store, schema, table);
    if (!layout) return undefined;
    const columns = await this.tableColumns(layout);
    const handle: LakeHandle = {
      schema, table, path: layout.path, format: layout.format,
      columns: columns.map((c) => [c.name, formatType(c.type)] as const),
      partitionKeys: layout.partitionKeys, settings: layout.settings,
    };
    return { schema, name: table, columns, handle: handle as unknown as Json };
  }

  async getStatistics(_s: ConnectorSession, table: TableMetadata): Promise<TableStatistics> {
    const layout = await this.layoutOf(table);
    let rowCount = 0;
    for (const file of layout.files) rowCount += (await this.fileSchema(layout, file)).rowCount ?? 0;
    return { rowCount };
  }

  async getSplits(_s: ConnectorSession, table: TableMetadata, request: SplitRequest): Promise<Split[]> {
    const handle = table.handle as unknown as LakeHandle;
    const layout = await this.layoutOf(table);
    const domains = domainsByColumn(request.constraint);
    const columnIndex = new Map(table.columns.map((c, i) => [c.name, i]));
    const partitionColumns = layout.partitionKeys.map((k) => columnIndex.get(k));
    const keep: ChunkFilter = (statisticsOf, rowCount) => {
      for (const [column, list] of domains) {
        const stats = statisticsOf(table.columns[column]!.name);
        if (stats && !list.every((d) => mayMatch(d, { ...stats, rowCount: stats.rowCount ?? rowCount }))) return false;
      }
      return true;
    };
    const byName = dataColumnDomains(table, layout.partitionKeys, request.constraint);
    const splits: Split[] = [];
    for (const file of layout.files) {
      const partitionOk = partitionColumns.every((column, k) => {
        if (column === undefined) return true;
        const list = domains.get(column);
        if (!list) return true;
        const value = partitionValue(table.columns[column]!.type, file.partition[k]!, file.entry.path);
        return list.every((d) => valueMayMatch(d, value));
      });
      if (!partitionOk) continue;
      const schema = await this.fileSchema(layout, file);
      for (const { part, bytes } of await READERS[handle.format].parts(this.store, file, schema, keep, SPLIT_BYTES, byName)) {
        const info: LakeSplit = { file: { ...file.entry, compression: file.compression }, partition: file.partition, part };
        splits.push({ info: info as unknown as Json, source: { name: file.entry.path, bytes } });
      }
    }
    return splits;
  }

  async *scan(_s: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    const handle = request.table.handle as unknown as LakeHandle;
    const split = request.split.info as unknown as LakeSplit;
    const { file: entry } = split;
    const file: DataFile = { entry: { path: entry.path, size: entry.size, version: entry.version }, partition: split.partition, compression: entry.compression };
    const partitionPosition = new Map(handle.partitionKeys.map((k, i) => [k, i]));
    const dataColumns = request.table.columns.filter((c) => !partitionPosition.has(c.name));
    const wanted: WantedColumn[] = [];
    const sources = request.columns.map((column) => {
      const meta = request.table.columns[column]!;
      const k = partitionPosition.get(meta.name);
      if (k !== undefined) return { partition: partitionValue(meta.type, split.partition[k]!, entry.path), type: meta.type };
      wanted.push({ name: meta.name, type: meta.type, position: dataColumns.indexOf(meta) });
      return { data: wanted.length - 1 };
    });
    const domains = dataColumnDomains(request.table, handle.partitionKeys, request.constraint);
    const reader = READERS[handle.format];
    for await (const batch of reader.read(this.store, file, split.part, handle.settings, wanted, request.signal, domains)) {
      if (request.signal.aborted) return;
      const columns: Vector[] = sources.map((s) => ('data' in s ? batch.columns[s.data!]! : constantVector(s.type!, s.partition, batch.length)));
      yield { length: batch.length, columns };
    }
  }

  // ---- writes ---------------------------------------------------------------------------------

  async createSchema(_s: ConnectorSession, schema: string, ifNotExists: boolean): Promise<void> {
    if ((await listSchemaNames(this.store)).includes(schema)) {
      if (ifNotExists) return;
      throw new SqlError(SqlState.DUPLICATE_SCHEMA, `schema "${schema}" already exists`);
    }
    await this.store.makeFolder(schema);
  }

  async dropSchema(_s: ConnectorSession, schema: string, options: { ifExists: boolean; cascade: boolean }): Promise<void> {
    if (!(await listSchemaNames(this.store)).includes(schema)) {
      if (options.ifExists) return;
      throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`);
    }
    const tables = await listTableNames(this.store, schema);
    if (tables.length > 0 && !options.cascade) {
      throw new SqlError(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, `cannot drop schema ${schema} because other objects depend on it`, {
        detail: tables.map((t) => `table ${schema}.${t} depends on schema ${schema}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    await this.store.remove(schema);
  }

  /** Properties: `partitioned_by = 'a, b'` (Hive partition folders, outermost first), `format = 'parquet'`. */
  async createTable(_s: ConnectorSession, schema: string, table: string, columns: readonly ColumnDefinition[], ifNotExists: boolean, properties: TableProperties = {}): Promise<void> {
    const partitionedBy = tablePartitioning(properties, columns);
    if (!(await listSchemaNames(this.store)).includes(schema)) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`);
    if (await findTable(this.store, schema, table)) {
      if (ifNotExists) return;
      throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${table}" already exists`);
    }
    const settings: TableSettings = {
      format: 'parquet',
      columns: columns.map((c) => ({ name: c.name, type: formatType(c.type), ...(c.nullable ? {} : { nullable: false }) })),
      ...(partitionedBy.length > 0 ? { partitionedBy } : {}),
    };
    await writeSettings(this.store, joinPath(schema, table), settings);
  }

  async dropTable(_s: ConnectorSession, schema: string, table: string, ifExists: boolean): Promise<void> {
    const layout = await findTable(this.store, schema, table);
    if (!layout) {
      if (ifExists) return;
      throw new SqlError(SqlState.UNDEFINED_TABLE, `table "${table}" does not exist`);
    }
    await this.store.remove(layout.path);
  }

  async insert(_s: ConnectorSession, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
    const layout = await this.layoutOf(table);
    if (!layout.isFolder || layout.format !== 'parquet') {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot insert into ${table.schema}.${table.name}: only tables that are folders of Parquet files accept rows`, {
        hint: 'Create the table with CREATE TABLE or CREATE TABLE AS in this catalog.',
      });
    }
    // The writer loads on first use: reading never needs it.
    const { insertParquet } = await import('./write/insert.js');
    return insertParquet(this.store, layout, table.columns, rows);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private async layoutOf(table: TableMetadata): Promise<TableLayout> {
    const layout = await findTable(this.store, table.schema, table.name);
    if (!layout) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${table.schema}.${table.name}" no longer exists`);
    return layout;
  }

  /** The table's columns: from its settings, or the first file's columns and the partition keys. */
  private async tableColumns(layout: TableLayout): Promise<ColumnMetadata[]> {
    if (layout.settings.columns) {
      return layout.settings.columns.map((c) => ({ name: c.name, type: parseTypeText(c.type), nullable: c.nullable !== false }));
    }
    const first = layout.files[0];
    const data: FileColumn[] = first ? [...(await this.fileSchema(layout, first)).columns] : [];
    const partitions = layout.partitionKeys.map((key, k) => {
      const guess = new TypeGuess();
      for (const f of layout.files) if (f.partition[k] !== null) guess.add(f.partition[k]!);
      return { name: key, type: guess.type };
    });
    return [...data.filter((c) => !layout.partitionKeys.includes(c.name)), ...partitions].map((c) => ({ ...c, nullable: true }));
  }

  private async fileSchema(layout: TableLayout, file: DataFile): Promise<FileSchema> {
    const key = `${file.entry.path}\u0000${file.entry.version}`;
    let schema = this.schemas.get(key);
    if (!schema) {
      schema = await READERS[layout.format].schema(this.store, file, layout.settings);
      if (this.schemas.size >= SCHEMA_CACHE_ENTRIES) this.schemas.delete(this.schemas.keys().next().value!);
      this.schemas.set(key, schema);
    }
    return schema;
  }
}

/** The constraint's domains on the table's data (not partition) columns, by column name. */
function dataColumnDomains(table: TableMetadata, partitionKeys: readonly string[], constraint: Constraint | undefined): ColumnDomains {
  const out = new Map<string, ColumnDomain[]>();
  for (const [column, list] of domainsByColumn(constraint)) {
    const name = table.columns[column]!.name;
    if (!partitionKeys.includes(name)) out.set(name, [...list]);
  }
  return out;
}

/** The partition columns a CREATE TABLE's properties name (checked against its columns). */
function tablePartitioning(properties: TableProperties, columns: readonly ColumnDefinition[]): string[] {
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'format' && value.toLowerCase() === 'parquet') continue;
    if (name === 'partitioned_by') continue;
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, name === 'format' ? `unsupported table format "${value}": lake tables are written as parquet` : `unrecognized table property "${name}"`, {
      hint: 'Lake tables take partitioned_by = \'column, …\' and format = \'parquet\'.',
    });
  }
  const keys = (properties.partitioned_by ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const k of keys) {
    if (!columns.some((c) => c.name === k)) throw new SqlError(SqlState.UNDEFINED_COLUMN, `partition column "${k}" is not a column of the table`);
  }
  if (keys.length > 0 && keys.length === columns.length) throw new SqlError(SqlState.INVALID_TABLE_DEFINITION, 'a partitioned table needs at least one column that is not a partition column');
  return keys;
}

/** A partition folder's value as a datum of the column's type. */
function partitionValue(type: PgType, text: string | null, path: string): unknown {
  if (text === null) return null;
  try {
    return parseText(type, text, DEFAULT_FORMAT_SETTINGS);
  } catch (e) {
    if (e instanceof SqlError) throw new SqlError(e.code, `${e.message} (partition folder of "${path}")`);
    throw internalError(String(e));
  }
}
