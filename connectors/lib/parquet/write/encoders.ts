/**
 * Value encoders: one per Parquet physical type. Each takes the non-NULL values of a vector
 * range, keeps the current page's values (dictionary indices or PLAIN bytes) and the page's
 * min/max, and writes the page's value section when the chunk writer cuts a page.
 *
 * Dictionary encoding (RLE_DICTIONARY pages + one PLAIN dictionary page per column chunk) is
 * tried for every type but BOOLEAN and FIXED_LEN_BYTE_ARRAY. It is dropped for the chunk when
 * the first page shows it does not pay (dictionary + indices ≥ PLAIN size), and the chunk
 * falls back to PLAIN for its remaining pages once the dictionary passes the size limit.
 */
import type { Vector } from '../../../../engine/execution/batch/vector.js';
import { formatInterval, type Interval } from '../../../../engine/types/interval.js';
import type { Numeric } from '../../../../engine/types/numeric.js';
import { ByteBuilder, grown, LITTLE_ENDIAN } from './bytes.js';
import { Encoding } from './format.js';
import { bitWidth, encodeHybrid } from './rle.js';
import { decimalUnscaled, type DecimalKind, type LeafMapping } from './types.js';

/** Min/max of one page, PLAIN-encoded without length prefix; null when not kept. */
export interface PageStats {
  min: Uint8Array | null;
  max: Uint8Array | null;
  /** Non-NULL values that take part in min/max (NaN excluded). */
  ordered: number;
  /** FLOAT/DOUBLE only. */
  nanCount: number;
}

/** Min/max values longer than this are not written (as Arrow's writer does by default). */
export const MAX_STATISTICS_SIZE = 4096;

export interface ValueEncoder {
  /** Whether statistics are also written to the legacy signed min/max fields. */
  readonly legacyStats: boolean;
  readonly isFloat: boolean;
  /** Values in the current page. */
  readonly count: number;
  append(v: Vector, start: number, end: number, column: string): void;
  /** Encoded size of the current page's values so far. */
  pageBytes(): number;
  /** Dictionary plus page bytes held in memory. */
  bufferedBytes(): number;
  /** True when the dictionary outgrew its limit: cut the page, then call fallback(). */
  dictionaryFull(): boolean;
  fallback(): void;
  /** Takes the current page's statistics. Call before encodePage. */
  takePageStats(): PageStats;
  /** Writes the page's value section, returns its encoding and starts a new page. */
  encodePage(out: ByteBuilder, firstPageOfChunk: boolean): Encoding;
  /** The PLAIN dictionary page content of the chunk, if its pages used one. */
  dictionary(): { bytes: Uint8Array; count: number } | null;
  /** Starts a new column chunk (dictionary encoding is tried again). */
  resetChunk(): void;
  /** Order of two encoded statistics values. */
  compare(a: Uint8Array, b: Uint8Array): number;
}

export interface EncoderOptions {
  /** Dictionary size (PLAIN bytes) past which a chunk falls back to PLAIN. */
  readonly dictionaryLimit: number;
  readonly dictionary: boolean;
}

// ---- helpers ----------------------------------------------------------------------------

/** Unsigned bytewise order (UTF-8 strings, bytea, UUID). */
export function compareBytes(a: Uint8Array, aStart: number, aLen: number, b: Uint8Array, bStart: number, bLen: number): number {
  const n = aLen < bLen ? aLen : bLen;
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

const compareUnsigned = (a: Uint8Array, b: Uint8Array): number => compareBytes(a, 0, a.length, b, 0, b.length);

/** Signed order of equal-width big-endian two's-complement values (FIXED decimals). */
function compareSignedBE(a: Uint8Array, b: Uint8Array): number {
  if (a.length === 0 || b.length === 0) return a.length - b.length;
  const d = ((a[0]! << 24) >> 24) - ((b[0]! << 24) >> 24);
  return d !== 0 ? d : compareBytes(a, 1, a.length - 1, b, 1, b.length - 1);
}

/** A page's values: dictionary indices, or the PLAIN bytes gathered (and then cleared). */
function writePageValues(out: ByteBuilder, dictionary: boolean, indices: Int32Array, n: number, entries: number, plain: ByteBuilder): Encoding {
  if (dictionary) {
    writeIndices(out, indices, n, entries);
    return Encoding.RLE_DICTIONARY;
  }
  out.bytes(plain.contents());
  plain.reset();
  return Encoding.PLAIN;
}

function writeIndices(out: ByteBuilder, indices: Int32Array, count: number, entries: number): void {
  const w = bitWidth(Math.max(entries - 1, 1));
  out.byte(w);
  encodeHybrid(out, indices, count, w);
}

/** Bit width in bytes used to estimate an index page. */
const indexBytes = (count: number, entries: number): number => Math.ceil((count * bitWidth(Math.max(entries - 1, 1))) / 8);

// ---- fixed-width numbers: INT32, INT64, FLOAT, DOUBLE --------------------------------------

type FixedKind = 'i32' | 'f32' | 'i64' | 'f64';
type FixedArray = Int32Array | Float32Array | BigInt64Array | Float64Array;

const EMPTY_SLOT = -1;

/**
 * INT32 / INT64 / FLOAT / DOUBLE. Values are handled as 32-bit words (one or two per value)
 * so PLAIN pages are byte copies and the dictionary hashes words, never allocating per value.
 */
class FixedEncoder implements ValueEncoder {
  readonly legacyStats = true;
  readonly isFloat: boolean;
  count = 0;
  private readonly words: 1 | 2;
  private mode: 'dict' | 'plain';
  private readonly plain = new ByteBuilder(1 << 16);
  private indices = new Int32Array(1024);
  // dictionary
  private dictWords = new Int32Array(1024);
  private entries = 0;
  private slots = new Int32Array(1024).fill(EMPTY_SLOT);
  private mask = 1023;
  // conversion scratch
  private scratch: FixedArray;
  // page statistics (numbers for i32/f32/f64; hi/lo words for i64)
  private has = false;
  private min = 0;
  private max = 0;
  private minLo = 0;
  private maxLo = 0;
  private nan = 0;
  private ordered = 0;

  constructor(
    private readonly kind: FixedKind,
    private readonly source: 'int32' | 'int64' | 'float32' | 'float64' | 'decimal',
    private readonly decimal: DecimalKind | null,
    private readonly options: EncoderOptions,
  ) {
    this.words = kind === 'i64' || kind === 'f64' ? 2 : 1;
    this.isFloat = kind === 'f32' || kind === 'f64';
    this.mode = options.dictionary ? 'dict' : 'plain';
    this.scratch = this.allocate(1024);
  }

  private allocate(n: number): FixedArray {
    switch (this.kind) {
      case 'i32': return new Int32Array(n);
      case 'f32': return new Float32Array(n);
      case 'i64': return new BigInt64Array(n);
      case 'f64': return new Float64Array(n);
    }
  }

  /** The non-NULL physical values of v[start, end), copied only when needed. */
  private physical(v: Vector, start: number, end: number, column: string): FixedArray {
    const nulls = v.nulls;
    const n = end - start;
    if (this.source !== 'decimal' && this.source !== 'float32' && nulls === null) {
      return (v.data as Int32Array).subarray(start, end);
    }
    if (this.scratch.length < n) this.scratch = this.allocate(Math.max(n, this.scratch.length * 2));
    let k = 0;
    switch (this.source) {
      case 'int32': {
        const src = v.data as Int32Array;
        const dst = this.scratch as Int32Array;
        for (let i = start; i < end; i++) if (nulls![i] === 0) dst[k++] = src[i]!;
        break;
      }
      case 'int64': case 'float64': {
        // Copied as pairs of 32-bit words: reading a BigInt64Array element would allocate.
        const data = v.data as BigInt64Array;
        const src = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
        const dst = new Int32Array(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length * 2);
        for (let i = start; i < end; i++) {
          if (nulls![i] === 0) {
            dst[2 * k] = src[2 * i]!;
            dst[2 * k + 1] = src[2 * i + 1]!;
            k++;
          }
        }
        break;
      }
      case 'float32': {
        const src = v.data as Float64Array;
        const dst = this.scratch as Float32Array;
        if (nulls === null) for (let i = start; i < end; i++) dst[k++] = src[i]!;
        else for (let i = start; i < end; i++) if (nulls[i] === 0) dst[k++] = src[i]!;
        break;
      }
      case 'decimal': {
        const src = v.data as Numeric[];
        const d = this.decimal!;
        if (this.kind === 'i32') {
          const dst = this.scratch as Int32Array;
          for (let i = start; i < end; i++) if (nulls === null || nulls[i] === 0) dst[k++] = Number(decimalUnscaled(src[i]!, d, column));
        } else {
          const dst = this.scratch as BigInt64Array;
          for (let i = start; i < end; i++) if (nulls === null || nulls[i] === 0) dst[k++] = decimalUnscaled(src[i]!, d, column);
        }
        break;
      }
    }
    return this.scratch.subarray(0, k);
  }

  append(v: Vector, start: number, end: number, column: string): void {
    const values = this.physical(v, start, end, column);
    const n = values.length;
    if (n === 0) return;
    this.updateStats(values);
    const words = new Int32Array(values.buffer, values.byteOffset, n * this.words);
    if (this.mode === 'dict') {
      this.indices = grown(this.indices, this.count + n);
      if (this.words === 1) this.lookup1(words, n);
      else this.lookup2(words, n);
    } else {
      this.plain.typed(values);
    }
    this.count += n;
  }

  private updateStats(values: FixedArray): void {
    const n = values.length;
    switch (this.kind) {
      case 'i32': {
        const a = values as Int32Array;
        let lo = this.has ? this.min : a[0]!;
        let hi = this.has ? this.max : a[0]!;
        for (let i = 0; i < n; i++) {
          const x = a[i]!;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        this.min = lo;
        this.max = hi;
        this.has = true;
        this.ordered += n;
        return;
      }
      case 'f32': case 'f64': {
        const a = values as Float64Array;
        let lo = this.has ? this.min : Infinity;
        let hi = this.has ? this.max : -Infinity;
        let nan = 0;
        for (let i = 0; i < n; i++) {
          const x = a[i]!;
          if (x !== x) nan++;
          else {
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
        }
        this.nan += nan;
        if (nan < n) {
          this.min = lo;
          this.max = hi;
          this.has = true;
          this.ordered += n - nan;
        }
        return;
      }
      case 'i64': {
        const w = new Int32Array(values.buffer, values.byteOffset, n * 2);
        let minHi = this.has ? this.min : w[1]!;
        let minLo = this.has ? this.minLo : w[0]! >>> 0;
        let maxHi = this.has ? this.max : w[1]!;
        let maxLo = this.has ? this.maxLo : w[0]! >>> 0;
        for (let i = 0; i < n; i++) {
          const h = w[2 * i + 1]!;
          const l = w[2 * i]! >>> 0;
          if (h < minHi || (h === minHi && l < minLo)) {
            minHi = h;
            minLo = l;
          }
          if (h > maxHi || (h === maxHi && l > maxLo)) {
            maxHi = h;
            maxLo = l;
          }
        }
        this.min = minHi;
        this.minLo = minLo;
        this.max = maxHi;
        this.maxLo = maxLo;
        this.has = true;
        this.ordered += n;
        return;
      }
    }
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    this.slots = new Int32Array(cap).fill(EMPTY_SLOT);
    this.mask = cap - 1;
    const d = this.dictWords;
    for (let e = 0; e < this.entries; e++) {
      let h = this.words === 1 ? hash1(d[e]!) & this.mask : hash2(d[2 * e]!, d[2 * e + 1]!) & this.mask;
      while (this.slots[h] !== EMPTY_SLOT) h = (h + 1) & this.mask;
      this.slots[h] = e;
    }
  }

  private lookup1(words: Int32Array, n: number): void {
    const out = this.indices;
    let k = this.count;
    let slots = this.slots;
    let mask = this.mask;
    let dict = this.dictWords;
    for (let i = 0; i < n; i++) {
      const w = words[i]!;
      let h = hash1(w) & mask;
      let e = slots[h]!;
      while (e !== EMPTY_SLOT && dict[e] !== w) {
        h = (h + 1) & mask;
        e = slots[h]!;
      }
      if (e === EMPTY_SLOT) {
        e = this.entries++;
        dict = this.dictWords = grown(dict, this.entries);
        dict[e] = w;
        slots[h] = e;
        if (this.entries * 2 > slots.length) {
          this.rehash();
          slots = this.slots;
          mask = this.mask;
        }
      }
      out[k++] = e;
    }
  }

  private lookup2(words: Int32Array, n: number): void {
    const out = this.indices;
    let k = this.count;
    let slots = this.slots;
    let mask = this.mask;
    let dict = this.dictWords;
    for (let i = 0; i < n; i++) {
      const w0 = words[2 * i]!;
      const w1 = words[2 * i + 1]!;
      let h = hash2(w0, w1) & mask;
      let e = slots[h]!;
      while (e !== EMPTY_SLOT && (dict[2 * e] !== w0 || dict[2 * e + 1] !== w1)) {
        h = (h + 1) & mask;
        e = slots[h]!;
      }
      if (e === EMPTY_SLOT) {
        e = this.entries++;
        dict = this.dictWords = grown(dict, 2 * this.entries);
        dict[2 * e] = w0;
        dict[2 * e + 1] = w1;
        slots[h] = e;
        if (this.entries * 2 > slots.length) {
          this.rehash();
          slots = this.slots;
          mask = this.mask;
        }
      }
      out[k++] = e;
    }
  }

  private valueBytes(): number {
    return 4 * this.words;
  }

  pageBytes(): number {
    return this.mode === 'dict' ? indexBytes(this.count, this.entries) : this.plain.length;
  }

  bufferedBytes(): number {
    return this.pageBytes() + this.entries * this.valueBytes();
  }

  dictionaryFull(): boolean {
    return this.mode === 'dict' && this.entries * this.valueBytes() > this.options.dictionaryLimit;
  }

  fallback(): void {
    this.mode = 'plain';
  }

  takePageStats(): PageStats {
    const stats: PageStats = { min: null, max: null, ordered: this.ordered, nanCount: this.nan };
    if (this.has) {
      stats.min = this.encodeStat(this.min, this.minLo, true);
      stats.max = this.encodeStat(this.max, this.maxLo, false);
    }
    this.has = false;
    this.nan = 0;
    this.ordered = 0;
    return stats;
  }

  private encodeStat(x: number, lo: number, isMin: boolean): Uint8Array {
    const b = new Uint8Array(4 * this.words);
    const dv = new DataView(b.buffer);
    switch (this.kind) {
      case 'i32': dv.setInt32(0, x, true); break;
      // A zero bound is written as -0.0 (min) / +0.0 (max), as the format asks.
      case 'f32': dv.setFloat32(0, x === 0 ? (isMin ? -0 : 0) : x, true); break;
      case 'f64': dv.setFloat64(0, x === 0 ? (isMin ? -0 : 0) : x, true); break;
      case 'i64':
        dv.setInt32(0, lo | 0, true);
        dv.setInt32(4, x, true);
        break;
    }
    return b;
  }

  compare(a: Uint8Array, b: Uint8Array): number {
    const da = new DataView(a.buffer, a.byteOffset, a.byteLength);
    const db = new DataView(b.buffer, b.byteOffset, b.byteLength);
    switch (this.kind) {
      case 'i32': return da.getInt32(0, true) - db.getInt32(0, true);
      case 'f32': return Math.sign(da.getFloat32(0, true) - db.getFloat32(0, true));
      case 'f64': return Math.sign(da.getFloat64(0, true) - db.getFloat64(0, true));
      case 'i64': {
        const x = da.getBigInt64(0, true);
        const y = db.getBigInt64(0, true);
        return x < y ? -1 : x > y ? 1 : 0;
      }
    }
  }

  encodePage(out: ByteBuilder, firstPageOfChunk: boolean): Encoding {
    if (this.mode === 'dict' && firstPageOfChunk) {
      const dictionary = this.entries * this.valueBytes();
      if (dictionary + indexBytes(this.count, this.entries) >= this.count * this.valueBytes()) this.dropDictionary();
    }
    const n = this.count;
    this.count = 0;
    return writePageValues(out, this.mode === 'dict', this.indices, n, this.entries, this.plain);
  }

  /** Turns the current (first) page into PLAIN values and stops using a dictionary for the chunk. */
  private dropDictionary(): void {
    const wpv = this.words;
    const d = this.dictWords;
    const words = new Int32Array(this.count * wpv);
    for (let i = 0; i < this.count; i++) {
      const e = this.indices[i]!;
      words[i * wpv] = d[e * wpv]!;
      if (wpv === 2) words[i * 2 + 1] = d[e * 2 + 1]!;
    }
    this.plain.reset();
    this.plain.typed(words);
    this.mode = 'plain';
    this.clearDictionary();
  }

  private clearDictionary(): void {
    this.entries = 0;
    if (this.slots.length > 1024) {
      this.slots = new Int32Array(1024);
      this.mask = 1023;
      this.dictWords = new Int32Array(1024);
    }
    this.slots.fill(EMPTY_SLOT);
  }

  dictionary(): { bytes: Uint8Array; count: number } | null {
    if (this.entries === 0) return null;
    const bytes = new Uint8Array(this.dictWords.buffer, 0, this.entries * this.valueBytes()).slice();
    return { bytes, count: this.entries };
  }

  resetChunk(): void {
    this.clearDictionary();
    this.mode = this.options.dictionary ? 'dict' : 'plain';
    this.count = 0;
    this.plain.reset();
  }
}

const hash1 = (w: number): number => {
  const h = Math.imul(w, 0x9e3779b1);
  return h ^ (h >>> 15);
};
const hash2 = (w0: number, w1: number): number => {
  const h = Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b), 0x9e3779b1);
  return h ^ (h >>> 15);
};

// ---- BOOLEAN --------------------------------------------------------------------------

class BooleanEncoder implements ValueEncoder {
  readonly legacyStats = true;
  readonly isFloat = false;
  count = 0;
  private values = new Uint8Array(1024);
  private sawFalse = false;
  private sawTrue = false;

  append(v: Vector, start: number, end: number): void {
    const src = v.data as Uint8Array;
    const nulls = v.nulls;
    this.values = grown(this.values, this.count + end - start);
    const dst = this.values;
    let k = this.count;
    let ones = 0;
    for (let i = start; i < end; i++) {
      if (nulls === null || nulls[i] === 0) {
        const b = src[i]! === 0 ? 0 : 1;
        dst[k++] = b;
        ones += b;
      }
    }
    const n = k - this.count;
    if (ones > 0) this.sawTrue = true;
    if (ones < n) this.sawFalse = true;
    this.count = k;
  }

  pageBytes(): number {
    return this.count >> 3;
  }

  bufferedBytes(): number {
    return this.count;
  }

  dictionaryFull(): boolean {
    return false;
  }

  fallback(): void {}

  takePageStats(): PageStats {
    const any = this.sawFalse || this.sawTrue;
    const stats: PageStats = {
      min: any ? Uint8Array.of(this.sawFalse ? 0 : 1) : null,
      max: any ? Uint8Array.of(this.sawTrue ? 1 : 0) : null,
      ordered: this.count,
      nanCount: 0,
    };
    this.sawFalse = this.sawTrue = false;
    return stats;
  }

  encodePage(out: ByteBuilder): Encoding {
    const n = this.count;
    const bytes = (n + 7) >> 3;
    out.ensure(bytes);
    const buf = out.buf;
    const base = out.length;
    buf.fill(0, base, base + bytes);
    const v = this.values;
    for (let i = 0; i < n; i++) buf[base + (i >> 3)]! |= v[i]! << (i & 7);
    out.length = base + bytes;
    this.count = 0;
    return Encoding.PLAIN;
  }

  dictionary(): null {
    return null;
  }

  resetChunk(): void {
    this.count = 0;
  }

  compare(a: Uint8Array, b: Uint8Array): number {
    return a[0]! - b[0]!;
  }
}

// ---- BYTE_ARRAY: strings, JSON, interval text, bytea ----------------------------------------

/** src[start, start+len) copied to the front of `dst` (grown when needed). */
function copyInto(dst: Uint8Array<ArrayBuffer>, src: Uint8Array, start: number, len: number): Uint8Array<ArrayBuffer> {
  const d = grown(dst, len);
  if (len < 64) for (let j = 0; j < len; j++) d[j] = src[start + j]!;
  else d.set(src.subarray(start, start + len));
  return d;
}

/**
 * Running min/max over byte strings, kept as copies: unsigned bytewise, or (`signed`) as
 * equal-width big-endian two's-complement numbers.
 */
class ByteRange {
  min = new Uint8Array(64);
  minLen = -1;
  max = new Uint8Array(64);
  maxLen = -1;

  constructor(private readonly signed = false) {}

  private cmp(src: Uint8Array, start: number, len: number, b: Uint8Array, bLen: number): number {
    if (this.signed && len > 0 && bLen > 0) {
      const d = ((src[start]! << 24) >> 24) - ((b[0]! << 24) >> 24);
      if (d !== 0) return d;
    }
    return compareBytes(src, start, len, b, 0, bLen);
  }

  offer(src: Uint8Array, start: number, len: number): void {
    if (this.minLen < 0 || this.cmp(src, start, len, this.min, this.minLen) < 0) {
      this.min = copyInto(this.min, src, start, len);
      this.minLen = len;
    }
    if (this.maxLen < 0 || this.cmp(src, start, len, this.max, this.maxLen) > 0) {
      this.max = copyInto(this.max, src, start, len);
      this.maxLen = len;
    }
  }

  take(ordered: number): PageStats {
    const stats: PageStats = { min: null, max: null, ordered, nanCount: 0 };
    if (this.minLen >= 0 && this.minLen <= MAX_STATISTICS_SIZE && this.maxLen <= MAX_STATISTICS_SIZE) {
      stats.min = this.min.slice(0, this.minLen);
      stats.max = this.max.slice(0, this.maxLen);
    }
    this.minLen = this.maxLen = -1;
    return stats;
  }
}

/**
 * Writes a JS string as UTF-8 at the end of `out`; returns its byte length. One native call
 * per string: faster than a charCodeAt loop even for short ASCII strings, and much faster for
 * strings that are slices of a large external string (as the tpch connector produces).
 */
function putUtf8(out: ByteBuilder, s: string): number {
  out.ensure(s.length * 3);
  const start = out.length;
  const len = out.buf.write(s, start, 'utf8');
  out.length = start + len;
  return len;
}

class ByteArrayEncoder implements ValueEncoder {
  readonly legacyStats = false;
  readonly isFloat = false;
  count = 0;
  private mode: 'dict' | 'plain';
  private readonly plain = new ByteBuilder(1 << 16);
  private indices = new Int32Array(1024);
  /** PLAIN bytes of the current page if it were not dictionary-encoded. */
  private plainSize = 0;
  // dictionary: PLAIN-encoded entries (4-byte length + bytes) and where each one's bytes start
  private readonly map = new Map<string, number>();
  private readonly dict = new ByteBuilder(1 << 16);
  private entryStart = new Int32Array(1024);
  private entryLen = new Int32Array(1024);
  private entries = 0;
  // entries used by the current page (for its statistics)
  private used = new Uint8Array(1024);
  private usedList = new Int32Array(1024);
  private usedCount = 0;
  private readonly range = new ByteRange();

  constructor(
    private readonly source: 'string' | 'interval' | 'bytea',
    private readonly options: EncoderOptions,
  ) {
    this.mode = options.dictionary ? 'dict' : 'plain';
  }

  append(v: Vector, start: number, end: number): void {
    const data = v.data as unknown[];
    if (this.source === 'interval') {
      // Intervals are written as their PostgreSQL text.
      const texts = new Array<string | null>(end - start);
      for (let i = start; i < end; i++) texts[i - start] = v.nulls !== null && v.nulls[i] !== 0 ? null : formatInterval(data[i] as Interval);
      this.appendValues(texts, null, 0, end - start, false);
    } else this.appendValues(data, v.nulls, start, end, this.source === 'bytea');
  }

  private appendValues(data: readonly unknown[], nulls: Uint8Array | null, start: number, end: number, bytea: boolean): void {
    if (this.mode === 'dict') {
      this.indices = grown(this.indices, this.count + end - start);
      const out = this.indices;
      const map = this.map;
      let k = this.count;
      let plainSize = this.plainSize;
      for (let i = start; i < end; i++) {
        const x = data[i];
        if (x === null || (nulls !== null && nulls[i] !== 0)) continue;
        let key: string;
        if (bytea) {
          const b = x as Uint8Array;
          key = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
        } else key = x as string;
        let e = map.get(key);
        if (e === undefined) e = this.addEntry(key, x);
        out[k++] = e;
        plainSize += 4 + this.entryLen[e]!;
        if (this.used[e] === 0) {
          this.used[e] = 1;
          this.usedList[this.usedCount++] = e;
        }
      }
      this.count = k;
      this.plainSize = plainSize;
      return;
    }
    const out = this.plain;
    const range = this.range;
    let k = this.count;
    for (let i = start; i < end; i++) {
      const x = data[i];
      if (x === null || (nulls !== null && nulls[i] !== 0)) continue;
      let len: number;
      let at: number;
      if (bytea) {
        const b = x as Uint8Array;
        out.ensure(4 + b.length);
        at = out.length;
        out.buf.set(b, at + 4);
        len = b.length;
      } else {
        const str = x as string;
        out.ensure(4 + str.length * 3);
        at = out.length;
        len = out.buf.write(str, at + 4, 'utf8');
      }
      out.setInt32(at, len);
      out.length = at + 4 + len;
      range.offer(out.buf, at + 4, len);
      k++;
    }
    this.count = k;
  }

  private addEntry(key: string, x: unknown): number {
    const e = this.entries++;
    if (e >= this.entryStart.length) {
      this.entryStart = grown(this.entryStart, e + 1);
      this.entryLen = grown(this.entryLen, e + 1);
      this.used = grown(this.used, e + 1);
      this.usedList = grown(this.usedList, e + 1);
    }
    const d = this.dict;
    d.ensure(4);
    const at = d.length;
    d.length += 4;
    let len: number;
    if (this.source === 'bytea') {
      d.bytes(x as Uint8Array);
      len = (x as Uint8Array).length;
    } else len = putUtf8(d, key);
    d.setInt32(at, len);
    this.entryStart[e] = at + 4;
    this.entryLen[e] = len;
    this.map.set(key, e);
    return e;
  }

  pageBytes(): number {
    return this.mode === 'dict' ? indexBytes(this.count, this.entries) : this.plain.length;
  }

  bufferedBytes(): number {
    return this.pageBytes() + this.dict.length;
  }

  dictionaryFull(): boolean {
    return this.mode === 'dict' && this.dict.length > this.options.dictionaryLimit;
  }

  fallback(): void {
    this.mode = 'plain';
  }

  takePageStats(): PageStats {
    if (this.mode === 'plain') return this.range.take(this.count);
    const d = this.dict.buf;
    let lo = -1;
    let hi = -1;
    for (let j = 0; j < this.usedCount; j++) {
      const e = this.usedList[j]!;
      this.used[e] = 0;
      const s = this.entryStart[e]!;
      const l = this.entryLen[e]!;
      if (lo < 0 || compareBytes(d, s, l, d, this.entryStart[lo]!, this.entryLen[lo]!) < 0) lo = e;
      if (hi < 0 || compareBytes(d, s, l, d, this.entryStart[hi]!, this.entryLen[hi]!) > 0) hi = e;
    }
    this.usedCount = 0;
    const stats: PageStats = { min: null, max: null, ordered: this.count, nanCount: 0 };
    if (lo >= 0 && this.entryLen[lo]! <= MAX_STATISTICS_SIZE && this.entryLen[hi]! <= MAX_STATISTICS_SIZE) {
      stats.min = d.slice(this.entryStart[lo]!, this.entryStart[lo]! + this.entryLen[lo]!);
      stats.max = d.slice(this.entryStart[hi]!, this.entryStart[hi]! + this.entryLen[hi]!);
    }
    return stats;
  }

  encodePage(out: ByteBuilder, firstPageOfChunk: boolean): Encoding {
    if (this.mode === 'dict' && firstPageOfChunk && this.dict.length + indexBytes(this.count, this.entries) >= this.plainSize) {
      this.dropDictionary();
    }
    const n = this.count;
    this.count = 0;
    this.plainSize = 0;
    return writePageValues(out, this.mode === 'dict', this.indices, n, this.entries, this.plain);
  }

  private dropDictionary(): void {
    const p = this.plain;
    p.reset();
    p.ensure(this.plainSize);
    const d = this.dict.buf;
    for (let i = 0; i < this.count; i++) {
      const e = this.indices[i]!;
      const s = this.entryStart[e]! - 4;
      p.buf.set(d.subarray(s, s + 4 + this.entryLen[e]!), p.length);
      p.length += 4 + this.entryLen[e]!;
    }
    this.mode = 'plain';
    this.clearDictionary();
  }

  private clearDictionary(): void {
    this.map.clear();
    this.dict.reset();
    this.entries = 0;
  }

  dictionary(): { bytes: Uint8Array; count: number } | null {
    return this.entries === 0 ? null : { bytes: this.dict.toBytes(), count: this.entries };
  }

  resetChunk(): void {
    this.clearDictionary();
    this.mode = this.options.dictionary ? 'dict' : 'plain';
    this.count = 0;
    this.plainSize = 0;
    this.plain.reset();
  }

  compare(a: Uint8Array, b: Uint8Array): number {
    return compareUnsigned(a, b);
  }
}

// ---- FIXED_LEN_BYTE_ARRAY: UUID and wide decimals ---------------------------------------------

const HEX_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) t[97 + i] = t[65 + i] = 10 + i;
  return t;
})();

class FixedLenEncoder implements ValueEncoder {
  readonly legacyStats = false;
  readonly isFloat = false;
  count = 0;
  private readonly plain = new ByteBuilder(1 << 16);
  private readonly range: ByteRange;
  private readonly wide = new BigInt64Array(2);
  private readonly wideBytes = new Uint8Array(this.wide.buffer);

  constructor(
    private readonly width: number,
    private readonly decimal: DecimalKind | null,
  ) {
    this.range = new ByteRange(decimal !== null);
  }

  append(v: Vector, start: number, end: number, column: string): void {
    const data = v.data as unknown[];
    const nulls = v.nulls;
    const w = this.width;
    const out = this.plain;
    for (let i = start; i < end; i++) {
      if (nulls !== null && nulls[i] !== 0) continue;
      out.ensure(w);
      const at = out.length;
      if (this.decimal) this.putDecimal(out.buf, at, decimalUnscaled(data[i] as Numeric, this.decimal, column));
      else putUuid(out.buf, at, data[i] as string);
      out.length = at + w;
      this.range.offer(out.buf, at, w);
      this.count++;
    }
  }

  /** Big-endian two's complement in `width` bytes (width ≤ 16). */
  private putDecimal(buf: Uint8Array, at: number, u: bigint): void {
    this.wide[0] = BigInt.asIntN(64, u);
    this.wide[1] = u >> 64n;
    const le = this.wideBytes;
    const w = this.width;
    for (let j = 0; j < w; j++) buf[at + j] = le[LITTLE_ENDIAN ? w - 1 - j : j]!;
  }

  pageBytes(): number {
    return this.plain.length;
  }

  bufferedBytes(): number {
    return this.plain.length;
  }

  dictionaryFull(): boolean {
    return false;
  }

  fallback(): void {}

  takePageStats(): PageStats {
    return this.range.take(this.count);
  }

  encodePage(out: ByteBuilder): Encoding {
    out.bytes(this.plain.contents());
    this.plain.reset();
    this.count = 0;
    return Encoding.PLAIN;
  }

  dictionary(): null {
    return null;
  }

  resetChunk(): void {
    this.plain.reset();
    this.count = 0;
  }

  compare(a: Uint8Array, b: Uint8Array): number {
    return this.decimal ? compareSignedBE(a, b) : compareUnsigned(a, b);
  }
}

/** The 16 bytes of a uuid in canonical text form (hyphens anywhere are skipped). */
function putUuid(buf: Uint8Array, at: number, s: string): void {
  let j = 0;
  let hi = -1;
  for (let i = 0; i < s.length && j < 16; i++) {
    const c = s.charCodeAt(i);
    const d = c < 128 ? HEX_VALUE[c]! : -1;
    if (d < 0) continue;
    if (hi < 0) hi = d;
    else {
      buf[at + j++] = (hi << 4) | d;
      hi = -1;
    }
  }
  while (j < 16) buf[at + j++] = 0;
}

// ---- factory ------------------------------------------------------------------------------

export function createEncoder(leaf: LeafMapping, options: EncoderOptions): ValueEncoder {
  const v = leaf.value;
  switch (v.kind) {
    case 'bool': return new BooleanEncoder();
    case 'int32': return new FixedEncoder('i32', 'int32', null, options);
    case 'int64': return new FixedEncoder('i64', 'int64', null, options);
    case 'float32': return new FixedEncoder('f32', 'float32', null, options);
    case 'float64': return new FixedEncoder('f64', 'float64', null, options);
    case 'decimal':
      if (v.width > 0) return new FixedLenEncoder(v.width, v);
      return new FixedEncoder(v.precision <= 9 ? 'i32' : 'i64', 'decimal', v, options);
    case 'string': case 'interval': case 'bytea': return new ByteArrayEncoder(v.kind, options);
    case 'uuid': return new FixedLenEncoder(16, null);
  }
}
