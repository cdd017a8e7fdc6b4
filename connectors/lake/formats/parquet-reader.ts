/**
 * Reads Parquet files for the lake connector: one part per row group, row groups skipped from
 * their column statistics, only the wanted columns decoded. Two per-thread caches sit in front
 * of the store: file footers (by path and version) and decoded column chunks (bounded by
 * bytes, least recently used first out), so repeated queries skip reading and decoding.
 */
import { BATCH_ROWS, type Batch } from '../../../engine/execution/batch/batch.js';
import { allocateData, constantVector, type Vector } from '../../../engine/execution/batch/vector.js';
import { castDatum } from '../../../engine/types/cast.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../../engine/types/text-codec.js';
import type { PgType } from '../../../engine/types/pg-type.js';
import { Numeric } from '../../../engine/types/numeric.js';
import type { Json } from '../../spi/index.js';
import {
  batchesOf, countRowRanges, intersectRowRanges, pageRowRanges, readColumnChunks, readDictionary, readParquetMetadata, type ParquetMetadata, type RowRanges,
} from '../../lib/parquet/index.js';
import { mayMatch, valueMayMatch } from '../../lib/pruning.js';
import type { ColumnDomain } from '../../spi/index.js';
import type { FileEntry, FileStore } from '../../lib/storage/file-store.js';
import type { ColumnDomains, FilePart, FileSchema, FormatReader, WantedColumn } from './format-reader.js';
import { LruCache } from './lru-cache.js';

interface RowGroupPart {
  readonly rowGroup: number;
}

/** Footers kept per thread (a footer is small: its weight is its encoded length). */
const FOOTER_CACHE_BYTES = 64 << 20;
/** Decoded column chunks kept per thread (LAKEGATE_COLUMN_CACHE_MB overrides; 0 turns it off). */
const COLUMN_CACHE_BYTES = Number(process.env.LAKEGATE_COLUMN_CACHE_MB ?? 1024) * (1 << 20);

const footers = new LruCache<string, Promise<ParquetMetadata>>(FOOTER_CACHE_BYTES);
const decoded = new LruCache<string, Vector>(COLUMN_CACHE_BYTES);

const fileKey = (f: FileEntry): string => `${f.path}\u0000${f.version}`;

async function metadataOf(store: FileStore, file: FileEntry): Promise<ParquetMetadata> {
  const key = `${store.location}\u0000${fileKey(file)}`;
  let meta = footers.get(key);
  if (!meta) {
    meta = readParquetMetadata(store.open(file));
    footers.set(key, meta, 4096);
    meta.then((m) => footers.set(key, meta!, m.footerLength + 1024), () => undefined);
  }
  try {
    return await meta;
  } catch (e) {
    footers.delete(key);
    throw e;
  }
}

export const parquetReader: FormatReader = {
  async schema(store, file): Promise<FileSchema> {
    const meta = await metadataOf(store, file.entry);
    return { columns: meta.columns.map((c) => ({ name: c.name, type: c.type })), rowCount: meta.numRows, splittable: true };
  },

  async parts(store, file, _schema, keep, _targetBytes, domains): Promise<FilePart[]> {
    const meta = await metadataOf(store, file.entry);
    const byName = new Map(meta.columns.map((c) => [c.name, c]));
    const parts: FilePart[] = [];
    for (let i = 0; i < meta.rowGroups.length; i++) {
      const rg = meta.rowGroups[i]!;
      if (rg.numRows === 0) continue;
      const wanted = keep((name) => {
        const column = byName.get(name);
        const stats = column && !column.list ? rg.columns[column.index]?.statistics : undefined;
        return stats ? { ...stats, rowCount: rg.numRows } : undefined;
      }, rg.numRows);
      if (!wanted || !(await dictionariesAllow(store, file.entry, meta, i, domains))) continue;
      const bytes = rg.columns.reduce((n, c) => n + (c?.totalCompressedSize ?? 0), 0);
      parts.push({ part: { rowGroup: i } satisfies RowGroupPart as unknown as Json, bytes });
    }
    return parts;
  },

  async *read(store, file, part, _settings, columns, signal, domains): AsyncIterable<Batch> {
    const meta = await metadataOf(store, file.entry);
    const { rowGroup } = part as unknown as RowGroupPart;
    const rows = meta.rowGroups[rowGroup]!.numRows;
    const byName = new Map(meta.columns.map((c) => [c.name, c]));
    const wantedRows = await pagesToRead(store, file.entry, meta, rowGroup, domains);
    if (wantedRows !== undefined && countRowRanges(wantedRows) < rows) {
      yield* readRows(store, file.entry, meta, rowGroup, columns, wantedRows, signal);
      return;
    }
    const prefix = `${store.location}\u0000${fileKey(file.entry)}\u0000${rowGroup}\u0000`;
    const vectors = new Array<Vector>(columns.length);
    const missing: number[] = [];
    columns.forEach((c, i) => {
      const column = byName.get(c.name);
      if (!column) vectors[i] = constantVector(c.type, null, rows);
      else {
        const hit = decoded.get(prefix + column.index);
        if (hit) vectors[i] = hit;
        else missing.push(i);
      }
    });
    if (missing.length > 0) {
      const leaves = missing.map((i) => byName.get(columns[i]!.name)!.index);
      const read = await readColumnChunks(store.open(file.entry), meta, rowGroup, leaves, signal);
      missing.forEach((i, k) => {
        const v = isUnconstrainedNumeric(read[k]!.type) ? withoutTrailingZeros(read[k]!) : read[k]!;
        decoded.set(prefix + leaves[k], v, vectorBytes(v));
        vectors[i] = v;
      });
    }
    const typed = vectors.map((v, i) => asType(v, columns[i]!));
    if (typed.length === 0) {
      for (let at = 0; at < rows; at += BATCH_ROWS) yield { length: Math.min(BATCH_ROWS, rows - at), columns: [] };
      return;
    }
    // Batches get their own typed arrays: the cached vectors must survive the batches being
    // handed to another thread (which takes their buffers).
    for (const b of batchesOf(typed, BATCH_ROWS)) yield { length: b.length, columns: b.columns.map(ownedCopy) };
  },
};

/** IN lists and equalities longer than this are not checked against dictionaries. */
const MAX_DICTIONARY_PROBES = 256;

/**
 * Whether a row group may hold a wanted value of every column constrained to a few values
 * (`=`, IN), judged from the column's dictionary when all its pages are dictionary-encoded.
 */
async function dictionariesAllow(store: FileStore, file: FileEntry, meta: ParquetMetadata, rowGroup: number, domains: ColumnDomains): Promise<boolean> {
  for (const column of meta.columns) {
    const list = domains.get(column.name);
    if (!list || column.list || !list.some(isFewValues) || !meta.rowGroups[rowGroup]!.columns[column.index]?.fullyDictionaryEncoded) continue;
    const dictionary = await readDictionary(store.open(file), meta, rowGroup, column.index);
    if (!dictionary) continue;
    const values = dictionary.data as ArrayLike<unknown>;
    let found = false;
    for (let i = 0; i < dictionary.length && !found; i++) found = list.every((d) => valueMayMatch(d, values[i]));
    // NULLs are not in the dictionary: a chunk with NULLs may still satisfy `IS NULL` domains
    if (!found && !list.every((d) => d.nullAllowed)) return false;
  }
  return true;
}

const isFewValues = (d: ColumnDomain): boolean =>
  !d.nullAllowed && d.ranges !== undefined && d.ranges.length > 0 && d.ranges.length <= MAX_DICTIONARY_PROBES &&
  d.ranges.every((r) => r.low !== undefined && r.high !== undefined && r.low.inclusive && r.high.inclusive && d.compare(r.low.value, r.high.value) === 0);

/**
 * The rows of a row group whose pages may hold wanted values, from the page indexes of the
 * constrained columns; undefined when no constrained column has a page index.
 */
async function pagesToRead(store: FileStore, file: FileEntry, meta: ParquetMetadata, rowGroup: number, domains: ColumnDomains): Promise<RowRanges | undefined> {
  if (domains.size === 0) return undefined;
  const source = store.open(file);
  const perColumn: (RowRanges | undefined)[] = [];
  for (const column of meta.columns) {
    const list = domains.get(column.name);
    if (!list || column.list) continue;
    perColumn.push(await pageRowRanges(source, meta, rowGroup, (page) => {
      const stats = page.allNull ? { nullCount: 1, rowCount: 1 } : { min: page.min, max: page.max, ...(page.nullCount !== undefined ? { nullCount: page.nullCount } : {}) };
      return list.every((d) => mayMatch(d, stats));
    }, column.index));
  }
  return intersectRowRanges(perColumn);
}

/** Only the rows `ranges` of a row group, decoding just the pages that hold them. */
async function* readRows(store: FileStore, file: FileEntry, meta: ParquetMetadata, rowGroup: number, columns: readonly WantedColumn[], ranges: RowRanges, signal: AbortSignal): AsyncIterable<Batch> {
  const count = countRowRanges(ranges);
  if (count === 0) return;
  const byName = new Map(meta.columns.map((c) => [c.name, c]));
  const present = columns.map((c, i) => [i, byName.get(c.name)] as const).filter(([, c]) => c !== undefined);
  const read = present.length === 0 ? [] : await readColumnChunks(store.open(file), meta, rowGroup, present.map(([, c]) => c!.index), signal, ranges);
  const vectors = columns.map((c) => constantVector(c.type, null, count));
  present.forEach(([i], k) => {
    const v = read[k]!;
    vectors[i] = asType(isUnconstrainedNumeric(v.type) ? withoutTrailingZeros(v) : v, columns[i]!);
  });
  if (vectors.length === 0) {
    for (let at = 0; at < count; at += BATCH_ROWS) yield { length: Math.min(BATCH_ROWS, count - at), columns: [] };
    return;
  }
  yield* batchesOf(vectors, BATCH_ROWS);
}

/** A file's column as the table's type (files of one table may differ: int4 in old files, int8 in new ones). */
function asType(v: Vector, column: WantedColumn): Vector {
  if (v.type.oid === column.type.oid && v.type.typmod === column.type.typmod) return v;
  if (v.type.oid === column.type.oid) return { ...v, type: column.type };
  return castVector(v, column.type);
}

function castVector(v: Vector, type: PgType): Vector {
  const data = allocateData(type.layout, v.length);
  const src = v.data as unknown[];
  for (let i = 0; i < v.length; i++) {
    if (v.nulls !== null && v.nulls[i] === 1) continue;
    const from = v.type.layout === 'bool' ? src[i] === 1 : src[i];
    const d = castDatum(from, v.type, type, DEFAULT_FORMAT_SETTINGS);
    (data as unknown[])[i] = type.layout === 'bool' ? (d ? 1 : 0) : d;
  }
  return { type, length: v.length, data, nulls: v.nulls };
}

const isUnconstrainedNumeric = (t: PgType): boolean => t.name === 'numeric' && t.typmod < 0;

/**
 * A numeric column without precision and scale is stored as DECIMAL(38,18); its values read
 * back with the trailing zeros of that fixed scale removed (0.5, not 0.500000000000000000).
 */
function withoutTrailingZeros(v: Vector): Vector {
  const data = (v.data as (Numeric | undefined)[]).map((n) => {
    if (n === undefined || n === null || !n.isFinite() || n.scale === 0) return n;
    let u = n.unscaled;
    let scale = n.scale;
    while (scale > 0 && u % 10n === 0n) {
      u /= 10n;
      scale--;
    }
    return scale === n.scale ? n : Numeric.fromBigInt(u, scale);
  });
  return { ...v, data };
}

function ownedCopy(v: Vector): Vector {
  const data = Array.isArray(v.data) ? v.data : (v.data as Int32Array).slice();
  return { type: v.type, length: v.length, data: data as Vector['data'], nulls: v.nulls === null ? null : v.nulls.slice() };
}

/** About how many bytes a vector holds. */
function vectorBytes(v: Vector): number {
  const nulls = v.nulls?.byteLength ?? 0;
  if (!Array.isArray(v.data)) return v.data.byteLength + nulls;
  let bytes = nulls + v.length * 8;
  for (const x of v.data) if (typeof x === 'string') bytes += 16 + x.length * 2;
  else if (x !== null && typeof x === 'object') bytes += 48;
  return bytes;
}
