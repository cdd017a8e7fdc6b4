/**
 * Metadata tables as Trino names them: "t$snapshots", "t$history", "t$files", "t$manifests",
 * "t$partitions", "t$refs", "t$properties". Rows are computed when the scan is planned and
 * travel in the split as PostgreSQL text (maps and partition tuples as json).
 */
import { T, arrayOf, type PgType } from '../../engine/types/pg-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText } from '../../engine/types/text-codec.js';
import { Numeric } from '../../engine/types/numeric.js';
import type { FileIO } from './io.js';
import { EntryStatus, manifestsWithoutList, readManifest, readManifestList } from './manifests.js';
import { ancestorsOf, type Snapshot, type TableMetadata } from './metadata.js';
import { fieldsById, primitiveType } from './types.js';
import { decodeBound, parseTransform, partitionDatum, resultType } from './values.js';

export const METADATA_TABLES = ['snapshots', 'history', 'files', 'manifests', 'partitions', 'refs', 'properties'] as const;
export type MetadataTable = (typeof METADATA_TABLES)[number];

type Col = readonly [string, PgType];

export const METADATA_COLUMNS: Record<MetadataTable, readonly Col[]> = {
  snapshots: [['committed_at', T.timestamptz], ['snapshot_id', T.int8], ['parent_id', T.int8], ['operation', T.text], ['manifest_list', T.text], ['summary', T.json]],
  history: [['made_current_at', T.timestamptz], ['snapshot_id', T.int8], ['parent_id', T.int8], ['is_current_ancestor', T.bool]],
  files: [
    ['content', T.int4], ['file_path', T.text], ['file_format', T.text], ['spec_id', T.int4], ['partition', T.json], ['record_count', T.int8],
    ['file_size_in_bytes', T.int8], ['column_sizes', T.json], ['value_counts', T.json], ['null_value_counts', T.json], ['nan_value_counts', T.json],
    ['lower_bounds', T.json], ['upper_bounds', T.json], ['split_offsets', arrayOf(T.int8)], ['equality_ids', arrayOf(T.int4)],
  ],
  manifests: [
    ['content', T.int4], ['path', T.text], ['length', T.int8], ['partition_spec_id', T.int4], ['added_snapshot_id', T.int8],
    ['added_data_files_count', T.int4], ['added_rows_count', T.int8], ['existing_data_files_count', T.int4], ['existing_rows_count', T.int8],
    ['deleted_data_files_count', T.int4], ['deleted_rows_count', T.int8], ['partition_summaries', T.json],
  ],
  partitions: [['partition', T.json], ['spec_id', T.int4], ['record_count', T.int8], ['file_count', T.int8], ['total_size', T.int8]],
  refs: [['name', T.text], ['type', T.text], ['snapshot_id', T.int8], ['max_reference_age_in_ms', T.int8], ['min_snapshots_to_keep', T.int4], ['max_snapshot_age_in_ms', T.int8]],
  properties: [['key', T.text], ['value', T.text]],
};

type Cell = string | null;
const text = (v: unknown): Cell => (v === undefined || v === null ? null : String(v));
const ts = (ms: number): string => formatText(T.timestamptz, BigInt(ms) * 1000n, DEFAULT_FORMAT_SETTINGS);

/** The rows of a metadata table as PostgreSQL text, for the snapshot the table name chose. */
export async function metadataRows(kind: MetadataTable, m: TableMetadata, snapshot: Snapshot | undefined, io: FileIO): Promise<Cell[][]> {
  switch (kind) {
    case 'snapshots':
      return m.snapshots.map((s) => [ts(s.timestampMs), s.snapshotId, text(s.parentId), text(s.summary.operation), text(s.manifestList), JSON.stringify(s.summary)]);
    case 'history': {
      const current = ancestorsOf(m, m.currentSnapshotId);
      const parent = new Map(m.snapshots.map((s) => [s.snapshotId, s.parentId]));
      return m.snapshotLog.map((e) => [ts(e.timestampMs), e.snapshotId, text(parent.get(e.snapshotId)), current.has(e.snapshotId) ? 't' : 'f']);
    }
    case 'refs':
      return [...m.refs].map(([name, r]) => [name, r.type.toUpperCase(), r.snapshotId, text(r.maxRefAgeMs), text(r.minSnapshotsToKeep), text(r.maxSnapshotAgeMs)]);
    case 'properties':
      return Object.entries(m.properties).map(([k, v]) => [k, v]);
    default:
      break;
  }
  if (!snapshot) return [];
  const manifests = snapshot.manifestList ? await readManifestList(io, snapshot.manifestList) : manifestsWithoutList(snapshot.manifests ?? []);
  if (kind === 'manifests') {
    return manifests.map((f) => {
      const spec = m.specs.get(f.specId);
      const summaries = (f.partitions ?? []).map((p, i) => {
        const type = partitionResultType(m, spec?.fields[i]);
        return {
          contains_null: p.containsNull,
          contains_nan: p.containsNan ?? null,
          lower_bound: p.lower && type ? jsonValue(type, decodeBound(type, p.lower)) : null,
          upper_bound: p.upper && type ? jsonValue(type, decodeBound(type, p.upper)) : null,
        };
      });
      return [String(f.content), f.path, String(f.length), String(f.specId), text(f.addedSnapshotId), text(f.addedFiles), text(f.addedRows),
        text(f.existingFiles), text(f.existingRows), text(f.deletedFiles), text(f.deletedRows), JSON.stringify(summaries)];
    });
  }
  const schema = m.schemas.get(snapshot.schemaId ?? m.currentSchemaId) ?? m.schemas.get(m.currentSchemaId)!;
  const fields = new Map<number, { name: string; type: unknown }>();
  for (const s of m.schemas.values()) for (const [id, f] of fieldsById(s)) fields.set(id, f);
  for (const [id, f] of fieldsById(schema)) fields.set(id, f);
  const rows: Cell[][] = [];
  const partitions = new Map<string, { json: string; specId: number; records: number; files: number; bytes: number }>();
  for (const mf of manifests) {
    for (const e of await readManifest(io, mf)) {
      if (e.status === EntryStatus.DELETED) continue;
      const f = e.file;
      const spec = m.specs.get(f.specId);
      const partition: Record<string, unknown> = {};
      for (const pf of spec?.fields ?? []) {
        const type = partitionResultType(m, pf);
        partition[pf.name] = type ? jsonValue(type, partitionDatum(type, f.partition.get(pf.fieldId) ?? null)) : null;
      }
      const partitionJson = JSON.stringify(partition);
      if (kind === 'files') {
        const byName = (map: ReadonlyMap<number, number> | undefined) => (map ? JSON.stringify(Object.fromEntries([...map].map(([k, v]) => [k, v]))) : null);
        const bound = (map: ReadonlyMap<number, Uint8Array> | undefined) => {
          if (!map) return null;
          const out: Record<string, unknown> = {};
          for (const [id, b] of map) {
            const field = fields.get(id);
            const type = typeof field?.type === 'string' ? field.type : undefined;
            out[field?.name ?? String(id)] = type ? jsonValue(type, decodeBound(type, b)) : null;
          }
          return JSON.stringify(out);
        };
        rows.push([String(f.content), f.path, f.format, String(f.specId), partitionJson, String(f.recordCount), String(f.fileSize),
          byName(f.columnSizes), byName(f.valueCounts), byName(f.nullCounts), byName(f.nanCounts), bound(f.lowerBounds), bound(f.upperBounds),
          f.splitOffsets ? `{${f.splitOffsets.join(',')}}` : null, f.equalityIds ? `{${f.equalityIds.join(',')}}` : null]);
      } else if (f.content === 0) {
        const key = `${f.specId}\u0000${partitionJson}`;
        const p = partitions.get(key) ?? { json: partitionJson, specId: f.specId, records: 0, files: 0, bytes: 0 };
        p.records += f.recordCount;
        p.files += 1;
        p.bytes += f.fileSize;
        partitions.set(key, p);
      }
    }
  }
  if (kind === 'partitions') for (const p of partitions.values()) rows.push([p.json, String(p.specId), String(p.records), String(p.files), String(p.bytes)]);
  return rows;
}

function partitionResultType(m: TableMetadata, pf: { sourceId: number; transform: string } | undefined): string | undefined {
  if (!pf) return undefined;
  for (const s of [m.schemas.get(m.currentSchemaId)!, ...m.schemas.values()]) {
    const f = fieldsById(s).get(pf.sourceId);
    if (f && typeof f.type === 'string') return resultType(parseTransform(pf.transform), f.type);
  }
  return undefined;
}

/** A datum of an Iceberg primitive type as a JSON value (dates and times as PostgreSQL text). */
function jsonValue(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    const pg = primitiveType(type);
    if (pg && pg.name !== 'int8') return formatText(pg, v, DEFAULT_FORMAT_SETTINGS);
    return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  }
  if (type === 'date') return formatText(T.date, v, DEFAULT_FORMAT_SETTINGS);
  if (v instanceof Uint8Array) return formatText(T.bytea, v, DEFAULT_FORMAT_SETTINGS);
  if (v instanceof Numeric) return v.toString();
  return v;
}
