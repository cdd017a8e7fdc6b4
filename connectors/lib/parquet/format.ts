/**
 * The Parquet footer and page-header structures (parquet-format's parquet.thrift), as far as
 * this reader uses them, decoded from the Thrift compact protocol.
 */
import { corrupt } from './errors.js';
import { CompactReader, type ThriftStruct, type ThriftValue } from './thrift.js';

export const PhysicalType = {
  BOOLEAN: 0, INT32: 1, INT64: 2, INT96: 3, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7,
} as const;
export type PhysicalType = (typeof PhysicalType)[keyof typeof PhysicalType];
export const physicalTypeName = (t: number): string =>
  ['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'][t] ?? `type ${t}`;

export const ConvertedType = {
  UTF8: 0, MAP: 1, MAP_KEY_VALUE: 2, LIST: 3, ENUM: 4, DECIMAL: 5, DATE: 6, TIME_MILLIS: 7, TIME_MICROS: 8,
  TIMESTAMP_MILLIS: 9, TIMESTAMP_MICROS: 10, UINT_8: 11, UINT_16: 12, UINT_32: 13, UINT_64: 14,
  INT_8: 15, INT_16: 16, INT_32: 17, INT_64: 18, JSON: 19, BSON: 20, INTERVAL: 21,
} as const;

export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;

export const Encoding = {
  PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, BIT_PACKED: 4, DELTA_BINARY_PACKED: 5, DELTA_LENGTH_BYTE_ARRAY: 6,
  DELTA_BYTE_ARRAY: 7, RLE_DICTIONARY: 8, BYTE_STREAM_SPLIT: 9,
} as const;
export const encodingName = (e: number): string =>
  Object.entries(Encoding).find(([, v]) => v === e)?.[0] ?? `encoding ${e}`;

export const Codec = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2, LZO: 3, BROTLI: 4, LZ4: 5, ZSTD: 6, LZ4_RAW: 7 } as const;
export type CodecName = keyof typeof Codec;
export const codecName = (c: number): string => Object.entries(Codec).find(([, v]) => v === c)?.[0] ?? `codec ${c}`;

export const PageType = { DATA_PAGE: 0, INDEX_PAGE: 1, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;

export type TimeUnit = 'millis' | 'micros' | 'nanos';

/** The LogicalType union, flattened. */
export type LogicalType =
  | { kind: 'string' | 'map' | 'list' | 'enum' | 'date' | 'unknown' | 'json' | 'bson' | 'uuid' | 'float16' | 'variant' | 'geometry' | 'geography' | 'vector' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'time' | 'timestamp'; isAdjustedToUTC: boolean; unit: TimeUnit }
  | { kind: 'integer'; bitWidth: number; signed: boolean }
  | { kind: 'other'; id: number };

export interface SchemaElement {
  readonly name: string;
  readonly type?: number;
  readonly typeLength?: number;
  readonly repetition?: number;
  readonly numChildren?: number;
  readonly convertedType?: number;
  readonly scale?: number;
  readonly precision?: number;
  readonly fieldId?: number;
  readonly logicalType?: LogicalType;
}

export interface RawStatistics {
  readonly max?: Uint8Array;
  readonly min?: Uint8Array;
  readonly nullCount?: number;
  readonly distinctCount?: number;
  readonly maxValue?: Uint8Array;
  readonly minValue?: Uint8Array;
}

export interface ColumnMetaData {
  readonly type: number;
  readonly encodings: number[];
  readonly pathInSchema: string[];
  readonly codec: number;
  readonly numValues: number;
  readonly totalUncompressedSize: number;
  readonly totalCompressedSize: number;
  readonly dataPageOffset: number;
  readonly indexPageOffset?: number;
  readonly dictionaryPageOffset?: number;
  readonly statistics?: RawStatistics;
  /** How many pages of each kind use each encoding, when the writer says. */
  readonly encodingStats?: readonly { readonly pageType: number; readonly encoding: number; readonly count: number }[];
}

export interface ColumnChunk {
  readonly filePath?: string;
  readonly metaData?: ColumnMetaData;
  readonly offsetIndexOffset?: number;
  readonly offsetIndexLength?: number;
  readonly columnIndexOffset?: number;
  readonly columnIndexLength?: number;
  readonly encrypted: boolean;
}

export interface RowGroup {
  readonly columns: ColumnChunk[];
  readonly totalByteSize: number;
  readonly numRows: number;
  readonly fileOffset?: number;
  readonly totalCompressedSize?: number;
}

export interface FileMetaData {
  readonly version: number;
  readonly schema: SchemaElement[];
  readonly numRows: number;
  readonly rowGroups: RowGroup[];
  readonly keyValueMetadata: Array<{ key: string; value?: string }>;
  readonly createdBy?: string;
  /** Per leaf column: 'type' (TypeDefinedOrder), 'ieee754', 'int96' or 'unknown'; absent when the file has none. */
  readonly columnOrders?: string[];
  readonly encrypted: boolean;
}

export interface DataPageHeader {
  readonly numValues: number;
  readonly encoding: number;
  readonly definitionLevelEncoding: number;
  readonly repetitionLevelEncoding: number;
  readonly statistics?: RawStatistics;
}

export interface DataPageHeaderV2 {
  readonly numValues: number;
  readonly numNulls: number;
  readonly numRows: number;
  readonly encoding: number;
  readonly definitionLevelsByteLength: number;
  readonly repetitionLevelsByteLength: number;
  readonly isCompressed: boolean;
  readonly statistics?: RawStatistics;
}

export interface PageHeader {
  readonly type: number;
  readonly uncompressedPageSize: number;
  readonly compressedPageSize: number;
  readonly dataPageHeader?: DataPageHeader;
  readonly dictionaryPageHeader?: { numValues: number; encoding: number; isSorted?: boolean };
  readonly dataPageHeaderV2?: DataPageHeaderV2;
}

export interface ColumnIndex {
  readonly nullPages: boolean[];
  readonly minValues: Uint8Array[];
  readonly maxValues: Uint8Array[];
  readonly boundaryOrder: number;
  readonly nullCounts?: number[];
}

export interface PageLocation {
  readonly offset: number;
  readonly compressedPageSize: number;
  readonly firstRowIndex: number;
}

// ---- generic accessors ---------------------------------------------------------------------

const utf8 = new TextDecoder();

function num(s: ThriftStruct, id: number): number | undefined {
  const v = s.get(id);
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') throw corrupt(`field ${id} out of range`);
  throw corrupt(`field ${id} is not an integer`);
}
function reqNum(s: ThriftStruct, id: number, what: string): number {
  const v = num(s, id);
  if (v === undefined) throw corrupt(`${what} is missing`);
  return v;
}
function bin(s: ThriftStruct, id: number): Uint8Array | undefined {
  const v = s.get(id);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) throw corrupt(`field ${id} is not binary`);
  return v;
}
const str = (s: ThriftStruct, id: number): string | undefined => {
  const b = bin(s, id);
  return b === undefined ? undefined : utf8.decode(b);
};
function struct(s: ThriftStruct, id: number): ThriftStruct | undefined {
  const v = s.get(id);
  if (v === undefined) return undefined;
  if (!(v instanceof Map)) throw corrupt(`field ${id} is not a struct`);
  return v;
}
function list(s: ThriftStruct, id: number): ThriftValue[] | undefined {
  const v = s.get(id);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw corrupt(`field ${id} is not a list`);
  return v as ThriftValue[];
}
const bool = (s: ThriftStruct, id: number): boolean | undefined => {
  const v = s.get(id);
  return v === undefined ? undefined : v === true;
};
const structs = (s: ThriftStruct, id: number): ThriftStruct[] =>
  (list(s, id) ?? []).map((v) => {
    if (!(v instanceof Map)) throw corrupt(`field ${id} is not a list of structs`);
    return v;
  });
const nums = (s: ThriftStruct, id: number): number[] =>
  (list(s, id) ?? []).map((v) => {
    if (typeof v !== 'number') throw corrupt(`field ${id} is not a list of integers`);
    return v;
  });

// ---- structures ----------------------------------------------------------------------------

function timeUnit(s: ThriftStruct | undefined): TimeUnit {
  if (s?.has(1)) return 'millis';
  if (s?.has(2)) return 'micros';
  if (s?.has(3)) return 'nanos';
  throw corrupt('time unit missing');
}

const SIMPLE_LOGICAL: Record<number, LogicalType['kind']> = {
  1: 'string', 2: 'map', 3: 'list', 4: 'enum', 6: 'date', 11: 'unknown', 12: 'json', 13: 'bson', 14: 'uuid',
  15: 'float16', 16: 'variant', 17: 'geometry', 18: 'geography', 19: 'vector',
};

function logicalType(s: ThriftStruct): LogicalType {
  for (const [id, v] of s) {
    const inner = v instanceof Map ? v : new Map<number, ThriftValue>();
    switch (id) {
      case 5: return { kind: 'decimal', scale: reqNum(inner, 1, 'decimal scale'), precision: reqNum(inner, 2, 'decimal precision') };
      case 7:
      case 8:
        return { kind: id === 7 ? 'time' : 'timestamp', isAdjustedToUTC: bool(inner, 1) ?? false, unit: timeUnit(struct(inner, 2)) };
      case 10: return { kind: 'integer', bitWidth: reqNum(inner, 1, 'integer bit width'), signed: bool(inner, 2) ?? true };
      default: {
        const kind = SIMPLE_LOGICAL[id];
        return kind !== undefined ? ({ kind } as LogicalType) : { kind: 'other', id };
      }
    }
  }
  return { kind: 'other', id: -1 };
}

function schemaElement(s: ThriftStruct): SchemaElement {
  const lt = struct(s, 10);
  const name = str(s, 4);
  if (name === undefined) throw corrupt('schema element without a name');
  return {
    name,
    type: num(s, 1),
    typeLength: num(s, 2),
    repetition: num(s, 3),
    numChildren: num(s, 5),
    convertedType: num(s, 6),
    scale: num(s, 7),
    precision: num(s, 8),
    fieldId: num(s, 9),
    logicalType: lt === undefined ? undefined : logicalType(lt),
  };
}

function statistics(s: ThriftStruct | undefined): RawStatistics | undefined {
  if (s === undefined) return undefined;
  return {
    max: bin(s, 1),
    min: bin(s, 2),
    nullCount: num(s, 3),
    distinctCount: num(s, 4),
    maxValue: bin(s, 5),
    minValue: bin(s, 6),
  };
}

function columnMetaData(s: ThriftStruct): ColumnMetaData {
  return {
    type: reqNum(s, 1, 'column type'),
    encodings: nums(s, 2),
    pathInSchema: (list(s, 3) ?? []).map((v) => utf8.decode(v as Uint8Array)),
    codec: reqNum(s, 4, 'codec'),
    numValues: reqNum(s, 5, 'column value count'),
    totalUncompressedSize: reqNum(s, 6, 'column size'),
    totalCompressedSize: reqNum(s, 7, 'column size'),
    dataPageOffset: reqNum(s, 9, 'data page offset'),
    indexPageOffset: num(s, 10),
    dictionaryPageOffset: num(s, 11),
    statistics: statistics(struct(s, 12)),
    encodingStats: s.has(13)
      ? structs(s, 13).map((e) => ({ pageType: reqNum(e, 1, 'page type'), encoding: reqNum(e, 2, 'encoding'), count: reqNum(e, 3, 'page count') }))
      : undefined,
  };
}

function columnChunk(s: ThriftStruct): ColumnChunk {
  const md = struct(s, 3);
  return {
    filePath: str(s, 1),
    metaData: md === undefined ? undefined : columnMetaData(md),
    offsetIndexOffset: num(s, 4),
    offsetIndexLength: num(s, 5),
    columnIndexOffset: num(s, 6),
    columnIndexLength: num(s, 7),
    encrypted: s.has(8) || s.has(9),
  };
}

function rowGroup(s: ThriftStruct): RowGroup {
  return {
    columns: structs(s, 1).map(columnChunk),
    totalByteSize: reqNum(s, 2, 'row group size'),
    numRows: reqNum(s, 3, 'row group row count'),
    fileOffset: num(s, 5),
    totalCompressedSize: num(s, 6),
  };
}

function columnOrder(s: ThriftStruct): string {
  if (s.has(1)) return 'type';
  if (s.has(2)) return 'ieee754';
  if (s.has(3)) return 'int96';
  return 'unknown';
}

export function parseFileMetaData(bytes: Uint8Array): FileMetaData {
  const s = new CompactReader(bytes).struct();
  const orders = list(s, 7);
  return {
    version: num(s, 1) ?? 1,
    schema: structs(s, 2).map(schemaElement),
    numRows: reqNum(s, 3, 'row count'),
    rowGroups: structs(s, 4).map(rowGroup),
    keyValueMetadata: structs(s, 5).map((kv) => ({ key: str(kv, 1) ?? '', value: str(kv, 2) })),
    createdBy: str(s, 6),
    columnOrders: orders === undefined ? undefined : structs(s, 7).map(columnOrder),
    encrypted: s.has(8),
  };
}

/** Decodes the page header at `pos`; `length` is its encoded size. */
export function parsePageHeader(bytes: Uint8Array, pos: number): { header: PageHeader; length: number } {
  const r = new CompactReader(bytes, pos);
  const s = r.struct();
  const dp = struct(s, 5);
  const dict = struct(s, 7);
  const dp2 = struct(s, 8);
  const header: PageHeader = {
    type: reqNum(s, 1, 'page type'),
    uncompressedPageSize: reqNum(s, 2, 'page size'),
    compressedPageSize: reqNum(s, 3, 'page size'),
    dataPageHeader: dp && {
      numValues: reqNum(dp, 1, 'page value count'),
      encoding: reqNum(dp, 2, 'page encoding'),
      definitionLevelEncoding: num(dp, 3) ?? Encoding.RLE,
      repetitionLevelEncoding: num(dp, 4) ?? Encoding.RLE,
      statistics: statistics(struct(dp, 5)),
    },
    dictionaryPageHeader: dict && {
      numValues: reqNum(dict, 1, 'dictionary size'),
      encoding: num(dict, 2) ?? Encoding.PLAIN,
      isSorted: bool(dict, 3),
    },
    dataPageHeaderV2: dp2 && {
      numValues: reqNum(dp2, 1, 'page value count'),
      numNulls: reqNum(dp2, 2, 'page null count'),
      numRows: reqNum(dp2, 3, 'page row count'),
      encoding: reqNum(dp2, 4, 'page encoding'),
      definitionLevelsByteLength: reqNum(dp2, 5, 'definition levels length'),
      repetitionLevelsByteLength: reqNum(dp2, 6, 'repetition levels length'),
      isCompressed: bool(dp2, 7) ?? true,
      statistics: statistics(struct(dp2, 8)),
    },
  };
  return { header, length: r.pos - pos };
}

export function parseColumnIndex(bytes: Uint8Array): ColumnIndex {
  const s = new CompactReader(bytes).struct();
  return {
    nullPages: (list(s, 1) ?? []).map((v) => v === true),
    minValues: (list(s, 2) ?? []) as Uint8Array[],
    maxValues: (list(s, 3) ?? []) as Uint8Array[],
    boundaryOrder: num(s, 4) ?? 0,
    nullCounts: s.has(5) ? nums(s, 5) : undefined,
  };
}

export function parseOffsetIndex(bytes: Uint8Array): PageLocation[] {
  const s = new CompactReader(bytes).struct();
  return structs(s, 1).map((p) => ({
    offset: reqNum(p, 1, 'page offset'),
    compressedPageSize: reqNum(p, 2, 'page size'),
    firstRowIndex: reqNum(p, 3, 'page first row'),
  }));
}
