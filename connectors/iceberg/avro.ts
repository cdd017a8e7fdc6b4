/**
 * Avro object container files (manifest lists and manifests): the header and blocks are
 * read here, records are decoded by `avsc` with 64-bit longs as BigInt. The writer's schema
 * JSON is kept as written, so `field-id` attributes can be read from it.
 */
import { inflateRawSync } from 'node:zlib';
import avsc from 'avsc';
import { BIGINT_LONG } from '../lib/avro-long.js';
import { decompress as zstdDecompress } from 'fzstd';
import { snappyDecompress } from '../lib/parquet/snappy.js';
import { invalidMetadata } from './types.js';


export interface AvroFile {
  /** The writer's schema as JSON, with every attribute (field-id, …). */
  readonly schema: unknown;
  /** Header metadata other than avro.*: Iceberg keeps the table schema, spec and content here. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly records: unknown[];
}

const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj\x01"

class Cursor {
  at = 0;
  constructor(readonly bytes: Uint8Array, readonly location: string) {}

  long(): number {
    let shift = 0;
    let result = 0n;
    for (;;) {
      if (this.at >= this.bytes.length) throw invalidMetadata(`${this.location}: truncated Avro file`);
      const b = this.bytes[this.at++]!;
      result |= BigInt(b & 0x7f) << BigInt(shift);
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) throw invalidMetadata(`${this.location}: bad Avro varint`);
    }
    return Number((result >> 1n) ^ -(result & 1n));
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.at + n > this.bytes.length) throw invalidMetadata(`${this.location}: truncated Avro file`);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

const text = new TextDecoder();

/** Reads every record of an Avro object container file. */
export function readAvroFile(bytes: Uint8Array, location: string): AvroFile {
  const c = new Cursor(bytes, location);
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw invalidMetadata(`${location} is not an Avro file`);
  c.at = 4;
  const meta: Record<string, string> = {};
  for (let n = c.long(); n !== 0; n = c.long()) {
    if (n < 0) {
      n = -n;
      c.long(); // block size in bytes
    }
    for (let i = 0; i < n; i++) {
      const key = text.decode(c.take(c.long()));
      meta[key] = text.decode(c.take(c.long()));
    }
  }
  const sync = c.take(16);
  const schemaText = meta['avro.schema'];
  if (schemaText === undefined) throw invalidMetadata(`${location}: Avro file without a schema`);
  const schema: unknown = JSON.parse(schemaText);
  const codec = meta['avro.codec'] ?? 'null';
  const type = avsc.Type.forSchema(schema as avsc.Schema, { registry: { long: BIGINT_LONG }, wrapUnions: false });
  const records: unknown[] = [];
  while (c.at < bytes.length) {
    const count = c.long();
    const size = c.long();
    const block = inflate(codec, c.take(size), location);
    const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const { value, offset } = type.decode(buf, pos);
      if (offset < 0) throw invalidMetadata(`${location}: truncated Avro block`);
      records.push(value);
      pos = offset;
    }
    const mark = c.take(16);
    if (!mark.every((b, i) => b === sync[i])) throw invalidMetadata(`${location}: Avro sync marker mismatch`);
  }
  const metadata = Object.fromEntries(Object.entries(meta).filter(([k]) => !k.startsWith('avro.')));
  return { schema, metadata, records };
}

function inflate(codec: string, block: Uint8Array, location: string): Uint8Array {
  switch (codec) {
    case 'null': return block;
    case 'deflate': return new Uint8Array(inflateRawSync(block));
    case 'zstandard': return zstdDecompress(block);
    case 'snappy': return snappyDecompress(block.subarray(0, block.length - 4)); // a CRC-32 follows the block
    default: throw invalidMetadata(`${location}: Avro codec "${codec}" is not supported`);
  }
}

/** The `field-id` of each field of a record schema, by field name (from the raw schema JSON). */
export function fieldIds(recordSchema: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const fields = (recordSchema as { fields?: { name: string; 'field-id'?: number }[] }).fields ?? [];
  for (const f of fields) if (f['field-id'] !== undefined) out.set(f.name, Number(f['field-id']));
  return out;
}

/** The record schema nested at `path` (field names; unions and arrays are looked through). */
export function nestedSchema(schema: unknown, path: readonly string[]): unknown {
  let at: unknown = schema;
  for (const name of path) {
    const record = unwrap(at) as { fields?: { name: string; type: unknown }[] };
    const f = record.fields?.find((x) => x.name === name);
    if (!f) return undefined;
    at = f.type;
  }
  return unwrap(at);
}

function unwrap(t: unknown): unknown {
  if (Array.isArray(t)) return unwrap(t.find((x) => x !== 'null'));
  if (t && typeof t === 'object' && (t as { type?: unknown }).type === 'array') return unwrap((t as { items: unknown }).items);
  return t;
}
