/**
 * One column's writer: definition/repetition levels, page cutting, page headers, compression
 * and the column chunk's statistics, dictionary page and page index. A chunk's pages stay in
 * memory until the row group is written (a chunk must be contiguous in the file).
 *
 * Data pages are v1: [repetition levels][definition levels][values], compressed together;
 * levels are the RLE/bit-packed hybrid behind a 4-byte length and are omitted when their
 * maximum is 0 (required flat columns).
 */
import { SqlError, SqlState } from '../../../../engine/errors/index.js';
import { VectorBuilder, type Vector } from '../../../../engine/execution/batch/vector.js';
import { ByteBuilder, grown } from './bytes.js';
import type { PageCompressor } from './codec.js';
import { createEncoder, type PageStats, type ValueEncoder } from './encoders.js';
import {
  BoundaryOrder, Encoding, PageType, encodeColumnIndex, encodePageHeader, type ColumnIndex, type EncodingStats, type PageLocation,
  type Statistics,
} from './format.js';
import { bitWidth, encodeHybrid, encodeRepeated } from './rle.js';
import type { ColumnMapping } from './types.js';
import { CompactWriter } from './thrift.js';

export interface ColumnWriterOptions {
  readonly pageRows: number;
  readonly pageBytes: number;
  readonly dictionaryLimit: number;
  readonly compressor: PageCompressor;
}

interface DataPage {
  /** Offset from the start of the chunk's first data page. */
  readonly offset: number;
  /** Header plus compressed body. */
  readonly size: number;
  readonly firstRow: number;
  readonly nullCount: number;
  readonly stats: PageStats;
}

/** A finished column chunk, ready to be written at some file offset. */
export interface FinishedChunk {
  readonly buffers: readonly Uint8Array[];
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly numValues: number;
  /** Bytes of the dictionary page (header included), 0 when there is none. */
  readonly dictionaryPageSize: number;
  readonly encodings: readonly Encoding[];
  readonly encodingStats: readonly EncodingStats[];
  readonly statistics: Statistics;
  /** Page locations relative to the chunk start. */
  readonly pages: readonly PageLocation[];
  /** The ColumnIndex, or null when some page has no usable min/max. */
  readonly columnIndex: Uint8Array | null;
}

export class ColumnWriter {
  private readonly encoder: ValueEncoder;
  private readonly body = new ByteBuilder(1 << 20);
  private readonly header = new CompactWriter();
  private readonly defWidth: number;
  private readonly repWidth: number;
  // current page
  private rows = 0;
  private levels = 0;
  /** Level entries below the maximum definition level (NULLs, and for lists also empty/NULL lists). */
  private pageNulls = 0;
  private defLevels = new Uint8Array(1024);
  private repLevels = new Uint8Array(1024);
  // current chunk
  private buffers: Uint8Array[] = [];
  private pages: DataPage[] = [];
  private chunkRows = 0;
  private chunkValues = 0;
  private compressed = 0;
  private uncompressed = 0;
  private readonly pageEncodings = new Map<Encoding, number>();

  constructor(
    readonly mapping: ColumnMapping,
    private readonly options: ColumnWriterOptions,
  ) {
    const v = mapping.leaf.value;
    // Dictionaries for every type but BOOLEAN and FIXED_LEN_BYTE_ARRAY (UUIDs, wide decimals).
    const dictionary = v.kind !== 'bool' && v.kind !== 'uuid' && !(v.kind === 'decimal' && v.width > 0);
    this.encoder = createEncoder(mapping.leaf, { dictionary, dictionaryLimit: options.dictionaryLimit });
    this.defWidth = mapping.maxDefinition > 0 ? bitWidth(mapping.maxDefinition) : 0;
    this.repWidth = mapping.maxRepetition > 0 ? bitWidth(mapping.maxRepetition) : 0;
  }

  /** Bytes this column holds in memory (finished pages, dictionary and the open page). */
  bufferedBytes(): number {
    return this.compressed + this.encoder.bufferedBytes() + this.levels;
  }

  /** Appends rows [start, end) of `v`. */
  append(v: Vector, start: number, end: number): void {
    let pos = start;
    while (pos < end) {
      const take = Math.min(end - pos, this.options.pageRows - this.rows);
      if (this.mapping.list) this.appendLists(v, pos, pos + take);
      else this.appendFlat(v, pos, pos + take);
      this.rows += take;
      pos += take;
      if (this.encoder.dictionaryFull()) {
        this.flushPage();
        this.encoder.fallback();
      } else if (this.rows >= this.options.pageRows || this.encoder.pageBytes() >= this.options.pageBytes) {
        this.flushPage();
      }
    }
  }

  private appendFlat(v: Vector, start: number, end: number): void {
    const n = end - start;
    const nulls = v.nulls;
    if (this.mapping.maxDefinition === 0) {
      if (nulls !== null && nulls.subarray(start, end).includes(1)) throw this.notNull();
    } else {
      this.defLevels = grown(this.defLevels, this.levels + n);
      const d = this.defLevels;
      const base = this.levels - start;
      if (nulls === null) d.fill(1, this.levels, this.levels + n);
      else {
        let nullCount = 0;
        for (let i = start; i < end; i++) {
          const isNull = nulls[i]!;
          d[base + i] = 1 - isNull;
          nullCount += isNull;
        }
        this.pageNulls += nullCount;
      }
    }
    this.encoder.append(v, start, end, this.mapping.name);
    this.levels += n;
  }

  /** 3-level lists: NULL list (def 0, nullable only), empty list, NULL element, element. */
  private appendLists(v: Vector, start: number, end: number): void {
    const arrays = v.data as (readonly unknown[] | null)[];
    const nulls = v.nulls;
    const top = this.mapping.maxDefinition; // present element
    const elemType = this.mapping.pgType.elem!;
    const elements = new VectorBuilder(elemType, 256);
    for (let i = start; i < end; i++) {
      const isNull = nulls !== null && nulls[i] === 1;
      if (isNull && !this.mapping.nullable) throw this.notNull();
      const arr = isNull ? null : arrays[i]!;
      const count = arr === null || arr.length === 0 ? 1 : arr.length;
      this.defLevels = grown(this.defLevels, this.levels + count);
      this.repLevels = grown(this.repLevels, this.levels + count);
      if (arr === null || arr.length === 0) {
        this.defLevels[this.levels] = arr === null ? 0 : top - 2;
        this.repLevels[this.levels] = 0;
        this.levels++;
        this.pageNulls++;
        continue;
      }
      for (let j = 0; j < arr.length; j++) {
        const x = arr[j];
        const present = x !== null && x !== undefined;
        this.defLevels[this.levels] = present ? top : top - 1;
        this.repLevels[this.levels] = j === 0 ? 0 : 1;
        this.levels++;
        if (!present) this.pageNulls++;
        elements.push(present ? x : null);
      }
    }
    const flat = elements.finish();
    this.encoder.append(flat, 0, flat.length, this.mapping.name);
  }

  private notNull(): SqlError {
    return new SqlError(SqlState.NOT_NULL_VIOLATION, `null value in column "${this.mapping.name}" violates not-null constraint`, {
      detail: 'The Parquet column was declared required.',
    });
  }

  /** Cuts the open page (if any rows). */
  flushPage(): void {
    if (this.rows === 0) return;
    const stats = this.encoder.takePageStats();
    const body = this.body;
    body.reset();
    if (this.repWidth > 0) this.writeLevels(this.repLevels, this.repWidth, false);
    if (this.defWidth > 0) this.writeLevels(this.defLevels, this.defWidth, this.pageNulls === 0);
    const encoding = this.encoder.encodePage(body, this.pages.length === 0);
    const compressed = this.options.compressor.compress(body.contents());
    const header = encodePageHeader({
      type: PageType.DATA_PAGE,
      uncompressedSize: body.length,
      compressedSize: compressed.length,
      dataPage: { numValues: this.levels, encoding, statistics: this.statistics(stats, this.pageNulls) },
    }, this.header);
    const offset = this.pages.length === 0 ? 0 : this.pageEnd();
    this.pages.push({ offset, size: header.length + compressed.length, firstRow: this.chunkRows, nullCount: this.pageNulls, stats });
    this.buffers.push(header, compressed);
    this.compressed += header.length + compressed.length;
    this.uncompressed += header.length + body.length;
    this.pageEncodings.set(encoding, (this.pageEncodings.get(encoding) ?? 0) + 1);
    this.chunkRows += this.rows;
    this.chunkValues += this.levels;
    this.rows = 0;
    this.levels = 0;
    this.pageNulls = 0;
  }

  private pageEnd(): number {
    const last = this.pages[this.pages.length - 1]!;
    return last.offset + last.size;
  }

  private writeLevels(levels: Uint8Array, width: number, allMax: boolean): void {
    const body = this.body;
    body.ensure(4);
    const at = body.length;
    body.length += 4;
    if (allMax) encodeRepeated(body, this.mapping.maxDefinition, this.levels, width);
    else encodeHybrid(body, levels, this.levels, width);
    body.setInt32(at, body.length - at - 4);
  }

  private statistics(s: PageStats, nullCount: number): Statistics {
    const legacy = this.encoder.legacyStats && s.min !== null;
    return {
      nullCount,
      ...(s.min !== null ? { minValue: s.min, maxValue: s.max! } : {}),
      ...(legacy ? { legacyMin: s.min!, legacyMax: s.max! } : {}),
      ...(this.encoder.isFloat ? { nanCount: s.nanCount } : {}),
    };
  }

  /** Ends the column chunk: its pages (dictionary page first) and metadata. */
  finishChunk(): FinishedChunk {
    this.flushPage();
    const enc = this.encoder;
    const dict = enc.dictionary();
    let dictionaryPageSize = 0;
    let buffers = this.buffers;
    let uncompressed = this.uncompressed;
    const encodingStats: EncodingStats[] = [];
    if (dict) {
      const compressed = this.options.compressor.compress(dict.bytes);
      const header = encodePageHeader({
        type: PageType.DICTIONARY_PAGE,
        uncompressedSize: dict.bytes.length,
        compressedSize: compressed.length,
        dictionaryPage: { numValues: dict.count },
      }, this.header);
      dictionaryPageSize = header.length + compressed.length;
      uncompressed += header.length + dict.bytes.length;
      buffers = [header, compressed, ...buffers];
      encodingStats.push({ pageType: PageType.DICTIONARY_PAGE, encoding: Encoding.PLAIN, count: 1 });
    }
    for (const [encoding, count] of this.pageEncodings) encodingStats.push({ pageType: PageType.DATA_PAGE, encoding, count });
    const encodings = new Set<Encoding>();
    if (dict) encodings.add(Encoding.PLAIN);
    for (const e of this.pageEncodings.keys()) encodings.add(e);
    if (this.defWidth > 0 || this.repWidth > 0) encodings.add(Encoding.RLE);

    // chunk statistics: merged page statistics
    let min: Uint8Array | null = null;
    let max: Uint8Array | null = null;
    let complete = true;
    let nullCount = 0;
    let nanCount = 0;
    for (const p of this.pages) {
      nullCount += p.nullCount;
      nanCount += p.stats.nanCount;
      if (p.stats.min === null) {
        if (p.stats.ordered > 0) complete = false;
        continue;
      }
      if (min === null || enc.compare(p.stats.min, min) < 0) min = p.stats.min;
      if (max === null || enc.compare(p.stats.max!, max) > 0) max = p.stats.max!;
    }
    const stats: PageStats = complete ? { min, max, ordered: 1, nanCount } : { min: null, max: null, ordered: 1, nanCount };
    const pages = this.pages.map((p) => ({ offset: p.offset + dictionaryPageSize, compressedSize: p.size, firstRowIndex: p.firstRow }));
    const result: FinishedChunk = {
      buffers,
      compressedSize: this.compressed + dictionaryPageSize,
      uncompressedSize: uncompressed,
      numValues: this.chunkValues,
      dictionaryPageSize,
      encodings: [...encodings],
      encodingStats,
      statistics: this.statistics(stats, nullCount),
      pages,
      columnIndex: this.columnIndex(),
    };
    this.buffers = [];
    this.pages = [];
    this.chunkRows = 0;
    this.chunkValues = 0;
    this.compressed = 0;
    this.uncompressed = 0;
    this.pageEncodings.clear();
    enc.resetChunk();
    return result;
  }

  private columnIndex(): Uint8Array | null {
    const enc = this.encoder;
    const nullPages: boolean[] = [];
    const mins: Uint8Array[] = [];
    const maxs: Uint8Array[] = [];
    const nullCounts: number[] = [];
    const empty = new Uint8Array(0);
    for (const p of this.pages) {
      const allNull = p.stats.ordered === 0 && p.stats.nanCount === 0;
      if (!allNull && p.stats.min === null) return null; // all NaN, or a bound too long to keep
      nullPages.push(allNull);
      mins.push(allNull ? empty : p.stats.min!);
      maxs.push(allNull ? empty : p.stats.max!);
      nullCounts.push(p.nullCount);
    }
    let ascending = true;
    let descending = true;
    let prev = -1;
    for (let i = 0; i < nullPages.length; i++) {
      if (nullPages[i]) continue;
      if (prev >= 0) {
        const dMin = enc.compare(mins[prev]!, mins[i]!);
        const dMax = enc.compare(maxs[prev]!, maxs[i]!);
        if (dMin > 0 || dMax > 0) ascending = false;
        if (dMin < 0 || dMax < 0) descending = false;
      }
      prev = i;
    }
    const boundaryOrder = ascending ? BoundaryOrder.ASCENDING : descending ? BoundaryOrder.DESCENDING : BoundaryOrder.UNORDERED;
    const ci: ColumnIndex = { nullPages, minValues: mins, maxValues: maxs, boundaryOrder, nullCounts };
    return encodeColumnIndex(ci);
  }
}
