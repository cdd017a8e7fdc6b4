/**
 * Thrift compact protocol, read side only: enough to decode Parquet's footer and page
 * headers. Values come back generically — a struct is a `ThriftStruct` (field id → value),
 * lists are arrays, binary is a Uint8Array view into the input, i64 is a number when it is
 * exactly representable and a bigint otherwise — and `format.ts` turns them into typed
 * Parquet structures.
 */
import { corrupt } from './errors.js';

export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftValue[] | ThriftStruct | ThriftMap;
export type ThriftStruct = Map<number, ThriftValue>;
export type ThriftMap = Array<[ThriftValue, ThriftValue]>;

/** Compact protocol type codes. */
const enum CT {
  Stop = 0,
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
}

const MAX_DEPTH = 64;

export class CompactReader {
  pos: number;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, pos = 0) {
    this.pos = pos;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw corrupt('truncated Thrift structure');
    return this.bytes[this.pos++]!;
  }

  /** Unsigned varint up to 32 bits (as a non-negative number up to 2^35). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw corrupt('varint too long');
  }

  /** Unsigned varint of up to 64 bits as a bigint. */
  private varint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
    throw corrupt('varint too long');
  }

  /** zigzag i32 / i16 / i8. */
  zigzag32(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** zigzag i64: a number when exact, else a bigint. */
  zigzag64(): number | bigint {
    const start = this.pos;
    let len = 0;
    while (len < 10 && (this.bytes[start + len] ?? 0) >= 0x80) len++;
    if (len < 7) {
      // at most 7 bytes → 49 bits: exact as a double
      const n = this.varint();
      return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    const n = this.varint64();
    const v = (n & 1n) === 0n ? n >> 1n : -((n + 1n) >> 1n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  binary(): Uint8Array {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.bytes.length) throw corrupt('truncated Thrift binary');
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  /** Reads one struct (after its opening, up to and including STOP). */
  struct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw corrupt('Thrift structure nested too deeply');
    const out: ThriftStruct = new Map();
    let last = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === CT.Stop) return out;
      const delta = header >> 4;
      const id = delta === 0 ? this.zigzag32() : last + delta;
      last = id;
      if (type === CT.True || type === CT.False) out.set(id, type === CT.True);
      else out.set(id, this.value(type, depth + 1));
    }
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case CT.True:
      case CT.False: return this.byte() === 1; // a boolean inside a collection: one byte, 1 = true
      case CT.Byte: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case CT.I16:
      case CT.I32: return this.zigzag32();
      case CT.I64: return this.zigzag64();
      case CT.Double: {
        if (this.pos + 8 > this.bytes.length) throw corrupt('truncated Thrift double');
        const v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return v;
      }
      case CT.Binary: return this.binary();
      case CT.List:
      case CT.Set: {
        const h = this.byte();
        let size = h >> 4;
        if (size === 15) size = this.varint();
        const et = h & 0x0f;
        if (size > this.bytes.length - this.pos) throw corrupt('Thrift list longer than its input');
        const out: ThriftValue[] = new Array(size);
        for (let i = 0; i < size; i++) out[i] = this.value(et, depth + 1);
        return out;
      }
      case CT.Map: {
        const size = this.varint();
        const out: ThriftMap = [];
        if (size === 0) return out;
        const kv = this.byte();
        for (let i = 0; i < size; i++) {
          const k = this.value(kv >> 4, depth + 1);
          out.push([k, this.value(kv & 0x0f, depth + 1)]);
        }
        return out;
      }
      case CT.Struct: return this.struct(depth);
      default: throw corrupt(`unknown Thrift compact type ${type}`);
    }
  }
}
