/**
 * INSERT and CREATE TABLE AS into an Iceberg table: rows become Parquet data files under the
 * table's `data/` folder (field ids written), listed in one new manifest, committed as an
 * `append` snapshot (commit.ts). Unpartitioned tables only.
 */
import { randomUUID } from 'node:crypto';
import type { Batch } from '../../../engine/execution/batch/batch.js';
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import type { IcebergCatalog } from '../catalog/catalog.js';
import { FileIO } from '../io.js';
import { ManifestContent } from '../manifests.js';
import { schemaColumns } from '../types.js';
import { commitChange, dataFolder, metadataFolder, newSnapshotId } from './commit.js';
import { DataFileWriter, storedVector, type WriteColumn } from './data-writer.js';
import { encodeManifest } from './manifest-writer.js';

/** The table as the statement saw it: columns by field id, in the order batches hold them. */
export interface WriteTarget {
  readonly namespace: string;
  readonly table: string;
  readonly fieldIds: readonly number[];
}

/** Appends `rows` to the table and commits them; returns the number of rows. */
export async function appendRows(catalog: IcebergCatalog, target: WriteTarget, rows: AsyncIterable<Batch>): Promise<number> {
  const { namespace, table } = target;
  const loaded = await catalog.loadTable(namespace, table);
  if (!loaded) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${namespace}.${table}" does not exist`);
  const m = loaded.metadata;
  const spec = m.specs.get(m.defaultSpecId);
  if (spec && spec.fields.length > 0) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot insert into "${namespace}.${table}": writing to partitioned Iceberg tables is not supported`);
  }
  const schema = m.schemas.get(m.currentSchemaId)!;
  const exposed = schemaColumns(schema);
  const unwritable = schema.fields.find((f) => f.required && !exposed.some((c) => c.fieldId === f.id));
  if (unwritable) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot insert into "${namespace}.${table}": its required column "${unwritable.name}" has a type Lakegate cannot write`);
  }
  const columns: WriteColumn[] = target.fieldIds.map((id) => {
    const c = exposed.find((x) => x.fieldId === id);
    if (!c) {
      throw new SqlError(SqlState.T_R_SERIALIZATION_FAILURE, `could not serialize access to table "${namespace}.${table}": its schema changed during the statement`);
    }
    const list = typeof c.icebergType === 'object' && c.icebergType.type === 'list' ? c.icebergType : undefined;
    return {
      name: c.name, type: c.type, nullable: c.nullable, fieldId: c.fieldId,
      ...(list ? { elementFieldId: list['element-id'] } : {}),
      ...(typeof c.icebergType === 'string' ? { primitive: c.icebergType } : {}),
    };
  });
  const io = new FileIO(loaded.storage);
  const writer = new DataFileWriter(io, dataFolder(m), columns);
  let count = 0;
  const files = await (async () => {
    try {
      for await (const batch of rows) {
        if (batch.length === 0) continue;
        await writer.write({ length: batch.length, columns: columns.map((c, i) => storedVector(batch.columns[i]!, c)) });
        count += batch.length;
      }
      return await writer.finish();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  })();
  if (files.length === 0) return 0;

  const snapshotId = newSnapshotId();
  const manifestPath = `${metadataFolder(m)}/${randomUUID()}-m0.avro`;
  const written = [...files.map((f) => f.path), manifestPath];
  let manifestLength: number;
  try {
    const bytes = encodeManifest({ formatVersion: m.formatVersion, schema, specId: m.defaultSpecId, partition: [], content: 'data', snapshotId, files });
    await io.writeFile(manifestPath, bytes);
    manifestLength = bytes.length;
  } catch (e) {
    await Promise.allSettled(written.map((f) => io.remove(f)));
    throw e;
  }
  const filesSize = files.reduce((n, f) => n + f.fileSize, 0);
  await commitChange(catalog, io, namespace, table, loaded, {
    operation: 'append',
    snapshotId,
    manifests: [{
      path: manifestPath, length: manifestLength, specId: m.defaultSpecId, content: ManifestContent.DATA, addedSnapshotId: snapshotId,
      addedFiles: files.length, existingFiles: 0, deletedFiles: 0, addedRows: count, existingRows: 0, deletedRows: 0, partitions: [],
    }],
    added: { dataFiles: files.length, records: count, deleteFiles: 0, positionDeletes: 0, filesSize },
    files: written,
    ...(m.tableUuid !== undefined ? { tableUuid: m.tableUuid } : {}),
  });
  return count;
}
