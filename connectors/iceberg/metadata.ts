/**
 * Table metadata (the `*.metadata.json` file a catalog points at), formats v1 and v2, read
 * into one normalised shape: schemas by id, partition specs by id, snapshots, refs,
 * properties. Sort orders are read past and ignored.
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { invalidMetadata, type IcebergSchema } from './types.js';

export interface PartitionField {
  readonly sourceId: number;
  readonly fieldId: number;
  readonly name: string;
  readonly transform: string;
}

export interface PartitionSpec {
  readonly specId: number;
  readonly fields: readonly PartitionField[];
}

export interface Snapshot {
  /** Snapshot ids are 64-bit: kept as decimal text. */
  readonly snapshotId: string;
  readonly parentId?: string;
  readonly sequenceNumber: number;
  readonly timestampMs: number;
  readonly manifestList?: string;
  /** v1 snapshots written before manifest lists: the manifest paths themselves. */
  readonly manifests?: readonly string[];
  readonly summary: Readonly<Record<string, string>>;
  readonly schemaId?: number;
}

export interface SnapshotRef {
  readonly snapshotId: string;
  readonly type: 'branch' | 'tag';
  readonly maxRefAgeMs?: number;
  readonly maxSnapshotAgeMs?: number;
  readonly minSnapshotsToKeep?: number;
}

export interface TableMetadata {
  readonly formatVersion: number;
  readonly tableUuid?: string;
  readonly location: string;
  readonly lastUpdatedMs: number;
  readonly schemas: ReadonlyMap<number, IcebergSchema>;
  readonly currentSchemaId: number;
  readonly specs: ReadonlyMap<number, PartitionSpec>;
  readonly defaultSpecId: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly currentSnapshotId?: string;
  readonly snapshots: readonly Snapshot[];
  /** When each snapshot became current, oldest first. */
  readonly snapshotLog: readonly { readonly timestampMs: number; readonly snapshotId: string }[];
  readonly refs: ReadonlyMap<string, SnapshotRef>;
  readonly metadataLog: readonly { readonly timestampMs: number; readonly file: string }[];
  /** The highest sequence number assigned (v2; 0 for v1). */
  readonly lastSequenceNumber: number;
}

type Raw = Record<string, unknown>;

/** Snapshot ids may exceed 2^53: they are taken from the JSON text, not from parsed numbers. */
export function parseTableMetadata(text: string): TableMetadata {
  let raw: Raw;
  try {
    // Quote every long integer so that 64-bit ids survive JSON.parse.
    raw = JSON.parse(text.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"')) as Raw;
  } catch (e) {
    throw invalidMetadata(`table metadata is not JSON (${(e as Error).message})`);
  }
  return normaliseMetadata(raw);
}

const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
const id = (v: unknown): string | undefined => (v === undefined || v === null || String(v) === '-1' ? undefined : String(v));

export function normaliseMetadata(raw: Raw): TableMetadata {
  const formatVersion = num(raw['format-version']) ?? 1;
  if (formatVersion > 3) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `Iceberg format version ${formatVersion} is not supported`);
  const schemas = new Map<number, IcebergSchema>();
  for (const s of (raw.schemas as IcebergSchema[] | undefined) ?? []) schemas.set(num(s['schema-id']) ?? 0, s);
  if (schemas.size === 0 && raw.schema) {
    const s = raw.schema as IcebergSchema;
    schemas.set(num(s['schema-id']) ?? 0, { ...s, 'schema-id': num(s['schema-id']) ?? 0 });
  }
  const currentSchemaId = num(raw['current-schema-id']) ?? [...schemas.keys()][0] ?? 0;
  if (!schemas.has(currentSchemaId)) throw invalidMetadata(`current schema ${currentSchemaId} is not among the schemas`);

  const specs = new Map<number, PartitionSpec>();
  const specOf = (specId: number, fields: Raw[]): PartitionSpec => ({
    specId,
    fields: fields.map((f, i) => ({
      sourceId: Number(f['source-id']),
      // v1 specs may omit field ids: they were assigned from 1000 in order
      fieldId: num(f['field-id']) ?? 1000 + i,
      name: String(f.name),
      transform: String(f.transform),
    })),
  });
  for (const s of (raw['partition-specs'] as Raw[] | undefined) ?? []) specs.set(Number(s['spec-id'] ?? 0), specOf(Number(s['spec-id'] ?? 0), (s.fields as Raw[]) ?? []));
  if (specs.size === 0) specs.set(0, specOf(0, (raw['partition-spec'] as Raw[] | undefined) ?? []));
  const defaultSpecId = num(raw['default-spec-id']) ?? [...specs.keys()][0]!;

  const snapshots: Snapshot[] = ((raw.snapshots as Raw[] | undefined) ?? []).map((s) => ({
    snapshotId: String(s['snapshot-id']),
    ...(id(s['parent-snapshot-id']) !== undefined ? { parentId: id(s['parent-snapshot-id'])! } : {}),
    sequenceNumber: num(s['sequence-number']) ?? 0,
    timestampMs: Number(s['timestamp-ms']),
    ...(typeof s['manifest-list'] === 'string' ? { manifestList: s['manifest-list'] } : {}),
    ...(Array.isArray(s.manifests) ? { manifests: s.manifests as string[] } : {}),
    summary: Object.fromEntries(Object.entries((s.summary as Raw | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
    ...(num(s['schema-id']) !== undefined ? { schemaId: num(s['schema-id'])! } : {}),
  }));

  const refs = new Map<string, SnapshotRef>();
  for (const [name, r] of Object.entries((raw.refs as Record<string, Raw> | undefined) ?? {})) {
    refs.set(name, {
      snapshotId: String(r['snapshot-id']),
      type: r.type === 'tag' ? 'tag' : 'branch',
      ...(num(r['max-ref-age-ms']) !== undefined ? { maxRefAgeMs: num(r['max-ref-age-ms'])! } : {}),
      ...(num(r['max-snapshot-age-ms']) !== undefined ? { maxSnapshotAgeMs: num(r['max-snapshot-age-ms'])! } : {}),
      ...(num(r['min-snapshots-to-keep']) !== undefined ? { minSnapshotsToKeep: num(r['min-snapshots-to-keep'])! } : {}),
    });
  }
  const currentSnapshotId = id(raw['current-snapshot-id']) ?? refs.get('main')?.snapshotId;
  // v1 tables without refs: `main` is the current snapshot
  if (!refs.has('main') && currentSnapshotId !== undefined) refs.set('main', { snapshotId: currentSnapshotId, type: 'branch' });

  const properties = Object.fromEntries(Object.entries((raw.properties as Raw | undefined) ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    formatVersion,
    ...(typeof raw['table-uuid'] === 'string' ? { tableUuid: raw['table-uuid'] } : {}),
    location: String(raw.location ?? ''),
    lastUpdatedMs: Number(raw['last-updated-ms'] ?? 0),
    schemas,
    currentSchemaId,
    specs,
    defaultSpecId,
    properties,
    ...(currentSnapshotId !== undefined ? { currentSnapshotId } : {}),
    snapshots,
    snapshotLog: ((raw['snapshot-log'] as Raw[] | undefined) ?? []).map((e) => ({ timestampMs: Number(e['timestamp-ms']), snapshotId: String(e['snapshot-id']) })),
    refs,
    lastSequenceNumber: num(raw['last-sequence-number']) ?? Math.max(0, ...snapshots.map((x) => x.sequenceNumber)),
    metadataLog: ((raw['metadata-log'] as Raw[] | undefined) ?? []).map((e) => ({ timestampMs: Number(e['timestamp-ms']), file: String(e['metadata-file']) })),
  };
}

export const snapshotById = (m: TableMetadata, snapshotId: string): Snapshot | undefined => m.snapshots.find((s) => s.snapshotId === snapshotId);

/** Snapshot ids from `id` back through its parents. */
export function ancestorsOf(m: TableMetadata, snapshotId: string | undefined): Set<string> {
  const out = new Set<string>();
  const byId = new Map(m.snapshots.map((s) => [s.snapshotId, s]));
  for (let at = snapshotId; at !== undefined && !out.has(at); at = byId.get(at)?.parentId) out.add(at);
  return out;
}
