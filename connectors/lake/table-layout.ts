/**
 * How tables sit in a lake catalog's store: `<schema>/<table>/` is a table of every data file
 * under it (Hive-style `key=value` folders become partition columns), and `<schema>/<name>.parquet`
 * (or .csv, .json, …) is a table of one file. A table folder may hold `.lakegate-table.json`,
 * its settings: format, column types, CSV options.
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { isHiddenName, joinPath, type FileEntry, type FileStore } from '../lib/storage/file-store.js';
import type { CsvOptions } from './formats/csv.js';
import { compressionOfName, type TextCompression } from './formats/text-ranges.js';

export type FileFormat = 'parquet' | 'csv' | 'json';

export const SETTINGS_FILE = '.lakegate-table.json';
/** The folder name Hive and Spark give a NULL partition value. */
export const NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

export interface ColumnSetting {
  readonly name: string;
  /** A PostgreSQL type name, as format_type prints it or SQL spells it. */
  readonly type: string;
  readonly nullable?: boolean;
}

/** The contents of a table's settings file; every field is optional. */
export interface TableSettings {
  readonly format?: FileFormat;
  /** The table's columns (partition columns included); inferred from the files when absent. */
  readonly columns?: readonly ColumnSetting[];
  /** Partition columns, outermost folder first (used when writing). */
  readonly partitionedBy?: readonly string[];
  readonly csv?: Partial<CsvOptions>;
}

export interface DataFile {
  readonly entry: FileEntry;
  /** Values of the partition keys (layout.partitionKeys order), as folder names spell them; null: NULL. */
  readonly partition: readonly (string | null)[];
  readonly compression: TextCompression;
}

export interface TableLayout {
  /** The table's folder, or its one file. */
  readonly path: string;
  readonly isFolder: boolean;
  readonly format: FileFormat;
  readonly settings: TableSettings;
  readonly partitionKeys: readonly string[];
  readonly files: readonly DataFile[];
}

const EXTENSIONS: readonly [RegExp, FileFormat][] = [
  [/\.(parquet|pq)$/i, 'parquet'],
  [/\.(csv|tsv|txt)(\.(gz|gzip|br))?$/i, 'csv'],
  [/\.(json|ndjson|jsonl)(\.(gz|gzip|br))?$/i, 'json'],
];

export const formatOfName = (name: string): FileFormat | undefined => EXTENSIONS.find(([re]) => re.test(name))?.[1];

/** A single-file table's name: the file name without its format and compression extensions. */
export const tableNameOfFile = (name: string): string => name.replace(/(\.(gz|gzip|br))?$/i, '').replace(/\.[^.]+$/, '');

export async function listSchemaNames(store: FileStore): Promise<string[]> {
  return (await store.listChildren('')).folders.filter((n) => !isHiddenName(n));
}

export async function listTableNames(store: FileStore, schema: string): Promise<string[]> {
  const { files, folders } = await store.listChildren(schema);
  const names = new Set(folders.filter((n) => !isHiddenName(n)));
  for (const f of files) {
    const name = f.path.slice(schema.length + 1);
    if (!isHiddenName(name) && formatOfName(name)) names.add(tableNameOfFile(name));
  }
  return [...names].sort();
}

/** The layout of `schema.table`, or undefined when there is no such table. */
export async function findTable(store: FileStore, schema: string, table: string): Promise<TableLayout | undefined> {
  const { files, folders } = await store.listChildren(schema);
  if (folders.includes(table)) return folderTable(store, joinPath(schema, table));
  for (const f of files) {
    const name = f.path.slice(schema.length + 1);
    const format = formatOfName(name);
    if (format && !isHiddenName(name) && tableNameOfFile(name) === table) {
      return { path: f.path, isFolder: false, format, settings: {}, partitionKeys: [], files: [{ entry: f, partition: [], compression: compressionOfName(name) }] };
    }
  }
  return undefined;
}

async function folderTable(store: FileStore, folder: string): Promise<TableLayout> {
  const entries = await store.listFiles(folder);
  const settingsEntry = entries.find((e) => e.path === joinPath(folder, SETTINGS_FILE));
  const settings = settingsEntry ? await readSettings(store, settingsEntry.path) : {};
  const candidates = entries.filter((e) => !e.path.slice(folder.length + 1).split('/').some(isHiddenName));
  const format = settings.format ?? candidates.map((e) => formatOfName(e.path)).find((f) => f !== undefined) ?? 'parquet';
  let partitionKeys: string[] | undefined;
  const files: DataFile[] = [];
  for (const entry of candidates) {
    const fileFormat = formatOfName(entry.path);
    if (fileFormat !== format && !(fileFormat === undefined && settings.format !== undefined)) continue;
    const folders = entry.path.slice(folder.length + 1).split('/').slice(0, -1);
    const keys: string[] = [];
    const values: (string | null)[] = [];
    for (const segment of folders) {
      const eq = segment.indexOf('=');
      if (eq <= 0) continue;
      keys.push(decodeURIComponent(segment.slice(0, eq)));
      const value = decodeURIComponent(segment.slice(eq + 1));
      values.push(value === NULL_PARTITION ? null : value);
    }
    partitionKeys ??= keys;
    if (keys.join('/') !== partitionKeys.join('/')) {
      throw new SqlError(SqlState.FDW_ERROR, `table folder "${store.location}/${folder}" mixes partition layouts: ${partitionKeys.join('/') || '(none)'} and ${keys.join('/') || '(none)'}`);
    }
    files.push({ entry, partition: values, compression: compressionOfName(entry.path) });
  }
  return { path: folder, isFolder: true, format, settings, partitionKeys: partitionKeys ?? settings.partitionedBy ?? [], files };
}

async function readSettings(store: FileStore, path: string): Promise<TableSettings> {
  const text = new TextDecoder().decode(await store.readFile(path));
  try {
    const parsed = JSON.parse(text) as TableSettings;
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    return parsed;
  } catch (e) {
    throw new SqlError(SqlState.FDW_ERROR, `invalid table settings in "${store.location}/${path}": ${(e as Error).message}`);
  }
}

export async function writeSettings(store: FileStore, folder: string, settings: TableSettings): Promise<void> {
  await store.writeFile(joinPath(folder, SETTINGS_FILE), new TextEncoder().encode(JSON.stringify(settings, null, 2) + '\n'));
}
