/**
 * Reading column chunks of a row group into vectors. Chunks that lie next to each other in
 * the file (gaps up to COALESCE_GAP) are fetched with one read.
 */
import { sliceBatch, type Batch } from '../../../engine/execution/batch/batch.js';
import { allocateData, type Vector } from '../../../engine/execution/batch/vector.js';
import type { ByteSource } from './byte-source.js';
import { decodeChunkRows, decodeColumnChunk, decodeLocatedPages, readDictionaryPages, type LeafDecodeInfo, type LocatedPage } from './column-decoder.js';
import { corrupt } from './errors.js';
import { convertStatistics, type ColumnChunkMetadata, type ColumnStatistics, type ParquetColumn, type ParquetMetadata } from './metadata.js';
import { parseColumnIndex, parseOffsetIndex, type PageLocation } from './format.js';
import { checkRowRanges, pushRange, type RowRanges } from './row-ranges.js';

/** Neighbouring chunks closer than this are read together (the gap is read and dropped). */
export const COALESCE_GAP = 1024 * 1024;

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** Groups ranges into reads: sorted by offset, merged when the gap between them is ≤ maxGap. */
export function coalesceRanges(ranges: readonly ByteRange[], maxGap = COALESCE_GAP): Array<{ offset: number; length: number; members: number[] }> {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.offset - ranges[b]!.offset);
  const out: Array<{ offset: number; length: number; members: number[] }> = [];
  for (const i of order) {
    const r = ranges[i]!;
    const last = out[out.length - 1];
    if (last && r.offset <= last.offset + last.length + maxGap) {
      last.length = Math.max(last.length, r.offset + r.length - last.offset);
      last.members.push(i);
    } else out.push({ offset: r.offset, length: r.length, members: [i] });
  }
  return out;
}

function columnByIndex(metadata: ParquetMetadata, index: number): ParquetColumn {
  const c = metadata.columns.find((col) => col.index === index);
  if (!c) throw corrupt(`leaf column ${index} is not a readable column of this file`);
  return c;
}

export const decodeInfo = (c: ParquetColumn): LeafDecodeInfo => ({
  physicalType: c.physicalTypeId,
  typeLength: c.typeLength ?? 0,
  kind: c.kind,
  scale: c.decimalScale,
  type: c.type,
  maxDefinitionLevel: c.maxDefinitionLevel,
  maxRepetitionLevel: c.maxRepetitionLevel,
  repeatedDefinitionLevel: c.list?.repeatedDefinitionLevel,
});

/**
 * Decodes column chunks of one row group: one vector per requested leaf column
 * (ParquetColumn.index), each as long as the row group. Slice them into batches with
 * `batchesOf` (or sliceBatch).
 *
 * With `rows` (sorted, non-overlapping [start, end) ranges of the row group) the vectors hold
 * only those rows, in order. Pages holding none of them are not decompressed or decoded, and
 * when a chunk has an OffsetIndex they are not read either: only its dictionary page and the
 * pages holding the rows are (neighbouring ranges coalesced as for whole chunks).
 */
export async function readColumnChunks(
  source: ByteSource,
  metadata: ParquetMetadata,
  rowGroupIndex: number,
  leafColumnIndices: readonly number[],
  signal?: AbortSignal,
  rows?: RowRanges,
): Promise<Vector[]> {
  const rg = metadata.rowGroups[rowGroupIndex];
  if (!rg) throw corrupt(`row group ${rowGroupIndex} does not exist`);
  const columns = leafColumnIndices.map((i) => columnByIndex(metadata, i));
  const chunks = leafColumnIndices.map((i) => {
    const cc = rg.columns[i];
    if (!cc) throw corrupt(`column chunk ${i} of row group ${rowGroupIndex} is not stored in this file`);
    if (cc.start < 0 || cc.start + cc.totalCompressedSize > source.size) throw corrupt('column chunk outside the file');
    return cc;
  });
  if (rows !== undefined) {
    const { ranges, count } = checkRowRanges(rows, rg.numRows);
    if (count < rg.numRows) return readRows(source, metadata, rowGroupIndex, leafColumnIndices, columns, chunks, ranges, count, signal);
  }
  const out = new Array<Vector>(columns.length);
  for (const read of coalesceRanges(chunks.map((c) => ({ offset: c.start, length: c.totalCompressedSize })))) {
    signal?.throwIfAborted();
    const bytes = await source.read(read.offset, read.length);
    signal?.throwIfAborted();
    for (const m of read.members) {
      const cc = chunks[m]!;
      const from = cc.start - read.offset;
      out[m] = decodeColumnChunk(
        bytes.subarray(from, from + cc.totalCompressedSize),
        { codec: cc.codecId, numValues: cc.numValues, numRows: rg.numRows },
        decodeInfo(columns[m]!),
        signal,
      );
    }
  }
  return out;
}

/** A byte range to read for readRows: a whole chunk, a chunk's dictionary, or one data page. */
interface Region extends ByteRange {
  readonly member: number;
  /** Data pages: the page's first row and row count; -1 for a whole chunk or a dictionary. */
  readonly firstRow: number;
  readonly rows: number;
}

/** readColumnChunks for some rows of the row group (0 < count < rows of the row group). */
async function readRows(
  source: ByteSource,
  metadata: ParquetMetadata,
  rowGroupIndex: number,
  leaves: readonly number[],
  columns: readonly ParquetColumn[],
  chunks: readonly ColumnChunkMetadata[],
  ranges: RowRanges,
  count: number,
  signal: AbortSignal | undefined,
): Promise<Vector[]> {
  const out = new Array<Vector>(columns.length);
  if (count === 0) {
    columns.forEach((c, m) => (out[m] = { type: c.type, length: 0, data: allocateData(c.type.layout, 0), nulls: null }));
    return out;
  }
  const numRows = metadata.rowGroups[rowGroupIndex]!.numRows;
  const locations = await pageLocations(source, metadata, rowGroupIndex, leaves, signal);
  const regions: Region[] = [];
  const pending = new Array<number>(chunks.length).fill(0);
  chunks.forEach((cc, m) => {
    const locs = locations[m];
    if (locs === undefined) {
      regions.push({ member: m, offset: cc.start, length: cc.totalCompressedSize, firstRow: -1, rows: -1 });
      pending[m]++;
      return;
    }
    if (locs[0]!.offset > cc.start) {
      regions.push({ member: m, offset: cc.start, length: locs[0]!.offset - cc.start, firstRow: -1, rows: -1 });
      pending[m]++;
    }
    let r = 0;
    for (let p = 0; p < locs.length && r < ranges.length; p++) {
      const first = locs[p]!.firstRowIndex;
      const end = p + 1 < locs.length ? locs[p + 1]!.firstRowIndex : numRows;
      while (r < ranges.length && ranges[r]![1] <= first) r++;
      if (r < ranges.length && ranges[r]![0] < end) {
        regions.push({ member: m, offset: locs[p]!.offset, length: locs[p]!.compressedPageSize, firstRow: first, rows: end - first });
        pending[m]++;
      }
    }
  });
  const parts: Array<{ dictionary: Uint8Array | null; pages: LocatedPage[] }> = chunks.map(() => ({ dictionary: null, pages: [] }));
  for (const read of coalesceRanges(regions)) {
    signal?.throwIfAborted();
    const bytes = await source.read(read.offset, read.length);
    signal?.throwIfAborted();
    // members come in file order, so a chunk's pages arrive in row order
    for (const k of read.members) {
      const region = regions[k]!;
      const m = region.member;
      const from = region.offset - read.offset;
      const slice = bytes.subarray(from, from + region.length);
      const cc = chunks[m]!;
      const info = { codec: cc.codecId, numValues: cc.numValues, numRows };
      if (locations[m] === undefined) {
        out[m] = decodeChunkRows(slice, info, decodeInfo(columns[m]!), ranges, count, signal);
        continue;
      }
      if (region.firstRow < 0) parts[m]!.dictionary = slice;
      else parts[m]!.pages.push({ bytes: slice, firstRow: region.firstRow, rows: region.rows });
      if (--pending[m]! === 0) {
        out[m] = decodeLocatedPages(parts[m]!.dictionary, parts[m]!.pages, info, decodeInfo(columns[m]!), ranges, count, signal);
        parts[m] = { dictionary: null, pages: [] };
      }
    }
  }
  return out;
}

/**
 * Page locations (the OffsetIndex) of a row group's column chunks, cached per metadata object;
 * undefined for a chunk without an OffsetIndex, or with one that does not fit its chunk.
 */
const locationCache = new WeakMap<ParquetMetadata, Map<string, PageLocation[] | null>>();

async function pageLocations(
  source: ByteSource,
  metadata: ParquetMetadata,
  rowGroupIndex: number,
  leaves: readonly number[],
  signal: AbortSignal | undefined,
): Promise<Array<PageLocation[] | undefined>> {
  let cache = locationCache.get(metadata);
  if (cache === undefined) locationCache.set(metadata, (cache = new Map()));
  const rg = metadata.rowGroups[rowGroupIndex]!;
  const missing: number[] = [];
  for (const leaf of leaves) {
    const cc = rg.columns[leaf]!;
    const key = `${rowGroupIndex}:${leaf}`;
    if (cache.has(key) || missing.includes(leaf)) continue;
    if (cc.offsetIndex === undefined || cc.offsetIndex.offset < 0 || cc.offsetIndex.offset + cc.offsetIndex.length > source.size) cache.set(key, null);
    else missing.push(leaf);
  }
  if (missing.length > 0) {
    const ranges = missing.map((leaf) => rg.columns[leaf]!.offsetIndex!);
    for (const read of coalesceRanges(ranges)) {
      signal?.throwIfAborted();
      const bytes = await source.read(read.offset, read.length);
      for (const k of read.members) {
        const from = ranges[k]!.offset - read.offset;
        const leaf = missing[k]!;
        cache.set(`${rowGroupIndex}:${leaf}`, checkLocations(parseOffsetIndex(bytes.subarray(from, from + ranges[k]!.length)), rg.columns[leaf]!, rg.numRows));
      }
    }
  }
  return leaves.map((leaf) => cache.get(`${rowGroupIndex}:${leaf}`) ?? undefined);
}

/** The page locations when they describe the chunk (pages in order inside it, rows from 0), else null. */
function checkLocations(locs: PageLocation[], cc: ColumnChunkMetadata, numRows: number): PageLocation[] | null {
  if (locs.length === 0 || locs[0]!.firstRowIndex !== 0) return null;
  let offset = cc.start;
  let row = 0;
  for (const loc of locs) {
    if (loc.offset < offset || loc.compressedPageSize <= 0 || loc.firstRowIndex < row || loc.firstRowIndex > numRows) return null;
    offset = loc.offset + loc.compressedPageSize;
    row = loc.firstRowIndex;
  }
  return offset <= cc.start + cc.totalCompressedSize ? locs : null;
}

/** Cuts whole-row-group vectors into batches of at most `rows` rows (no copying of typed arrays). */
export function* batchesOf(vectors: readonly Vector[], rows: number): Generator<Batch> {
  const length = vectors[0]?.length ?? 0;
  const all: Batch = { length, columns: vectors };
  for (let start = 0; start < length; start += rows) yield sliceBatch(all, start, Math.min(rows, length - start));
}

/** Per-page bounds of one column chunk from its page index, when the file has one. */
export interface PageStatistics extends ColumnStatistics {
  /** Row of the row group the page starts at. */
  readonly firstRow: number;
  /** True when every value of the page is NULL. */
  readonly allNull: boolean;
}

/**
 * Page-level min/max from the ColumnIndex and OffsetIndex of a column chunk (one read for both
 * when they are adjacent); undefined when the file has no page index for it.
 */
export async function readPageStatistics(source: ByteSource, metadata: ParquetMetadata, rowGroupIndex: number, leafColumnIndex: number): Promise<PageStatistics[] | undefined> {
  return (await loadPageIndex(source, metadata, rowGroupIndex, leafColumnIndex))?.pages;
}

/** readPageStatistics, and whether the page locations describe the chunk (see checkLocations). */
async function loadPageIndex(
  source: ByteSource,
  metadata: ParquetMetadata,
  rowGroupIndex: number,
  leafColumnIndex: number,
): Promise<{ pages: PageStatistics[]; usable: boolean } | undefined> {
  const cc = metadata.rowGroups[rowGroupIndex]?.columns[leafColumnIndex];
  const col = columnByIndex(metadata, leafColumnIndex);
  if (!cc?.columnIndex || !cc.offsetIndex) return undefined;
  const ranges = [cc.columnIndex, cc.offsetIndex];
  const [read] = coalesceRanges(ranges, 0);
  const parts: Uint8Array[] = [];
  if (read && read.members.length === 2) {
    const bytes = await source.read(read.offset, read.length);
    for (const r of ranges) parts.push(bytes.subarray(r.offset - read.offset, r.offset - read.offset + r.length));
  } else for (const r of ranges) parts.push(await source.read(r.offset, r.length));
  const ci = parseColumnIndex(parts[0]!);
  const locations = parseOffsetIndex(parts[1]!);
  let cache = locationCache.get(metadata);
  if (cache === undefined) locationCache.set(metadata, (cache = new Map()));
  const checked = checkLocations(locations, cc, metadata.rowGroups[rowGroupIndex]!.numRows);
  cache.set(`${rowGroupIndex}:${leafColumnIndex}`, checked);
  const typing = { type: col.list?.elementType ?? col.type, kind: col.kind, scale: col.decimalScale };
  const pages = locations.map((loc, i) => {
    const allNull = ci.nullPages[i] === true;
    const stats = allNull
      ? undefined
      : convertStatistics({ minValue: ci.minValues[i], maxValue: ci.maxValues[i], nullCount: ci.nullCounts?.[i] }, col.physicalTypeId, typing, 'type');
    return { firstRow: loc.firstRowIndex, allNull, ...stats, nullCount: ci.nullCounts?.[i] };
  });
  return { pages, usable: checked !== null };
}

/**
 * The rows of the pages whose statistics `keep` accepts, from the chunk's page index (its
 * ColumnIndex and OffsetIndex); undefined when the chunk has no page index. Pass the result
 * (intersected over columns with `intersectRowRanges`) to readColumnChunks.
 */
export async function pageRowRanges(
  source: ByteSource,
  metadata: ParquetMetadata,
  rowGroupIndex: number,
  keep: (stats: PageStatistics) => boolean,
  leafColumnIndex: number,
): Promise<RowRanges | undefined> {
  const index = await loadPageIndex(source, metadata, rowGroupIndex, leafColumnIndex);
  if (index === undefined || !index.usable) return undefined;
  const pages = index.pages;
  const numRows = metadata.rowGroups[rowGroupIndex]!.numRows;
  const out: Array<[number, number]> = [];
  for (let p = 0; p < pages.length; p++) {
    const start = pages[p]!.firstRow;
    const end = p + 1 < pages.length ? pages[p + 1]!.firstRow : numRows;
    if (start < end && keep(pages[p]!)) pushRange(out, start, end);
  }
  return out;
}

/**
 * The dictionary of a column chunk whose data pages are all dictionary-encoded: every value
 * the chunk holds, as a vector (without NULLs). Undefined for other chunks and LIST columns.
 * Reads only the bytes before the first data page.
 */
export async function readDictionary(source: ByteSource, metadata: ParquetMetadata, rowGroupIndex: number, leafColumnIndex: number): Promise<Vector | undefined> {
  const cc = metadata.rowGroups[rowGroupIndex]?.columns[leafColumnIndex];
  const column = columnByIndex(metadata, leafColumnIndex);
  if (!cc?.fullyDictionaryEncoded || column.list || cc.dataPageOffset <= cc.start) return undefined;
  const bytes = await source.read(cc.start, cc.dataPageOffset - cc.start);
  const data = readDictionaryPages(bytes, cc.codecId, decodeInfo(column));
  return data === null ? undefined : { type: column.type, length: data.length, data, nulls: null };
}
