/**
 * Reading one data-file split: Parquet columns found by field id (so renamed columns read
 * correctly, columns added later are NULL in older files, dropped ones are never read),
 * values converted to the table's types (int → long, float → double promotions), and the
 * delete files that apply removed: positions from position deletes, rows whose key is in an
 * equality delete file.
 */
import { BATCH_ROWS, type Batch } from '../../engine/execution/batch/batch.js';
import { allocateData, constantVector, takeRows, type Vector } from '../../engine/execution/batch/vector.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type { PgType } from '../../engine/types/pg-type.js';
import { Numeric } from '../../engine/types/numeric.js';
import { batchesOf, readColumnChunks, readParquetMetadata, type ByteSource, type ParquetColumn, type ParquetMetadata } from '../lib/parquet/index.js';
import type { FileIO } from './io.js';
import { FileContent } from './manifests.js';
import type { DeleteRef } from './planning.js';
import { formatUuid } from './values.js';

/** What a data split carries: everything a worker needs to read it. */
export interface DataSplit {
  readonly path: string;
  readonly size: number;
  readonly format: string;
  readonly recordCount: number;
  /** Byte range [start, end) of the row groups to read (by where each row group starts); absent: all. */
  readonly range?: readonly [number, number];
  readonly deletes: readonly DeleteRef[];
  /** Field id of each table column, in table column order. */
  readonly fieldIds: readonly number[];
}

export interface ReadColumn {
  readonly fieldId: number;
  readonly name: string;
  readonly type: PgType;
  /** A hidden column the reader makes up: the data file's path (`$path`) or the row's position in it (`$pos`). */
  readonly virtual?: 'path' | 'pos';
}

const POS_PATH_FIELD = 2147483546;
const POS_FIELD = 2147483545;

const footers = new Map<string, Promise<ParquetMetadata>>();
const FOOTERS_KEPT = 500;

async function footer(path: string, source: ByteSource): Promise<ParquetMetadata> {
  let hit = footers.get(path);
  if (!hit) {
    hit = readParquetMetadata(source);
    if (footers.size >= FOOTERS_KEPT) footers.delete(footers.keys().next().value!);
    footers.set(path, hit);
    hit.catch(() => footers.delete(path));
  }
  return hit;
}

/** The file's column holding a field: by field id (a LIST column by its list field's id), else — files without any ids — by name. */
function columnFor(meta: ParquetMetadata, fieldId: number, name: string): ParquetColumn | undefined {
  const byId = meta.columns.find((c) => c.fieldId === fieldId);
  if (byId) return byId;
  const anyIds = meta.columns.some((c) => c.fieldId !== undefined) || meta.unsupported.some((u) => u.fieldId !== undefined);
  return anyIds ? undefined : meta.columns.find((c) => c.name === name);
}

export async function* readDataSplit(io: FileIO, split: DataSplit, columns: readonly ReadColumn[], signal: AbortSignal): AsyncIterable<Batch> {
  if (split.format !== 'PARQUET') {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot read Iceberg data file "${split.path}": ${split.format} data files are not supported (only Parquet)`);
  }
  const positions = await positionDeletes(io, split);
  const equality = await equalityDeletes(io, split);
  const source = await io.open(split.path, split.size);
  const meta = await footer(split.path, source);
  // columns to read: the wanted ones, then those equality deletes compare
  const wanted: ReadColumn[] = [...columns];
  for (const e of equality) for (const id of e.fieldIds) if (!wanted.some((c) => c.fieldId === id)) wanted.push({ fieldId: id, name: '', type: e.types.get(id)! });
  const fileColumns = wanted.map((c) => (c.virtual ? undefined : columnFor(meta, c.fieldId, c.name)));
  let firstRow = 0;
  for (let rg = 0; rg < meta.rowGroups.length; rg++) {
    const group = meta.rowGroups[rg]!;
    const rows = group.numRows;
    const start = Math.min(...group.columns.map((c) => c?.start ?? Infinity));
    const rowBase = firstRow;
    firstRow += rows;
    if (split.range && !(start >= split.range[0] && start < split.range[1])) continue;
    if (rows === 0) continue;
    signal.throwIfAborted();
    const leaves = fileColumns.filter((c): c is ParquetColumn => c !== undefined).map((c) => c.index);
    const read = leaves.length > 0 ? await readColumnChunks(source, meta, rg, leaves, signal) : [];
    let k = 0;
    let vectors: Vector[] = wanted.map((c, i) => {
      if (c.virtual === 'path') return constantVector(c.type, split.path, rows);
      if (c.virtual === 'pos') return positionVector(c.type, rowBase, rows);
      return fileColumns[i] ? asType(read[k++]!, c.type, split.path) : constantVector(c.type, null, rows);
    });
    let length = rows;
    const keep = keptRows(rows, rowBase, positions, equality, vectors.slice(columns.length), wanted.slice(columns.length), columns, vectors);
    if (keep) {
      vectors = vectors.map((v) => takeRows(v, keep));
      length = keep.length;
    }
    const out = vectors.slice(0, columns.length);
    if (out.length === 0) {
      for (let at = 0; at < length; at += BATCH_ROWS) yield { length: Math.min(BATCH_ROWS, length - at), columns: [] };
      continue;
    }
    // each batch owns its arrays: batches may be handed to another thread
    for (const b of batchesOf(out, BATCH_ROWS)) yield { length: b.length, columns: b.columns.map(owned) };
  }
}

/** Positions in the file of `rows` rows from `first` on. */
function positionVector(type: PgType, first: number, rows: number): Vector {
  const data = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) data[i] = BigInt(first + i);
  return { type, length: rows, data, nulls: null };
}

/** Row indices that survive the deletes, or undefined when none is deleted. */
function keptRows(
  rows: number,
  rowBase: number,
  positions: ReadonlySet<number> | undefined,
  equality: readonly EqualityDeletes[],
  extra: readonly Vector[],
  extraColumns: readonly ReadColumn[],
  columns: readonly ReadColumn[],
  vectors: readonly Vector[],
): number[] | undefined {
  if (!positions?.size && equality.length === 0) return undefined;
  const vectorOf = (fieldId: number): Vector => {
    const i = columns.findIndex((c) => c.fieldId === fieldId);
    return i >= 0 ? vectors[i]! : extra[extraColumns.findIndex((c) => c.fieldId === fieldId)]!;
  };
  const keys = equality.map((e) => e.fieldIds.map(vectorOf));
  const keep: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (positions?.has(rowBase + i)) continue;
    if (equality.some((e, j) => e.keys.has(rowKey(keys[j]!, i)))) continue;
    keep.push(i);
  }
  return keep.length === rows ? undefined : keep;
}

// ---- deletes ------------------------------------------------------------------------------------

interface EqualityDeletes {
  readonly fieldIds: readonly number[];
  readonly types: ReadonlyMap<number, PgType>;
  readonly keys: ReadonlySet<string>;
}

const positionFiles = new Map<string, Promise<Map<string, Set<number>>>>();
const equalityFiles = new Map<string, Promise<EqualityDeletes>>();
const DELETE_FILES_KEPT = 64;

function remember<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let hit = cache.get(key);
  if (!hit) {
    hit = load();
    if (cache.size >= DELETE_FILES_KEPT) cache.delete(cache.keys().next().value!);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

async function positionDeletes(io: FileIO, split: DataSplit): Promise<Set<number> | undefined> {
  const files = split.deletes.filter((d) => d.content === FileContent.POSITION_DELETES);
  if (files.length === 0) return undefined;
  const out = new Set<number>();
  for (const d of files) {
    const byFile = await remember(positionFiles, d.path, async () => {
      const [paths, pos] = await readWholeColumns(io, d, [[POS_PATH_FIELD, 'file_path'], [POS_FIELD, 'pos']]);
      const m = new Map<string, Set<number>>();
      for (let i = 0; i < paths!.length; i++) {
        const p = paths![i] as string;
        let s = m.get(p);
        if (!s) m.set(p, (s = new Set()));
        s.add(Number(pos![i] as bigint));
      }
      return m;
    });
    for (const p of byFile.get(split.path) ?? []) out.add(p);
  }
  return out;
}

async function equalityDeletes(io: FileIO, split: DataSplit): Promise<EqualityDeletes[]> {
  const out: EqualityDeletes[] = [];
  for (const d of split.deletes) {
    if (d.content !== FileContent.EQUALITY_DELETES) continue;
    const ids = d.equalityIds ?? [];
    out.push(await remember(equalityFiles, `${d.path}\u0000${ids.join(',')}`, async () => {
      const source = await io.open(d.path, d.size);
      const meta = await readParquetMetadata(source);
      const cols = ids.map((id) => meta.columns.find((c) => c.fieldId === id));
      if (cols.some((c) => c === undefined)) throw new SqlError(SqlState.DATA_CORRUPTED, `equality delete file "${d.path}" lacks a column it deletes by`);
      const values = await readWholeColumns(io, d, ids.map((id) => [id, '']));
      const vectors = values.map((v, i) => ({ type: cols[i]!.type, length: v.length, data: v, nulls: null }) as Vector);
      const keys = new Set<string>();
      for (let i = 0; i < (values[0]?.length ?? 0); i++) keys.add(rowKey(vectors, i));
      return { fieldIds: ids, types: new Map(ids.map((id, i) => [id, cols[i]!.type])), keys };
    }));
  }
  return out;
}

/** Every value (null for NULL) of some columns of a delete file, found by field id (or name). */
async function readWholeColumns(io: FileIO, d: DeleteRef, fields: readonly (readonly [number, string])[]): Promise<unknown[][]> {
  if (!/\.parquet$/i.test(d.path) && !d.path.includes('parquet')) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot read Iceberg delete file "${d.path}": only Parquet delete files are supported`);
  }
  const source = await io.open(d.path, d.size);
  const meta = await readParquetMetadata(source);
  const cols = fields.map(([id, name]) => columnFor(meta, id, name));
  if (cols.some((c) => c === undefined)) throw new SqlError(SqlState.DATA_CORRUPTED, `delete file "${d.path}" lacks an expected column`);
  const out: unknown[][] = fields.map(() => []);
  for (let rg = 0; rg < meta.rowGroups.length; rg++) {
    const vectors = await readColumnChunks(source, meta, rg, cols.map((c) => c!.index));
    vectors.forEach((v, k) => {
      for (let i = 0; i < v.length; i++) out[k]!.push(v.nulls?.[i] === 1 ? null : v.data[i]);
    });
  }
  return out;
}

/** A row's values of some columns as one string; NULLs compare equal, as equality deletes want. */
function rowKey(vectors: readonly Vector[], i: number): string {
  let key = '';
  for (const v of vectors) {
    if (v.nulls !== null && v.nulls[i] === 1) {
      key += 'N|';
      continue;
    }
    const x = (v.data as ArrayLike<unknown>)[i];
    if (typeof x === 'number' || typeof x === 'bigint') key += `n${x}|`;
    else if (typeof x === 'string') key += `s${JSON.stringify(x)}|`;
    else if (x instanceof Uint8Array) key += `b${Buffer.from(x).toString('hex')}|`;
    else if (x instanceof Numeric) key += `d${x.toString()}|`;
    else key += `o${String(x)}|`;
  }
  return key;
}

// ---- types --------------------------------------------------------------------------------------

/** A file's vector as the table column's type. */
function asType(v: Vector, type: PgType, path: string): Vector {
  if (v.type.oid === type.oid || (v.type.layout === type.layout && v.type.layout !== 'object')) {
    if (v.type.layout === type.layout) return { ...v, type };
  }
  if (v.type.layout === 'int32' && type.layout === 'int64') {
    const data = new BigInt64Array(v.length);
    const src = v.data as Int32Array;
    for (let i = 0; i < v.length; i++) data[i] = BigInt(src[i]!);
    return { type, length: v.length, data, nulls: v.nulls };
  }
  if (v.type.layout === 'int32' && type.layout === 'float64') return { type, length: v.length, data: Float64Array.from(v.data as Int32Array), nulls: v.nulls };
  if (v.type.name === 'bytea' && type.name === 'uuid') return mapObjects(v, type, (x) => formatUuid(x as Uint8Array));
  if (v.type.name === 'numeric' && type.name === 'numeric') return { ...v, type };
  if (v.type.elem && type.elem && v.type.elem.layout === type.elem.layout) return { ...v, type };
  if (v.type.elem && type.elem && v.type.elem.layout === 'int32' && type.elem.layout === 'int64') {
    return mapObjects(v, type, (x) => (x as (number | null)[]).map((e) => (e === null ? null : BigInt(e))));
  }
  if (v.type.layout === 'object' && type.layout === 'object') return { ...v, type };
  throw new SqlError(SqlState.DATA_CORRUPTED, `Iceberg data file "${path}" holds ${v.type.name} values for a ${type.name} column`);
}

function mapObjects(v: Vector, type: PgType, f: (x: unknown) => unknown): Vector {
  const data = allocateData('object', v.length) as unknown[];
  const src = v.data as unknown[];
  for (let i = 0; i < v.length; i++) if (v.nulls === null || v.nulls[i] !== 1) data[i] = f(src[i]);
  return { type, length: v.length, data, nulls: v.nulls };
}

function owned(v: Vector): Vector {
  const data = Array.isArray(v.data) ? v.data : (v.data as Int32Array).slice();
  return { type: v.type, length: v.length, data: data as Vector['data'], nulls: v.nulls === null ? null : v.nulls.slice() };
}
