/**
 * A snapshot of every catalog's schemas, tables and views, taken when a system table is scanned.
 * Namespaces are named after the mapping in docs/catalogs.md: the default catalog's schemas by
 * their own name, every other catalog's as "catalog.schema".
 */
import { isViewConnector, type ColumnMetadata, type Connector, type ConnectorSession } from '../../../connectors/spi/index.js';
import { T } from '../../types/pg-type.js';
import { noteRelation } from './directory.js';
import { databaseKey, INFORMATION_SCHEMA_NAMESPACE, namespaceKey, PG_CATALOG_NAMESPACE, relationKey } from './oids.js';
import { systemInfoOf, type ActivityRow, type SettingRow } from './session-info.js';
import { visiblePart } from './visibility.js';

/** What the system provider needs of the catalog manager. */
export interface CatalogSource {
  names(): string[];
  connector(name: string): Connector;
  oidFor(key: string): number;
}

export interface NamespaceInfo {
  readonly oid: number;
  /** pg_namespace.nspname. */
  readonly name: string;
  readonly catalog: string;
  readonly schema: string;
}

export interface RelationInfo {
  readonly oid: number;
  readonly namespace: NamespaceInfo;
  readonly name: string;
  readonly kind: 'r' | 'v';
  readonly columns: readonly ColumnMetadata[];
  /** The query of a view (pg_views.definition). */
  readonly definition?: string;
}

export interface Snapshot {
  readonly user: string;
  readonly database: string;
  readonly defaultCatalog: string;
  readonly searchPath: readonly string[];
  readonly databases: readonly { readonly oid: number; readonly name: string }[];
  readonly namespaces: readonly NamespaceInfo[];
  readonly relations: readonly RelationInfo[];
  readonly settings: readonly SettingRow[];
  readonly activity: readonly ActivityRow[];
  /** Stable OIDs for objects that are not relations (operators, casts, functions), see oids.ts. */
  readonly oidFor: (key: string) => number;
}

/** The system namespaces: every database has them. */
export const SYSTEM_CATALOG = '$system';
export const PG_CATALOG: NamespaceInfo = { oid: PG_CATALOG_NAMESPACE, name: 'pg_catalog', catalog: SYSTEM_CATALOG, schema: 'pg_catalog' };
export const INFORMATION_SCHEMA: NamespaceInfo = { oid: INFORMATION_SCHEMA_NAMESPACE, name: 'information_schema', catalog: SYSTEM_CATALOG, schema: 'information_schema' };

export const isSystemSchema = (schema: string): boolean => schema === 'pg_catalog' || schema === 'information_schema';

/** A session's schema for temporary tables (engine/session): shown only to that session, which has it on its search path. */
export const isTempSchema = (schema: string): boolean => /^pg_temp_\d+$/.test(schema);

/** The namespace name under which a catalog's schema appears when `defaultCatalog` is the database. */
export const namespaceName = (catalog: string, schema: string, defaultCatalog: string): string =>
  catalog === defaultCatalog ? schema : `${catalog}.${schema}`;

const viewQuery = (sql: string): string => /^\s*create\s+(?:or\s+replace\s+)?view\s+[\s\S]*?\s+as\s+([\s\S]*?);?\s*$/i.exec(sql)?.[1] ?? sql;

export interface SystemRelationSource {
  readonly name: string;
  readonly schema: 'pg_catalog' | 'information_schema';
  readonly oid: number;
  readonly kind: 'r' | 'v';
  readonly columns: readonly ColumnMetadata[];
}

export async function takeSnapshot(
  source: CatalogSource,
  session: ConnectorSession,
  defaultCatalog: string,
  systemRelations: readonly SystemRelationSource[],
): Promise<Snapshot> {
  const info = systemInfoOf(session);
  const database = info?.database ?? defaultCatalog;
  const namespaces: NamespaceInfo[] = [PG_CATALOG, INFORMATION_SCHEMA];
  const relations: RelationInfo[] = systemRelations.map((r) => ({
    oid: r.oid, namespace: r.schema === 'pg_catalog' ? PG_CATALOG : INFORMATION_SCHEMA, name: r.name, kind: r.kind, columns: r.columns,
  }));
  const visibility = info?.visibility;
  const catalogs = source.names().filter((c) => visibility?.catalog(c) ?? true).sort((a, b) => (a === defaultCatalog ? -1 : b === defaultCatalog ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const searchPath = info?.searchPath ?? ['public'];
  const perCatalog = await Promise.all(catalogs.map((c) => catalogContents(source, session, c, defaultCatalog, searchPath)));
  for (const whole of perCatalog) {
    const part = visibility ? visiblePart(whole, visibility) : whole;
    namespaces.push(...part.namespaces);
    relations.push(...part.relations);
  }
  for (const r of relations) noteRelation({ oid: r.oid, namespace: r.namespace.name, catalog: r.namespace.catalog, schema: r.namespace.schema, name: r.name, ...(r.definition !== undefined ? { definition: r.definition } : {}) });
  const databases = source.names().filter((c) => visibility?.catalog(c) ?? true);
  if (!databases.includes(database)) databases.push(database);
  return {
    user: session.user,
    database,
    defaultCatalog,
    searchPath,
    databases: databases.sort().map((name) => ({ oid: source.oidFor(databaseKey(name)), name })),
    namespaces,
    relations,
    settings: info?.settings() ?? [],
    activity: info?.activity?.() ?? [],
    oidFor: (key) => source.oidFor(key),
  };
}

/** One catalog's schemas and relations; a catalog that fails to answer shows as empty. */
async function catalogContents(source: CatalogSource, session: ConnectorSession, catalog: string, defaultCatalog: string, searchPath: readonly string[]) {
  const namespaces: NamespaceInfo[] = [];
  const relations: RelationInfo[] = [];
  try {
    const connector = source.connector(catalog);
    for (const schema of await connector.listSchemas(session)) {
      if (isSystemSchema(schema) || (isTempSchema(schema) && !searchPath.includes(`${catalog}.${schema}`))) continue;
      const ns: NamespaceInfo = { oid: source.oidFor(namespaceKey(catalog, schema)), name: namespaceName(catalog, schema, defaultCatalog), catalog, schema };
      namespaces.push(ns);
      const tables = await Promise.all((await connector.listTables(session, schema)).map((t) => connector.getTable(session, schema, t)));
      for (const t of tables) {
        if (t) relations.push({ oid: source.oidFor(relationKey(catalog, schema, t.name)), namespace: ns, name: t.name, kind: 'r', columns: t.columns.filter((c) => !c.hidden) });
      }
      if (isViewConnector(connector)) {
        const views = await Promise.all((await connector.listViews(session, schema)).map((v) => connector.getView(session, schema, v)));
        for (const v of views) {
          if (!v) continue;
          // Column types as bound at CREATE VIEW; a connector that does not keep them shows text.
          const columns = v.columnNames.map((name, i) => ({ name, type: v.columnTypes?.[i] ?? T.text, nullable: true }));
          relations.push({ oid: source.oidFor(relationKey(catalog, schema, v.name)), namespace: ns, name: v.name, kind: 'v', columns, definition: viewQuery(v.sql) });
        }
      }
    }
  } catch {
    // An unreachable source must not break the catalog queries of every client.
  }
  return { namespaces, relations };
}
