/**
 * INSERT into a lake table: rows become new Parquet files in the table's folder (one per
 * partition folder for partitioned tables), written under a temporary name and published
 * only once every file is complete, so a failed or cancelled INSERT leaves no rows behind.
 */
import { randomBytes } from 'node:crypto';
import { takeBatchRows, type Batch } from '../../../engine/execution/batch/batch.js';
import { datumAt } from '../../../engine/execution/batch/vector.js';
import { DEFAULT_FORMAT_SETTINGS, formatText } from '../../../engine/types/text-codec.js';
import type { ColumnMetadata } from '../../spi/index.js';
import { ParquetWriter } from '../../lib/parquet/write/writer.js';
import { joinPath, type FileStore, type FileUpload } from '../../lib/storage/file-store.js';
import { NULL_PARTITION, type TableLayout } from '../table-layout.js';

interface OpenFile {
  readonly upload: FileUpload;
  readonly writer: ParquetWriter;
}

/** Appends `rows` (columns in table order) to the table; returns the number of rows written. */
export async function insertParquet(store: FileStore, layout: TableLayout, columns: readonly ColumnMetadata[], rows: AsyncIterable<Batch>): Promise<number> {
  const partitionColumns = layout.partitionKeys.map((k) => columns.findIndex((c) => c.name === k));
  const dataColumns = columns.map((_, i) => i).filter((i) => !partitionColumns.includes(i));
  const specs = dataColumns.map((i) => ({ name: columns[i]!.name, type: columns[i]!.type, nullable: columns[i]!.nullable }));
  const files = new Map<string, OpenFile>();
  const stamp = `${new Date().toISOString().replace(/[-:T.Z]/g, '').slice(0, 14)}-${randomBytes(6).toString('hex')}`;
  const fileFor = async (folder: string): Promise<OpenFile> => {
    let f = files.get(folder);
    if (!f) {
      const upload = await store.create(joinPath(layout.path, folder, `part-${stamp}-${files.size}.parquet`));
      f = { upload, writer: new ParquetWriter(upload, specs) };
      files.set(folder, f);
    }
    return f;
  };
  let count = 0;
  try {
    for await (const batch of rows) {
      if (batch.length === 0) continue;
      count += batch.length;
      const data = (b: Batch): Batch => ({ length: b.length, columns: dataColumns.map((i) => b.columns[i]!) });
      if (partitionColumns.length === 0) {
        await (await fileFor('')).writer.write(data(batch));
        continue;
      }
      for (const [folder, indices] of groupByPartition(batch, partitionColumns, layout.partitionKeys)) {
        await (await fileFor(folder)).writer.write(data(indices.length === batch.length ? batch : takeBatchRows(batch, indices)));
      }
    }
    for (const f of files.values()) await f.writer.finish();
    for (const f of files.values()) await f.upload.commit();
    return count;
  } catch (e) {
    await Promise.allSettled([...files.values()].map((f) => f.upload.abort()));
    throw e;
  }
}

/** Row indices of `batch` by partition folder path (`key=value/…`, Hive's escaping). */
function groupByPartition(batch: Batch, partitionColumns: readonly number[], keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let row = 0; row < batch.length; row++) {
    const folder = partitionColumns.map((c, k) => {
      const v = batch.columns[c]!;
      const d = datumAt(v, row);
      const text = d === null ? NULL_PARTITION : escapePathPart(formatText(v.type, d, DEFAULT_FORMAT_SETTINGS));
      return `${escapePathPart(keys[k]!)}=${text}`;
    }).join('/');
    const list = groups.get(folder);
    if (list) list.push(row);
    else groups.set(folder, [row]);
  }
  return groups;
}

/** Characters Hive escapes in partition folder names, %-encoded. */
const escapePathPart = (s: string): string => s.replace(/[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
