/**
 * Manifest lists and manifests (Avro) as plain values, with the spec's inheritance rules:
 * an entry without a snapshot id or sequence number takes them from its manifest's list
 * entry; v1 files have sequence number 0. Both are immutable, so they are cached by path.
 */
import { fieldIds, nestedSchema, readAvroFile } from './avro.js';
import type { FileIO } from './io.js';

export const ManifestContent = { DATA: 0, DELETES: 1 } as const;
export const FileContent = { DATA: 0, POSITION_DELETES: 1, EQUALITY_DELETES: 2 } as const;
export const EntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;

export interface FieldSummary {
  readonly containsNull: boolean;
  readonly containsNan?: boolean;
  readonly lower?: Uint8Array;
  readonly upper?: Uint8Array;
}

/** The fields every manifest list entry has, as read (ManifestFile) and as written (ManifestListEntry). */
export interface ManifestListFields {
  readonly path: string;
  readonly length: number;
  readonly specId: number;
  /** 0 data, 1 deletes. */
  readonly content: number;
  readonly sequenceNumber: number;
  readonly minSequenceNumber: number;
  readonly partitions?: readonly FieldSummary[];
}

export interface ManifestFile extends ManifestListFields {
  readonly addedSnapshotId?: string;
  readonly addedFiles?: number;
  readonly existingFiles?: number;
  readonly deletedFiles?: number;
  readonly addedRows?: number;
  readonly existingRows?: number;
  readonly deletedRows?: number;
}

export interface ManifestEntry {
  readonly status: number;
  readonly snapshotId?: string;
  /** Data sequence number (inherited when the entry has none). */
  readonly sequenceNumber: number;
  readonly fileSequenceNumber: number;
  readonly file: DataFile;
}

export interface DataFile {
  readonly content: number;
  readonly path: string;
  readonly format: string;
  readonly specId: number;
  /** Partition values by partition field id, as Avro decoded them. */
  readonly partition: ReadonlyMap<number, unknown>;
  readonly recordCount: number;
  readonly fileSize: number;
  readonly columnSizes?: ReadonlyMap<number, number>;
  readonly valueCounts?: ReadonlyMap<number, number>;
  readonly nullCounts?: ReadonlyMap<number, number>;
  readonly nanCounts?: ReadonlyMap<number, number>;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
  readonly splitOffsets?: readonly number[];
  readonly equalityIds?: readonly number[];
}

type Rec = Record<string, unknown>;

const n = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const bytes = (v: unknown): Uint8Array | undefined => (v instanceof Uint8Array ? new Uint8Array(v) : undefined);

const CACHE_ENTRIES = 2_000;
const lists = new Map<string, Promise<ManifestFile[]>>();
const manifests = new Map<string, Promise<ManifestEntry[]>>();

function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let hit = cache.get(key);
  if (!hit) {
    hit = load();
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

export function readManifestList(io: FileIO, location: string): Promise<ManifestFile[]> {
  return cached(lists, location, async () => {
    const avro = readAvroFile(await io.readFile(location), location);
    return (avro.records as Rec[]).map((r) => {
      const sequenceNumber = n(r.sequence_number) ?? 0;
      return {
        path: String(r.manifest_path),
        length: Number(r.manifest_length),
        specId: Number(r.partition_spec_id ?? 0),
        content: n(r.content) ?? ManifestContent.DATA,
        sequenceNumber,
        minSequenceNumber: n(r.min_sequence_number) ?? sequenceNumber,
        ...(r.added_snapshot_id !== null && r.added_snapshot_id !== undefined ? { addedSnapshotId: String(r.added_snapshot_id) } : {}),
        ...opt('addedFiles', n(r.added_files_count ?? r.added_data_files_count)),
        ...opt('existingFiles', n(r.existing_files_count ?? r.existing_data_files_count)),
        ...opt('deletedFiles', n(r.deleted_files_count ?? r.deleted_data_files_count)),
        ...opt('addedRows', n(r.added_rows_count)),
        ...opt('existingRows', n(r.existing_rows_count)),
        ...opt('deletedRows', n(r.deleted_rows_count)),
        ...(Array.isArray(r.partitions)
          ? {
              partitions: (r.partitions as Rec[]).map((p) => ({
                containsNull: p.contains_null === true,
                ...(p.contains_nan !== null && p.contains_nan !== undefined ? { containsNan: p.contains_nan === true } : {}),
                ...opt('lower', bytes(p.lower_bound)),
                ...opt('upper', bytes(p.upper_bound)),
              })),
            }
          : {}),
      };
    });
  });
}

/** A v1 snapshot without a manifest list names its manifests directly. */
export function manifestsWithoutList(paths: readonly string[]): ManifestFile[] {
  return paths.map((path) => ({ path, length: 0, specId: -1, content: ManifestContent.DATA, sequenceNumber: 0, minSequenceNumber: 0 }));
}

export function readManifest(io: FileIO, manifest: ManifestFile): Promise<ManifestEntry[]> {
  return cached(manifests, `${manifest.path}\u0000${manifest.sequenceNumber}\u0000${manifest.addedSnapshotId ?? ''}`, async () => {
    const avro = readAvroFile(await io.readFile(manifest.path), manifest.path);
    const specId = manifest.specId >= 0 ? manifest.specId : Number(avro.metadata['partition-spec-id'] ?? 0);
    // partition struct field name → partition field id, from the writer's schema
    const partitionIds = fieldIds(nestedSchema(avro.schema, ['data_file', 'partition']));
    return (avro.records as Rec[]).map((r) => {
      const status = Number(r.status);
      const d = r.data_file as Rec;
      // inheritance: added entries without a sequence number take the manifest's
      const seq = n(r.sequence_number) ?? (status === EntryStatus.ADDED || manifest.sequenceNumber === 0 ? manifest.sequenceNumber : 0);
      const snapshotId = r.snapshot_id ?? manifest.addedSnapshotId;
      const partition = new Map<number, unknown>();
      for (const [name, value] of Object.entries((d.partition as Rec | null) ?? {})) {
        const id = partitionIds.get(name);
        if (id !== undefined) partition.set(id, value);
      }
      const file: DataFile = {
        content: n(d.content) ?? FileContent.DATA,
        path: String(d.file_path),
        format: String(d.file_format).toUpperCase(),
        specId,
        partition,
        recordCount: Number(d.record_count),
        fileSize: Number(d.file_size_in_bytes),
        ...opt('columnSizes', numberMap(d.column_sizes)),
        ...opt('valueCounts', numberMap(d.value_counts)),
        ...opt('nullCounts', numberMap(d.null_value_counts)),
        ...opt('nanCounts', numberMap(d.nan_value_counts)),
        ...opt('lowerBounds', bytesMap(d.lower_bounds)),
        ...opt('upperBounds', bytesMap(d.upper_bounds)),
        ...opt('splitOffsets', Array.isArray(d.split_offsets) ? (d.split_offsets as unknown[]).map(Number) : undefined),
        ...opt('equalityIds', Array.isArray(d.equality_ids) ? (d.equality_ids as unknown[]).map(Number) : undefined),
      };
      return {
        status,
        ...(snapshotId !== null && snapshotId !== undefined ? { snapshotId: String(snapshotId) } : {}),
        sequenceNumber: seq,
        fileSequenceNumber: n(r.file_sequence_number) ?? seq,
        file,
      };
    });
  });
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Avro maps with int keys are arrays of {key, value} records. */
function numberMap(v: unknown): Map<number, number> | undefined {
  if (!Array.isArray(v)) return undefined;
  return new Map((v as { key: number; value: unknown }[]).map((e) => [Number(e.key), Number(e.value)]));
}

function bytesMap(v: unknown): Map<number, Uint8Array> | undefined {
  if (!Array.isArray(v)) return undefined;
  return new Map((v as { key: number; value: Uint8Array }[]).map((e) => [Number(e.key), new Uint8Array(e.value)]));
}
