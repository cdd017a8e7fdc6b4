/**
 * Manifests and manifest lists as the Iceberg specification lays them out (formats v1 and
 * v2): the Avro schemas with their field ids, the header metadata keys, and the records.
 *
 * Manifest header: `schema` (the table schema JSON), `schema-id`, `partition-spec` (the spec's
 * fields JSON), `partition-spec-id`, `format-version`, and in v2 `content` (`data` / `deletes`).
 * Entries Lakegate adds carry their snapshot id and leave the sequence numbers NULL, so they
 * inherit the sequence number of the snapshot that commits them (the same manifest serves
 * every commit attempt).
 */
import type { IcebergSchema } from '../types.js';
import type { ManifestListFields } from '../manifests.js';
import { writeAvroFile } from './avro-writer.js';

/** A data or delete file to list in a manifest. */
export interface NewFile {
  /** 0 data, 1 position deletes, 2 equality deletes. */
  readonly content: number;
  readonly path: string;
  readonly recordCount: number;
  readonly fileSize: number;
  /** Partition tuple by partition field name, as Avro values (empty when unpartitioned). */
  readonly partition: Readonly<Record<string, unknown>>;
  readonly valueCounts?: ReadonlyMap<number, number>;
  readonly nullCounts?: ReadonlyMap<number, number>;
  readonly nanCounts?: ReadonlyMap<number, number>;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
}

/** One partition field of a spec, with the Avro type of its values. */
export interface PartitionFieldInfo {
  readonly name: string;
  readonly fieldId: number;
  readonly sourceId: number;
  readonly transform: string;
  /** Iceberg type of the transform's result. */
  readonly resultType: string;
}

const opt = (t: unknown) => ['null', t];
const mapOf = (keyId: number, valueId: number, value: string) => ({
  type: 'array',
  logicalType: 'map',
  items: {
    type: 'record',
    name: `k${keyId}_v${valueId}`,
    fields: [{ name: 'key', type: 'int', 'field-id': keyId }, { name: 'value', type: value, 'field-id': valueId }],
  },
});

/** The Avro type of a partition value of an Iceberg type. */
function partitionAvroType(type: string, fieldId: number): unknown {
  switch (type) {
    case 'boolean': case 'int': case 'long': case 'float': case 'double': case 'string': return type;
    case 'binary': return 'bytes';
    case 'date': return { type: 'int', logicalType: 'date' };
    case 'time': return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp': return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz': return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    case 'timestamp_ns': return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': false };
    case 'timestamptz_ns': return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': true };
    case 'uuid': return { type: 'fixed', name: `uuid_fixed_${fieldId}`, size: 16, logicalType: 'uuid' };
    default: {
      const d = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
      if (d) return { type: 'fixed', name: `decimal_${fieldId}`, size: decimalBytes(Number(d[1])), logicalType: 'decimal', precision: Number(d[1]), scale: Number(d[2]) };
      const f = /^fixed\[(\d+)\]$/.exec(type);
      if (f) return { type: 'fixed', name: `fixed_${fieldId}`, size: Number(f[1]) };
      return 'string';
    }
  }
}

/**
 * A partition field name as an Avro field name, as Iceberg makes names Avro-compatible: a
 * character outside [A-Za-z0-9_] (or a leading digit) becomes `_x` and its hex code (a leading
 * digit: `_` and the digit). Readers find partition values by field id.
 */
export function avroName(name: string): string {
  let out = '';
  for (const ch of name) {
    const ok = /[A-Za-z_]/.test(ch) || (out !== '' && /[0-9]/.test(ch));
    out += ok ? ch : /[0-9]/.test(ch) ? `_${ch}` : `_x${ch.codePointAt(0)!.toString(16).toUpperCase()}`;
  }
  return out === '' ? '_' : out;
}

/** Bytes of the smallest two's-complement form holding every decimal of `precision` digits. */
export function decimalBytes(precision: number): number {
  const max = 10n ** BigInt(precision) - 1n;
  let w = 1;
  while ((1n << BigInt(8 * w - 1)) <= max) w++;
  return w;
}

function manifestEntrySchema(formatVersion: number, partition: readonly PartitionFieldInfo[]): unknown {
  const v2 = formatVersion >= 2;
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      ...(v2 ? [{ name: 'content', type: 'int', 'field-id': 134 }] : []),
      { name: 'file_path', type: 'string', 'field-id': 100 },
      { name: 'file_format', type: 'string', 'field-id': 101 },
      {
        name: 'partition',
        type: { type: 'record', name: 'r102', fields: partition.map((p) => ({ name: avroName(p.name), type: opt(partitionAvroType(p.resultType, p.fieldId)), default: null, 'field-id': p.fieldId })) },
        'field-id': 102,
      },
      { name: 'record_count', type: 'long', 'field-id': 103 },
      { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
      ...(v2 ? [] : [{ name: 'block_size_in_bytes', type: 'long', 'field-id': 105 }]),
      { name: 'column_sizes', type: opt(mapOf(117, 118, 'long')), default: null, 'field-id': 108 },
      { name: 'value_counts', type: opt(mapOf(119, 120, 'long')), default: null, 'field-id': 109 },
      { name: 'null_value_counts', type: opt(mapOf(121, 122, 'long')), default: null, 'field-id': 110 },
      { name: 'nan_value_counts', type: opt(mapOf(138, 139, 'long')), default: null, 'field-id': 137 },
      { name: 'lower_bounds', type: opt(mapOf(126, 127, 'bytes')), default: null, 'field-id': 125 },
      { name: 'upper_bounds', type: opt(mapOf(129, 130, 'bytes')), default: null, 'field-id': 128 },
      { name: 'key_metadata', type: opt('bytes'), default: null, 'field-id': 131 },
      { name: 'split_offsets', type: opt({ type: 'array', items: 'long', 'element-id': 133 }), default: null, 'field-id': 132 },
      ...(v2 ? [{ name: 'equality_ids', type: opt({ type: 'array', items: 'int', 'element-id': 136 }), default: null, 'field-id': 135 }] : []),
      { name: 'sort_order_id', type: opt('int'), default: null, 'field-id': 140 },
    ],
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int', 'field-id': 0 },
      v2 ? { name: 'snapshot_id', type: opt('long'), default: null, 'field-id': 1 } : { name: 'snapshot_id', type: 'long', 'field-id': 1 },
      ...(v2
        ? [
            { name: 'sequence_number', type: opt('long'), default: null, 'field-id': 3 },
            { name: 'file_sequence_number', type: opt('long'), default: null, 'field-id': 4 },
          ]
        : []),
      { name: 'data_file', type: dataFile, 'field-id': 2 },
    ],
  };
}

const avroMap = <V>(m: ReadonlyMap<number, V> | undefined, f: (v: V) => unknown) =>
  m && m.size > 0 ? [...m].sort((a, b) => a[0] - b[0]).map(([key, value]) => ({ key, value: f(value) })) : null;

/** A manifest of newly added files (all entries ADDED by `snapshotId`). */
export function encodeManifest(options: {
  readonly formatVersion: number;
  readonly schema: IcebergSchema;
  readonly specId: number;
  readonly partition: readonly PartitionFieldInfo[];
  readonly content: 'data' | 'deletes';
  readonly snapshotId: bigint;
  readonly files: readonly NewFile[];
}): Uint8Array {
  const { formatVersion, files } = options;
  const v2 = formatVersion >= 2;
  const records = files.map((f) => ({
    status: 1,
    snapshot_id: options.snapshotId,
    ...(v2 ? { sequence_number: null, file_sequence_number: null } : {}),
    data_file: {
      ...(v2 ? { content: f.content } : {}),
      file_path: f.path,
      file_format: 'PARQUET',
      partition: Object.fromEntries(options.partition.map((p) => [avroName(p.name), f.partition[p.name] ?? null])),
      record_count: BigInt(f.recordCount),
      file_size_in_bytes: BigInt(f.fileSize),
      ...(v2 ? {} : { block_size_in_bytes: 67_108_864n }),
      column_sizes: null,
      value_counts: avroMap(f.valueCounts, BigInt),
      null_value_counts: avroMap(f.nullCounts, BigInt),
      nan_value_counts: avroMap(f.nanCounts, BigInt),
      lower_bounds: avroMap(f.lowerBounds, (b) => Buffer.from(b)),
      upper_bounds: avroMap(f.upperBounds, (b) => Buffer.from(b)),
      key_metadata: null,
      split_offsets: null,
      ...(v2 ? { equality_ids: null } : {}),
      sort_order_id: null,
    },
  }));
  const spec = options.partition.map((p) => ({ name: p.name, transform: p.transform, 'source-id': p.sourceId, 'field-id': p.fieldId }));
  return writeAvroFile(manifestEntrySchema(formatVersion, options.partition), {
    schema: JSON.stringify(options.schema),
    'schema-id': String(options.schema['schema-id']),
    'partition-spec': JSON.stringify(spec),
    'partition-spec-id': String(options.specId),
    'format-version': String(formatVersion),
    ...(v2 ? { content: options.content } : {}),
  }, records);
}

// ---- manifest lists -----------------------------------------------------------------------------

/** One manifest of a snapshot, as its manifest list names it. */
export interface ManifestListEntry extends ManifestListFields {
  readonly addedSnapshotId: bigint;
  readonly addedFiles: number;
  readonly existingFiles: number;
  readonly deletedFiles: number;
  readonly addedRows: number;
  readonly existingRows: number;
  readonly deletedRows: number;
}

function manifestListSchema(formatVersion: number): unknown {
  const v2 = formatVersion >= 2;
  const count = (name: string, type: string, id: number) => (v2 ? { name, type, 'field-id': id } : { name, type: opt(type), default: null, 'field-id': id });
  return {
    type: 'record',
    name: 'manifest_file',
    fields: [
      { name: 'manifest_path', type: 'string', 'field-id': 500 },
      { name: 'manifest_length', type: 'long', 'field-id': 501 },
      { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
      ...(v2
        ? [
            { name: 'content', type: 'int', 'field-id': 517 },
            { name: 'sequence_number', type: 'long', 'field-id': 515 },
            { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
          ]
        : []),
      { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
      count('added_files_count', 'int', 504),
      count('existing_files_count', 'int', 505),
      count('deleted_files_count', 'int', 506),
      count('added_rows_count', 'long', 512),
      count('existing_rows_count', 'long', 513),
      count('deleted_rows_count', 'long', 514),
      {
        name: 'partitions',
        type: opt({
          type: 'array',
          'element-id': 508,
          items: {
            type: 'record',
            name: 'r508',
            fields: [
              { name: 'contains_null', type: 'boolean', 'field-id': 509 },
              { name: 'contains_nan', type: opt('boolean'), default: null, 'field-id': 518 },
              { name: 'lower_bound', type: opt('bytes'), default: null, 'field-id': 510 },
              { name: 'upper_bound', type: opt('bytes'), default: null, 'field-id': 511 },
            ],
          },
        }),
        default: null,
        'field-id': 507,
      },
      { name: 'key_metadata', type: opt('bytes'), default: null, 'field-id': 519 },
    ],
  };
}

/** A snapshot's manifest list. */
export function encodeManifestList(options: {
  readonly formatVersion: number;
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint;
  readonly sequenceNumber: number;
  readonly manifests: readonly ManifestListEntry[];
}): Uint8Array {
  const v2 = options.formatVersion >= 2;
  const records = options.manifests.map((m) => ({
    manifest_path: m.path,
    manifest_length: BigInt(m.length),
    partition_spec_id: m.specId,
    ...(v2 ? { content: m.content, sequence_number: BigInt(m.sequenceNumber), min_sequence_number: BigInt(m.minSequenceNumber) } : {}),
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFiles,
    existing_files_count: m.existingFiles,
    deleted_files_count: m.deletedFiles,
    added_rows_count: BigInt(m.addedRows),
    existing_rows_count: BigInt(m.existingRows),
    deleted_rows_count: BigInt(m.deletedRows),
    partitions: m.partitions
      ? m.partitions.map((p) => ({
          contains_null: p.containsNull,
          contains_nan: p.containsNan ?? null,
          lower_bound: p.lower ? Buffer.from(p.lower) : null,
          upper_bound: p.upper ? Buffer.from(p.upper) : null,
        }))
      : null,
    key_metadata: null,
  }));
  return writeAvroFile(manifestListSchema(options.formatVersion), {
    'snapshot-id': String(options.snapshotId),
    'parent-snapshot-id': options.parentSnapshotId === undefined ? 'null' : String(options.parentSnapshotId),
    'sequence-number': String(options.sequenceNumber),
    'format-version': String(options.formatVersion),
  }, records);
}
