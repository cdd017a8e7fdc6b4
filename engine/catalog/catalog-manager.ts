/**
 * Catalogs by name, and resolution of table names against a session's defaults.
 * PostgreSQL's database.schema.table maps onto catalog.schema.table (docs/catalogs.md).
 */
import { isViewConnector, type Connector, type ConnectorSession, type TableMetadata, type ViewDefinition } from '../../connectors/spi/index.js';
import { SqlError, SqlState } from '../errors/index.js';
import { OidAllocator } from './system/oids.js';
import { isSystemSchema, SYSTEM_CATALOG } from './system/snapshot.js';
import { SystemConnector } from './system/system-connector.js';

export interface ResolvedTable {
  readonly catalog: string;
  readonly connector: Connector;
  readonly table: TableMetadata;
  /** pg_class.oid: stable across restarts (engine/catalog/system/oids.ts); RowDescription's table OID. */
  readonly oid: number;
}

export interface ResolvedView {
  readonly catalog: string;
  readonly view: ViewDefinition;
}

export interface NameDefaults {
  readonly catalog: string;
  /** Schemas tried in order for an unqualified table name. */
  readonly searchPath: readonly string[];
  /** The database the client connected to: `database.schema.name` means `schema.name`, as in PostgreSQL. */
  readonly database?: string;
}

export class CatalogManager {
  private readonly oids = new OidAllocator();
  /** pg_catalog and information_schema, visible from every catalog (docs/catalogs.md). */
  private readonly system = new SystemConnector(this);

  constructor(private readonly catalogs: ReadonlyMap<string, Connector>) {}

  has(name: string): boolean {
    return this.catalogs.has(name);
  }

  names(): string[] {
    return [...this.catalogs.keys()];
  }

  connector(name: string): Connector {
    const c = name === SYSTEM_CATALOG ? this.system : this.catalogs.get(name);
    if (!c) throw new SqlError(SqlState.INVALID_CATALOG_NAME, `catalog "${name}" does not exist`);
    return c;
  }

  /** A stable OID for a catalog object named by its qualified name. */
  oidFor(qualifiedName: string): number {
    return this.oids.oidFor(qualifiedName);
  }

  /**
   * The catalog and schema a written name points at before any lookup: a first part naming the
   * connected database is dropped, and a schema "catalog.schema" (pg_namespace's name for another
   * catalog's schema, docs/catalogs.md) routes to that catalog.
   */
  qualify<N extends { catalog?: string; schema?: string }>(parts: N, defaults: NameDefaults): N {
    const local = parts.catalog !== undefined && parts.catalog === defaults.database ? { ...parts, catalog: undefined } : parts;
    if (local.catalog !== undefined) return local;
    const split = this.splitNamespace(local.schema);
    return split ? { ...local, catalog: split[0], schema: split[1] } : local;
  }

  /** Resolves [catalog.][schema.]table (tables only); throws 42P01 when it does not exist. */
  async resolveTable(
    session: ConnectorSession, parts: { catalog?: string; schema?: string; name: string }, defaults: NameDefaults, position?: number,
    visible?: (catalog: string, schema: string, name: string) => boolean,
  ): Promise<ResolvedTable> {
    const found = await this.resolveRelation(session, parts, defaults, position, false, visible);
    return found as ResolvedTable;
  }

  /**
   * Resolves [catalog.][schema.]name to a table or a view, trying the search_path schemas in
   * order (a table before a view of the same schema); throws 42P01 when neither exists.
   * With `visible` (access control), a name the identity may not see is skipped without looking
   * it up, and if nothing visible is found the error is 42501: existence is never revealed.
   */
  async resolveRelation(
    session: ConnectorSession,
    parts: { catalog?: string; schema?: string; name: string },
    defaults: NameDefaults,
    position?: number,
    views = true,
    visible?: (catalog: string, schema: string, name: string) => boolean,
  ): Promise<ResolvedTable | ResolvedView> {
    const written = parts;
    parts = this.qualify(parts, defaults);
    const catalogName = parts.catalog ?? defaults.catalog;
    const connector = this.catalogs.get(catalogName);
    const shown = [written.catalog, written.schema, written.name].filter((p) => p !== undefined).join('.');
    if (!connector) {
      const hint = parts.catalog !== undefined ? `There is no catalog named "${catalogName}".` : undefined;
      throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${shown}" does not exist`, { position, hint });
    }
    // PostgreSQL searches pg_catalog before the search_path unless the path names it.
    const schemas = parts.schema !== undefined ? [parts.schema] : defaults.searchPath.includes('pg_catalog') ? defaults.searchPath : ['pg_catalog', ...defaults.searchPath];
    let hidden = false;
    for (const schema of schemas) {
      if (isSystemSchema(schema)) {
        const table = this.system.metadata(schema, parts.name, catalogName);
        if (table) return { catalog: SYSTEM_CATALOG, connector: this.system, table, oid: SystemConnector.table(schema, parts.name)!.oid };
        continue;
      }
      // "catalog.schema" is how pg_namespace names another catalog's schema (docs/catalogs.md).
      const [c, s] = this.splitNamespace(parts.catalog === undefined ? schema : undefined) ?? [catalogName, schema];
      const source = this.catalogs.get(c)!;
      if (visible && !visible(c, s, parts.name)) {
        hidden = true;
        continue;
      }
      const table = await source.getTable(session, s, parts.name);
      if (table) return { catalog: c, connector: source, table, oid: this.oidFor(`${c}.${s}.${parts.name}`) };
      if (views && isViewConnector(source)) {
        const view = await source.getView(session, s, parts.name);
        if (view) return { catalog: c, view };
      }
    }
    if (hidden) throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, `permission denied for table ${parts.name}`, { position });
    throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${shown}" does not exist`, { position });
  }

  /** "tpch.tiny" → ["tpch", "tiny"] when "tpch" is a catalog; otherwise undefined. */
  private splitNamespace(schema: string | undefined): [string, string] | undefined {
    const dot = schema?.indexOf('.') ?? -1;
    if (schema === undefined || dot <= 0) return undefined;
    const catalog = schema.slice(0, dot);
    return this.catalogs.has(catalog) ? [catalog, schema.slice(dot + 1)] : undefined;
  }
}
