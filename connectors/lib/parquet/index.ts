/** The Parquet reader: footer metadata and column chunks decoded into engine vectors. */
export { fileByteSource, memoryByteSource, type ByteSource, type FileByteSource } from './byte-source.js';
export {
  readParquetMetadata,
  PG_TYPES_KEY,
  type ColumnChunkMetadata,
  type ColumnStatistics,
  type ParquetColumn,
  type ParquetMetadata,
  type RowGroupMetadata,
  type UnsupportedField,
} from './metadata.js';
export {
  batchesOf,
  coalesceRanges,
  pageRowRanges,
  readColumnChunks,
  readDictionary,
  readPageStatistics,
  COALESCE_GAP,
  type PageStatistics,
} from './read.js';
export { countRowRanges, intersectRowRanges, unionRowRanges, type RowRanges } from './row-ranges.js';
export { mapPrimitive, applyRecordedType, type ColumnTyping, type ValueKind } from './parquet-types.js';
