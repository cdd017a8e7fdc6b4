/**
 * Reads a Parquet file's footer into a plain metadata object: the readable columns with
 * their PostgreSQL types, row groups with column-chunk locations and statistics as engine
 * datums, and the key-value metadata.
 */
import type { PgType } from '../../../engine/types/pg-type.js';
import type { ByteSource } from './byte-source.js';
import { statisticDatum } from './datums.js';
import { corrupt, unsupported } from './errors.js';
import {
  codecName,
  Encoding,
  PageType,
  ConvertedType,
  encodingName,
  parseFileMetaData,
  PhysicalType,
  physicalTypeName,
  Repetition,
  type ColumnMetaData,
  type FileMetaData,
  type LogicalType,
  type RawStatistics,
  type SchemaElement,
} from './format.js';
import { applyRecordedType, listTypeOf, mapPrimitive, type ColumnTyping, type ValueKind } from './parquet-types.js';

/** A column the reader can decode: a top-level primitive field or a LIST of primitives. */
export interface ParquetColumn {
  /** Position among the file's leaf columns: the column chunk to read (readColumnChunks). */
  readonly index: number;
  /** The top-level field name: the table column's name. */
  readonly name: string;
  /** Path of the leaf in the Parquet schema. */
  readonly path: readonly string[];
  /** PostgreSQL type of the values (an array type for LIST columns). */
  readonly type: PgType;
  /** Whether the field can be NULL. */
  readonly nullable: boolean;
  readonly maxDefinitionLevel: number;
  readonly maxRepetitionLevel: number;
  readonly physicalType: string;
  readonly typeLength?: number;
  readonly logicalType?: LogicalType;
  readonly convertedType?: string;
  readonly precision?: number;
  readonly scale?: number;
  readonly fieldId?: number;
  /** LIST columns: the element type and whether elements can be NULL. */
  readonly list?: { readonly elementType: PgType; readonly elementNullable: boolean; readonly repeatedDefinitionLevel: number };
  /** How values become datums (decoder-internal). */
  readonly kind: ValueKind;
  readonly physicalTypeId: number;
  readonly decimalScale: number;
}

/** A top-level field the reader cannot decode (structs, maps, nested lists, …). */
export interface UnsupportedField {
  readonly name: string;
  /** Leaf column indices under the field. */
  readonly leaves: readonly number[];
  readonly reason: string;
  readonly fieldId?: number;
}

/** Statistics of a column chunk (or page), min/max as datums of the column's (element) type. */
export interface ColumnStatistics {
  readonly min?: unknown;
  readonly max?: unknown;
  readonly nullCount?: number;
  readonly distinctCount?: number;
}

export interface ColumnChunkMetadata {
  readonly path: readonly string[];
  readonly physicalType: string;
  readonly codec: string;
  readonly codecId: number;
  readonly encodings: readonly string[];
  /** Leaf values including NULLs. */
  readonly numValues: number;
  /** First byte of the chunk (its dictionary page when it has one). */
  readonly start: number;
  readonly totalCompressedSize: number;
  readonly totalUncompressedSize: number;
  readonly dataPageOffset: number;
  readonly dictionaryPageOffset?: number;
  /** Every data page refers to the dictionary, so the dictionary holds every value of the chunk. */
  readonly fullyDictionaryEncoded: boolean;
  readonly statistics?: ColumnStatistics;
  readonly columnIndex?: { readonly offset: number; readonly length: number };
  readonly offsetIndex?: { readonly offset: number; readonly length: number };
}

export interface RowGroupMetadata {
  readonly numRows: number;
  readonly totalByteSize: number;
  /** One per leaf column, in leaf order (undefined for chunks stored outside the file). */
  readonly columns: ReadonlyArray<ColumnChunkMetadata | undefined>;
}

export interface ParquetMetadata {
  readonly numRows: number;
  readonly version: number;
  readonly createdBy?: string;
  /** Readable columns, in schema order. */
  readonly columns: readonly ParquetColumn[];
  readonly unsupported: readonly UnsupportedField[];
  /** Number of leaf columns in the file (readable or not). */
  readonly leafCount: number;
  readonly rowGroups: readonly RowGroupMetadata[];
  readonly keyValue: Readonly<Record<string, string>>;
  /** `lakegate.pg_types`: column name → PostgreSQL type text, when the file records it. */
  readonly pgTypes?: Readonly<Record<string, string>>;
  /** Footer size in bytes (without the 8-byte trailer). */
  readonly footerLength: number;
}

export const PG_TYPES_KEY = 'lakegate.pg_types';
const MAGIC = 0x31524150; // "PAR1" little-endian
const MAGIC_ENCRYPTED = 0x45524150; // "PARE"
const FIRST_TAIL_READ = 64 * 1024;

/** Reads and decodes the footer: one read of the file's last 64 KiB, a second only for larger footers. */
export async function readParquetMetadata(source: ByteSource): Promise<ParquetMetadata> {
  const size = source.size;
  if (size < 12) throw corrupt('file too small');
  const tailLength = Math.min(size, FIRST_TAIL_READ);
  const tail = await source.read(size - tailLength, tailLength);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const magic = tv.getUint32(tailLength - 4, true);
  if (magic === MAGIC_ENCRYPTED) throw unsupported('encrypted footer');
  if (magic !== MAGIC) throw corrupt('missing PAR1 magic at the end');
  const footerLength = tv.getUint32(tailLength - 8, true);
  if (footerLength + 12 > size) throw corrupt('footer length larger than the file');
  const footer =
    footerLength + 8 <= tailLength
      ? tail.subarray(tailLength - 8 - footerLength, tailLength - 8)
      : await source.read(size - 8 - footerLength, footerLength);
  return buildMetadata(parseFileMetaData(footer), footerLength);
}

interface SchemaNode {
  readonly el: SchemaElement;
  readonly children: SchemaNode[];
}

function schemaTree(schema: SchemaElement[]): SchemaNode {
  let i = 0;
  const build = (depth: number): SchemaNode => {
    if (i >= schema.length) throw corrupt('schema has fewer elements than its groups declare');
    if (depth > 100) throw corrupt('schema nested too deeply');
    const el = schema[i++]!;
    const children: SchemaNode[] = [];
    for (let k = 0; k < (el.numChildren ?? 0); k++) children.push(build(depth + 1));
    return { el, children };
  };
  const root = build(0);
  if (i !== schema.length) throw corrupt('schema has elements outside its root');
  return root;
}

interface Leaf {
  readonly node: SchemaNode;
  readonly path: string[];
  readonly maxDef: number;
  readonly maxRep: number;
}

const isList = (el: SchemaElement): boolean => el.logicalType?.kind === 'list' || el.convertedType === ConvertedType.LIST;
const convertedName = (c: number | undefined): string | undefined =>
  c === undefined ? undefined : Object.entries(ConvertedType).find(([, v]) => v === c)?.[0];

function buildMetadata(fmd: FileMetaData, footerLength: number): ParquetMetadata {
  if (fmd.encrypted) throw unsupported('encryption');
  const root = schemaTree(fmd.schema);
  const keyValue: Record<string, string> = {};
  for (const kv of fmd.keyValueMetadata) if (kv.value !== undefined) keyValue[kv.key] = kv.value;
  let pgTypes: Record<string, string> | undefined;
  if (keyValue[PG_TYPES_KEY] !== undefined) {
    try {
      const parsed: unknown = JSON.parse(keyValue[PG_TYPES_KEY]!);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        pgTypes = Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
      }
    } catch {
      pgTypes = undefined; // a malformed entry is ignored: the Parquet types still apply
    }
  }

  // all leaves, in column-chunk order
  const leaves: Leaf[] = [];
  const walk = (node: SchemaNode, path: string[], def: number, rep: number): void => {
    const r = node.el.repetition;
    const d = def + (r === Repetition.OPTIONAL || r === Repetition.REPEATED ? 1 : 0);
    const p = rep + (r === Repetition.REPEATED ? 1 : 0);
    const here = [...path, node.el.name];
    if (node.children.length === 0) {
      if (node.el.type === undefined) throw corrupt(`schema leaf "${here.join('.')}" without a type`);
      leaves.push({ node, path: here, maxDef: d, maxRep: p });
    } else for (const c of node.children) walk(c, here, d, p);
  };
  for (const c of root.children) walk(c, [], 0, 0);
  const leafIndex = new Map(leaves.map((l, i) => [l.node, i]));

  const columns: ParquetColumn[] = [];
  const unsupportedFields: UnsupportedField[] = [];
  const typings: Array<ColumnTyping | undefined> = new Array(leaves.length);
  for (const field of root.children) {
    const fieldLeaves = leaves.filter((l) => isUnder(l.node, field)).map((l) => leafIndex.get(l.node)!);
    const fail = (reason: string) => unsupportedFields.push({ name: field.el.name, leaves: fieldLeaves, reason, fieldId: field.el.fieldId });
    const recorded = pgTypes?.[field.el.name];
    if (field.children.length === 0) {
      const leaf = leaves[fieldLeaves[0]!]!;
      const t = mapPrimitive(field.el);
      if ('unsupported' in t) {
        fail(t.unsupported);
        continue;
      }
      typings[fieldLeaves[0]!] = t;
      if (field.el.repetition === Repetition.REPEATED) {
        // a bare repeated primitive: a list of non-NULL elements that is never NULL itself
        const type = applyRecordedType(listTypeOf(t.type), recorded);
        columns.push(column(field.el.fieldId, fieldLeaves[0]!, field.el.name, leaf, field.el, type, t, false, { elementType: type.elem!, elementNullable: false, repeatedDefinitionLevel: 1 }));
      } else {
        const type = applyRecordedType(t.type, recorded);
        columns.push(column(field.el.fieldId, fieldLeaves[0]!, field.el.name, leaf, field.el, type, t, field.el.repetition === Repetition.OPTIONAL));
      }
      continue;
    }
    if (!isList(field.el) || field.el.repetition === Repetition.REPEATED) {
      fail(isMap(field.el) ? 'MAP columns are not readable' : isList(field.el) ? 'repeated LIST group' : 'struct (group) columns are not readable');
      continue;
    }
    // LIST: <list> { repeated <x> } where x is the element (2-level) or x { <element> } (3-level)
    if (field.children.length !== 1 || field.children[0]!.el.repetition !== Repetition.REPEATED) {
      fail('LIST group without a single repeated child');
      continue;
    }
    const repeated = field.children[0]!;
    let element: SchemaNode;
    let elementNullable: boolean;
    const twoLevel =
      repeated.children.length === 0 ||
      repeated.children.length > 1 ||
      repeated.el.name === 'array' ||
      repeated.el.name === `${field.el.name}_tuple`;
    if (twoLevel) {
      element = repeated;
      elementNullable = false;
    } else {
      element = repeated.children[0]!;
      elementNullable = element.el.repetition === Repetition.OPTIONAL;
      if (element.el.repetition === Repetition.REPEATED) {
        fail('nested repeated LIST element');
        continue;
      }
    }
    if (element.children.length > 0) {
      fail('LIST of groups is not readable');
      continue;
    }
    const leaf = leaves[fieldLeaves[0]!]!;
    const t = mapPrimitive(element.el);
    if ('unsupported' in t) {
      fail(t.unsupported);
      continue;
    }
    if (leaf.maxRep !== 1) {
      fail('nested lists are not readable');
      continue;
    }
    typings[fieldLeaves[0]!] = t;
    // definition level of a present repeated node: one for the list group when it is optional, one for itself
    const repeatedDef = (field.el.repetition === Repetition.OPTIONAL ? 1 : 0) + 1;
    const type = applyRecordedType(listTypeOf(t.type), recorded);
    columns.push(
      column(field.el.fieldId, fieldLeaves[0]!, field.el.name, leaf, element.el, type, t, field.el.repetition === Repetition.OPTIONAL, {
        elementType: type.elem!,
        elementNullable,
        repeatedDefinitionLevel: repeatedDef,
      }),
    );
  }

  const rowGroups: RowGroupMetadata[] = fmd.rowGroups.map((rg) => {
    if (rg.columns.length !== leaves.length) throw corrupt(`row group has ${rg.columns.length} column chunks for ${leaves.length} columns`);
    return {
      numRows: rg.numRows,
      totalByteSize: rg.totalByteSize,
      columns: rg.columns.map((cc, i) => {
        if (cc.encrypted) throw unsupported('column encryption');
        const md = cc.metaData;
        if (md === undefined || cc.filePath !== undefined) return undefined;
        const leaf = leaves[i]!;
        const order = fmd.columnOrders?.[i];
        return chunkMetadata(md, leaf, typings[i], order, cc);
      }),
    };
  });

  return {
    numRows: fmd.numRows,
    version: fmd.version,
    createdBy: fmd.createdBy,
    columns,
    unsupported: unsupportedFields,
    leafCount: leaves.length,
    rowGroups,
    keyValue,
    pgTypes,
    footerLength,
  };
}

const isMap = (el: SchemaElement): boolean =>
  el.logicalType?.kind === 'map' || el.convertedType === ConvertedType.MAP || el.convertedType === ConvertedType.MAP_KEY_VALUE;

function isUnder(node: SchemaNode, field: SchemaNode): boolean {
  if (node === field) return true;
  return field.children.some((c) => isUnder(node, c));
}

/** `fieldId`: the top-level field's id (for a LIST, the list's, not its element's). */
function column(
  fieldId: number | undefined,
  index: number,
  name: string,
  leaf: Leaf,
  el: SchemaElement,
  type: PgType,
  t: ColumnTyping,
  nullable: boolean,
  list?: ParquetColumn['list'],
): ParquetColumn {
  const lt = el.logicalType;
  return {
    index,
    name,
    path: leaf.path,
    type,
    nullable,
    maxDefinitionLevel: leaf.maxDef,
    maxRepetitionLevel: leaf.maxRep,
    physicalType: physicalTypeName(el.type!),
    typeLength: el.type === PhysicalType.FIXED_LEN_BYTE_ARRAY ? el.typeLength : undefined,
    logicalType: lt,
    convertedType: convertedName(el.convertedType),
    precision: lt?.kind === 'decimal' ? lt.precision : el.precision,
    scale: lt?.kind === 'decimal' ? lt.scale : el.scale,
    fieldId,
    list,
    kind: t.kind,
    physicalTypeId: el.type!,
    decimalScale: t.scale,
  };
}

/** Whether the deprecated min/max fields (signed order) are valid bounds for this kind. */
const LEGACY_ORDER_OK = new Set<ValueKind>(['bool', 'int32', 'int64', 'int64-millis', 'int64-nanos', 'time-millis', 'float', 'double', 'decimal32', 'decimal64']);

function chunkMetadata(
  md: ColumnMetaData,
  leaf: Leaf,
  typing: ColumnTyping | undefined,
  order: string | undefined,
  cc: { offsetIndexOffset?: number; offsetIndexLength?: number; columnIndexOffset?: number; columnIndexLength?: number },
): ColumnChunkMetadata {
  const start = md.dictionaryPageOffset !== undefined && md.dictionaryPageOffset > 0 && md.dictionaryPageOffset < md.dataPageOffset
    ? md.dictionaryPageOffset
    : md.dataPageOffset;
  return {
    path: leaf.path,
    physicalType: physicalTypeName(md.type),
    codec: codecName(md.codec),
    codecId: md.codec,
    encodings: md.encodings.map(encodingName),
    numValues: md.numValues,
    start,
    totalCompressedSize: md.totalCompressedSize,
    totalUncompressedSize: md.totalUncompressedSize,
    dataPageOffset: md.dataPageOffset,
    dictionaryPageOffset: md.dictionaryPageOffset,
    fullyDictionaryEncoded: start < md.dataPageOffset && fullyDictionaryEncoded(md),
    statistics: convertStatistics(md.statistics, md.type, typing, order),
    columnIndex: cc.columnIndexOffset !== undefined && cc.columnIndexLength !== undefined ? { offset: cc.columnIndexOffset, length: cc.columnIndexLength } : undefined,
    offsetIndex: cc.offsetIndexOffset !== undefined && cc.offsetIndexLength !== undefined ? { offset: cc.offsetIndexOffset, length: cc.offsetIndexLength } : undefined,
  };
}

/** Raw statistics → datums; bounds whose order is unknown or unreliable are left out. */
export function convertStatistics(raw: RawStatistics | undefined, physicalType: number, typing: ColumnTyping | undefined, order: string | undefined): ColumnStatistics | undefined {
  if (raw === undefined) return undefined;
  let min: unknown;
  let max: unknown;
  if (typing !== undefined) {
    const orderKnown = order === undefined || order === 'type' || order === 'ieee754';
    if (orderKnown && (raw.minValue !== undefined || raw.maxValue !== undefined)) {
      min = raw.minValue && statisticDatum(raw.minValue, physicalType, typing);
      max = raw.maxValue && statisticDatum(raw.maxValue, physicalType, typing);
    } else if (LEGACY_ORDER_OK.has(typing.kind)) {
      min = raw.min && statisticDatum(raw.min, physicalType, typing);
      max = raw.max && statisticDatum(raw.max, physicalType, typing);
    }
  }
  const out: { min?: unknown; max?: unknown; nullCount?: number; distinctCount?: number } = {};
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  if (raw.nullCount !== undefined) out.nullCount = raw.nullCount;
  if (raw.distinctCount !== undefined) out.distinctCount = raw.distinctCount;
  return out;
}

/**
 * Whether all data pages of a chunk are dictionary-encoded: from the page encoding statistics
 * when the writer wrote them; otherwise only for old-style writers, whose data pages say
 * PLAIN_DICTIONARY and whose fallback pages would add PLAIN to the chunk's encodings.
 */
function fullyDictionaryEncoded(md: ColumnMetaData): boolean {
  const isDictionary = (e: number) => e === Encoding.PLAIN_DICTIONARY || e === Encoding.RLE_DICTIONARY;
  if (md.encodingStats) {
    return md.encodingStats.every((s) => s.pageType === PageType.DICTIONARY_PAGE || s.count === 0 || isDictionary(s.encoding));
  }
  return md.encodings.includes(Encoding.PLAIN_DICTIONARY) && !md.encodings.includes(Encoding.PLAIN) && md.encodings.every((e) => isDictionary(e) || e === Encoding.RLE || e === Encoding.BIT_PACKED);
}
