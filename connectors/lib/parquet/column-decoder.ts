/**
 * Decodes one column chunk (all its pages) straight into an engine Vector.
 *
 * Values are decoded densely (non-NULL values only) into the output typed array at the
 * page's first row, then moved to their rows by the definition levels, walking backwards
 * so the move happens in place; NULL rows are marked in the byte-per-row null map. The
 * identity cases (INT32 → int4/date, INT64 → int8/timestamp, DOUBLE → float8) are byte
 * copies into the vector's buffer. 64-bit values are handled as little-endian int32 pairs so
 * that no bigint is created per value. Dictionaries are converted to datums once and indexed.
 */
import { Buffer, isAscii } from 'node:buffer';
import { allocateData, type Vector, type VectorData } from '../../../engine/execution/batch/vector.js';
import { Numeric } from '../../../engine/types/numeric.js';
import type { PgType } from '../../../engine/types/pg-type.js';
import { decompress } from './compression.js';
import { beSigned, beSignedSmall, float16, int96Micros, uuidText } from './datums.js';
import {
  byteStreamSplit,
  decodeBitPackedLegacy,
  decodeDeltaInt32,
  decodeDeltaInt64,
  decodeHybridInt32,
  decodeHybridUint8,
  deltaByteArrays,
  deltaLengthByteArrays,
  fixedByteArrays,
  plainByteArrays,
  u32le,
  unpackUint8,
  type ByteArrays,
} from './encodings.js';
import { corrupt, unsupported } from './errors.js';
import { Codec, Encoding, encodingName, PageType, parsePageHeader, PhysicalType, physicalTypeName, type PageHeader } from './format.js';
import type { ValueKind } from './parquet-types.js';
import type { RowRanges } from './row-ranges.js';

/** What decoding a leaf column needs to know. */
export interface LeafDecodeInfo {
  readonly physicalType: number;
  readonly typeLength: number;
  readonly kind: ValueKind;
  readonly scale: number;
  /** The vector's type (an array type for LIST columns). */
  readonly type: PgType;
  readonly maxDefinitionLevel: number;
  readonly maxRepetitionLevel: number;
  /** LIST columns: the definition level at which the repeated node is present. */
  readonly repeatedDefinitionLevel?: number;
}

export interface ChunkInfo {
  readonly codec: number;
  /** Leaf values in the chunk, NULLs included (ColumnMetaData.num_values). */
  readonly numValues: number;
  /** Rows of the row group. */
  readonly numRows: number;
}

const TWO32 = 4294967296;

// Scratch space shared by all decodes (decoding is synchronous, so nothing interleaves).
let defScratch = new Uint8Array(1024);
let repScratch = new Uint8Array(1024);
let idxScratch = new Int32Array(1024);
let i32Scratch = new Int32Array(1024);
let f32Bytes = new Uint8Array(4096);

/** `a` when it holds n values, else a new array of its type at least twice as long (called once per page). */
function atLeast<T extends Uint8Array | Int32Array>(a: T, n: number, make: (length: number) => T): T {
  return a.length < n ? make(Math.max(n, a.length * 2)) : a;
}
const newBytes = (k: number) => new Uint8Array(k);
const newInt32s = (k: number) => new Int32Array(k);
const defLevels = (n: number): Uint8Array => (defScratch = atLeast(defScratch, n, newBytes));
const repLevels = (n: number): Uint8Array => (repScratch = atLeast(repScratch, n, newBytes));
const indices = (n: number): Int32Array => (idxScratch = atLeast(idxScratch, n, newInt32s));
const int32s = (n: number): Int32Array => (i32Scratch = atLeast(i32Scratch, n, newInt32s));
/** A scratch Int32Array with room for n int64 values as lo/hi pairs. */
const int64Pairs = (n: number): Int32Array => int32s(2 * n);

const bytesOf = (a: Int32Array | Float64Array | BigInt64Array | Float32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The vector for one column chunk; `bytes` holds the chunk's pages (from its first page). */
export function decodeColumnChunk(bytes: Uint8Array, chunk: ChunkInfo, leaf: LeafDecodeInfo, signal?: AbortSignal): Vector {
  const d = new ChunkDecoder(leaf, chunk);
  let pos = 0;
  while (d.valuesRead < chunk.numValues) {
    if (pos >= bytes.length) throw corrupt(`column chunk ended after ${d.valuesRead} of ${chunk.numValues} values`);
    signal?.throwIfAborted();
    const { header, length } = parsePageHeader(bytes, pos);
    pos += length;
    const end = pos + header.compressedPageSize;
    if (end > bytes.length || header.compressedPageSize < 0) throw corrupt('page extends past its column chunk');
    feedPage(d, header, bytes.subarray(pos, end), chunk.codec);
    pos = end;
  }
  return d.finish();
}

/** Decompresses and decodes one page (dictionary or data) into `d`; index pages are ignored. */
function feedPage(d: ChunkDecoder, header: PageHeader, body: Uint8Array, codec: number): void {
  switch (header.type) {
    case PageType.DICTIONARY_PAGE: {
      const dh = header.dictionaryPageHeader;
      if (!dh) throw corrupt('dictionary page without its header');
      const data = decompress(codec, body, header.uncompressedPageSize);
      d.readDictionary(data, dh.numValues);
      break;
    }
    case PageType.DATA_PAGE: {
      const h = header.dataPageHeader;
      if (!h) throw corrupt('data page without its header');
      const data = decompress(codec, body, header.uncompressedPageSize);
      d.readPageV1(data, h.numValues, h.encoding, h.definitionLevelEncoding, h.repetitionLevelEncoding);
      break;
    }
    case PageType.DATA_PAGE_V2: {
      const h = header.dataPageHeaderV2;
      if (!h) throw corrupt('data page without its header');
      const levels = h.repetitionLevelsByteLength + h.definitionLevelsByteLength;
      if (levels > body.length) throw corrupt('page levels longer than the page');
      const compressed = body.subarray(levels);
      const values =
        h.isCompressed && codec !== Codec.UNCOMPRESSED
          ? decompress(codec, compressed, header.uncompressedPageSize - levels)
          : compressed;
      d.readPageV2(body, h.repetitionLevelsByteLength, h.definitionLevelsByteLength, values, h.numValues, h.numNulls, h.encoding);
      break;
    }
    default:
      break; // index pages carry nothing a reader needs
  }
}

// ---- decoding only some rows ---------------------------------------------------------------

/** One data page of a column chunk, located by the chunk's OffsetIndex. */
export interface LocatedPage {
  /** The page: its header and body. */
  readonly bytes: Uint8Array;
  /** Row of the row group the page starts at, and its row count. */
  readonly firstRow: number;
  readonly rows: number;
}

/**
 * Rows `ranges` of a column chunk from some of its pages (located by its OffsetIndex):
 * `dictionary` holds the bytes before the first data page (the dictionary page, if any) or
 * is null; `pages` are the data pages holding the rows, in order. Each page is decoded on its
 * own and the wanted rows are copied out.
 */
export function decodeLocatedPages(
  dictionary: Uint8Array | null,
  pages: readonly LocatedPage[],
  chunk: ChunkInfo,
  leaf: LeafDecodeInfo,
  ranges: RowRanges,
  count: number,
  signal?: AbortSignal,
): Vector {
  const dict = dictionary === null ? null : readDictionaryPages(dictionary, chunk.codec, leaf);
  const rows = new RowCollector(leaf.type, ranges, count);
  for (const page of pages) {
    signal?.throwIfAborted();
    const { header, length } = parsePageHeader(page.bytes, 0);
    const end = length + header.compressedPageSize;
    if (end > page.bytes.length || header.compressedPageSize < 0) throw corrupt('page extends past its page location');
    if (header.type !== PageType.DATA_PAGE && header.type !== PageType.DATA_PAGE_V2) throw corrupt('page location does not point at a data page');
    const n = header.dataPageHeader?.numValues ?? header.dataPageHeaderV2?.numValues ?? 0;
    rows.add(decodeOnePage(header, page.bytes.subarray(length, end), n, page.rows, chunk.codec, leaf, dict), page.firstRow);
  }
  return rows.finish();
}

/**
 * Rows `ranges` of a column chunk, `bytes` holding the whole chunk (no OffsetIndex). The page
 * headers are walked; pages holding none of the rows are neither decompressed nor decoded.
 * A data page v1 of a LIST column does not say how many rows it holds: such a chunk is decoded
 * whole and the rows taken from it.
 */
export function decodeChunkRows(bytes: Uint8Array, chunk: ChunkInfo, leaf: LeafDecodeInfo, ranges: RowRanges, count: number, signal?: AbortSignal): Vector {
  const list = leaf.maxRepetitionLevel > 0;
  const rows = new RowCollector(leaf.type, ranges, count);
  let dict: VectorData | null = null;
  let valuesSeen = 0;
  let row = 0;
  let pos = 0;
  while (valuesSeen < chunk.numValues && !rows.done()) {
    if (pos >= bytes.length) throw corrupt(`column chunk ended after ${valuesSeen} of ${chunk.numValues} values`);
    signal?.throwIfAborted();
    const { header, length } = parsePageHeader(bytes, pos);
    pos += length;
    const end = pos + header.compressedPageSize;
    if (end > bytes.length || header.compressedPageSize < 0) throw corrupt('page extends past its column chunk');
    const body = bytes.subarray(pos, end);
    pos = end;
    let n: number;
    let pageRows: number;
    if (header.type === PageType.DATA_PAGE) {
      if (list) {
        const whole = decodeColumnChunk(bytes, chunk, leaf, signal);
        const all = new RowCollector(leaf.type, ranges, count);
        all.add(whole, 0);
        return all.finish();
      }
      if (!header.dataPageHeader) throw corrupt('data page without its header');
      n = pageRows = header.dataPageHeader.numValues;
    } else if (header.type === PageType.DATA_PAGE_V2) {
      if (!header.dataPageHeaderV2) throw corrupt('data page without its header');
      n = header.dataPageHeaderV2.numValues;
      pageRows = header.dataPageHeaderV2.numRows;
    } else {
      if (header.type === PageType.DICTIONARY_PAGE) {
        const d = new ChunkDecoder(leaf, { codec: chunk.codec, numValues: 0, numRows: 0 });
        feedPage(d, header, body, chunk.codec);
        dict = d.dict;
      }
      continue;
    }
    if (n < 0 || pageRows < 0) throw corrupt('negative page size');
    if (rows.wants(row, pageRows)) rows.add(decodeOnePage(header, body, n, pageRows, chunk.codec, leaf, dict), row);
    row += pageRows;
    valuesSeen += n;
  }
  return rows.finish();
}

/** The dictionary of a chunk from the bytes before its first data page (null when there is none). */
export function readDictionaryPages(bytes: Uint8Array, codec: number, leaf: LeafDecodeInfo): VectorData | null {
  const d = new ChunkDecoder(leaf, { codec, numValues: 0, numRows: 0 });
  let pos = 0;
  while (pos < bytes.length) {
    const { header, length } = parsePageHeader(bytes, pos);
    pos += length;
    const end = pos + header.compressedPageSize;
    if (end > bytes.length || header.compressedPageSize < 0) throw corrupt('page extends past its column chunk');
    if (header.type === PageType.DICTIONARY_PAGE) feedPage(d, header, bytes.subarray(pos, end), codec);
    else if (header.type !== PageType.INDEX_PAGE) throw corrupt('data page before the first page location');
    pos = end;
  }
  return d.dict;
}

/** One data page as a vector of its `rows` rows (`n` leaf values). */
function decodeOnePage(header: PageHeader, body: Uint8Array, n: number, rows: number, codec: number, leaf: LeafDecodeInfo, dict: VectorData | null): Vector {
  const d = new ChunkDecoder(leaf, { codec, numValues: n, numRows: rows });
  d.dict = dict;
  feedPage(d, header, body, codec);
  return d.finish();
}

/** Gathers the rows of `ranges` from page vectors handed over in row order. */
class RowCollector {
  private readonly data: VectorData;
  private nulls: Uint8Array | null = null;
  /** Rows written so far. */
  private w = 0;
  /** First range that may still take rows. */
  private r = 0;

  constructor(private readonly type: PgType, private readonly ranges: RowRanges, private readonly count: number) {
    this.data = allocateData(type.layout, count);
  }

  /** Whether rows [first, first + n) hold any wanted row. Calls come in row order. */
  wants(first: number, n: number): boolean {
    const ranges = this.ranges;
    while (this.r < ranges.length && ranges[this.r]![1] <= first) this.r++;
    return this.r < ranges.length && ranges[this.r]![0] < first + n;
  }

  done(): boolean {
    return this.r >= this.ranges.length;
  }

  /** Copies the wanted rows of `v`, whose row 0 is row `first` of the row group. */
  add(v: Vector, first: number): void {
    const ranges = this.ranges;
    const last = first + v.length;
    const typed = !Array.isArray(this.data);
    while (this.r < ranges.length) {
      const [start, end] = ranges[this.r]!;
      if (start >= last) break;
      const a = Math.max(start, first) - first;
      const b = Math.min(end, last) - first;
      if (a < b) {
        if (this.w + (b - a) > this.count) throw corrupt('pages hold more rows than their row group');
        if (typed) (this.data as Int32Array).set((v.data as Int32Array).subarray(a, b), this.w);
        else {
          const src = v.data as unknown[];
          const dst = this.data as unknown[];
          for (let i = a, j = this.w; i < b; i++, j++) dst[j] = src[i];
        }
        if (v.nulls !== null) {
          if (this.nulls === null) this.nulls = new Uint8Array(this.count);
          this.nulls.set(v.nulls.subarray(a, b), this.w);
        }
        this.w += b - a;
      }
      if (end > last) break;
      this.r++;
    }
  }

  finish(): Vector {
    if (this.w !== this.count) throw corrupt(`column chunk holds ${this.w} of the ${this.count} rows asked for`);
    return { type: this.type, length: this.count, data: this.data, nulls: this.nulls };
  }
}

class ChunkDecoder {
  valuesRead = 0;
  private readonly elemType: PgType;
  private readonly list: boolean;
  /** Flat columns: the vector's data (one slot per row). LIST columns: the dense element values. */
  private readonly out: VectorData;
  /** Int32 view of `out` when its layout is int64. */
  private readonly out32: Int32Array | null;
  private nulls: Uint8Array | null = null;
  /** Next row (flat) or next dense element slot (LIST). */
  private pos = 0;
  /** The chunk's dictionary, once read. */
  dict: VectorData | null = null;
  /** LIST columns: every leaf entry's levels. */
  private readonly allDefs: Uint8Array | null;
  private readonly allReps: Uint8Array | null;

  constructor(private readonly leaf: LeafDecodeInfo, private readonly chunk: ChunkInfo) {
    this.list = leaf.maxRepetitionLevel > 0;
    if (this.list && leaf.repeatedDefinitionLevel === undefined) throw unsupported('nested repeated column');
    this.elemType = this.list ? leaf.type.elem! : leaf.type;
    this.out = allocateData(this.elemType.layout, this.list ? chunk.numValues : chunk.numRows);
    this.out32 = this.out instanceof BigInt64Array ? new Int32Array(this.out.buffer, this.out.byteOffset, this.out.length * 2) : null;
    this.allDefs = this.list ? new Uint8Array(chunk.numValues) : null;
    this.allReps = this.list ? new Uint8Array(chunk.numValues) : null;
  }

  readDictionary(data: Uint8Array, n: number): void {
    const dict = allocateData(this.elemType.layout, n);
    const dict32 = dict instanceof BigInt64Array ? new Int32Array(dict.buffer, dict.byteOffset, n * 2) : null;
    this.decodeValues(Encoding.PLAIN, data, 0, data.length, n, dict, dict32, 0);
    this.dict = dict;
  }

  readPageV1(data: Uint8Array, n: number, encoding: number, defEncoding: number, repEncoding: number): void {
    let p = 0;
    const { maxDefinitionLevel: maxDef, maxRepetitionLevel: maxRep } = this.leaf;
    const reps = maxRep > 0 ? repLevels(n) : null;
    const defs = maxDef > 0 ? defLevels(n) : null;
    if (reps) p = this.levelsV1(data, p, repEncoding, maxRep, n, reps);
    if (defs) p = this.levelsV1(data, p, defEncoding, maxDef, n, defs);
    this.page(data, p, data.length, n, -1, encoding, defs, reps);
  }

  readPageV2(levelBytes: Uint8Array, repLen: number, defLen: number, values: Uint8Array, n: number, numNulls: number, encoding: number): void {
    const { maxDefinitionLevel: maxDef, maxRepetitionLevel: maxRep } = this.leaf;
    const reps = maxRep > 0 ? repLevels(n) : null;
    const defs = maxDef > 0 ? defLevels(n) : null;
    if (reps) decodeHybridUint8(levelBytes, 0, repLen, bitWidth(maxRep), n, reps, 0);
    if (defs) decodeHybridUint8(levelBytes, repLen, repLen + defLen, bitWidth(maxDef), n, defs, 0);
    this.page(values, 0, values.length, n, this.list ? -1 : n - numNulls, encoding, defs, reps);
  }

  private levelsV1(data: Uint8Array, p: number, encoding: number, max: number, n: number, out: Uint8Array): number {
    if (encoding === Encoding.RLE) {
      if (p + 4 > data.length) throw corrupt('truncated levels');
      const len = u32le(data, p);
      if (p + 4 + len > data.length) throw corrupt('levels longer than the page');
      decodeHybridUint8(data, p + 4, p + 4 + len, bitWidth(max), n, out, 0);
      return p + 4 + len;
    }
    if (encoding === Encoding.BIT_PACKED) return decodeBitPackedLegacy(data, p, bitWidth(max), n, out);
    throw unsupported(`level encoding ${encodingName(encoding)}`);
  }

  /** One data page: n leaf entries; `present` = non-NULL values when known (else -1). */
  private page(data: Uint8Array, p: number, end: number, n: number, present: number, encoding: number, defs: Uint8Array | null, reps: Uint8Array | null): void {
    const maxDef = this.leaf.maxDefinitionLevel;
    if (this.valuesRead + n > this.chunk.numValues) throw corrupt('pages hold more values than their column chunk');
    let count = n;
    if (defs !== null && (present < 0 || present !== n)) {
      count = 0;
      for (let i = 0; i < n; i++) if (defs[i] === maxDef) count++;
    }
    if (this.list) {
      this.decodeValues(encoding, data, p, end, count, this.out, this.out32, this.pos);
      this.pos += count;
      this.allDefs!.set(defs!.subarray(0, n), this.valuesRead);
      this.allReps!.set(reps!.subarray(0, n), this.valuesRead);
      this.valuesRead += n;
      return;
    }
    if (this.pos + n > this.chunk.numRows) throw corrupt('pages hold more rows than their row group');
    this.decodeValues(encoding, data, p, end, count, this.out, this.out32, this.pos);
    if (count < n) {
      if (this.nulls === null) this.nulls = new Uint8Array(this.chunk.numRows);
      this.scatter(defs!, maxDef, n, count);
    }
    this.pos += n;
    this.valuesRead += n;
  }

  /** Moves the `count` dense values at out[pos…] to their rows; marks the others NULL. */
  private scatter(defs: Uint8Array, maxDef: number, n: number, count: number): void {
    const base = this.pos;
    const nulls = this.nulls!;
    const out = this.out;
    if (this.out32 !== null) scatterPairs(this.out32, base, n, count, defs, maxDef, nulls);
    else if (out instanceof Int32Array) scatterInt32(out, base, n, count, defs, maxDef, nulls);
    else if (out instanceof Float64Array) scatterFloat64(out, base, n, count, defs, maxDef, nulls);
    else if (out instanceof Uint8Array) scatterUint8(out, base, n, count, defs, maxDef, nulls);
    else scatterObjects(out as unknown[], base, n, count, defs, maxDef, nulls);
  }

  /** Decodes `n` non-NULL values into out[off…] (out32: out's int32 view for int64 layouts). */
  private decodeValues(encoding: number, data: Uint8Array, p: number, end: number, n: number, out: VectorData, out32: Int32Array | null, off: number): void {
    if (n === 0) return;
    if (encoding === Encoding.PLAIN_DICTIONARY || encoding === Encoding.RLE_DICTIONARY) {
      const dict = this.dict;
      if (dict === null) throw corrupt('dictionary-encoded page without a dictionary');
      if (p >= end) throw corrupt('truncated dictionary indices');
      const width = data[p]!;
      if (width > 32) throw corrupt('dictionary index width over 32');
      const idx = indices(n);
      decodeHybridInt32(data, p + 1, end, width, n, idx, 0);
      gather(dict, idx, n, out, out32, off);
      return;
    }
    const leaf = this.leaf;
    switch (leaf.kind) {
      case 'bool': return decodeBooleans(encoding, data, p, end, n, out as Uint8Array, off);
      case 'int32': return decodeInt32(encoding, data, p, end, n, out as Int32Array, off);
      case 'uint32':
      case 'time-millis': {
        const tmp = int32s(n);
        decodeInt32(encoding, data, p, end, n, tmp, 0);
        if (leaf.kind === 'uint32') for (let i = 0; i < n; i++) {
          out32![2 * (off + i)] = tmp[i]!;
          out32![2 * (off + i) + 1] = 0;
        }
        else for (let i = 0; i < n; i++) {
          const v = tmp[i]!;
          setMul1000(out32!, off + i, v, v < 0 ? -1 : 0);
        }
        return;
      }
      case 'decimal32': {
        const tmp = int32s(n);
        decodeInt32(encoding, data, p, end, n, tmp, 0);
        const o = out as unknown[];
        const scale = leaf.scale;
        for (let i = 0; i < n; i++) o[off + i] = Numeric.fromSafeInteger(tmp[i]!, scale);
        return;
      }
      case 'int64':
        return decodeInt64(encoding, data, p, end, n, out32!, off);
      case 'int64-millis': {
        decodeInt64(encoding, data, p, end, n, out32!, off);
        for (let i = off; i < off + n; i++) setMul1000(out32!, i, out32![2 * i]! >>> 0, out32![2 * i + 1]!);
        return;
      }
      case 'int64-nanos': {
        decodeInt64(encoding, data, p, end, n, out32!, off);
        for (let i = off; i < off + n; i++) divFloor1000(out32!, i);
        return;
      }
      case 'decimal64':
      case 'uint64': {
        const tmp = int64Pairs(n);
        decodeInt64(encoding, data, p, end, n, tmp, 0);
        const o = out as unknown[];
        const scale = leaf.scale;
        const unsigned = leaf.kind === 'uint64';
        for (let i = 0; i < n; i++) {
          const lo = tmp[2 * i]! >>> 0;
          const hi = tmp[2 * i + 1]!;
          const v = unsigned ? (hi >>> 0) * TWO32 + lo : hi * TWO32 + lo;
          o[off + i] = Number.isSafeInteger(v)
            ? Numeric.fromSafeInteger(v, scale)
            : Numeric.fromBigInt(unsigned ? (BigInt(hi >>> 0) << 32n) | BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo), scale);
        }
        return;
      }
      case 'float': return decodeFloat(encoding, data, p, end, n, out as Float64Array, off);
      case 'double': return decodeDouble(encoding, data, p, end, n, out as Float64Array, off);
      case 'int96': {
        if (encoding !== Encoding.PLAIN) throw badEncoding(encoding, leaf);
        if (p + 12 * n > end) throw corrupt('INT96 values out of bounds');
        const o = out as BigInt64Array;
        for (let i = 0; i < n; i++) o[off + i] = int96Micros(data, p + 12 * i);
        return;
      }
      default:
        return this.decodeBinary(encoding, data, p, end, n, out as unknown[], off);
    }
  }

  private decodeBinary(encoding: number, data: Uint8Array, p: number, end: number, n: number, out: unknown[] | Float64Array, off: number): void {
    const leaf = this.leaf;
    const fixed = leaf.physicalType === PhysicalType.FIXED_LEN_BYTE_ARRAY;
    const width = leaf.typeLength;
    let ba: ByteArrays;
    switch (encoding) {
      case Encoding.PLAIN:
        ba = fixed ? fixedByteArrays(data, p, end, n, width) : plainByteArrays(data, p, end, n);
        break;
      case Encoding.DELTA_LENGTH_BYTE_ARRAY:
        if (fixed) throw badEncoding(encoding, leaf);
        ba = deltaLengthByteArrays(data, p, end, n);
        break;
      case Encoding.DELTA_BYTE_ARRAY:
        ba = deltaByteArrays(data, p, end, n);
        break;
      case Encoding.BYTE_STREAM_SPLIT: {
        if (!fixed) throw badEncoding(encoding, leaf);
        const buf = new Uint8Array(n * width);
        byteStreamSplit(data, p, end, n, width, buf, 0);
        ba = fixedByteArrays(buf, 0, buf.length, n, width);
        break;
      }
      default:
        throw badEncoding(encoding, leaf);
    }
    if (fixed) for (let i = 0; i < n; i++) if (ba.lens[i] !== width) throw corrupt('FIXED_LEN_BYTE_ARRAY value of the wrong length');
    const { buf, starts, lens } = ba;
    switch (leaf.kind) {
      case 'string': return toStrings(ba, out as unknown[], off);
      case 'bytes': {
        const o = out as unknown[];
        for (let i = 0; i < n; i++) o[off + i] = buf.slice(starts[i]!, starts[i]! + lens[i]!);
        return;
      }
      case 'uuid': {
        const o = out as unknown[];
        for (let i = 0; i < n; i++) o[off + i] = uuidText(buf, starts[i]!);
        return;
      }
      case 'float16': {
        const o = out as Float64Array;
        for (let i = 0; i < n; i++) o[off + i] = float16(buf, starts[i]!);
        return;
      }
      case 'decimal-bytes': {
        const o = out as unknown[];
        const scale = leaf.scale;
        for (let i = 0; i < n; i++) {
          const small = beSignedSmall(buf, starts[i]!, lens[i]!);
          o[off + i] = Number.isNaN(small) ? Numeric.fromBigInt(beSigned(buf, starts[i]!, lens[i]!), scale) : Numeric.fromSafeInteger(small, scale);
        }
        return;
      }
      default:
        throw badEncoding(encoding, leaf);
    }
  }

  finish(): Vector {
    const { leaf, chunk } = this;
    if (!this.list) {
      if (this.pos !== chunk.numRows) throw corrupt(`column chunk holds ${this.pos} rows, its row group ${chunk.numRows}`);
      return { type: leaf.type, length: chunk.numRows, data: this.out, nulls: this.nulls };
    }
    return assembleLists(leaf, chunk.numRows, this.valuesRead, this.out, this.allDefs!, this.allReps!);
  }
}

const bitWidth = (max: number): number => 32 - Math.clz32(max);

const badEncoding = (encoding: number, leaf: LeafDecodeInfo) =>
  unsupported(`encoding ${encodingName(encoding)} for ${physicalTypeName(leaf.physicalType)} values`);

// ---- physical decoders -------------------------------------------------------------------

function decodeBooleans(encoding: number, data: Uint8Array, p: number, end: number, n: number, out: Uint8Array, off: number): void {
  if (encoding === Encoding.PLAIN) {
    if (p + Math.ceil(n / 8) > end) throw corrupt('BOOLEAN values out of bounds');
    unpackUint8(data, p, 1, n, out, off);
  } else if (encoding === Encoding.RLE) {
    if (p + 4 > end) throw corrupt('truncated RLE booleans');
    const len = u32le(data, p);
    decodeHybridUint8(data, p + 4, Math.min(end, p + 4 + len), 1, n, out, off);
  } else throw unsupported(`encoding ${encodingName(encoding)} for BOOLEAN values`);
}

function decodeInt32(encoding: number, data: Uint8Array, p: number, end: number, n: number, out: Int32Array, off: number): void {
  decodeIntegers(4, encoding, data, p, end, n, out, off);
}

/** INT64 values as lo/hi int32 pairs into out32, starting at value `off`. */
function decodeInt64(encoding: number, data: Uint8Array, p: number, end: number, n: number, out32: Int32Array, off: number): void {
  decodeIntegers(8, encoding, data, p, end, n, out32, off);
}

/**
 * INT32 (`width` 4) or INT64 (`width` 8, as lo/hi int32 pairs) values into out32 from value
 * `off` on. The branches on `width` are taken once per page, never per value.
 */
function decodeIntegers(width: 4 | 8, encoding: number, data: Uint8Array, p: number, end: number, n: number, out32: Int32Array, off: number): void {
  switch (encoding) {
    case Encoding.PLAIN:
      if (p + width * n > end) throw corrupt(`${width === 4 ? 'INT32' : 'INT64'} values out of bounds`);
      new Uint8Array(out32.buffer, out32.byteOffset + width * off, width * n).set(data.subarray(p, p + width * n));
      return;
    case Encoding.DELTA_BINARY_PACKED: {
      const r = width === 4 ? decodeDeltaInt32(data, p, out32, off, n) : decodeDeltaInt64(data, p, out32, off, n);
      if (r.count < n) throw corrupt('DELTA_BINARY_PACKED holds fewer values than the page');
      return;
    }
    case Encoding.BYTE_STREAM_SPLIT:
      byteStreamSplit(data, p, end, n, width, bytesOf(out32), width * off);
      return;
    default:
      throw unsupported(`encoding ${encodingName(encoding)} for ${width === 4 ? 'INT32' : 'INT64'} values`);
  }
}

function decodeFloat(encoding: number, data: Uint8Array, p: number, end: number, n: number, out: Float64Array, off: number): void {
  if (f32Bytes.length < 4 * n) f32Bytes = new Uint8Array(Math.max(4 * n, f32Bytes.length * 2));
  if (encoding === Encoding.PLAIN) {
    if (p + 4 * n > end) throw corrupt('FLOAT values out of bounds');
    f32Bytes.set(data.subarray(p, p + 4 * n));
  } else if (encoding === Encoding.BYTE_STREAM_SPLIT) byteStreamSplit(data, p, end, n, 4, f32Bytes, 0);
  else throw unsupported(`encoding ${encodingName(encoding)} for FLOAT values`);
  const f32 = new Float32Array(f32Bytes.buffer, 0, n);
  for (let i = 0; i < n; i++) out[off + i] = f32[i]!;
}

function decodeDouble(encoding: number, data: Uint8Array, p: number, end: number, n: number, out: Float64Array, off: number): void {
  if (encoding === Encoding.PLAIN) {
    if (p + 8 * n > end) throw corrupt('DOUBLE values out of bounds');
    new Uint8Array(out.buffer, out.byteOffset + 8 * off, 8 * n).set(data.subarray(p, p + 8 * n));
  } else if (encoding === Encoding.BYTE_STREAM_SPLIT) byteStreamSplit(data, p, end, n, 8, bytesOf(out), 8 * off);
  else throw unsupported(`encoding ${encodingName(encoding)} for DOUBLE values`);
}

/** out[i] (an int64 as an int32 pair) = (hi·2^32 + lo) × 1000, lo unsigned. */
function setMul1000(out32: Int32Array, i: number, lo: number, hi: number): void {
  const loProd = lo * 1000; // < 2^42: exact
  const carry = Math.floor(loProd / TWO32);
  out32[2 * i] = (loProd - carry * TWO32) | 0;
  out32[2 * i + 1] = (hi * 1000 + carry) | 0;
}

/** out[i] (an int64 as an int32 pair) = floor(out[i] / 1000), exactly. */
function divFloor1000(out32: Int32Array, i: number): void {
  const hi = out32[2 * i + 1]!;
  const lo = out32[2 * i]! >>> 0;
  const qHi = Math.floor(hi / 1000);
  const rest = (hi - qHi * 1000) * TWO32 + lo; // < 1000·2^32: exact
  const qLo = Math.floor(rest / 1000); // < 2^32
  out32[2 * i] = qLo | 0;
  out32[2 * i + 1] = qHi | 0;
}

// ---- strings -------------------------------------------------------------------------------

const utf8 = new TextDecoder();

/**
 * Byte strings → JS strings. The bytes spanning all values are turned into one latin1 string
 * (one native call); an ASCII value is then a slice of it. Values with other bytes are
 * decoded as UTF-8 one by one.
 */
function toStrings(ba: ByteArrays, out: unknown[], off: number): void {
  const { buf, starts, lens, count } = ba;
  if (count === 0) return;
  let lo = starts[0]!;
  let hi = lo + lens[0]!;
  for (let i = 1; i < count; i++) {
    const s = starts[i]!;
    if (s < lo) lo = s;
    const e = s + lens[i]!;
    if (e > hi) hi = e;
  }
  const region = buf.subarray(lo, hi);
  const text = Buffer.from(region.buffer, region.byteOffset, region.byteLength).toString('latin1');
  if (isAscii(region)) {
    for (let i = 0; i < count; i++) {
      const s = starts[i]! - lo;
      out[off + i] = text.slice(s, s + lens[i]!);
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const s = starts[i]!;
    const e = s + lens[i]!;
    let ascii = true;
    for (let k = s; k < e; k++) {
      if (buf[k]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    out[off + i] = ascii ? text.slice(s - lo, e - lo) : utf8.decode(buf.subarray(s, e));
  }
}

// ---- dictionary gather and NULL scatter --------------------------------------------------

function gather(dict: VectorData, idx: Int32Array, n: number, out: VectorData, out32: Int32Array | null, off: number): void {
  const size = dict.length;
  if (out32 !== null) {
    const d32 = new Int32Array((dict as BigInt64Array).buffer, (dict as BigInt64Array).byteOffset, size * 2);
    for (let i = 0; i < n; i++) {
      const k = idx[i]!;
      if (k >>> 0 >= size) throw corrupt('dictionary index out of range');
      out32[2 * (off + i)] = d32[2 * k]!;
      out32[2 * (off + i) + 1] = d32[2 * k + 1]!;
    }
  } else if (out instanceof Int32Array) gatherInt32(dict as Int32Array, idx, n, out, off);
  else if (out instanceof Float64Array) gatherFloat64(dict as Float64Array, idx, n, out, off);
  else if (out instanceof Uint8Array) gatherUint8(dict as Uint8Array, idx, n, out, off);
  else gatherObjects(dict as unknown[], idx, n, out as unknown[], off);
}

function gatherInt32(dict: Int32Array, idx: Int32Array, n: number, out: Int32Array, off: number): void {
  const size = dict.length;
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    if (k >>> 0 >= size) throw corrupt('dictionary index out of range');
    out[off + i] = dict[k]!;
  }
}
function gatherFloat64(dict: Float64Array, idx: Int32Array, n: number, out: Float64Array, off: number): void {
  const size = dict.length;
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    if (k >>> 0 >= size) throw corrupt('dictionary index out of range');
    out[off + i] = dict[k]!;
  }
}
function gatherUint8(dict: Uint8Array, idx: Int32Array, n: number, out: Uint8Array, off: number): void {
  const size = dict.length;
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    if (k >>> 0 >= size) throw corrupt('dictionary index out of range');
    out[off + i] = dict[k]!;
  }
}
function gatherObjects(dict: unknown[], idx: Int32Array, n: number, out: unknown[], off: number): void {
  const size = dict.length;
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    if (k >>> 0 >= size) throw corrupt('dictionary index out of range');
    out[off + i] = dict[k];
  }
}

function scatterInt32(out: Int32Array, base: number, n: number, count: number, defs: Uint8Array, maxDef: number, nulls: Uint8Array): void {
  let k = base + count;
  for (let i = n - 1; i >= 0; i--) {
    if (defs[i] === maxDef) out[base + i] = out[--k]!;
    else nulls[base + i] = 1;
  }
}
function scatterFloat64(out: Float64Array, base: number, n: number, count: number, defs: Uint8Array, maxDef: number, nulls: Uint8Array): void {
  let k = base + count;
  for (let i = n - 1; i >= 0; i--) {
    if (defs[i] === maxDef) out[base + i] = out[--k]!;
    else {
      out[base + i] = 0;
      nulls[base + i] = 1;
    }
  }
}
function scatterUint8(out: Uint8Array, base: number, n: number, count: number, defs: Uint8Array, maxDef: number, nulls: Uint8Array): void {
  let k = base + count;
  for (let i = n - 1; i >= 0; i--) {
    if (defs[i] === maxDef) out[base + i] = out[--k]!;
    else {
      out[base + i] = 0;
      nulls[base + i] = 1;
    }
  }
}
function scatterPairs(out32: Int32Array, base: number, n: number, count: number, defs: Uint8Array, maxDef: number, nulls: Uint8Array): void {
  let k = base + count;
  for (let i = n - 1; i >= 0; i--) {
    const j = 2 * (base + i);
    if (defs[i] === maxDef) {
      k--;
      out32[j] = out32[2 * k]!;
      out32[j + 1] = out32[2 * k + 1]!;
    } else {
      out32[j] = 0;
      out32[j + 1] = 0;
      nulls[base + i] = 1;
    }
  }
}
function scatterObjects(out: unknown[], base: number, n: number, count: number, defs: Uint8Array, maxDef: number, nulls: Uint8Array): void {
  let k = base + count;
  for (let i = n - 1; i >= 0; i--) {
    if (defs[i] === maxDef) out[base + i] = out[--k];
    else {
      out[base + i] = null;
      nulls[base + i] = 1;
    }
  }
}

// ---- LIST assembly -----------------------------------------------------------------------

/** Rows of one-dimensional arrays from dense element values and every entry's levels. */
function assembleLists(leaf: LeafDecodeInfo, numRows: number, entries: number, values: VectorData, defs: Uint8Array, reps: Uint8Array): Vector {
  const maxDef = leaf.maxDefinitionLevel;
  const repeatedDef = leaf.repeatedDefinitionLevel!;
  const rows = new Array<unknown>(numRows);
  let nulls: Uint8Array | null = null;
  const bool = leaf.type.elem!.layout === 'bool';
  let row = -1;
  let current: unknown[] | null = null;
  let v = 0;
  for (let i = 0; i < entries; i++) {
    if (reps[i] === 0) {
      row++;
      if (row >= numRows) throw corrupt('LIST column holds more rows than its row group');
      const def = defs[i]!;
      if (def < repeatedDef - 1) {
        if (nulls === null) nulls = new Uint8Array(numRows);
        nulls[row] = 1;
        rows[row] = null;
        current = null;
        continue;
      }
      current = [];
      rows[row] = current;
      if (def === repeatedDef - 1) continue; // an empty list
    } else if (current === null) throw corrupt('LIST element continues a NULL list');
    const def = defs[i]!;
    if (def === maxDef) {
      const x = (values as unknown[])[v++];
      current.push(bool ? x === 1 : x);
    } else current.push(null);
  }
  if (row !== numRows - 1) throw corrupt(`LIST column holds ${row + 1} rows, its row group ${numRows}`);
  return { type: leaf.type, length: numRows, data: rows, nulls };
}
