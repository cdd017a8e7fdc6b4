/**
 * Writing Avro object container files (manifests and manifest lists): records are encoded by
 * `avsc` against the schema JSON given (which keeps Iceberg's `field-id` attributes, written
 * into the header as is), in deflate-compressed blocks, with 64-bit longs taken as BigInt.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import avsc from 'avsc';
import { BIGINT_LONG } from '../../lib/avro-long.js';

/** Records per block. */
const BLOCK_RECORDS = 1000;

function zigzag(n: number | bigint): Uint8Array {
  let v = BigInt(n);
  v = v < 0n ? ((-v) << 1n) - 1n : v << 1n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();

function bytesField(b: Uint8Array): Uint8Array[] {
  return [zigzag(b.length), b];
}

/** An Avro container file of `records` (plain values; longs as BigInt) with header metadata. */
export function writeAvroFile(schema: unknown, metadata: Readonly<Record<string, string>>, records: readonly unknown[]): Uint8Array {
  const type = avsc.Type.forSchema(schema as avsc.Schema, { registry: { long: BIGINT_LONG }, wrapUnions: false });
  const sync = randomBytes(16);
  const parts: Uint8Array[] = [Uint8Array.from([0x4f, 0x62, 0x6a, 0x01])];
  const meta: [string, string][] = [['avro.schema', JSON.stringify(schema)], ['avro.codec', 'deflate'], ...Object.entries(metadata)];
  parts.push(zigzag(meta.length));
  for (const [k, v] of meta) parts.push(...bytesField(utf8.encode(k)), ...bytesField(utf8.encode(v)));
  parts.push(zigzag(0), sync);
  for (let i = 0; i < records.length; i += BLOCK_RECORDS) {
    const block = records.slice(i, i + BLOCK_RECORDS).map((r) => type.toBuffer(r));
    const packed = deflateRawSync(Buffer.concat(block));
    parts.push(zigzag(block.length), zigzag(packed.length), packed, sync);
  }
  return Buffer.concat(parts);
}
