/**
 * Writing Parquet data files for an Iceberg table: each column carries its field id (and a
 * list its element's), files are cut at `FILE_ROWS` rows, and the metrics manifests keep are
 * gathered while writing — per top-level primitive column the value, NULL and NaN counts and
 * lower/upper bounds in Iceberg's single-value form (strings and binaries truncated to 16
 * characters / bytes, the upper bound rounded up).
 */
import { randomBytes } from 'node:crypto';
import type { Batch } from '../../../engine/execution/batch/batch.js';
import type { Vector } from '../../../engine/execution/batch/vector.js';
import { internalError } from '../../../engine/errors/index.js';
import { Numeric } from '../../../engine/types/numeric.js';
import type { PgType } from '../../../engine/types/pg-type.js';
import type { FileUpload } from '../../lib/storage/file-store.js';
import { ParquetWriter, type ParquetColumnSpec } from '../../lib/parquet/write/index.js';
import type { FileIO } from '../io.js';
import type { NewFile } from './manifest-writer.js';

/** Rows per data file. */
export const FILE_ROWS = 1_000_000;
/** Characters (strings) or bytes (binary) kept of a bound. */
const BOUND_LENGTH = 16;

/** A column as written: its table type, field ids and Iceberg primitive type (absent for lists). */
export interface WriteColumn {
  readonly name: string;
  readonly type: PgType;
  readonly nullable: boolean;
  readonly fieldId: number;
  readonly elementFieldId?: number;
  readonly primitive?: string;
}

/** A unique name for a file Lakegate writes: time, then random bits. */
export const fileStamp = (): string => `${new Date().toISOString().replace(/[-:T.Z]/g, '').slice(0, 17)}-${randomBytes(8).toString('hex')}`;

// ---- values as stored -----------------------------------------------------------------------

/**
 * A vector as the column's table type stores it: same layout, retyped; bpchar loses its
 * trailing blanks (as PostgreSQL's cast to text does); numerics are rescaled by the writer.
 */
export function storedVector(v: Vector, column: WriteColumn): Vector {
  const type = column.type;
  if (v.type.layout !== type.layout) throw internalError(`Iceberg write: column "${column.name}" holds ${v.type.name} values for a ${type.name} column`);
  if (v.type.name === 'bpchar') {
    const src = v.data as unknown[];
    const data = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) data[i] = typeof src[i] === 'string' ? (src[i] as string).replace(/ +$/, '') : src[i];
    return { type, length: v.length, data, nulls: v.nulls };
  }
  return v.type === type ? v : { ...v, type };
}

// ---- metrics ----------------------------------------------------------------------------------

class ColumnMetrics {
  values = 0;
  nulls = 0;
  nans = 0;
  min: unknown = undefined;
  max: unknown = undefined;

  constructor(readonly primitive: string) {}

  add(v: Vector, length: number): void {
    this.values += length;
    const nulls = v.nulls;
    const data = v.data as ArrayLike<unknown>;
    const float = this.primitive === 'float' || this.primitive === 'double';
    for (let i = 0; i < length; i++) {
      if (nulls !== null && nulls[i] === 1) {
        this.nulls++;
        continue;
      }
      const x = data[i];
      if (float && Number.isNaN(x as number)) {
        this.nans++;
        continue;
      }
      if (this.min === undefined || compareDatums(x, this.min) < 0) this.min = x;
      if (this.max === undefined || compareDatums(x, this.max) > 0) this.max = x;
    }
  }
}

function compareDatums(a: unknown, b: unknown): number {
  if (a instanceof Numeric) return a.cmp(b as Numeric);
  if (a instanceof Uint8Array) return Buffer.compare(a, b as Uint8Array);
  if (typeof a === 'boolean') return Number(a) - Number(b);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** A datum in Iceberg's single-value binary form; `upper` rounds a truncated bound up (undefined when it cannot). */
export function encodeBound(primitive: string, x: unknown, upper: boolean): Uint8Array | undefined {
  const fixed = (n: number, f: (d: DataView) => void) => {
    const b = new Uint8Array(n);
    f(new DataView(b.buffer));
    return b;
  };
  switch (primitive) {
    case 'boolean': return Uint8Array.of(x ? 1 : 0);
    case 'int': case 'date': return fixed(4, (d) => d.setInt32(0, x as number, true));
    case 'long': case 'time': case 'timestamp': case 'timestamptz': return fixed(8, (d) => d.setBigInt64(0, BigInt(x as bigint), true));
    case 'float': return fixed(4, (d) => d.setFloat32(0, x as number, true));
    case 'double': return fixed(8, (d) => d.setFloat64(0, x as number, true));
    case 'string': {
      const chars = Array.from(x as string);
      if (chars.length <= BOUND_LENGTH) return Buffer.from(x as string, 'utf8');
      const kept = chars.slice(0, BOUND_LENGTH);
      if (!upper) return Buffer.from(kept.join(''), 'utf8');
      for (let i = kept.length - 1; i >= 0; i--) {
        let cp = kept[i]!.codePointAt(0)! + 1;
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xe000;
        if (cp <= 0x10ffff) return Buffer.from(kept.slice(0, i).join('') + String.fromCodePoint(cp), 'utf8');
      }
      return undefined;
    }
    case 'uuid': return Buffer.from((x as string).replace(/-/g, ''), 'hex');
    case 'binary': {
      const b = x as Uint8Array;
      if (b.length <= BOUND_LENGTH) return b.slice();
      const kept = b.slice(0, BOUND_LENGTH);
      if (!upper) return kept;
      for (let i = kept.length - 1; i >= 0; i--) {
        if (kept[i]! < 0xff) {
          const out = kept.slice(0, i + 1);
          out[i]!++;
          return out;
        }
      }
      return undefined;
    }
    default: {
      const d = /^decimal\(\s*\d+\s*,\s*(\d+)\s*\)$/.exec(primitive);
      if (!d || !(x instanceof Numeric) || !x.isFinite()) return undefined;
      const scale = Number(d[1]);
      const r = x.round(scale);
      return twosComplement(r.unscaled * 10n ** BigInt(scale - r.scale));
    }
  }
}

/** Minimal big-endian two's complement of a bigint. */
function twosComplement(v: bigint): Uint8Array {
  let n = 1;
  while (v >= 1n << BigInt(8 * n - 1) || v < -(1n << BigInt(8 * n - 1))) n++;
  let u = v < 0n ? (1n << BigInt(8 * n)) + v : v;
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

// ---- files ------------------------------------------------------------------------------------

interface OpenFile {
  readonly path: string;
  readonly upload: FileUpload;
  readonly writer: ParquetWriter;
  readonly metrics: (ColumnMetrics | undefined)[];
  bytes: number;
  rows: number;
}

/**
 * Writes batches (columns in `columns` order, already stored types) into Parquet files under
 * `folder`, a new file every FILE_ROWS rows. Nothing is visible until a file is finished;
 * `abort` discards the open file and removes the finished ones.
 */
export class DataFileWriter {
  private open?: OpenFile;
  private readonly done: NewFile[] = [];
  private readonly specs: ParquetColumnSpec[];

  constructor(
    private readonly io: FileIO,
    private readonly folder: string,
    private readonly columns: readonly WriteColumn[],
    private readonly options: {
      readonly content?: number;
      readonly fileRows?: number;
      readonly exactBounds?: ReadonlySet<number>;
      /** The files' partition tuple by partition field name, as Avro values. */
      readonly partition?: Readonly<Record<string, unknown>>;
      /** Rows per Parquet row group (the Parquet writer's default when absent). */
      readonly rowGroupRows?: number;
    } = {},
  ) {
    this.specs = columns.map((c) => ({
      name: c.name, type: c.type, nullable: c.nullable, fieldId: c.fieldId, ...(c.elementFieldId !== undefined ? { elementFieldId: c.elementFieldId } : {}),
    }));
  }

  /** Paths of every file written so far (finished or open). */
  paths(): string[] {
    return [...this.done.map((f) => f.path), ...(this.open ? [this.open.path] : [])];
  }

  async write(batch: Batch): Promise<void> {
    let at = 0;
    const limit = this.options.fileRows ?? FILE_ROWS;
    while (at < batch.length) {
      const f = this.open ?? (await this.start());
      const take = Math.min(batch.length - at, limit - f.rows);
      const part: Batch = at === 0 && take === batch.length ? batch : { length: take, columns: batch.columns.map((v) => sliceOf(v, at, take)) };
      await f.writer.write(part);
      part.columns.forEach((v, i) => f.metrics[i]?.add(v, take));
      f.rows += take;
      at += take;
      if (f.rows >= limit) await this.finishOpen();
    }
  }

  /** Whether a file is open (rows written but not finished). */
  get isOpen(): boolean {
    return this.open !== undefined;
  }

  /** Finishes the open file (a later write starts a new one); returns every file written. */
  async finish(): Promise<NewFile[]> {
    await this.finishOpen();
    return [...this.done];
  }

  async abort(): Promise<void> {
    const f = this.open;
    this.open = undefined;
    if (f) await f.upload.abort().catch(() => undefined);
    await Promise.allSettled(this.done.map((d) => this.io.remove(d.path)));
  }

  private async start(): Promise<OpenFile> {
    const path = `${this.folder}/${fileStamp()}-${this.done.length}.parquet`;
    const upload = await this.io.create(path);
    const counted = { write: async (chunk: Uint8Array) => {
      f.bytes += chunk.length;
      await upload.write(chunk);
    } };
    const f: OpenFile = {
      path, upload, writer: new ParquetWriter(counted, this.specs, this.options.rowGroupRows !== undefined ? { rowGroupRows: this.options.rowGroupRows } : {}), bytes: 0, rows: 0,
      metrics: this.columns.map((c) => (c.primitive ? new ColumnMetrics(c.primitive) : undefined)),
    };
    this.open = f;
    return f;
  }

  private async finishOpen(): Promise<void> {
    const f = this.open;
    if (!f) return;
    await f.writer.finish();
    await f.upload.commit();
    this.open = undefined;
    const valueCounts = new Map<number, number>();
    const nullCounts = new Map<number, number>();
    const nanCounts = new Map<number, number>();
    const lowerBounds = new Map<number, Uint8Array>();
    const upperBounds = new Map<number, Uint8Array>();
    this.columns.forEach((c, i) => {
      const m = f.metrics[i];
      if (!m) return;
      valueCounts.set(c.fieldId, m.values);
      nullCounts.set(c.fieldId, m.nulls);
      if (m.primitive === 'float' || m.primitive === 'double') nanCounts.set(c.fieldId, m.nans);
      if (m.min === undefined) return;
      const exact = this.options.exactBounds?.has(c.fieldId) === true;
      const lo = exact && m.primitive === 'string' ? Buffer.from(m.min as string, 'utf8') : encodeBound(m.primitive, m.min, false);
      const hi = exact && m.primitive === 'string' ? Buffer.from(m.max as string, 'utf8') : encodeBound(m.primitive, m.max, true);
      if (lo && hi) {
        lowerBounds.set(c.fieldId, lo);
        upperBounds.set(c.fieldId, hi);
      }
    });
    this.done.push({
      content: this.options.content ?? 0, path: f.path, recordCount: f.rows, fileSize: f.bytes, partition: this.options.partition ?? {},
      valueCounts, nullCounts, nanCounts, lowerBounds, upperBounds,
    });
  }
}

function sliceOf(v: Vector, start: number, count: number): Vector {
  const data = Array.isArray(v.data) ? v.data.slice(start, start + count) : (v.data as Int32Array).subarray(start, start + count);
  return { type: v.type, length: count, data: data as Vector['data'], nulls: v.nulls === null ? null : v.nulls.subarray(start, start + count) };
}
