/**
 * Iceberg values as engine datums: the single-value binary form of bounds and partition
 * summaries (little-endian numbers, UTF-8 strings, big-endian decimals and UUIDs), partition
 * values as manifests hold them, and partition transforms (identity, bucket, truncate,
 * year, month, day, hour, void) with the range of source values a partition value stands for.
 */
import { Numeric } from '../../engine/types/numeric.js';

const utf8 = new TextDecoder();
const US_PER_DAY = 86_400_000_000n;
const US_PER_HOUR = 3_600_000_000n;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function bigEndianSigned(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b.length > 0 && b[0]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

const decimalScale = (type: string): number | undefined => {
  const m = /^decimal\(\s*\d+\s*,\s*(\d+)\s*\)$/.exec(type);
  return m ? Number(m[1]) : undefined;
};

export function formatUuid(b: Uint8Array): string {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A bound in single-value binary form as a datum of the type's PostgreSQL type; undefined when unreadable. */
export function decodeBound(type: string, b: Uint8Array): unknown {
  try {
    switch (type) {
      case 'boolean': return b[0] !== 0;
      case 'int': case 'date': return view(b).getInt32(0, true);
      // an int column promoted to long keeps 4-byte bounds in old files
      case 'long': return b.length === 4 ? BigInt(view(b).getInt32(0, true)) : view(b).getBigInt64(0, true);
      case 'time': case 'timestamp': case 'timestamptz': return view(b).getBigInt64(0, true);
      case 'timestamp_ns': case 'timestamptz_ns': return floorDiv(view(b).getBigInt64(0, true), 1000n);
      case 'float': return view(b).getFloat32(0, true);
      case 'double': return b.length === 4 ? view(b).getFloat32(0, true) : view(b).getFloat64(0, true);
      case 'string': return utf8.decode(b);
      case 'uuid': return formatUuid(b);
      case 'binary': return b.slice();
      default: {
        const scale = decimalScale(type);
        if (scale !== undefined) return Numeric.fromBigInt(bigEndianSigned(b), scale);
        if (type.startsWith('fixed[')) return b.slice();
        return undefined;
      }
    }
  } catch {
    return undefined;
  }
}

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};

/** A partition value as decoded from Avro (number, bigint, string, Buffer) → a datum of the result type. */
export function partitionDatum(resultType: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (resultType) {
    case 'long': case 'time': case 'timestamp': case 'timestamptz': return BigInt(v as number | bigint);
    case 'timestamp_ns': case 'timestamptz_ns': return floorDiv(BigInt(v as number | bigint), 1000n);
    case 'int': case 'date': case 'float': case 'double': return Number(v);
    case 'boolean': case 'string': return v;
    case 'uuid': return v instanceof Uint8Array ? formatUuid(v) : String(v);
    case 'binary': return v instanceof Uint8Array ? new Uint8Array(v) : v;
    default: {
      const scale = decimalScale(resultType);
      if (scale !== undefined) return v instanceof Uint8Array ? Numeric.fromBigInt(bigEndianSigned(v), scale) : v;
      return v instanceof Uint8Array ? new Uint8Array(v) : v;
    }
  }
}

// ---- transforms ---------------------------------------------------------------------------------

export type Transform =
  | { readonly kind: 'identity' | 'year' | 'month' | 'day' | 'hour' | 'void' }
  | { readonly kind: 'bucket'; readonly n: number }
  | { readonly kind: 'truncate'; readonly width: number }
  | { readonly kind: 'unknown'; readonly text: string };

export function parseTransform(text: string): Transform {
  const m = /^(bucket|truncate)\[(\d+)\]$/.exec(text);
  if (m) return m[1] === 'bucket' ? { kind: 'bucket', n: Number(m[2]) } : { kind: 'truncate', width: Number(m[2]) };
  if (['identity', 'year', 'month', 'day', 'hour', 'void'].includes(text)) return { kind: text as 'identity' };
  return { kind: 'unknown', text };
}

/** The Iceberg type of a transform's result. */
export function resultType(t: Transform, sourceType: string): string {
  switch (t.kind) {
    case 'identity': case 'truncate': case 'void': case 'unknown': return sourceType;
    case 'bucket': case 'year': case 'month': case 'hour': return 'int';
    case 'day': return 'date';
  }
}

/**
 * The smallest and largest source values (datums of the source column's type) whose
 * transform is `p`; undefined when the transform is not order-preserving or unknown.
 */
export function sourceRange(t: Transform, sourceType: string, p: unknown): { min: unknown; max: unknown } | undefined {
  if (p === null || p === undefined) return undefined;
  const isTs = sourceType.startsWith('timestamp');
  switch (t.kind) {
    case 'identity': return { min: p, max: p };
    case 'truncate': {
      const w = t.width;
      if (sourceType === 'int') return { min: p, max: (p as number) + w - 1 };
      if (sourceType === 'long') return { min: p, max: (p as bigint) + BigInt(w) - 1n };
      const scale = decimalScale(sourceType);
      if (scale !== undefined && p instanceof Numeric) return { min: p, max: Numeric.fromBigInt(p.unscaled + BigInt(w) - 1n, scale) };
      return undefined; // strings and binary: a prefix, bounded below only
    }
    case 'day': {
      const d = p as number;
      if (sourceType === 'date') return { min: d, max: d };
      if (isTs) return { min: BigInt(d) * US_PER_DAY, max: BigInt(d + 1) * US_PER_DAY - 1n };
      return undefined;
    }
    case 'hour': {
      if (!isTs) return undefined;
      const h = BigInt(p as number);
      return { min: h * US_PER_HOUR, max: (h + 1n) * US_PER_HOUR - 1n };
    }
    case 'month': case 'year': {
      const months = t.kind === 'year' ? (p as number) * 12 : (p as number);
      const span = t.kind === 'year' ? 12 : 1;
      const first = daysFromCivil(1970 + Math.floor(months / 12), (((months % 12) + 12) % 12) + 1, 1);
      const endMonths = months + span;
      const next = daysFromCivil(1970 + Math.floor(endMonths / 12), (((endMonths % 12) + 12) % 12) + 1, 1);
      if (sourceType === 'date') return { min: first, max: next - 1 };
      if (isTs) return { min: BigInt(first) * US_PER_DAY, max: BigInt(next) * US_PER_DAY - 1n };
      return undefined;
    }
    default: return undefined;
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date. */
function daysFromCivil(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

/**
 * The transform of one source datum (the column's PostgreSQL datum), for checking point
 * values against bucket and truncate partitions; undefined when it cannot be computed.
 */
export function applyTransform(t: Transform, sourceType: string, v: unknown): unknown {
  if (v === null) return null;
  switch (t.kind) {
    case 'identity': return v;
    case 'bucket': {
      const bytes = bucketBytes(sourceType, v);
      return bytes === undefined ? undefined : (murmur3(bytes) & 0x7fffffff) % t.n;
    }
    case 'truncate': {
      if (sourceType === 'int') return (v as number) - ((((v as number) % t.width) + t.width) % t.width);
      if (sourceType === 'long') {
        const w = BigInt(t.width);
        return (v as bigint) - ((((v as bigint) % w) + w) % w);
      }
      if (sourceType === 'string') return Array.from(v as string).slice(0, t.width).join('');
      return undefined;
    }
    default: return undefined;
  }
}

function bucketBytes(sourceType: string, v: unknown): Uint8Array | undefined {
  const long = (x: bigint) => {
    const b = new Uint8Array(8);
    view(b).setBigInt64(0, x, true);
    return b;
  };
  switch (sourceType) {
    case 'int': case 'date': return long(BigInt(v as number));
    case 'long': case 'time': case 'timestamp': case 'timestamptz': return long(v as bigint);
    case 'string': return new TextEncoder().encode(v as string);
    case 'binary': return v as Uint8Array;
    case 'uuid': return Uint8Array.from((v as string).replace(/-/g, '').match(/../g)!.map((h) => parseInt(h, 16)));
    default: {
      if (sourceType.startsWith('fixed[')) return v as Uint8Array;
      if (decimalScale(sourceType) !== undefined && v instanceof Numeric) return minimalBigEndian(v.unscaled);
      return undefined;
    }
  }
}

/** Minimal big-endian two's complement of a bigint (decimals in bounds and bucket hashing). */
export function minimalBigEndian(x: bigint): Uint8Array {
  const out: number[] = [];
  for (;;) {
    out.unshift(Number(x & 0xffn));
    const rest = x >> 8n;
    const signBit = (out[0]! & 0x80) !== 0;
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) break;
    x = rest;
  }
  return Uint8Array.from(out);
}

/** 32-bit Murmur3 (x86 variant, seed 0), as Iceberg's bucket transform uses it; signed result. */
export function murmur3(data: Uint8Array): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = 0;
  const blocks = data.length >> 2;
  const dv = view(data);
  for (let i = 0; i < blocks; i++) {
    let k = dv.getUint32(i * 4, true);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks * 4;
  const rest = data.length & 3;
  if (rest > 0) {
    if (rest === 3) k ^= data[tail + 2]! << 16;
    if (rest >= 2) k ^= data[tail + 1]! << 8;
    k ^= data[tail]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
