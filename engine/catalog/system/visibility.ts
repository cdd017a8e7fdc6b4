/**
 * What pg_catalog and information_schema show to an identity under access control: catalogs it
 * may use, tables and views it holds a privilege on, schemas holding one of those (or that it
 * owns), and no column it may not see. The session supplies the answers (engine/access).
 */
import type { NamespaceInfo, RelationInfo } from './snapshot.js';

export interface CatalogVisibility {
  catalog(catalog: string): boolean;
  /** An empty schema the identity owns is still listed. */
  schema(catalog: string, schema: string): boolean;
  table(catalog: string, schema: string, table: string): boolean;
  column(catalog: string, schema: string, table: string, column: string): boolean;
}

/** One catalog's namespaces and relations as `visibility` lets the identity see them. */
export function visiblePart(
  part: { namespaces: NamespaceInfo[]; relations: RelationInfo[] },
  visibility: CatalogVisibility,
): { namespaces: NamespaceInfo[]; relations: RelationInfo[] } {
  const relations = part.relations
    .filter((r) => visibility.table(r.namespace.catalog, r.namespace.schema, r.name))
    .map((r) => ({ ...r, columns: r.columns.filter((c) => visibility.column(r.namespace.catalog, r.namespace.schema, r.name, c.name)) }));
  const used = new Set(relations.map((r) => r.namespace));
  const namespaces = part.namespaces.filter((n) => used.has(n) || visibility.schema(n.catalog, n.schema));
  return { namespaces, relations };
}
