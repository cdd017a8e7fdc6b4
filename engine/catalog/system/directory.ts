/**
 * What the system catalog has shown, by OID, for functions that must answer synchronously
 * (pg_table_is_visible, to_regclass, format of regclass). Filled each time a snapshot is built;
 * a process-wide cache, since OIDs are stable and mean the same in every session.
 */

export interface RelationEntry {
  readonly oid: number;
  /** pg_namespace.nspname of the relation: "schema" (default catalog), "catalog.schema", or pg_catalog. */
  readonly namespace: string;
  readonly catalog: string;
  readonly schema: string;
  readonly name: string;
  /** A view's query. */
  readonly definition?: string;
}

const relations = new Map<number, RelationEntry>();
const byQualified = new Map<string, number>();
const catalogs = new Set<string>();

export function noteRelation(entry: RelationEntry): void {
  relations.set(entry.oid, entry);
  catalogs.add(entry.catalog);
  byQualified.set(`${entry.catalog}\u0000${entry.schema}\u0000${entry.name}`, entry.oid);
}

export const relationByOid = (oid: number): RelationEntry | undefined => relations.get(oid);

export const relationOid = (catalog: string, schema: string, name: string): number | undefined => byQualified.get(`${catalog}\u0000${schema}\u0000${name}`);

/** The catalog a database name maps to, as far as snapshots have seen: itself if a catalog, else memory. */
export const catalogOfDatabase = (database: string): string => (catalogs.has(database) ? database : 'memory');

export const allRelations = (): RelationEntry[] => [...relations.values()];
