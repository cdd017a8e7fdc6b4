/**
 * DELETE on an Iceberg table (format version 2): the rows' `$path` / `$pos` values become one
 * position-delete file (Parquet: file_path, pos with field ids 2147483546 / 2147483545, sorted
 * by path then position), listed in a delete manifest and committed as a `delete` snapshot.
 * Rows of unpartitioned data files only; format-version 1 tables are not changed (0A000).
 */
import { randomUUID } from 'node:crypto';
import type { Batch } from '../../../engine/execution/batch/batch.js';
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { T } from '../../../engine/types/pg-type.js';
import type { IcebergCatalog } from '../catalog/catalog.js';
import { FileIO } from '../io.js';
import { EntryStatus, FileContent, ManifestContent, manifestsWithoutList, readManifest, readManifestList } from '../manifests.js';
import { snapshotById } from '../metadata.js';
import { commitChange, dataFolder, metadataFolder, newSnapshotId } from './commit.js';
import { DataFileWriter } from './data-writer.js';
import { encodeManifest } from './manifest-writer.js';

export const POS_PATH_FIELD = 2147483546;
export const POS_FIELD = 2147483545;

/** Removes the rows at (`$path`, `$pos`) of the batches; returns how many rows were deleted. */
export async function deletePositions(
  catalog: IcebergCatalog,
  target: { readonly namespace: string; readonly table: string; readonly snapshotId?: string },
  rowIds: AsyncIterable<Batch>,
): Promise<number> {
  const { namespace, table } = target;
  const byFile = new Map<string, Set<bigint>>();
  for await (const b of rowIds) {
    const paths = b.columns[0]!;
    const positions = b.columns[1]!.data as BigInt64Array;
    for (let i = 0; i < b.length; i++) {
      if (paths.nulls?.[i] === 1 || b.columns[1]!.nulls?.[i] === 1) continue;
      const path = (paths.data as string[])[i]!;
      let set = byFile.get(path);
      if (!set) byFile.set(path, (set = new Set()));
      set.add(positions[i]!);
    }
  }
  let count = 0;
  for (const s of byFile.values()) count += s.size;
  if (count === 0) return 0;

  const loaded = await catalog.loadTable(namespace, table);
  if (!loaded) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${namespace}.${table}" does not exist`);
  const m = loaded.metadata;
  if (m.formatVersion < 2) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot delete from "${namespace}.${table}": it is an Iceberg format-version 1 table`, {
      hint: 'Upgrade the table to format version 2 (position deletes) with another engine.',
    });
  }
  const io = new FileIO(loaded.storage);
  // the data files the rows were read from must be unpartitioned
  const read = target.snapshotId === undefined ? undefined : snapshotById(m, target.snapshotId);
  if (!read) throw new SqlError(SqlState.T_R_SERIALIZATION_FAILURE, `could not serialize access to table "${namespace}.${table}": the snapshot the statement read is gone`);
  const manifests = read.manifestList ? await readManifestList(io, read.manifestList) : manifestsWithoutList(read.manifests ?? []);
  const specOf = new Map<string, number>();
  for (const mf of manifests) {
    if (mf.content !== ManifestContent.DATA) continue;
    for (const e of await readManifest(io, mf)) {
      if (e.status !== EntryStatus.DELETED && e.file.content === FileContent.DATA && byFile.has(e.file.path)) specOf.set(e.file.path, e.file.specId);
    }
  }
  for (const path of byFile.keys()) {
    const specId = specOf.get(path);
    if (specId === undefined) throw new SqlError(SqlState.T_R_SERIALIZATION_FAILURE, `could not serialize access to table "${namespace}.${table}": data file "${path}" is not in the snapshot read`);
    if ((m.specs.get(specId)?.fields.length ?? 0) > 0) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot delete from "${namespace}.${table}": deleting rows of partitioned Iceberg tables is not supported`);
    }
  }

  // one position-delete file, sorted by path, then position
  const writer = new DataFileWriter(io, dataFolder(m), [
    { name: 'file_path', type: T.text, nullable: false, fieldId: POS_PATH_FIELD, primitive: 'string' },
    { name: 'pos', type: T.int8, nullable: false, fieldId: POS_FIELD, primitive: 'long' },
  ], { content: FileContent.POSITION_DELETES, fileRows: Number.MAX_SAFE_INTEGER, exactBounds: new Set([POS_PATH_FIELD]) });
  const files = await (async () => {
    try {
      for (const path of [...byFile.keys()].sort()) {
        const positions = BigInt64Array.from(byFile.get(path)!).sort();
        for (let at = 0; at < positions.length; at += 4096) {
          const part = positions.subarray(at, at + 4096);
          await writer.write({
            length: part.length,
            columns: [
              { type: T.text, length: part.length, data: new Array<string>(part.length).fill(path), nulls: null },
              { type: T.int8, length: part.length, data: part, nulls: null },
            ],
          });
        }
      }
      return await writer.finish();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  })();

  const snapshotId = newSnapshotId();
  const manifestPath = `${metadataFolder(m)}/${randomUUID()}-m0.avro`;
  const written = [...files.map((f) => f.path), manifestPath];
  let manifestLength: number;
  const specId = specOf.get(byFile.keys().next().value!)!;
  try {
    const bytes = encodeManifest({ formatVersion: m.formatVersion, schema: m.schemas.get(m.currentSchemaId)!, specId, partition: [], content: 'deletes', snapshotId, files });
    await io.writeFile(manifestPath, bytes);
    manifestLength = bytes.length;
  } catch (e) {
    await Promise.allSettled(written.map((f) => io.remove(f)));
    throw e;
  }
  await commitChange(catalog, io, namespace, table, loaded, {
    operation: 'delete',
    snapshotId,
    manifests: [{
      path: manifestPath, length: manifestLength, specId, content: ManifestContent.DELETES, addedSnapshotId: snapshotId,
      addedFiles: files.length, existingFiles: 0, deletedFiles: 0, addedRows: count, existingRows: 0, deletedRows: 0, partitions: [],
    }],
    added: { dataFiles: 0, records: 0, deleteFiles: files.length, positionDeletes: count, filesSize: files.reduce((n, f) => n + f.fileSize, 0) },
    files: written,
    ...(m.tableUuid !== undefined ? { tableUuid: m.tableUuid } : {}),
    readSnapshotId: target.snapshotId!,
  });
  return count;
}
