/**
 * The parts of Parquet's file metadata (parquet-format's parquet.thrift) this writer emits,
 * as plain values, and their Thrift compact encodings. Field ids are the ones in
 * parquet.thrift; only fields the writer sets are modelled.
 */
import { CompactWriter, CType } from './thrift.js';

export const PhysicalType = { BOOLEAN: 0, INT32: 1, INT64: 2, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
export type PhysicalType = (typeof PhysicalType)[keyof typeof PhysicalType];

export const ConvertedType = {
  UTF8: 0, LIST: 3, DECIMAL: 5, DATE: 6, TIME_MICROS: 8, TIMESTAMP_MICROS: 10, INT_16: 16, JSON: 19,
} as const;
export type ConvertedType = (typeof ConvertedType)[keyof typeof ConvertedType];

export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export type Repetition = (typeof Repetition)[keyof typeof Repetition];

export const Encoding = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;
export type Encoding = (typeof Encoding)[keyof typeof Encoding];

export const Codec = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2, ZSTD: 6 } as const;
export type Codec = (typeof Codec)[keyof typeof Codec];

export const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;
export type PageType = (typeof PageType)[keyof typeof PageType];

export const BoundaryOrder = { UNORDERED: 0, ASCENDING: 1, DESCENDING: 2 } as const;
export type BoundaryOrder = (typeof BoundaryOrder)[keyof typeof BoundaryOrder];

/** LogicalType union members the writer uses (time units are always microseconds). */
export type LogicalType =
  | { readonly kind: 'string' | 'json' | 'uuid' | 'date' | 'list' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'int'; readonly bitWidth: number; readonly signed: boolean }
  | { readonly kind: 'timestamp' | 'time'; readonly utc: boolean };

export interface SchemaElement {
  readonly name: string;
  readonly type?: PhysicalType;
  readonly typeLength?: number;
  readonly repetition?: Repetition;
  readonly numChildren?: number;
  readonly convertedType?: ConvertedType;
  readonly scale?: number;
  readonly precision?: number;
  /** The column's id in a table format that tracks columns by id (Iceberg's field-id). */
  readonly fieldId?: number;
  readonly logicalType?: LogicalType;
}

export interface Statistics {
  /** Legacy signed-order min/max (only written where the column order is signed). */
  readonly legacyMin?: Uint8Array;
  readonly legacyMax?: Uint8Array;
  readonly nullCount: number;
  readonly minValue?: Uint8Array;
  readonly maxValue?: Uint8Array;
  /** FLOAT/DOUBLE columns only. */
  readonly nanCount?: number;
}

export interface DataPageHeader {
  readonly numValues: number;
  readonly encoding: Encoding;
  readonly statistics?: Statistics;
}

export interface PageHeader {
  readonly type: PageType;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  readonly dataPage?: DataPageHeader;
  readonly dictionaryPage?: { readonly numValues: number };
}

export interface EncodingStats {
  readonly pageType: PageType;
  readonly encoding: Encoding;
  readonly count: number;
}

export interface ColumnMetaData {
  readonly type: PhysicalType;
  readonly encodings: readonly Encoding[];
  readonly path: readonly string[];
  readonly codec: Codec;
  readonly numValues: number;
  readonly totalUncompressedSize: number;
  readonly totalCompressedSize: number;
  readonly dataPageOffset: number;
  readonly dictionaryPageOffset?: number;
  readonly statistics?: Statistics;
  readonly encodingStats: readonly EncodingStats[];
}

export interface ColumnChunk {
  readonly fileOffset: number;
  readonly meta: ColumnMetaData;
  offsetIndex?: { offset: number; length: number };
  columnIndex?: { offset: number; length: number };
}

export interface RowGroup {
  readonly columns: readonly ColumnChunk[];
  readonly totalByteSize: number;
  readonly numRows: number;
  readonly fileOffset: number;
  readonly totalCompressedSize: number;
  readonly ordinal: number;
}

export interface FileMetaData {
  readonly schema: readonly SchemaElement[];
  readonly numRows: number;
  readonly rowGroups: readonly RowGroup[];
  readonly keyValues: readonly { readonly key: string; readonly value: string }[];
  readonly createdBy: string;
  /** Number of leaf columns: each gets TypeDefinedOrder. */
  readonly leafColumns: number;
}

export interface PageLocation {
  readonly offset: number;
  readonly compressedSize: number;
  readonly firstRowIndex: number;
}

export interface ColumnIndex {
  readonly nullPages: readonly boolean[];
  readonly minValues: readonly Uint8Array[];
  readonly maxValues: readonly Uint8Array[];
  readonly boundaryOrder: BoundaryOrder;
  readonly nullCounts: readonly number[];
}

// ---- encoders ---------------------------------------------------------------------------

function writeStatistics(w: CompactWriter, s: Statistics): void {
  if (s.legacyMax) w.binaryField(1, s.legacyMax);
  if (s.legacyMin) w.binaryField(2, s.legacyMin);
  w.i64Field(3, s.nullCount);
  if (s.maxValue) w.binaryField(5, s.maxValue);
  if (s.minValue) w.binaryField(6, s.minValue);
  if (s.nanCount !== undefined) w.i64Field(9, s.nanCount);
}

function writeLogicalType(w: CompactWriter, t: LogicalType): void {
  switch (t.kind) {
    case 'string': return w.emptyStructField(1);
    case 'list': return w.emptyStructField(3);
    case 'decimal': return w.structField(5, () => { w.i32Field(1, t.scale); w.i32Field(2, t.precision); });
    case 'date': return w.emptyStructField(6);
    case 'time':
    case 'timestamp':
      return w.structField(t.kind === 'time' ? 7 : 8, () => {
        w.boolField(1, t.utc);
        w.structField(2, () => w.emptyStructField(2)); // TimeUnit.MICROS
      });
    case 'int': return w.structField(10, () => { w.i8Field(1, t.bitWidth); w.boolField(2, t.signed); });
    case 'json': return w.emptyStructField(12);
    case 'uuid': return w.emptyStructField(14);
  }
}

function writeSchemaElement(w: CompactWriter, e: SchemaElement): void {
  if (e.type !== undefined) w.i32Field(1, e.type);
  if (e.typeLength !== undefined) w.i32Field(2, e.typeLength);
  if (e.repetition !== undefined) w.i32Field(3, e.repetition);
  w.stringField(4, e.name);
  if (e.numChildren !== undefined) w.i32Field(5, e.numChildren);
  if (e.convertedType !== undefined) w.i32Field(6, e.convertedType);
  if (e.scale !== undefined) w.i32Field(7, e.scale);
  if (e.precision !== undefined) w.i32Field(8, e.precision);
  if (e.fieldId !== undefined) w.i32Field(9, e.fieldId);
  const lt = e.logicalType;
  if (lt !== undefined) w.structField(10, () => writeLogicalType(w, lt));
}

/** A PageHeader struct. */
export function encodePageHeader(h: PageHeader, w = new CompactWriter()): Uint8Array {
  w.out.reset();
  w.beginStruct();
  w.i32Field(1, h.type);
  w.i32Field(2, h.uncompressedSize);
  w.i32Field(3, h.compressedSize);
  const dp = h.dataPage;
  if (dp) {
    w.structField(5, () => {
      w.i32Field(1, dp.numValues);
      w.i32Field(2, dp.encoding);
      w.i32Field(3, Encoding.RLE);
      w.i32Field(4, Encoding.RLE);
      if (dp.statistics) w.structField(5, () => writeStatistics(w, dp.statistics!));
    });
  }
  const dict = h.dictionaryPage;
  if (dict) {
    w.structField(7, () => {
      w.i32Field(1, dict.numValues);
      w.i32Field(2, Encoding.PLAIN);
    });
  }
  w.endStruct();
  return w.out.toBytes();
}

function writeColumnMetaData(w: CompactWriter, m: ColumnMetaData): void {
  w.i32Field(1, m.type);
  w.listField(2, CType.I32, m.encodings, (e) => w.int(e));
  w.listField(3, CType.Binary, m.path, (p) => w.string(p));
  w.i32Field(4, m.codec);
  w.i64Field(5, m.numValues);
  w.i64Field(6, m.totalUncompressedSize);
  w.i64Field(7, m.totalCompressedSize);
  w.i64Field(9, m.dataPageOffset);
  if (m.dictionaryPageOffset !== undefined) w.i64Field(11, m.dictionaryPageOffset);
  if (m.statistics) w.structField(12, () => writeStatistics(w, m.statistics!));
  w.structListField(13, m.encodingStats, (s) => {
    w.i32Field(1, s.pageType);
    w.i32Field(2, s.encoding);
    w.i32Field(3, s.count);
  });
}

/** The FileMetaData struct (the footer body). */
export function encodeFileMetaData(f: FileMetaData): Uint8Array {
  const w = new CompactWriter();
  w.beginStruct();
  w.i32Field(1, 2);
  w.structListField(2, f.schema, (e) => writeSchemaElement(w, e));
  w.i64Field(3, f.numRows);
  w.structListField(4, f.rowGroups, (g) => {
    w.structListField(1, g.columns, (c) => {
      w.i64Field(2, c.fileOffset);
      w.structField(3, () => writeColumnMetaData(w, c.meta));
      if (c.offsetIndex) {
        w.i64Field(4, c.offsetIndex.offset);
        w.i32Field(5, c.offsetIndex.length);
      }
      if (c.columnIndex) {
        w.i64Field(6, c.columnIndex.offset);
        w.i32Field(7, c.columnIndex.length);
      }
    });
    w.i64Field(2, g.totalByteSize);
    w.i64Field(3, g.numRows);
    w.i64Field(5, g.fileOffset);
    w.i64Field(6, g.totalCompressedSize);
    w.fieldHeader(7, CType.I16);
    w.int(g.ordinal);
  });
  if (f.keyValues.length > 0) {
    w.structListField(5, f.keyValues, (kv) => {
      w.stringField(1, kv.key);
      w.stringField(2, kv.value);
    });
  }
  w.stringField(6, f.createdBy);
  const orders = new Array<number>(f.leafColumns).fill(0);
  w.structListField(7, orders, () => w.emptyStructField(1)); // ColumnOrder.TYPE_ORDER
  w.endStruct();
  return w.out.toBytes();
}

export function encodeColumnIndex(ci: ColumnIndex): Uint8Array {
  const w = new CompactWriter();
  w.beginStruct();
  w.listField(1, CType.True, ci.nullPages, (b) => w.bool(b));
  w.listField(2, CType.Binary, ci.minValues, (b) => w.binary(b));
  w.listField(3, CType.Binary, ci.maxValues, (b) => w.binary(b));
  w.i32Field(4, ci.boundaryOrder);
  w.listField(5, CType.I64, ci.nullCounts, (n) => w.int(n));
  w.endStruct();
  return w.out.toBytes();
}

export function encodeOffsetIndex(pages: readonly PageLocation[]): Uint8Array {
  const w = new CompactWriter();
  w.beginStruct();
  w.structListField(1, pages, (p) => {
    w.i64Field(1, p.offset);
    w.i32Field(2, p.compressedSize);
    w.i64Field(3, p.firstRowIndex);
  });
  w.endStruct();
  return w.out.toBytes();
}
