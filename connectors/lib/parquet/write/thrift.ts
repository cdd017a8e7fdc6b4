/**
 * Thrift compact protocol, write side only: what Parquet's footer and page headers need.
 *
 * A field header is one byte `(delta << 4) | type` when the field id is 1–15 above the
 * previous one in the same struct, else the type byte followed by the zigzag-varint id.
 * Integers are zigzag varints, binary/string a varint length and the bytes, a list one byte
 * `(size << 4) | elementType` (size < 15) or `0xF0 | elementType` and a varint size, a
 * struct ends with a 0 byte. A boolean field carries its value in the type nibble (1 true,
 * 2 false); a boolean list element is one byte with the same values.
 */
import { ByteBuilder } from './bytes.js';

export const CType = {
  Stop: 0,
  True: 1,
  False: 2,
  Byte: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  Double: 7,
  Binary: 8,
  List: 9,
  Set: 10,
  Map: 11,
  Struct: 12,
} as const;
export type CType = (typeof CType)[keyof typeof CType];

const utf8 = new TextEncoder();

export class CompactWriter {
  readonly out: ByteBuilder;
  private last = 0;
  private readonly stack: number[] = [];

  constructor(out = new ByteBuilder(1024)) {
    this.out = out;
  }

  // ---- values (list elements and field payloads) -----------------------------------------

  varint(v: number): void {
    this.out.uvarint(v);
  }

  /** i16 / i32 / i64 (as a JS number: exact up to 2^53). */
  int(v: number): void {
    this.out.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  binary(b: Uint8Array): void {
    this.out.uvarint(b.length);
    this.out.bytes(b);
  }

  string(s: string): void {
    this.binary(utf8.encode(s));
  }

  bool(b: boolean): void {
    this.out.byte(b ? CType.True : CType.False);
  }

  listHeader(elementType: CType, size: number): void {
    if (size < 15) this.out.byte((size << 4) | elementType);
    else {
      this.out.byte(0xf0 | elementType);
      this.out.uvarint(size);
    }
  }

  /** Starts a struct value (a list element or after `fieldHeader(id, CType.Struct)`). */
  beginStruct(): void {
    this.stack.push(this.last);
    this.last = 0;
  }

  endStruct(): void {
    this.out.byte(CType.Stop);
    this.last = this.stack.pop() ?? 0;
  }

  // ---- fields ---------------------------------------------------------------------------

  fieldHeader(id: number, type: CType): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.out.byte((delta << 4) | type);
    else {
      this.out.byte(type);
      this.int(id);
    }
    this.last = id;
  }

  i8Field(id: number, v: number): void {
    this.fieldHeader(id, CType.Byte);
    this.out.byte(v & 0xff);
  }

  i32Field(id: number, v: number): void {
    this.fieldHeader(id, CType.I32);
    this.int(v);
  }

  i64Field(id: number, v: number): void {
    this.fieldHeader(id, CType.I64);
    this.int(v);
  }

  boolField(id: number, v: boolean): void {
    this.fieldHeader(id, v ? CType.True : CType.False);
  }

  binaryField(id: number, v: Uint8Array): void {
    this.fieldHeader(id, CType.Binary);
    this.binary(v);
  }

  stringField(id: number, v: string): void {
    this.fieldHeader(id, CType.Binary);
    this.string(v);
  }

  /** A struct field whose members `body` writes. */
  structField(id: number, body: () => void): void {
    this.fieldHeader(id, CType.Struct);
    this.beginStruct();
    body();
    this.endStruct();
  }

  /** An empty struct field (Parquet's marker structs such as StringType). */
  emptyStructField(id: number): void {
    this.fieldHeader(id, CType.Struct);
    this.out.byte(CType.Stop);
  }

  listField<T>(id: number, elementType: CType, items: readonly T[], write: (item: T) => void): void {
    this.fieldHeader(id, CType.List);
    this.listHeader(elementType, items.length);
    for (const item of items) write(item);
  }

  structListField<T>(id: number, items: readonly T[], write: (item: T) => void): void {
    this.listField(id, CType.Struct, items, (item) => {
      this.beginStruct();
      write(item);
      this.endStruct();
    });
  }
}
