/**
 * INSERT and CREATE TABLE AS into an Iceberg table: rows become Parquet data files under the
 * table's `data/` folder (field ids written), listed in one new manifest, committed as an
 * `append` snapshot (commit.ts). A partitioned table (its default spec) gets one file per
 * partition tuple, under `data/<name=value/…>/`, the tuple in the manifest entry and each
 * field's summary in the manifest list.
 */
import { randomUUID } from 'node:crypto';
import { takeBatchRows, type Batch } from '../../../engine/execution/batch/batch.js';
import { datumAt } from '../../../engine/execution/batch/vector.js';
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import type { IcebergCatalog } from '../catalog/catalog.js';
import { FileIO } from '../io.js';
import { ManifestContent } from '../manifests.js';
import { schemaColumns } from '../types.js';
import { commitChange, dataFolder, metadataFolder, newSnapshotId } from './commit.js';
import { DataFileWriter, storedVector, type WriteColumn } from './data-writer.js';
import { encodeManifest, type NewFile } from './manifest-writer.js';
import { avroValue, fieldSummaries, partitionPath, resolveSpec, transformDatum, tupleKey, type ResolvedField } from './partitioning.js';

/** Data files open at once while an INSERT spreads rows over partitions; beyond, the least recently written is finished. */
const MAX_OPEN_FILES = 512;
/** Row groups of partitioned tables' files: smaller, so that many open files buffer less. */
const PARTITIONED_ROW_GROUP_ROWS = 65_536;
/** Files finished (uploads completed) at once at the end of an INSERT. */
const FINISH_CONCURRENCY = 8;

interface Partition {
  /** The partition tuple: one result datum (or null) per partition field. */
  readonly values: readonly unknown[];
  readonly writer: DataFileWriter;
}

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
  const partitioned = spec !== undefined && spec.fields.length > 0;
  const fields = partitioned ? resolveSpec(m, spec, `insert into "${namespace}.${table}"`) : [];
  // each partition field's source: its position among the written columns (-1: always NULL)
  const sources = fields.map((f) => {
    if (f.transform.kind === 'void') return -1;
    const at = columns.findIndex((c) => c.fieldId === f.info.sourceId);
    if (at < 0) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot insert into "${namespace}.${table}": its partition field "${f.info.name}" has a source column Lakegate cannot write`);
    return at;
  });
  const io = new FileIO(loaded.storage);
  const folder = dataFolder(m);
  const partitions = new Map<string, Partition>();
  const open: Partition[] = [];
  const partitionOf = (key: string, values: readonly unknown[]): Partition => {
    let p = partitions.get(key);
    if (!p) {
      const partition = Object.fromEntries(fields.map((f, i) => [f.info.name, avroValue(f.info.resultType, values[i])]));
      const path = partitioned ? `${folder}/${partitionPath(fields, values)}` : folder;
      p = { values, writer: new DataFileWriter(io, path, columns, { partition, ...(partitioned ? { rowGroupRows: PARTITIONED_ROW_GROUP_ROWS } : {}) }) };
      partitions.set(key, p);
    }
    return p;
  };
  const write = async (p: Partition, batch: Batch) => {
    await p.writer.write(batch);
    const at = open.indexOf(p);
    if (at >= 0) open.splice(at, 1);
    if (!p.writer.isOpen) return;
    open.push(p);
    // bound the files open at once: the least recently written one is finished
    if (open.length > MAX_OPEN_FILES) await open.shift()!.writer.finish();
  };
  let count = 0;
  const files = await (async () => {
    try {
      for await (const batch of rows) {
        if (batch.length === 0) continue;
        const stored: Batch = { length: batch.length, columns: columns.map((c, i) => storedVector(batch.columns[i]!, c)) };
        if (!partitioned) await write(partitionOf('', []), stored);
        else {
          for (const { values, rows: indices } of groupRows(stored, fields, sources).values()) {
            const key = tupleKey(values);
            await write(partitionOf(key, values), indices.length === stored.length ? stored : takeBatchRows(stored, indices));
          }
        }
        count += batch.length;
      }
      const all = [...partitions.values()];
      const finished: NewFile[][] = new Array(all.length);
      let next = 0;
      let failure: { error: unknown } | undefined;
      // every started finish settles before a failure aborts the writers (and removes their files)
      await Promise.all(Array.from({ length: Math.min(FINISH_CONCURRENCY, all.length) }, async () => {
        while (next < all.length && !failure) {
          const at = next++;
          try {
            finished[at] = await all[at]!.writer.finish();
          } catch (error) {
            failure ??= { error };
          }
        }
      }));
      if (failure) throw failure.error;
      return all.flatMap((p, i) => finished[i]!.map((file) => ({ file, values: p.values })));
    } catch (e) {
      await Promise.allSettled([...partitions.values()].map((p) => p.writer.abort()));
      throw e;
    }
  })();
  if (files.length === 0) return 0;

  const snapshotId = newSnapshotId();
  const manifestPath = `${metadataFolder(m)}/${randomUUID()}-m0.avro`;
  const written = [...files.map((f) => f.file.path), manifestPath];
  let manifestLength: number;
  try {
    const bytes = encodeManifest({
      formatVersion: m.formatVersion, schema, specId: m.defaultSpecId, partition: fields.map((f) => f.info), content: 'data', snapshotId, files: files.map((f) => f.file),
    });
    await io.writeFile(manifestPath, bytes);
    manifestLength = bytes.length;
  } catch (e) {
    await Promise.allSettled(written.map((f) => io.remove(f)));
    throw e;
  }
  const filesSize = files.reduce((n, f) => n + f.file.fileSize, 0);
  const touched = new Set(files.map((f) => tupleKey(f.values))).size;
  await commitChange(catalog, io, namespace, table, loaded, {
    operation: 'append',
    snapshotId,
    manifests: [{
      path: manifestPath, length: manifestLength, specId: m.defaultSpecId, content: ManifestContent.DATA, addedSnapshotId: snapshotId,
      addedFiles: files.length, existingFiles: 0, deletedFiles: 0, addedRows: count, existingRows: 0, deletedRows: 0,
      partitions: fieldSummaries(fields, [...partitions.values()].map((p) => p.values)),
    }],
    added: { dataFiles: files.length, records: count, deleteFiles: 0, positionDeletes: 0, filesSize, partitions: touched },
    files: written,
    ...(m.tableUuid !== undefined ? { tableUuid: m.tableUuid } : {}),
  });
  return count;
}

/** Rows of a batch (stored values) by partition tuple. */
function groupRows(batch: Batch, fields: readonly ResolvedField[], sources: readonly number[]): Map<string, { values: unknown[]; rows: number[] }> {
  const groups = new Map<string, { values: unknown[]; rows: number[] }>();
  const values = new Array<unknown>(fields.length);
  for (let row = 0; row < batch.length; row++) {
    for (let i = 0; i < fields.length; i++) {
      const at = sources[i]!;
      const v = at < 0 ? null : datumAt(batch.columns[at]!, row);
      values[i] = v === null ? null : transformDatum(fields[i]!.transform, fields[i]!.sourceType, v);
    }
    const key = tupleKey(values);
    const g = groups.get(key);
    if (g) g.rows.push(row);
    else groups.set(key, { values: [...values], rows: [row] });
  }
  return groups;
}
