/**
 * Committing a change (new data files, or position-delete files) as a new snapshot of the
 * table's `main` branch:
 *
 *   1. the change's files and manifests are written once, before the first attempt;
 *   2. each attempt writes a manifest list — the change's manifests, then every manifest of
 *      the current snapshot — and asks the catalog to add the snapshot if `main` is still the
 *      snapshot the attempt built on (REST: assert-ref-snapshot-id; Hadoop: create-if-absent
 *      of the next metadata file);
 *   3. when another writer got there first (CommitConflict) the table is reloaded and the
 *      change re-based on the new snapshot — only the manifest list is written again — up to
 *      MAX_ATTEMPTS times with growing pauses; then 40001 (serialization_failure). A delete
 *      re-bases only over snapshots that appended data: anything else may have rewritten the
 *      files its positions point into;
 *   4. a change that definitely failed removes every file it wrote; one whose outcome is
 *      unknown (5xx, timeout, connection lost) keeps them all, since a committed snapshot may
 *      reference them, and fails with 40003 (statement_completion_unknown).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { CommitConflict, CommitOutcomeUnknown, type IcebergCatalog, type LoadedTable } from '../catalog/catalog.js';
import type { FileIO } from '../io.js';
import { EntryStatus, readManifest, readManifestList, type ManifestFile } from '../manifests.js';
import { snapshotById, type TableMetadata } from '../metadata.js';
import { encodeManifestList, type ManifestListEntry } from './manifest-writer.js';

/** Attempts before a change that keeps losing to other writers fails with 40001. */
export const MAX_ATTEMPTS = 6;
/** Pause before the second attempt; doubled (with jitter) for each further one. */
const FIRST_PAUSE_MS = 50;

/** What a change adds, for the snapshot summary. */
export interface Added {
  readonly dataFiles: number;
  readonly records: number;
  readonly deleteFiles: number;
  readonly positionDeletes: number;
  readonly filesSize: number;
  /** Distinct partitions the change touched (1 when unpartitioned and anything was added). */
  readonly partitions?: number;
}

export interface PreparedChange {
  readonly operation: 'append' | 'delete';
  readonly snapshotId: bigint;
  /** The change's own manifests; their sequence numbers are set per attempt. */
  readonly manifests: readonly Omit<ManifestListEntry, 'sequenceNumber' | 'minSequenceNumber'>[];
  readonly added: Added;
  /** Every file the change wrote (data or delete files, manifests). */
  readonly files: readonly string[];
  /** The uuid of the table the change was prepared for. */
  readonly tableUuid?: string;
  /** A delete: the snapshot its row positions were read from. */
  readonly readSnapshotId?: string;
}

/** A new snapshot id: a random positive 63-bit integer. */
export function newSnapshotId(): bigint {
  const id = randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
  return id === 0n ? 1n : id;
}

export const metadataFolder = (m: TableMetadata): string => (m.properties['write.metadata.path'] ?? `${m.location.replace(/\/+$/, '')}/metadata`).replace(/\/+$/, '');
export const dataFolder = (m: TableMetadata): string => (m.properties['write.data.path'] ?? `${m.location.replace(/\/+$/, '')}/data`).replace(/\/+$/, '');

/** Commits `change` on top of `base` (or the table's newer versions); see the file header. */
export async function commitChange(catalog: IcebergCatalog, io: FileIO, namespace: string, table: string, base: LoadedTable, change: PreparedChange): Promise<void> {
  const lists: string[] = [];
  const discard = async () => {
    await Promise.allSettled([...change.files, ...lists].map((f) => io.remove(f)));
  };
  let current: LoadedTable | undefined = base;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (attempt > 1) {
      await new Promise((r) => setTimeout(r, FIRST_PAUSE_MS * 2 ** (attempt - 2) * (0.5 + Math.random())));
      current = await catalog.loadTable(namespace, table).catch(async (e: unknown) => {
        await discard();
        throw e;
      });
    }
    const m = current?.metadata;
    if (!m || (change.tableUuid !== undefined && m.tableUuid !== undefined && m.tableUuid !== change.tableUuid)) {
      await discard();
      throw new SqlError(SqlState.T_R_SERIALIZATION_FAILURE, `could not serialize access to table "${namespace}.${table}": it was dropped or replaced during the statement`);
    }
    const parentId = m.refs.get('main')?.snapshotId;
    if (change.operation === 'delete' && parentId !== change.readSnapshotId && !onlyAppendsBetween(m, change.readSnapshotId, parentId)) {
      await discard();
      throw new SqlError(SqlState.T_R_SERIALIZATION_FAILURE, `could not serialize access to table "${namespace}.${table}" due to a concurrent change`, {
        detail: 'Another statement replaced or deleted rows of the table after this DELETE read it.',
        hint: 'The transaction might succeed if retried.',
      });
    }
    const parent = parentId === undefined ? undefined : snapshotById(m, parentId);
    let snapshot: Record<string, unknown>;
    try {
      const parentManifests = parent ? await manifestsOf(io, parent.manifestList, parent.manifests) : [];
      const v2 = m.formatVersion >= 2;
      const sequenceNumber = v2 ? m.lastSequenceNumber + 1 : 0;
      const listPath = `${metadataFolder(m)}/snap-${change.snapshotId}-${attempt}-${randomUUID()}.avro`;
      lists.push(listPath);
      await io.writeFile(listPath, encodeManifestList({
        formatVersion: m.formatVersion,
        snapshotId: change.snapshotId,
        ...(parentId !== undefined ? { parentSnapshotId: BigInt(parentId) } : {}),
        sequenceNumber,
        manifests: [...change.manifests.map((x) => ({ ...x, sequenceNumber, minSequenceNumber: sequenceNumber })), ...parentManifests],
      }));
      snapshot = {
        'snapshot-id': change.snapshotId,
        ...(parentId !== undefined ? { 'parent-snapshot-id': BigInt(parentId) } : {}),
        ...(v2 ? { 'sequence-number': sequenceNumber } : {}),
        'timestamp-ms': Math.max(Date.now(), m.lastUpdatedMs + 1),
        'manifest-list': listPath,
        summary: summaryOf(change, parent?.summary),
        'schema-id': m.currentSchemaId,
      };
    } catch (e) {
      await discard();
      throw e;
    }
    try {
      await catalog.commitSnapshot(namespace, table, {
        ...(m.tableUuid !== undefined ? { tableUuid: m.tableUuid } : {}),
        ...(parentId !== undefined ? { parentSnapshotId: parentId } : {}),
        snapshot,
      });
      return;
    } catch (e) {
      if (e instanceof CommitConflict) {
        await io.remove(lists[lists.length - 1]!).catch(() => undefined);
        lists.pop();
        continue;
      }
      if (e instanceof CommitOutcomeUnknown) {
        throw new SqlError(SqlState.T_R_STATEMENT_COMPLETION_UNKNOWN, `the commit of a new snapshot of table "${namespace}.${table}" may or may not have taken effect: ${e.message}`, {
          detail: `Snapshot ${change.snapshotId}; its files are kept, since the table may reference them.`,
          hint: 'Check the table (its "$snapshots" metadata table) before running the statement again.',
        });
      }
      await discard();
      throw e;
    }
  }
  await discard();
  throw new SqlError(SqlState.T_R_SERIALIZATION_FAILURE, `could not serialize access to table "${namespace}.${table}": ${MAX_ATTEMPTS} commit attempts lost to concurrent writers`, {
    hint: 'The transaction might succeed if retried.',
  });
}

/** Whether every snapshot after `from` up to `to` (on to's ancestry) appended data only. */
function onlyAppendsBetween(m: TableMetadata, from: string | undefined, to: string | undefined): boolean {
  for (let at = to; at !== from; ) {
    if (at === undefined) return false;
    const s = snapshotById(m, at);
    if (!s || s.summary.operation !== 'append') return false;
    at = s.parentId;
  }
  return true;
}

/** A snapshot's manifests as manifest-list entries (counts read from the manifest when the list lacks them). */
async function manifestsOf(io: FileIO, list: string | undefined, paths: readonly string[] | undefined): Promise<ManifestListEntry[]> {
  if (list === undefined) {
    if (paths && paths.length > 0) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'cannot write to an Iceberg table whose current snapshot has no manifest list (format version 1 without manifest lists)');
    }
    return [];
  }
  const out: ManifestListEntry[] = [];
  for (const mf of await readManifestList(io, list)) out.push(await listEntryOf(io, mf));
  return out;
}

async function listEntryOf(io: FileIO, mf: ManifestFile): Promise<ManifestListEntry> {
  let counts = {
    addedFiles: mf.addedFiles, existingFiles: mf.existingFiles, deletedFiles: mf.deletedFiles,
    addedRows: mf.addedRows, existingRows: mf.existingRows, deletedRows: mf.deletedRows,
  };
  if (Object.values(counts).some((v) => v === undefined) || mf.addedSnapshotId === undefined) {
    const entries = await readManifest(io, mf);
    const of = (status: number) => entries.filter((e) => e.status === status);
    const rows = (status: number) => of(status).reduce((n, e) => n + e.file.recordCount, 0);
    counts = {
      addedFiles: of(EntryStatus.ADDED).length, existingFiles: of(EntryStatus.EXISTING).length, deletedFiles: of(EntryStatus.DELETED).length,
      addedRows: rows(EntryStatus.ADDED), existingRows: rows(EntryStatus.EXISTING), deletedRows: rows(EntryStatus.DELETED),
    };
  }
  return {
    path: mf.path,
    length: mf.length,
    specId: mf.specId,
    content: mf.content,
    sequenceNumber: mf.sequenceNumber,
    minSequenceNumber: mf.minSequenceNumber,
    addedSnapshotId: BigInt(mf.addedSnapshotId ?? 0),
    addedFiles: counts.addedFiles ?? 0,
    existingFiles: counts.existingFiles ?? 0,
    deletedFiles: counts.deletedFiles ?? 0,
    addedRows: counts.addedRows ?? 0,
    existingRows: counts.existingRows ?? 0,
    deletedRows: counts.deletedRows ?? 0,
    ...(mf.partitions ? { partitions: mf.partitions } : {}),
  };
}

/** The snapshot summary: what was added, and the table's totals when the parent's are known. */
function summaryOf(change: PreparedChange, parent: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const a = change.added;
  const out: Record<string, string> = { operation: change.operation };
  if (a.dataFiles > 0) out['added-data-files'] = String(a.dataFiles);
  if (a.records > 0) out['added-records'] = String(a.records);
  if (a.deleteFiles > 0) {
    out['added-delete-files'] = String(a.deleteFiles);
    out['added-position-delete-files'] = String(a.deleteFiles);
  }
  if (a.positionDeletes > 0) out['added-position-deletes'] = String(a.positionDeletes);
  out['added-files-size'] = String(a.filesSize);
  out['changed-partition-count'] = String(a.partitions ?? (a.dataFiles + a.deleteFiles > 0 ? 1 : 0));
  const total = (key: string, add: number) => {
    const before = parent === undefined ? '0' : parent[key];
    if (before !== undefined && /^\d+$/.test(before)) out[key] = String(Number(before) + add);
  };
  total('total-records', a.records);
  total('total-files-size', a.filesSize);
  total('total-data-files', a.dataFiles);
  total('total-delete-files', a.deleteFiles);
  total('total-position-deletes', a.positionDeletes);
  total('total-equality-deletes', 0);
  out['engine-name'] = 'lakegate';
  return out;
}
