/**
 * The Avro format (Trino's avro decoder and encoder, `avsc` doing the Avro encoding): the
 * description's `dataSchema` (a file path, an http(s) URL, or the schema itself) is the reader
 * schema; `mapping` is a slash-separated path of record field names.
 *
 * A message is either an Avro object container holding one record (what Trino writes and
 * reads: the writer's schema travels with it and is resolved against the reader schema, so
 * fields added with defaults read as their default), or a bare binary-encoded record in the
 * reader schema (what most non-Java producers write). Types: bigint/integer/smallint/tinyint
 * from int and long, double precision/real from float and double, boolean, text/varchar(n)
 * from string and enum, bytea from bytes and fixed. A path the schema lacks, or a null, is
 * NULL; bytes that are not Avro make the row corrupt (Trino fails the query there); a value of
 * another Avro type fails with 22P02. Writing produces a container with the schema and one
 * record; fields the description does not map get their schema defaults.
 */
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import avsc from 'avsc';
import { BIGINT_LONG } from '../../lib/avro-long.js';
import { decompress as zstdDecompress } from 'fzstd';
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { snappyDecompress } from '../../lib/parquet/snappy.js';
import { cannotRead, integerDatum, isInteger, isText, textDatum } from '../types.js';
import { badField, unsupportedType, type FieldSpec, type RowCodec } from './codec.js';


/** avsc options; a registry of its own per schema, as avsc adds the schema's named types to it. */
const typeOptions = () => ({ registry: { long: BIGINT_LONG }, wrapUnions: false }) as const;
const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj\x01"
const SUPPORTED = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'bool', 'bytea']);
const text = new TextDecoder();
const utf8Encoder = new TextEncoder();

interface AvroField {
  readonly spec: FieldSpec;
  readonly path: readonly string[];
}

export class AvroCodec implements RowCodec {
  private readonly fields: readonly AvroField[];
  private readonly type: avsc.Type;
  /** Resolvers from writer schemas seen in containers, by schema text. */
  private readonly resolvers = new Map<string, avsc.Resolver>();

  constructor(fields: readonly FieldSpec[], private readonly schema: string | undefined) {
    if (schema === undefined) throw new SqlError(SqlState.CONFIG_FILE_ERROR, 'the avro format needs a dataSchema (a path or URL of an .avsc file, or the schema)');
    try {
      this.type = avsc.Type.forSchema(JSON.parse(schema) as avsc.Schema, typeOptions());
    } catch (e) {
      throw new SqlError(SqlState.CONFIG_FILE_ERROR, `invalid Avro schema: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.fields = fields.map((spec) => {
      if (!SUPPORTED.has(spec.type.name) && !isText(spec.type)) throw unsupportedType('avro', spec);
      if (spec.dataFormat !== undefined || spec.formatHint !== undefined) throw badField(spec, 'the avro format takes no dataFormat or formatHint');
      const path = (spec.mapping ?? spec.name).split('/').filter((p) => p !== '');
      return { spec, path };
    });
  }

  decode(bytes: Uint8Array): unknown[] | undefined {
    let record: unknown;
    try {
      record = MAGIC.every((b, i) => bytes[i] === b) ? this.readContainer(bytes) : this.readBare(bytes);
    } catch {
      return undefined;
    }
    if (record === undefined) return undefined;
    return this.fields.map((f) => {
      let v: unknown = record;
      for (const key of f.path) v = v !== null && typeof v === 'object' && !Buffer.isBuffer(v) ? (v as Record<string, unknown>)[key] : undefined;
      return v === undefined || v === null ? null : avroDatum(v, f.spec);
    });
  }

  encode(values: readonly unknown[]): Uint8Array {
    const data = this.recordBytes(values);
    const sync = randomBytes(16);
    const meta = [...long(2), ...string('avro.schema'), ...string(this.schema!), ...string('avro.codec'), ...string('null'), ...long(0)];
    return Buffer.concat([Buffer.from(MAGIC), Buffer.from(meta), sync, Buffer.from([...long(1), ...long(data.length)]), data, sync]);
  }

  private readBare(bytes: Uint8Array): unknown {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const { value, offset } = this.type.decode(buf, 0);
    return offset === buf.length ? value : undefined;
  }

  /** The one record of an object container (undefined when it holds none or several). */
  private readContainer(bytes: Uint8Array): unknown {
    const c = new Cursor(bytes);
    c.at = 4;
    const meta = new Map<string, Uint8Array>();
    for (let n = c.long(); n !== 0; n = c.long()) {
      if (n < 0) {
        n = -n;
        c.long(); // the block's size in bytes
      }
      for (let i = 0; i < n; i++) meta.set(text.decode(c.take(c.long())), c.take(c.long()));
    }
    c.take(16); // sync marker
    const writerSchema = text.decode(meta.get('avro.schema') ?? new Uint8Array());
    const codec = text.decode(meta.get('avro.codec') ?? utf8Encoder.encode('null'));
    const records: unknown[] = [];
    while (c.at < bytes.length) {
      const count = c.long();
      const block = Buffer.from(inflate(codec, c.take(c.long())));
      let pos = 0;
      for (let i = 0; i < count; i++) {
        const { value, offset } = this.type.decode(block, pos, this.resolver(writerSchema));
        if (offset < 0) return undefined;
        records.push(value);
        pos = offset;
      }
      c.take(16);
    }
    return records.length === 1 ? records[0] : undefined;
  }

  private resolver(writerSchema: string): avsc.Resolver {
    let r = this.resolvers.get(writerSchema);
    if (!r) {
      r = this.type.createResolver(avsc.Type.forSchema(JSON.parse(writerSchema) as avsc.Schema, typeOptions()));
      this.resolvers.set(writerSchema, r);
    }
    return r;
  }

  /** The record's binary encoding: mapped fields from `values`, the others their defaults. */
  private recordBytes(values: readonly unknown[]): Buffer {
    const root: Tree = new Map();
    this.fields.forEach((f, i) => {
      let node = root;
      for (const key of f.path.slice(0, -1)) {
        let next = node.get(key);
        if (!(next instanceof Map)) node.set(key, (next = new Map()));
        node = next as Tree;
      }
      node.set(f.path[f.path.length - 1]!, { value: values[i], field: f.spec });
    });
    const record = build(this.type, root, []);
    try {
      return this.type.toBuffer(record);
    } catch (e) {
      throw new SqlError(SqlState.DATA_EXCEPTION, `row does not fit the Avro schema: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

type Tree = Map<string, Tree | { readonly value: unknown; readonly field: FieldSpec }>;

/** A record of `type` from the tree of values at its field names (avsc's constructor fills the defaults). */
function build(type: avsc.Type, tree: Tree, path: readonly string[]): unknown {
  const record = nonNull(type) as avsc.types.RecordType;
  if (record.typeName !== 'record') throw new SqlError(SqlState.CONFIG_FILE_ERROR, `the Avro schema has no record at ${path.join('/')}`);
  for (const name of tree.keys()) {
    if (!record.field(name)) throw new SqlError(SqlState.CONFIG_FILE_ERROR, `the Avro schema has no field ${[...path, name].join('/')}`);
  }
  const Record = record.recordConstructor as new (...args: unknown[]) => unknown;
  return new Record(...record.fields.map((f) => {
    const node = tree.get(f.name);
    if (node === undefined) return undefined;
    if (node instanceof Map) return build(f.type, node, [...path, f.name]);
    if (node.value === undefined) return undefined;
    if (node.value === null && !nullable(f.type)) {
      throw new SqlError(SqlState.NOT_NULL_VIOLATION, `null value in column "${node.field.name}": its Avro type ${typeName(f.type)} is not nullable`);
    }
    return avroValue(node.value, nonNull(f.type));
  }));
}

/** An Avro type's name (the BigInt long is avsc's "abstract:long"). */
const typeName = (type: avsc.Type): string => type.typeName.replace(/^abstract:/, '');

const nullable = (type: avsc.Type): boolean =>
  type.typeName === 'null' || (type.typeName === 'union:unwrapped' && (type as avsc.types.UnwrappedUnionType).types.some((t) => t.typeName === 'null'));

/** The non-null branch of a nullable union, or the type itself. */
function nonNull(type: avsc.Type): avsc.Type {
  if (type.typeName !== 'union:unwrapped') return type;
  return (type as avsc.types.UnwrappedUnionType).types.find((t) => t.typeName !== 'null') ?? type;
}

function avroValue(v: unknown, type: avsc.Type): unknown {
  if (v === null) return null;
  switch (typeName(type)) {
    case 'long': return BigInt(v as number | bigint);
    case 'int': case 'float': case 'double': return Number(v);
    case 'bytes': case 'fixed': return Buffer.from(v as Uint8Array);
    default: return v;
  }
}

function avroDatum(v: unknown, f: FieldSpec): unknown {
  const shown = () => (Buffer.isBuffer(v) ? `<${v.length} bytes>` : String(v));
  if (isInteger(f.type)) {
    if (typeof v === 'bigint') return integerDatum(v, f, shown());
    if (typeof v === 'number' && Number.isInteger(v)) return integerDatum(BigInt(v), f, shown());
  } else if (f.type.name === 'float4' || f.type.name === 'float8') {
    if (typeof v === 'number') return v;
  } else if (f.type.name === 'bool') {
    if (typeof v === 'boolean') return v;
  } else if (f.type.name === 'bytea') {
    if (Buffer.isBuffer(v)) return new Uint8Array(v);
  } else if (typeof v === 'string') return textDatum(v, f);
  throw cannotRead(shown(), f, 'the Avro value has another type');
}

function inflate(codec: string, block: Uint8Array): Uint8Array {
  switch (codec) {
    case 'null': return block;
    case 'deflate': return inflateRawSync(block);
    case 'zstandard': return zstdDecompress(block);
    case 'snappy': return snappyDecompress(block.subarray(0, block.length - 4)); // a CRC-32 follows the block
    default: throw new Error(`Avro codec ${codec}`);
  }
}

class Cursor {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}

  long(): number {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.at >= this.bytes.length || shift > 63n) throw new Error('truncated Avro data');
      const b = this.bytes[this.at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
    }
    return Number((result >> 1n) ^ -(result & 1n));
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.at + n > this.bytes.length) throw new Error('truncated Avro data');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/** Avro's zig-zag varint encoding of a long. */
function long(n: number): number[] {
  let z = BigInt(n) >= 0n ? BigInt(n) << 1n : (-BigInt(n) << 1n) - 1n;
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return out;
}

function string(s: string): number[] {
  const bytes = utf8Encoder.encode(s);
  return [...long(bytes.length), ...bytes];
}
