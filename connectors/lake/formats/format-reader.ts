/** What the lake connector needs of each file format. */
import type { Batch } from '../../../engine/execution/batch/batch.js';
import type { PgType } from '../../../engine/types/pg-type.js';
import type { ColumnDomain, Json } from '../../spi/index.js';
import type { ChunkStatistics } from '../../lib/pruning.js';
import type { FileStore } from '../../lib/storage/file-store.js';
import type { DataFile, TableSettings } from '../table-layout.js';

export interface FileColumn {
  readonly name: string;
  readonly type: PgType;
}

/** What a format learned of a file's columns. */
export interface FileSchema {
  readonly columns: readonly FileColumn[];
  /** Estimated or exact number of rows. */
  readonly rowCount?: number;
  /** Whether byte ranges of the file can be read separately (no line breaks inside fields). */
  readonly splittable: boolean;
}

/** One unit of scan work in a file, in the format's own terms (row groups, a byte range). */
export interface FilePart {
  readonly part: Json;
  /** Bytes it reads, for scheduling and EXPLAIN. */
  readonly bytes: number;
}

/** Decides whether data with the given per-column statistics may hold wanted rows. */
export type ChunkFilter = (statisticsOf: (fileColumn: string) => ChunkStatistics | undefined, rowCount: number) => boolean;

export interface FormatReader {
  /** The file's columns (partition folders excluded). */
  schema(store: FileStore, file: DataFile, settings: TableSettings): Promise<FileSchema>;
  /** Parts of the file worth reading, about `targetBytes` each. */
  /** `domains` (by data column name): what the query keeps, for checks beyond statistics (dictionaries). */
  parts(store: FileStore, file: DataFile, schema: FileSchema, keep: ChunkFilter, targetBytes: number, domains: ColumnDomains): Promise<FilePart[]>;
  /**
   * Rows of one part; `columns` are the table's data columns to produce, matched to the file
   * by name or position. `domains` (by data column name) say which values the query keeps:
   * a reader may skip pages holding none of them (rows outside them may still be returned).
   */
  read(store: FileStore, file: DataFile, part: Json, settings: TableSettings, columns: readonly WantedColumn[], signal: AbortSignal, domains: ColumnDomains): AsyncIterable<Batch>;
}

/** The query's constraint on data columns, by column name. */
export type ColumnDomains = ReadonlyMap<string, readonly ColumnDomain[]>;

export interface WantedColumn extends FileColumn {
  /** Position among the table's data columns (CSV matches by position). */
  readonly position: number;
}
