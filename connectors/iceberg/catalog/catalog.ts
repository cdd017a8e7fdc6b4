/**
 * What the connector needs from an Iceberg catalog: namespaces, tables, a table's current
 * metadata, and the changes Lakegate makes (namespaces, tables, snapshot commits).
 */
import type { PartitionField, TableMetadata } from '../metadata.js';
import type { IcebergSchema } from '../types.js';

export interface LoadedTable {
  /** Where the metadata file lives (absent only for metadata a catalog has not committed). */
  readonly metadataLocation?: string;
  readonly metadata: TableMetadata;
  /** Storage properties for this table's files: the catalog's, overridden by any the catalog vended. */
  readonly storage: Readonly<Record<string, string>>;
}

/** A new snapshot to make current on the table's `main` branch. */
export interface SnapshotCommit {
  /** The table the change was made for (its uuid): a table dropped and re-created fails the commit. */
  readonly tableUuid?: string;
  /** `main`'s snapshot the new one builds on (undefined: the table had no snapshot). */
  readonly parentSnapshotId?: string;
  /** The snapshot as table metadata JSON holds it (64-bit ids as BigInt). */
  readonly snapshot: Readonly<Record<string, unknown>>;
}

/** The catalog refused a commit because the table changed since the change was prepared: reload and retry. */
export class CommitConflict extends Error {}

/**
 * Whether a commit took effect is not known (a 5xx answer, a timeout, a connection lost after
 * the request went out): the files it references must be kept.
 */
export class CommitOutcomeUnknown extends Error {}

export interface NewTable {
  readonly schema: IcebergSchema;
  readonly lastColumnId: number;
  readonly properties: Readonly<Record<string, string>>;
  /** The partition fields of spec 0 (field ids from 1000); empty or absent: unpartitioned. */
  readonly partitionFields?: readonly PartitionField[];
  /** Table format version: 2 unless 1 is asked for. */
  readonly formatVersion?: 1 | 2;
}

export interface IcebergCatalog {
  /** Namespaces, multi-level ones joined with '.'. */
  listNamespaces(): Promise<string[]>;
  listTables(namespace: string): Promise<string[]>;
  /** The table's current metadata, or undefined when the namespace or table does not exist. */
  loadTable(namespace: string, table: string): Promise<LoadedTable | undefined>;

  /** Creates a namespace; false when it already exists. */
  createNamespace(namespace: string): Promise<boolean>;
  /** Drops an empty namespace. */
  dropNamespace(namespace: string): Promise<'dropped' | 'missing' | 'not-empty'>;
  /** Creates an empty, unsorted table; false when it already exists. Fails with 3F000 without the namespace. */
  createTable(namespace: string, table: string, definition: NewTable): Promise<boolean>;
  /** Drops a table and its files; false when it does not exist. */
  dropTable(namespace: string, table: string): Promise<boolean>;
  /** Makes a snapshot current on `main` if `main` is still at `parentSnapshotId`; else CommitConflict. */
  commitSnapshot(namespace: string, table: string, commit: SnapshotCommit): Promise<void>;
}
