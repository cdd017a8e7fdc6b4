/** The Parquet writer (see README.md). */
export {
  ParquetWriter, CREATED_BY, DEFAULT_PAGE_ROWS, DEFAULT_ROW_GROUP_ROWS, MAX_ROW_GROUP_BYTES, PG_TYPES_KEY,
  type ByteSink, type ParquetColumnSpec, type ParquetWriteOptions, type ParquetWriteResult,
} from './writer.js';
export { openFileSink, type FileSink } from './file-sink.js';
export type { CompressionName } from './codec.js';
