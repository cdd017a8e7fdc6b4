/**
 * Where a lake catalog's files live: a local folder or an S3 prefix, behind one small
 * interface. Paths are relative to the catalog's root and use '/'.
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import type { ByteSource } from '../parquet/byte-source.js';

export interface FileEntry {
  /** Relative to the store's root, '/'-separated, no leading slash. */
  readonly path: string;
  readonly size: number;
  /** Changes whenever the content does: mtime + size locally, the ETag on S3. */
  readonly version: string;
}

/** Reads byte ranges of one version of a file; a read after the file changed fails. */
export type { ByteSource };

/** A file being written; nothing is visible at its path until `commit`. */
export interface FileUpload {
  write(chunk: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface FileStore {
  /** The root as a user wrote it (a path or s3:// URL), for messages and EXPLAIN. */
  readonly location: string;
  /** Every file under `prefix` (a folder path, '' for the root), recursively. */
  listFiles(prefix: string): Promise<FileEntry[]>;
  /** The files and the names of the folders directly under `prefix`. */
  listChildren(prefix: string): Promise<{ files: FileEntry[]; folders: string[] }>;
  /** The file at `path`, or undefined. */
  stat(path: string): Promise<FileEntry | undefined>;
  open(file: FileEntry): ByteSource;
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a small file in one piece, replacing any at `path`. */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  create(path: string): Promise<FileUpload>;
  /** Makes a folder (a no-op on object stores, where folders exist through their files). */
  makeFolder(path: string): Promise<void>;
  /** Removes `path` and everything under it. */
  remove(path: string): Promise<void>;
}

/** A file that changed while a query read it: the query fails rather than mix versions. */
export const fileChanged = (location: string) =>
  new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `file "${location}" changed while it was being read`, {
    hint: 'Run the query again to read the new version.',
  });

/** An I/O failure of the store, with the path it concerns. */
export const storeError = (location: string, cause: unknown) =>
  new SqlError(SqlState.IO_ERROR, `could not read "${location}": ${cause instanceof Error ? cause.message : String(cause)}`);

/** Files and folders whose names start with '.' or '_' are not data (_SUCCESS, .crc, table settings). */
export const isHiddenName = (name: string): boolean => name.startsWith('.') || name.startsWith('_');

export const joinPath = (...parts: string[]): string => parts.filter((p) => p !== '').join('/');
