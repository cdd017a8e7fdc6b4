/**
 * Catalogs by name, and resolution of table names against a session's defaults.
 * PostgreSQL's database.schema.table maps onto catalog.schema.table (docs/catalogs.md).
 */
import { isViewConnector, type Connector, type ConnectorSession, type TableMetadata, type ViewDefinition } from '../../connectors/spi/index.js';
import { SqlError, SqlState } from '../errors/index.js';

export interface ResolvedTable {
  readonly catalog: string;
  readonly connector: Connector;
  readonly table: TableMetadata;
  /** Stable within this process; used as pg_class OID in RowDescription. */
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
}

const FIRST_USER_OID = 16384;

export class CatalogManager {
  private readonly oids = new Map<string, number>();

  constructor(private readonly catalogs: ReadonlyMap<string, Connector>) {}

  has(name: string): boolean {
    return this.catalogs.has(name);
  }

  names(): string[] {
    return [...this.catalogs.keys()];
  }

  connector(name: string): Connector {
    const c = this.catalogs.get(name);
    if (!c) throw new SqlError(SqlState.INVALID_CATALOG_NAME, `catalog "${name}" does not exist`);
    return c;
  }

  /** A stable OID for a catalog object named by its qualified name. */
  oidFor(qualifiedName: string): number {
    let oid = this.oids.get(qualifiedName);
    if (oid === undefined) {
      oid = FIRST_USER_OID + this.oids.size;
      this.oids.set(qualifiedName, oid);
    }
    return oid;
  }

  /** Resolves [catalog.][schema.]table (tables only); throws 42P01 when it does not exist. */
  async resolveTable(session: ConnectorSession, parts: { catalog?: string; schema?: string; name: string }, defaults: NameDefaults, position?: number): Promise<ResolvedTable> {
    const found = await this.resolveRelation(session, parts, defaults, position, false);
    return found as ResolvedTable;
  }

  /**
   * Resolves [catalog.][schema.]name to a table or a view, trying the search_path schemas in
   * order (a table before a view of the same schema); throws 42P01 when neither exists.
   */
  async resolveRelation(
    session: ConnectorSession,
    parts: { catalog?: string; schema?: string; name: string },
    defaults: NameDefaults,
    position?: number,
    views = true,
  ): Promise<ResolvedTable | ResolvedView> {
    const catalogName = parts.catalog ?? defaults.catalog;
    const connector = this.catalogs.get(catalogName);
    const shown = [parts.catalog, parts.schema, parts.name].filter((p) => p !== undefined).join('.');
    if (!connector) {
      const hint = parts.catalog !== undefined ? `There is no catalog named "${catalogName}".` : undefined;
      throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${shown}" does not exist`, { position, hint });
    }
    const schemas = parts.schema !== undefined ? [parts.schema] : defaults.searchPath;
    for (const schema of schemas) {
      const table = await connector.getTable(session, schema, parts.name);
      if (table) return { catalog: catalogName, connector, table, oid: this.oidFor(`${catalogName}.${schema}.${parts.name}`) };
      if (views && isViewConnector(connector)) {
        const view = await connector.getView(session, schema, parts.name);
        if (view) return { catalog: catalogName, view };
      }
    }
    throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${shown}" does not exist`, { position });
  }
}
