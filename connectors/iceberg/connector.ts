/**
 * The iceberg connector: Iceberg tables (format v1 and v2) from a REST catalog or a Hadoop-style
 * warehouse, with time travel ("t@<snapshot-id | ref | timestamp>") and metadata tables
 * ("t$snapshots", …); CREATE SCHEMA / TABLE (WITH partitioning, format_version), INSERT, CREATE
 * TABLE AS, DROP and DELETE (through the hidden columns `$path` and `$pos`), partitioned
 * tables included, each change one snapshot commit. See README.md.
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { vectorFromDatums } from '../../engine/execution/batch/vector.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { formatType, T, type PgType } from '../../engine/types/pg-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText, parseText } from '../../engine/types/text-codec.js';
import { parseTypeText } from '../../engine/types/type-names.js';
import type {
  ColumnDefinition, ColumnMetadata, ColumnStatistics, Connector, ConnectorOrigin, ConnectorSession, Json, RowDeletes, RunsInWorkers, ScanRequest, Split,
  SplitRequest, StatisticsProvider, TableMetadata, TableProperties, TableStatistics, WritableConnector,
} from '../spi/index.js';
import type { IcebergCatalog, LoadedTable, NewTable } from './catalog/catalog.js';
import { FileIO } from './io.js';
import { snapshotById, parseTableMetadata, type Snapshot, type TableMetadata as IcebergMetadata } from './metadata.js';
import { METADATA_COLUMNS, METADATA_TABLES, metadataRows, type MetadataTable } from './metadata-tables.js';
import { fileStatistics, planFiles, type SpecInfo } from './planning.js';
import { readDataSplit, type DataSplit, type ReadColumn } from './reader.js';
import { fieldsById, schemaColumns, type IcebergSchema } from './types.js';
import { appendRows } from './write/append.js';
import { deletePositions } from './write/delete.js';
import { parsePartitioning } from './write/partitioning.js';
import { NEW_TABLE_PROPERTIES, schemaOf } from './write/schema.js';

/** Bytes of a data file above which it is split at its row groups. */
const SPLIT_BYTES = 64 << 20;
/** Rows of a metadata table per split. */
const METADATA_ROWS_PER_SPLIT = 10_000;

/** Hidden columns of every table: the data file a row is in, and its position there (DELETE's row ids). */
const PATH_COLUMN: ColumnMetadata = { name: '$path', type: T.text, nullable: false, hidden: true };
const POS_COLUMN: ColumnMetadata = { name: '$pos', type: T.int8, nullable: false, hidden: true };
const ROW_ID_COLUMNS = [PATH_COLUMN.name, POS_COLUMN.name] as const;

/** What a table handle holds (JSON). */
interface IcebergHandle {
  readonly namespace: string;
  readonly table: string;
  readonly metadataLocation?: string;
  /** The snapshot read; absent for a table without snapshots. */
  readonly snapshotId?: string;
  readonly manifestList?: string | readonly string[];
  /** Table columns: field id, Iceberg primitive type (when primitive), PostgreSQL type text. */
  readonly columns: readonly { readonly fieldId: number; readonly primitive?: string; readonly type: string }[];
  readonly specs: readonly SpecInfo[];
  /** Storage properties for the table's files (including any the catalog vended). */
  readonly storage: Readonly<Record<string, string>>;
  readonly metadataTable?: MetadataTable;
  /** The version asked for in "t@version". */
  readonly version?: string;
  readonly totalRecords?: number;
}

type SplitInfo = { readonly data: DataSplit } | { readonly rows: (string | null)[][] };

export interface IcebergConnectorOptions {
  readonly origin?: ConnectorOrigin;
}

export class IcebergConnector implements Connector, StatisticsProvider, WritableConnector, RowDeletes, Partial<RunsInWorkers> {
  readonly origin?: ConnectorOrigin;
  /** Table metadata by metadata file location (immutable once written). */
  private readonly metadataFiles = new Map<string, IcebergMetadata>();

  constructor(readonly name: string, private readonly catalog: IcebergCatalog, options: IcebergConnectorOptions = {}) {
    if (options.origin) this.origin = options.origin;
  }

  listSchemas(): Promise<string[]> {
    return this.catalog.listNamespaces();
  }

  listTables(_s: ConnectorSession, schema: string): Promise<string[]> {
    return this.catalog.listTables(schema);
  }

  async getTable(_s: ConnectorSession, schema: string, name: string): Promise<TableMetadata | undefined> {
    const direct = await this.catalog.loadTable(schema, name);
    if (direct) return this.tableOf(schema, name, direct, undefined, undefined);
    // "t$snapshots" and friends, "t@version"
    const meta = /^(.+)\$([a-z_]+)$/.exec(name);
    if (meta && (METADATA_TABLES as readonly string[]).includes(meta[2]!)) {
      const base = await this.loadVersioned(schema, meta[1]!);
      return base && this.tableOf(schema, meta[1]!, base.loaded, base.version, meta[2] as MetadataTable);
    }
    const at = name.lastIndexOf('@');
    if (at > 0) {
      const base = await this.loadVersioned(schema, name);
      return base && this.tableOf(schema, name.slice(0, at), base.loaded, base.version, undefined);
    }
    return undefined;
  }

  /** A table named "t" or "t@version": the loaded table and the version asked for. */
  private async loadVersioned(schema: string, name: string): Promise<{ loaded: LoadedTable; version?: string } | undefined> {
    const at = name.lastIndexOf('@');
    if (at <= 0) {
      const loaded = await this.catalog.loadTable(schema, name);
      return loaded && { loaded };
    }
    const loaded = await this.catalog.loadTable(schema, name.slice(0, at));
    return loaded && { loaded, version: name.slice(at + 1) };
  }

  private tableOf(schema: string, name: string, loaded: LoadedTable, version: string | undefined, metadataTable: MetadataTable | undefined): TableMetadata {
    const m = loaded.metadata;
    if (loaded.metadataLocation) this.metadataFiles.set(loaded.metadataLocation, m);
    const { snapshot, schemaId } = chooseSnapshot(m, name, version);
    const tableSchema = m.schemas.get(schemaId) ?? m.schemas.get(m.currentSchemaId)!;
    const columns: ColumnMetadata[] = metadataTable
      ? METADATA_COLUMNS[metadataTable].map(([n, type]) => ({ name: n, type, nullable: true }))
      : schemaColumns(tableSchema).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
    if (!metadataTable) for (const hidden of [PATH_COLUMN, POS_COLUMN]) if (!columns.some((c) => c.name === hidden.name)) columns.push(hidden);
    const icebergColumns = metadataTable ? [] : schemaColumns(tableSchema);
    const allFields = new Map<number, { type: unknown }>();
    for (const s of m.schemas.values()) for (const [id, f] of fieldsById(s)) allFields.set(id, f);
    for (const [id, f] of fieldsById(tableSchema)) allFields.set(id, f);
    const handle: IcebergHandle = {
      namespace: schema,
      table: name,
      ...(loaded.metadataLocation ? { metadataLocation: loaded.metadataLocation } : {}),
      ...(snapshot ? { snapshotId: snapshot.snapshotId } : {}),
      ...(snapshot?.manifestList ? { manifestList: snapshot.manifestList } : snapshot?.manifests ? { manifestList: snapshot.manifests } : {}),
      columns: icebergColumns.map((c) => ({
        fieldId: c.fieldId,
        ...(typeof c.icebergType === 'string' ? { primitive: c.icebergType } : {}),
        type: formatType(c.type),
      })),
      specs: [...m.specs.values()].map((s) => ({
        specId: s.specId,
        fields: s.fields.map((f) => {
          const t = allFields.get(f.sourceId)?.type;
          return { fieldId: f.fieldId, sourceId: f.sourceId, name: f.name, transform: f.transform, ...(typeof t === 'string' ? { sourceType: t } : {}) };
        }),
      })),
      storage: loaded.storage,
      ...(metadataTable ? { metadataTable } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(snapshot?.summary['total-records'] !== undefined ? { totalRecords: Number(snapshot.summary['total-records']) } : {}),
    };
    return {
      schema,
      name: metadataTable ? `${name}$${metadataTable}` : version !== undefined ? `${name}@${version}` : name,
      columns,
      handle: handle as unknown as Json,
    };
  }

  async getSplits(_s: ConnectorSession, table: TableMetadata, request: SplitRequest): Promise<Split[]> {
    const h = table.handle as unknown as IcebergHandle;
    const io = new FileIO(h.storage);
    if (h.metadataTable) {
      const m = await this.metadataOf(h);
      const rows = await metadataRows(h.metadataTable, m, h.snapshotId ? snapshotById(m, h.snapshotId) : undefined, io);
      const splits: Split[] = [];
      for (let i = 0; i < rows.length || i === 0; i += METADATA_ROWS_PER_SPLIT) {
        splits.push({ info: { rows: rows.slice(i, i + METADATA_ROWS_PER_SPLIT) } satisfies SplitInfo as unknown as Json });
      }
      return splits;
    }
    if (!h.manifestList) return [];
    const columns = h.columns.map((c) => ({ fieldId: c.fieldId, ...(c.primitive ? { primitive: c.primitive } : {}), typeOid: parseTypeText(c.type).oid }));
    const plan = await planFiles(io, h.manifestList, h.specs, columns, request.constraint);
    const fieldIds = h.columns.map((c) => c.fieldId);
    const splits: Split[] = [];
    for (const p of plan.files) {
      const f = p.file;
      const base = { path: f.path, size: f.fileSize, format: f.format, recordCount: f.recordCount, deletes: p.deletes, fieldIds };
      for (const range of byteRanges(f.fileSize, f.splitOffsets)) {
        const data: DataSplit = { ...base, ...(range ? { range } : {}) };
        splits.push({ info: { data } satisfies SplitInfo as unknown as Json, source: { name: f.path, bytes: range ? range[1] - range[0] : f.fileSize } });
      }
    }
    return splits;
  }

  async *scan(_s: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    const h = request.table.handle as unknown as IcebergHandle;
    const info = request.split.info as unknown as SplitInfo;
    if ('rows' in info) {
      const types = request.columns.map((c) => request.table.columns[c]!.type);
      const columns = request.columns.map((c, k) => vectorFromDatums(types[k]!, info.rows.map((r) => (r[c] === null || r[c] === undefined ? null : parseText(types[k]!, r[c]!, DEFAULT_FORMAT_SETTINGS)))));
      yield { length: info.rows.length, columns };
      return;
    }
    const wanted = request.columns.map((c): ReadColumn => {
      const column = request.table.columns[c]!;
      if (c >= info.data.fieldIds.length && column.hidden) {
        return { fieldId: column.name === PATH_COLUMN.name ? -1 : -2, name: column.name, type: column.type, virtual: column.name === PATH_COLUMN.name ? 'path' : 'pos' };
      }
      return { fieldId: info.data.fieldIds[c]!, name: column.name, type: column.type };
    });
    yield* readDataSplit(new FileIO(h.storage), info.data, wanted, request.signal);
  }

  // ---- writes -----------------------------------------------------------------------------------

  async createSchema(_s: ConnectorSession, schema: string, ifNotExists: boolean): Promise<void> {
    if (!(await this.catalog.createNamespace(schema)) && !ifNotExists) throw new SqlError(SqlState.DUPLICATE_SCHEMA, `schema "${schema}" already exists`);
  }

  async dropSchema(_s: ConnectorSession, schema: string, options: { ifExists: boolean; cascade: boolean }): Promise<void> {
    if (options.cascade) for (const t of await this.catalog.listTables(schema)) await this.catalog.dropTable(schema, t);
    const result = await this.catalog.dropNamespace(schema);
    if (result === 'missing' && !options.ifExists) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`);
    if (result === 'not-empty') {
      throw new SqlError(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, `cannot drop schema ${schema} because other objects depend on it`, {
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
  }

  async createTable(
    _s: ConnectorSession, schema: string, table: string, columns: readonly ColumnDefinition[], ifNotExists: boolean, properties?: TableProperties,
  ): Promise<void> {
    const { schema: icebergSchema, lastColumnId } = schemaOf(columns);
    const options = tableOptions(properties ?? {}, icebergSchema);
    if (!(await this.catalog.createTable(schema, table, { schema: icebergSchema, lastColumnId, properties: NEW_TABLE_PROPERTIES, ...options })) && !ifNotExists) {
      throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${table}" already exists`);
    }
  }

  async dropTable(_s: ConnectorSession, schema: string, table: string, ifExists: boolean): Promise<void> {
    if (!(await this.catalog.dropTable(schema, table)) && !ifExists) throw new SqlError(SqlState.UNDEFINED_TABLE, `table "${table}" does not exist`);
  }

  async insert(_s: ConnectorSession, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
    const h = this.writableHandle(table, 'insert into');
    return appendRows(this.catalog, { namespace: h.namespace, table: h.table, fieldIds: h.columns.map((c) => c.fieldId) }, rows);
  }

  rowIdColumns(): readonly string[] {
    return ROW_ID_COLUMNS;
  }

  async deleteRows(_s: ConnectorSession, table: TableMetadata, rowIds: AsyncIterable<Batch>): Promise<number> {
    const h = this.writableHandle(table, 'delete from');
    return deletePositions(this.catalog, { namespace: h.namespace, table: h.table, ...(h.snapshotId !== undefined ? { snapshotId: h.snapshotId } : {}) }, rowIds);
  }

  /** The handle of a table that may change: not a metadata table, not a version of one. */
  private writableHandle(table: TableMetadata, verb: string): IcebergHandle {
    const h = table.handle as unknown as IcebergHandle;
    if (h.metadataTable || h.version !== undefined) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot ${verb} "${table.name}": metadata tables and table versions are read-only`);
    }
    return h;
  }

  async getStatistics(_s: ConnectorSession, table: TableMetadata): Promise<TableStatistics> {
    const h = table.handle as unknown as IcebergHandle;
    if (h.metadataTable) return {};
    if (!h.manifestList) return { rowCount: 0 };
    // column bounds from the manifests (cached, and read again by planning anyway)
    const io = new FileIO(h.storage);
    const columns = h.columns.map((c) => ({ fieldId: c.fieldId, ...(c.primitive ? { primitive: c.primitive } : {}), typeOid: parseTypeText(c.type).oid }));
    const plan = await planFiles(io, h.manifestList, h.specs, columns, undefined);
    let rows = 0;
    for (const p of plan.files) rows += p.file.recordCount;
    const stats: Record<string, ColumnStatistics> = {};
    table.columns.forEach((column, i) => {
      const c = h.columns[i];
      if (!c?.primitive || column.type.layout === 'object' && column.type.name !== 'text' && column.type.name !== 'numeric') return;
      let min: unknown;
      let max: unknown;
      let nulls = 0;
      let known = true;
      for (const p of plan.files) {
        const s = fileStatistics(p.file, c.fieldId, c.primitive);
        if (s.nullCount === undefined) known = false;
        else nulls += s.nullCount;
        if (s.nullCount !== undefined && s.nullCount >= s.rowCount) continue;
        if (s.min === undefined || s.max === undefined) {
          min = max = undefined;
          known = false;
          break;
        }
        if (min === undefined || compare(s.min, min) < 0) min = s.min;
        if (max === undefined || compare(s.max, max) > 0) max = s.max;
      }
      const out: { nullFraction?: number; min?: number | string; max?: number | string } = {};
      if (known && rows > 0) out.nullFraction = nulls / rows;
      if (min !== undefined && max !== undefined && column.type.name !== 'text') {
        out.min = statisticValue(column.type, min);
        out.max = statisticValue(column.type, max);
      }
      stats[column.name] = out;
    });
    return { rowCount: h.totalRecords ?? rows, columns: stats };
  }

  /** The handle's table metadata: from this connector's cache or its metadata file. */
  private async metadataOf(h: IcebergHandle): Promise<IcebergMetadata> {
    if (h.metadataLocation) {
      const hit = this.metadataFiles.get(h.metadataLocation);
      if (hit) return hit;
      const m = parseTableMetadata(new TextDecoder().decode(await new FileIO(h.storage).readFile(h.metadataLocation)));
      this.metadataFiles.set(h.metadataLocation, m);
      return m;
    }
    const loaded = await this.catalog.loadTable(h.namespace, h.table);
    if (!loaded) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${h.namespace}.${h.table}" no longer exists`);
    return loaded.metadata;
  }
}

/** Table properties of CREATE TABLE … WITH (…) Lakegate knows (Trino's names). */
const TABLE_PROPERTIES = ['partitioning', 'format_version'];

/** `WITH (partitioning = '…', format_version = '1' | '2')` → the new table's spec and format version. */
function tableOptions(properties: TableProperties, schema: IcebergSchema): Pick<NewTable, 'partitionFields' | 'formatVersion'> {
  for (const name of Object.keys(properties)) {
    if (!TABLE_PROPERTIES.includes(name)) {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unrecognized table property "${name}"`, { hint: `Iceberg tables take ${TABLE_PROPERTIES.join(' and ')}.` });
    }
  }
  const version = properties.format_version?.trim();
  if (version !== undefined && version !== '1' && version !== '2') {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for table property "format_version": "${version}"`, { hint: 'Iceberg format versions 1 and 2 can be created.' });
  }
  const partitionFields = properties.partitioning === undefined ? [] : parsePartitioning(properties.partitioning, schema);
  return { partitionFields, ...(version !== undefined ? { formatVersion: Number(version) as 1 | 2 } : {}) };
}

/**
 * The snapshot a table name asks for and the schema to read it with: the current snapshot; a
 * snapshot id; a branch (read with the current schema) or tag; or the snapshot current at an
 * ISO-8601 time.
 */
export function chooseSnapshot(m: IcebergMetadata, name: string, version: string | undefined): { snapshot?: Snapshot; schemaId: number } {
  const current = m.currentSnapshotId === undefined ? undefined : snapshotById(m, m.currentSnapshotId);
  if (version === undefined) return { ...(current ? { snapshot: current } : {}), schemaId: m.currentSchemaId };
  const ref = m.refs.get(version);
  if (ref) {
    const snapshot = snapshotById(m, ref.snapshotId);
    if (!snapshot) throw new SqlError(SqlState.DATA_CORRUPTED, `reference "${version}" of table "${name}" names a snapshot the table does not have`);
    return { snapshot, schemaId: ref.type === 'branch' ? m.currentSchemaId : (snapshot.schemaId ?? m.currentSchemaId) };
  }
  if (/^-?\d+$/.test(version)) {
    const snapshot = snapshotById(m, version);
    if (!snapshot) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `table "${name}" has no snapshot ${version}`);
    return { snapshot, schemaId: snapshot.schemaId ?? m.currentSchemaId };
  }
  const t = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(version) ? Date.parse(version.replace(' ', 'T')) : NaN;
  if (Number.isNaN(t)) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `"${version}" is neither a snapshot id, a branch or tag of table "${name}", nor an ISO-8601 time`, {
      hint: `Use "${name}@<snapshot id>", "${name}@<branch or tag>" or "${name}@2024-05-01T10:00:00Z".`,
    });
  }
  // the snapshot that was current at t: the last log entry at or before t
  const log = m.snapshotLog.length > 0 ? m.snapshotLog : m.snapshots.map((s) => ({ timestampMs: s.timestampMs, snapshotId: s.snapshotId }));
  let chosen: string | undefined;
  for (const e of [...log].sort((a, b) => a.timestampMs - b.timestampMs)) if (e.timestampMs <= t) chosen = e.snapshotId;
  const snapshot = chosen === undefined ? undefined : snapshotById(m, chosen);
  if (!snapshot) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `table "${name}" has no snapshot at or before ${new Date(t).toISOString()}`);
  return { snapshot, schemaId: snapshot.schemaId ?? m.currentSchemaId };
}

/** Byte ranges of a data file's splits: whole files, big files cut at row-group offsets. */
function byteRanges(size: number, offsets: readonly number[] | undefined): ([number, number] | undefined)[] {
  if (size <= SPLIT_BYTES || !offsets || offsets.length < 2) return [undefined];
  const starts = [...offsets].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let from = 0;
  for (let i = 1; i < starts.length; i++) {
    if (starts[i]! - from >= SPLIT_BYTES) {
      out.push([from, starts[i]!]);
      from = starts[i]!;
    }
  }
  out.push([from, Number.MAX_SAFE_INTEGER]);
  return out;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'object' && a !== null && 'cmp' in a) return (a as { cmp(o: unknown): number }).cmp(b);
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

function statisticValue(type: PgType, v: unknown): number | string {
  if (typeof v === 'number' && type.name !== 'date') return v;
  if (typeof v === 'bigint' && type.name === 'int8') return Number(v);
  return formatText(type, v, DEFAULT_FORMAT_SETTINGS);
}
