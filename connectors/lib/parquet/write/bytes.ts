/**
 * A growable little-endian byte buffer. Encoders append into one of these and reuse it page
 * after page (`reset()`), so hot loops write into a preallocated Uint8Array instead of
 * allocating per value.
 */
export class ByteBuilder {
  buf: Buffer;
  length = 0;
  private view: DataView;

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 16));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  reset(): void {
    this.length = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  /** Appends the raw bytes of a typed array (platform order; all supported platforms are little-endian). */
  typed(src: ArrayBufferView): void {
    this.bytes(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  }

  int32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }

  /** Overwrites 4 bytes at `at` with a little-endian int32. */
  setInt32(at: number, v: number): void {
    this.view.setInt32(at, v, true);
  }

  /** Unsigned LEB128. */
  uvarint(v: number): void {
    this.ensure(10);
    while (v > 0x7f) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.length++] = v;
  }

  /** A copy of the contents. */
  toBytes(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, 0, this.length);
  }

  /** The contents without copying (valid until the next write or reset). */
  contents(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** True when typed arrays use little-endian order, as Parquet's PLAIN encoding does. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `a`, or a copy with at least `need` elements (capacity doubled) when it is shorter. */
export function grown<T extends Uint8Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(a: T, need: number): T {
  if (need <= a.length) return a;
  let cap = a.length * 2;
  while (cap < need) cap *= 2;
  const b = new (a.constructor as new (length: number) => T)(cap);
  b.set(a);
  return b;
}
