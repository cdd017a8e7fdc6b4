/** What the connector needs from an Iceberg catalog: namespaces, tables, and a table's current metadata. */
import type { TableMetadata } from '../metadata.js';

export interface LoadedTable {
  /** Where the metadata file lives (absent only for metadata a catalog has not committed). */
  readonly metadataLocation?: string;
  readonly metadata: TableMetadata;
  /** Storage properties for this table's files: the catalog's, overridden by any the catalog vended. */
  readonly storage: Readonly<Record<string, string>>;
}

export interface IcebergCatalog {
  /** Namespaces, multi-level ones joined with '.'. */
  listNamespaces(): Promise<string[]>;
  listTables(namespace: string): Promise<string[]>;
  /** The table's current metadata, or undefined when the namespace or table does not exist. */
  loadTable(namespace: string, table: string): Promise<LoadedTable | undefined>;
}
