/**
 * ParquetWriter: engine batches in, a Parquet file out through a ByteSink.
 *
 * Rows are buffered per row group (each column's pages encoded and compressed as the batches
 * arrive), then the row group's column chunks are written one after another. A row group is
 * cut at `rowGroupRows` rows or when about 128 MiB are buffered, whichever comes first.
 * `finish()` writes the page indexes (ColumnIndex, OffsetIndex) and the footer.
 */
import { SqlError, SqlState, internalError } from '../../../../engine/errors/index.js';
import type { Batch } from '../../../../engine/execution/batch/batch.js';
import type { PgType } from '../../../../engine/types/pg-type.js';
import { pageCompressor, type CompressionName, type PageCompressor } from './codec.js';
import { ColumnWriter, type FinishedChunk } from './column.js';
import { encodeFileMetaData, encodeOffsetIndex, type ColumnChunk, type RowGroup, type SchemaElement } from './format.js';
import { mapColumn } from './types.js';

export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

export interface ParquetColumnSpec {
  readonly name: string;
  readonly type: PgType;
  readonly nullable: boolean;
  /** Field ids (Iceberg's) written into the schema: the column's and, for arrays, the element's. */
  readonly fieldId?: number;
  readonly elementFieldId?: number;
}

export interface ParquetWriteOptions {
  /** Rows per row group (default 1,048,576); a row group is also cut at ~128 MiB buffered. */
  rowGroupRows?: number;
  /** Page compression (default snappy). */
  compression?: CompressionName;
  /** Rows per data page (default 20,000); pages are also cut at ~1 MiB. */
  pageRows?: number;
}

export interface ParquetWriteResult {
  rows: number;
  bytes: number;
  rowGroups: number;
}

export const DEFAULT_ROW_GROUP_ROWS = 1_048_576;
export const MAX_ROW_GROUP_BYTES = 128 * 1024 * 1024;
export const DEFAULT_PAGE_ROWS = 20_000;
export const PAGE_BYTES = 1024 * 1024;
export const DICTIONARY_LIMIT = 1024 * 1024;

export const LAKEGATE_VERSION = '0.1.0';
export const CREATED_BY = `lakegate version ${LAKEGATE_VERSION}`;
/** Key-value metadata key holding { column: format_type name }. */
export const PG_TYPES_KEY = 'lakegate.pg_types';

const MAGIC = new TextEncoder().encode('PAR1');

interface PendingIndex {
  readonly chunk: ColumnChunk;
  readonly columnIndex: Uint8Array | null;
  readonly offsetIndex: Uint8Array;
}

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${name} must be a positive integer`);
  return v;
}

export class ParquetWriter {
  private readonly columns: ColumnWriter[];
  private readonly rowGroupRows: number;
  private readonly compressor: PageCompressor;
  private offset = 0;
  private rows = 0;
  private groupRows = 0;
  private readonly rowGroups: RowGroup[] = [];
  private readonly indexes: PendingIndex[] = [];
  private state: 'open' | 'failed' | 'finished' = 'open';

  constructor(
    private readonly sink: ByteSink,
    private readonly specs: readonly ParquetColumnSpec[],
    options: ParquetWriteOptions = {},
  ) {
    const names = new Set<string>();
    for (const s of specs) {
      if (names.has(s.name)) throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${s.name}" specified more than once`);
      names.add(s.name);
    }
    this.rowGroupRows = positiveInt('rowGroupRows', options.rowGroupRows, DEFAULT_ROW_GROUP_ROWS);
    const pageRows = positiveInt('pageRows', options.pageRows, DEFAULT_PAGE_ROWS);
    this.compressor = pageCompressor(options.compression);
    this.columns = specs.map((s) => new ColumnWriter(mapColumn(s), {
      pageRows, pageBytes: PAGE_BYTES, dictionaryLimit: DICTIONARY_LIMIT, compressor: this.compressor,
    }));
  }

  /** Appends a batch whose columns follow the spec order. */
  async write(batch: Batch): Promise<void> {
    this.checkOpen();
    if (batch.columns.length !== this.columns.length) {
      throw internalError(`Parquet writer expects ${this.columns.length} columns, got ${batch.columns.length}`);
    }
    for (let c = 0; c < this.columns.length; c++) {
      const v = batch.columns[c]!;
      const spec = this.specs[c]!;
      if (v.length < batch.length || v.type.layout !== spec.type.layout || (v.type.elem === undefined) !== (spec.type.elem === undefined)) {
        throw internalError(`Parquet writer: column "${spec.name}" does not match its declared type ${spec.type.name}`);
      }
    }
    let pos = 0;
    try {
      while (pos < batch.length) {
        const take = Math.min(batch.length - pos, this.rowGroupRows - this.groupRows);
        for (let c = 0; c < this.columns.length; c++) this.columns[c]!.append(batch.columns[c]!, pos, pos + take);
        this.groupRows += take;
        this.rows += take;
        pos += take;
        if (this.groupRows >= this.rowGroupRows || this.bufferedBytes() >= MAX_ROW_GROUP_BYTES) await this.flushRowGroup();
      }
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  /** Writes what is buffered, the page indexes and the footer. The sink is not closed. */
  async finish(): Promise<ParquetWriteResult> {
    this.checkOpen();
    try {
      if (this.groupRows > 0) await this.flushRowGroup();
      if (this.offset === 0) await this.emit(MAGIC);
      // Page indexes after the data, column indexes first, as other writers lay them out.
      for (const p of this.indexes) {
        if (p.columnIndex === null) continue;
        p.chunk.columnIndex = { offset: this.offset, length: p.columnIndex.length };
        await this.emit(p.columnIndex);
      }
      for (const p of this.indexes) {
        p.chunk.offsetIndex = { offset: this.offset, length: p.offsetIndex.length };
        await this.emit(p.offsetIndex);
      }
      const footer = encodeFileMetaData({
        schema: this.schema(),
        numRows: this.rows,
        rowGroups: this.rowGroups,
        keyValues: [{ key: PG_TYPES_KEY, value: JSON.stringify(Object.fromEntries(this.columns.map((c) => [c.mapping.name, c.mapping.pgTypeName]))) }],
        createdBy: CREATED_BY,
        leafColumns: this.columns.length,
      });
      const tail = new Uint8Array(8);
      new DataView(tail.buffer).setUint32(0, footer.length, true);
      tail.set(MAGIC, 4);
      await this.emit(footer);
      await this.emit(tail);
      this.state = 'finished';
      return { rows: this.rows, bytes: this.offset, rowGroups: this.rowGroups.length };
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  private checkOpen(): void {
    if (this.state === 'finished') throw internalError('Parquet writer already finished');
    if (this.state === 'failed') throw internalError('Parquet writer failed earlier');
  }

  private bufferedBytes(): number {
    let n = 0;
    for (const c of this.columns) n += c.bufferedBytes();
    return n;
  }

  private schema(): SchemaElement[] {
    const out: SchemaElement[] = [{ name: 'schema', numChildren: this.columns.length }];
    for (const c of this.columns) out.push(...c.mapping.schema);
    return out;
  }

  private async emit(chunk: Uint8Array): Promise<void> {
    if (this.offset === 0 && chunk !== MAGIC) await this.emit(MAGIC);
    await this.sink.write(chunk);
    this.offset += chunk.length;
  }

  private async flushRowGroup(): Promise<void> {
    if (this.offset === 0) await this.emit(MAGIC);
    const start = this.offset;
    const chunks: ColumnChunk[] = [];
    let uncompressed = 0;
    for (const col of this.columns) {
      const f: FinishedChunk = col.finishChunk();
      const at = this.offset;
      for (const b of f.buffers) await this.emit(b);
      const chunk: ColumnChunk = {
        fileOffset: at,
        meta: {
          type: col.mapping.leaf.physical,
          encodings: f.encodings,
          path: col.mapping.path,
          codec: this.compressor.codec,
          numValues: f.numValues,
          totalUncompressedSize: f.uncompressedSize,
          totalCompressedSize: f.compressedSize,
          dataPageOffset: at + f.dictionaryPageSize,
          ...(f.dictionaryPageSize > 0 ? { dictionaryPageOffset: at } : {}),
          statistics: f.statistics,
          encodingStats: f.encodingStats,
        },
      };
      chunks.push(chunk);
      uncompressed += f.uncompressedSize;
      const offsetIndex = encodeOffsetIndex(f.pages.map((p) => ({ ...p, offset: p.offset + at })));
      this.indexes.push({ chunk, columnIndex: f.columnIndex, offsetIndex });
    }
    this.rowGroups.push({
      columns: chunks,
      totalByteSize: uncompressed,
      numRows: this.groupRows,
      fileOffset: start,
      totalCompressedSize: this.offset - start,
      ordinal: this.rowGroups.length,
    });
    this.groupRows = 0;
  }
}
