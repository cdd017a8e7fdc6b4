/**
 * The pg_catalog and information_schema provider: a connector whose tables are computed from the
 * live catalogs each time one is scanned (one snapshot per query, shared by its scans).
 */
import type { Batch, Connector, ConnectorSession, ScanRequest, Split, TableMetadata } from '../../../connectors/spi/index.js';
import { SqlError, SqlState } from '../../errors/index.js';
import { VectorBuilder } from '../../execution/batch/vector.js';
import { informationSchemaTables } from './information-schema.js';
import { pgCatalogTables } from './pg-catalog.js';
import { noteRelation } from './directory.js';
import { SYSTEM_CATALOG, takeSnapshot, type CatalogSource, type Snapshot } from './snapshot.js';
import type { SystemTableDef } from './table-def.js';

interface SystemHandle {
  readonly schema: string;
  readonly table: string;
  /** The catalog the client's database maps to: it decides how namespaces are named. */
  readonly defaultCatalog: string;
}

const SNAPSHOTS_KEPT = 16;

export const systemTables: readonly SystemTableDef[] = [...pgCatalogTables, ...informationSchemaTables];

const bySchema = new Map<string, Map<string, SystemTableDef>>([['pg_catalog', new Map()], ['information_schema', new Map()]]);
for (const t of systemTables) {
  bySchema.get(t.schema)!.set(t.name, t);
  noteRelation({ oid: t.oid, namespace: t.schema, catalog: SYSTEM_CATALOG, schema: t.schema, name: t.name });
}

export class SystemConnector implements Connector {
  readonly name = 'system';
  private readonly snapshots = new Map<string, Promise<Snapshot>>();

  constructor(private readonly source: CatalogSource) {}

  /** The system table `schema.name`, if there is one. */
  static table(schema: string, name: string): SystemTableDef | undefined {
    return bySchema.get(schema)?.get(name);
  }

  async listSchemas(): Promise<string[]> {
    return [...bySchema.keys()];
  }

  async listTables(_s: ConnectorSession, schema: string): Promise<string[]> {
    return [...(bySchema.get(schema)?.keys() ?? [])];
  }

  async getTable(_s: ConnectorSession, schema: string, table: string): Promise<TableMetadata | undefined> {
    return this.metadata(schema, table, '');
  }

  /** Metadata of a system table as seen from a database whose default catalog is `defaultCatalog`. */
  metadata(schema: string, table: string, defaultCatalog: string): TableMetadata | undefined {
    const def = SystemConnector.table(schema, table);
    if (!def) return undefined;
    const handle: SystemHandle = { schema, table, defaultCatalog };
    return { schema, name: table, columns: def.columns, handle: { ...handle } };
  }

  async getSplits(): Promise<Split[]> {
    return [{ info: null }];
  }

  async *scan(session: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    const h = request.table.handle as unknown as SystemHandle;
    const def = SystemConnector.table(h.schema, h.table);
    if (!def) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${h.schema}.${h.table}" does not exist`);
    const rows = def.rows(await this.snapshot(session, h.defaultCatalog));
    const builders = request.columns.map((c) => new VectorBuilder(def.columns[c]!.type, rows.length));
    for (const row of rows) {
      if (row.length !== def.columns.length) throw new SqlError(SqlState.INTERNAL_ERROR, `${h.schema}.${h.table}: row has ${row.length} values for ${def.columns.length} columns`);
      request.columns.forEach((c, i) => builders[i]!.push(row[c]));
    }
    yield { length: rows.length, columns: builders.map((b) => b.finish()) };
  }

  private snapshot(session: ConnectorSession, defaultCatalog: string): Promise<Snapshot> {
    const key = `${session.queryId}\u0000${defaultCatalog}`;
    let s = this.snapshots.get(key);
    if (!s) {
      s = takeSnapshot(this.source, session, defaultCatalog, systemTables);
      this.snapshots.set(key, s);
      if (this.snapshots.size > SNAPSHOTS_KEPT) this.snapshots.delete(this.snapshots.keys().next().value!);
      s.catch(() => this.snapshots.delete(key));
    }
    return s;
  }
}
