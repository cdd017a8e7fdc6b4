/**
 * DELETE on an Iceberg table (format version 2): the rows' `$path` / `$pos` values become
 * position-delete files (Parquet: file_path, pos with field ids 2147483546 / 2147483545, sorted
 * by path then position) — one per partition (spec and tuple) of the data files the rows are
 * in, carrying that partition tuple, so readers apply it only within the partition — listed
 * in one delete manifest per spec and committed as a `delete` snapshot. Format-version 1
 * tables are not changed (0A000).
 */
import { randomUUID } from 'node:crypto';
import type { Batch } from '../../../engine/execution/batch/batch.js';
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { T } from '../../../engine/types/pg-type.js';
import type { IcebergCatalog } from '../catalog/catalog.js';
import { FileIO } from '../io.js';
import { EntryStatus, FileContent, ManifestContent, manifestsWithoutList, readManifest, readManifestList, type DataFile } from '../manifests.js';
import { snapshotById } from '../metadata.js';
import { partitionKey } from '../planning.js';
import { commitChange, dataFolder, metadataFolder, newSnapshotId, type PreparedChange } from './commit.js';
import { DataFileWriter } from './data-writer.js';
import { encodeManifest, type NewFile } from './manifest-writer.js';
import { avroValue, datumOfAvro, fieldSummaries, partitionPath, resolveSpec, type ResolvedField } from './partitioning.js';

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
  const fileOf = new Map<string, DataFile>();
  for (const mf of manifests) {
    if (mf.content !== ManifestContent.DATA) continue;
    for (const e of await readManifest(io, mf)) {
      if (e.status !== EntryStatus.DELETED && e.file.content === FileContent.DATA && byFile.has(e.file.path)) fileOf.set(e.file.path, e.file);
    }
  }
  // the delete files: one per partition (spec and tuple) of the data files the rows are in
  const groups = new Map<string, { specId: number; partition: ReadonlyMap<number, unknown>; paths: string[] }>();
  for (const path of byFile.keys()) {
    const f = fileOf.get(path);
    if (f === undefined) throw new SqlError(SqlState.T_R_SERIALIZATION_FAILURE, `could not serialize access to table "${namespace}.${table}": data file "${path}" is not in the snapshot read`);
    const key = `${f.specId}\u0000${partitionKey(f)}`;
    const g = groups.get(key);
    if (g) g.paths.push(path);
    else groups.set(key, { specId: f.specId, partition: f.partition, paths: [path] });
  }
  const specs = new Map<number, ResolvedField[]>();
  for (const g of groups.values()) {
    if (specs.has(g.specId)) continue;
    const spec = m.specs.get(g.specId);
    if (!spec) throw new SqlError(SqlState.DATA_CORRUPTED, `table "${namespace}.${table}" has a data file of partition spec ${g.specId}, which its metadata lacks`);
    specs.set(g.specId, resolveSpec(m, spec, `delete from "${namespace}.${table}"`));
  }

  const folder = dataFolder(m);
  const deleteFiles: { specId: number; values: unknown[]; file: NewFile }[] = [];
  const writers: DataFileWriter[] = [];
  try {
    for (const g of groups.values()) {
      const fields = specs.get(g.specId)!;
      const values = fields.map((f) => datumOfAvro(f.info.resultType, g.partition.get(f.info.fieldId)));
      // position deletes, sorted by path, then position
      const writer = new DataFileWriter(io, fields.length > 0 ? `${folder}/${partitionPath(fields, values)}` : folder, [
        { name: 'file_path', type: T.text, nullable: false, fieldId: POS_PATH_FIELD, primitive: 'string' },
        { name: 'pos', type: T.int8, nullable: false, fieldId: POS_FIELD, primitive: 'long' },
      ], {
        content: FileContent.POSITION_DELETES, fileRows: Number.MAX_SAFE_INTEGER, exactBounds: new Set([POS_PATH_FIELD]),
        partition: Object.fromEntries(fields.map((f, i) => [f.info.name, avroValue(f.info.resultType, values[i])])),
      });
      writers.push(writer);
      for (const path of g.paths.sort()) {
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
      for (const file of await writer.finish()) deleteFiles.push({ specId: g.specId, values, file });
    }
  } catch (e) {
    await Promise.allSettled(writers.map((w) => w.abort()));
    throw e;
  }

  // one delete manifest per partition spec
  const snapshotId = newSnapshotId();
  const schema = m.schemas.get(m.currentSchemaId)!;
  const written = deleteFiles.map((d) => d.file.path);
  const manifestEntries: PreparedChange['manifests'][number][] = [];
  try {
    for (const [specId, fields] of specs) {
      const mine = deleteFiles.filter((d) => d.specId === specId);
      const manifestPath = `${metadataFolder(m)}/${randomUUID()}-m${manifestEntries.length}.avro`;
      written.push(manifestPath);
      const bytes = encodeManifest({ formatVersion: m.formatVersion, schema, specId, partition: fields.map((f) => f.info), content: 'deletes', snapshotId, files: mine.map((d) => d.file) });
      await io.writeFile(manifestPath, bytes);
      manifestEntries.push({
        path: manifestPath, length: bytes.length, specId, content: ManifestContent.DELETES, addedSnapshotId: snapshotId,
        addedFiles: mine.length, existingFiles: 0, deletedFiles: 0, addedRows: mine.reduce((n, d) => n + d.file.recordCount, 0), existingRows: 0, deletedRows: 0,
        partitions: fieldSummaries(fields, mine.map((d) => d.values)),
      });
    }
  } catch (e) {
    await Promise.allSettled(written.map((f) => io.remove(f)));
    throw e;
  }
  await commitChange(catalog, io, namespace, table, loaded, {
    operation: 'delete',
    snapshotId,
    manifests: manifestEntries,
    added: {
      dataFiles: 0, records: 0, deleteFiles: deleteFiles.length, positionDeletes: count,
      filesSize: deleteFiles.reduce((n, d) => n + d.file.fileSize, 0), partitions: groups.size,
    },
    files: written,
    ...(m.tableUuid !== undefined ? { tableUuid: m.tableUuid } : {}),
    readSnapshotId: target.snapshotId!,
  });
  return count;
}
