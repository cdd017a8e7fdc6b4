import { describe, expect, it } from 'vitest';
import { ByteBuilder } from './bytes.js';
import { bitWidth, encodeHybrid } from './rle.js';
import { CompactWriter, CType } from './thrift.js';

/** Reads the RLE / bit-packed hybrid back (Encodings.md), for checking the encoder. */
function decodeHybrid(bytes: Uint8Array, width: number, count: number): number[] {
  const out: number[] = [];
  let p = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (out.length < count) {
    const header = varint();
    if (header & 1) {
      const n = (header >>> 1) * 8;
      let acc = 0;
      let bits = 0;
      for (let i = 0; i < n; i++) {
        while (bits < width) {
          acc += bytes[p++]! * 2 ** bits;
          bits += 8;
        }
        out.push(acc % 2 ** width);
        acc = Math.floor(acc / 2 ** width);
        bits -= width;
      }
    } else {
      let v = 0;
      for (let b = 0; b < (width + 7) >> 3; b++) v += bytes[p++]! << (8 * b);
      for (let i = 0; i < header >>> 1; i++) out.push(v);
    }
  }
  return out.slice(0, count);
}

describe('RLE / bit-packed hybrid', () => {
  it('round-trips runs, noise and their mixtures at every width', () => {
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (const width of [1, 2, 3, 5, 8, 12, 17, 20]) {
      for (const shape of ['runs', 'noise', 'mixed']) {
        const n = 1 + Math.floor(rand() * 3000);
        const values = new Int32Array(n);
        let v = 0;
        for (let i = 0; i < n; i++) {
          if (shape === 'noise' || rand() < (shape === 'runs' ? 0.02 : 0.3)) v = Math.floor(rand() * 2 ** width);
          values[i] = v;
        }
        const out = new ByteBuilder(16);
        encodeHybrid(out, values, n, width);
        expect(decodeHybrid(out.toBytes(), width, n)).toEqual(Array.from(values));
      }
    }
  });

  it('uses one RLE run for a constant input', () => {
    const out = new ByteBuilder();
    encodeHybrid(out, new Uint8Array(1000).fill(1), 1000, 1);
    expect(Array.from(out.toBytes())).toEqual([0xd0, 0x0f, 1]); // varint(1000 << 1), value
    expect(bitWidth(0)).toBe(1);
    expect(bitWidth(1)).toBe(1);
    expect(bitWidth(2)).toBe(2);
    expect(bitWidth(255)).toBe(8);
    expect(bitWidth(256)).toBe(9);
  });
});

describe('Thrift compact protocol', () => {
  it('encodes field headers, integers, strings, lists and nested structs', () => {
    const w = new CompactWriter();
    w.beginStruct();
    w.i32Field(1, 3); //             0x15 zigzag(3)=6
    w.i64Field(2, -1); //            0x16 zigzag(-1)=1
    w.stringField(4, 'ab'); //       delta 2: 0x28, len 2, 'a' 'b'
    w.listField(5, CType.I32, [1, 2], (x) => w.int(x)); // 0x19, (2<<4)|5, 2, 4
    w.structField(20, () => w.boolField(1, true)); //    delta 15: 0xfc; inner 0x11, stop
    w.boolField(40, false); //       long form: type 2, zigzag(40)=80
    w.endStruct();
    expect(Array.from(w.out.toBytes())).toEqual([
      0x15, 6, 0x16, 1, 0x28, 2, 97, 98, 0x19, 0x25, 2, 4, 0xfc, 0x11, 0, 0x02, 80, 0,
    ]);
  });
});
