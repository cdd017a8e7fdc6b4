/**
 * Self-describing binary form of the JS datums held in object-layout columns (see
 * engine/types/pg-type.ts): strings, Numeric, Interval, bytea, arrays, plus plain numbers,
 * bigints and booleans inside arrays. Used for spill files and for sending values to worker
 * threads (structured clone would turn a Numeric into a plain object).
 */
import { Numeric } from '../../types/numeric.js';
import type { Interval } from '../../types/interval.js';
import type { ByteReader, ByteWriter } from './bytes.js';

const enum Tag { Null, String, NumericSmall, NumericText, Bytes, Interval, Array, Number, BigInt, True, False, Json }

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const isInterval = (x: object): x is Interval => typeof (x as Interval).micros === 'bigint' && typeof (x as Interval).months === 'number';

export function writeValue(w: ByteWriter, x: unknown): void {
  switch (typeof x) {
    case 'string':
      w.u8(Tag.String);
      return w.string(x);
    case 'number':
      w.u8(Tag.Number);
      return w.f64(x);
    case 'bigint':
      w.u8(Tag.BigInt);
      return w.string(x.toString());
    case 'boolean':
      return w.u8(x ? Tag.True : Tag.False);
    case 'undefined':
      return w.u8(Tag.Null);
  }
  if (x === null) return w.u8(Tag.Null);
  if (x instanceof Numeric) {
    if (x.isFinite() && x.unscaled >= INT64_MIN && x.unscaled <= INT64_MAX) {
      w.u8(Tag.NumericSmall);
      w.i32(x.scale);
      return w.i64(x.unscaled);
    }
    w.u8(Tag.NumericText);
    return w.string(x.toString());
  }
  if (x instanceof Uint8Array) {
    w.u8(Tag.Bytes);
    w.u32(x.byteLength);
    return w.bytes(x);
  }
  if (Array.isArray(x)) {
    w.u8(Tag.Array);
    w.u32(x.length);
    for (const e of x) writeValue(w, e);
    return;
  }
  if (isInterval(x as object)) {
    const i = x as Interval;
    w.u8(Tag.Interval);
    w.i32(i.months);
    w.i32(i.days);
    return w.i64(i.micros);
  }
  w.u8(Tag.Json);
  w.string(JSON.stringify(x));
}

export function readValue(r: ByteReader): unknown {
  const tag = r.u8() as Tag;
  switch (tag) {
    case Tag.Null: return null;
    case Tag.String: return r.string();
    case Tag.NumericSmall: {
      const scale = r.i32();
      return Numeric.fromBigInt(r.i64(), scale);
    }
    case Tag.NumericText: return Numeric.fromString(r.string());
    case Tag.Bytes: return r.bytes(r.u32());
    case Tag.Interval: {
      const months = r.i32();
      const days = r.i32();
      return { months, days, micros: r.i64() } satisfies Interval;
    }
    case Tag.Array: {
      const n = r.u32();
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = readValue(r);
      return a;
    }
    case Tag.Number: return r.f64();
    case Tag.BigInt: return BigInt(r.string());
    case Tag.True: return true;
    case Tag.False: return false;
    case Tag.Json: return JSON.parse(r.string()) as unknown;
  }
}
