/**
 * Partitioned writes: the `partitioning` table property (Trino's syntax) → a partition spec,
 * and a row's partition tuple under a spec — the specification's transforms applied to the
 * stored column values — with its Avro form (manifest entries), its folder under `data/`
 * (`name=value/…`, values in the transforms' human-readable form) and the per-field summaries
 * manifest lists carry.
 *
 * Transforms (results as the specification defines them):
 *
 * | transform       | source types                                   | result                          |
 * |-----------------|------------------------------------------------|---------------------------------|
 * | identity        | any primitive                                  | the value                       |
 * | bucket[N]       | int, long, decimal, date, time, timestamp(tz), string, uuid, fixed, binary | (murmur3_x86_32(v) & 0x7fffffff) % N |
 * | truncate[W]     | int, long (v - v mod W, floored), decimal (on the unscaled value), string (W code points), binary (W bytes) | same type |
 * | year/month/day  | date, timestamp(tz)                            | years / months since 1970 (int), days since 1970 (date) |
 * | hour            | timestamp(tz)                                  | hours since 1970-01-01 00:00 (int) |
 * | void            | any                                            | always NULL                     |
 *
 * Bucket hashes the single-value serialisation: int, long, date, time and timestamps as an
 * 8-byte little-endian long (microseconds; nanosecond timestamps converted to microseconds),
 * decimals as the minimal big-endian two's-complement bytes of the unscaled value, strings as
 * UTF-8, uuids as their 16 bytes, fixed and binary as is.
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { Numeric } from '../../../engine/types/numeric.js';
import type { PartitionField, PartitionSpec, TableMetadata } from '../metadata.js';
import type { FieldSummary } from '../manifests.js';
import { fieldsById, type IcebergSchema } from '../types.js';
import { minimalBigEndian, murmur3, parseTransform, partitionDatum, resultType, type Transform } from '../values.js';
import { decimalBytes, type PartitionFieldInfo } from './manifest-writer.js';

const invalid = (message: string, hint?: string) => new SqlError(SqlState.INVALID_PARAMETER_VALUE, message, hint ? { hint } : {});

// ---- the partitioning property ------------------------------------------------------------

/** Splits `text` at top-level commas (outside parentheses and double quotes). */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

const DATE_TYPES = ['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns'];
const TS_TYPES = ['timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns'];
const isDecimal = (t: string) => /^decimal\(/.test(t);

/** Whether a transform applies to a source column of Iceberg type `type`. */
export function transformApplies(t: Transform, type: unknown): boolean {
  if (typeof type !== 'string') return false;
  switch (t.kind) {
    case 'identity': case 'void': return true;
    case 'bucket': return ['int', 'long', 'date', 'time', ...TS_TYPES, 'string', 'uuid', 'binary'].includes(type) || isDecimal(type) || type.startsWith('fixed[');
    case 'truncate': return ['int', 'long', 'string', 'binary'].includes(type) || isDecimal(type);
    case 'year': case 'month': case 'day': return DATE_TYPES.includes(type);
    case 'hour': return TS_TYPES.includes(type);
    default: return false;
  }
}

/** The default name Iceberg gives a partition field. */
function defaultName(t: Transform, column: string): string {
  switch (t.kind) {
    case 'identity': return column;
    case 'bucket': return `${column}_bucket`;
    case 'truncate': return `${column}_trunc`;
    case 'void': return `${column}_null`;
    default: return `${column}_${t.kind}`;
  }
}

const transformText = (t: Transform): string =>
  t.kind === 'bucket' ? `bucket[${t.n}]` : t.kind === 'truncate' ? `truncate[${t.width}]` : t.kind === 'unknown' ? t.text : t.kind;

/** An identifier of the property: "quoted" (exact) or bare (matched exactly, then case-insensitively). */
function columnOf(token: string, schema: IcebergSchema, item: string): { id: number; name: string; type: unknown } {
  const t = token.trim();
  const quoted = /^"((?:[^"]|"")*)"$/.exec(t);
  const name = quoted ? quoted[1]!.replace(/""/g, '"') : t;
  if (!quoted && !/^[^\s(),"]+$/.test(name)) throw invalid(`invalid partitioning item "${item}"`, PARTITIONING_HINT);
  const exact = schema.fields.find((f) => f.name === name);
  const found = exact ?? (quoted ? undefined : schema.fields.filter((f) => f.name.toLowerCase() === name.toLowerCase())[0]);
  if (!found) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${name}" named in the partitioning does not exist`);
  return { id: found.id, name: found.name, type: found.type };
}

const PARTITIONING_HINT = "Use a list such as 'region, day(ts), bucket(16, id), truncate(4, name)'; transforms are identity, year, month, day, hour, bucket and truncate.";
const MAX_COUNT = 2_147_483_647;

/**
 * The partition fields of a `partitioning` property ('region, day(ts), bucket(16, id)'; also
 * Trino's argument order `bucket(id, 16)`), field ids from 1000, Iceberg's default names.
 */
export function parsePartitioning(text: string, schema: IcebergSchema): PartitionField[] {
  const fields: PartitionField[] = [];
  if (text.trim() === '') return fields;
  for (const item of splitTopLevel(text)) {
    if (item === '') throw invalid(`invalid partitioning "${text}": an empty item`, PARTITIONING_HINT);
    const call = /^([A-Za-z_]+)\s*\(([\s\S]*)\)$/.exec(item);
    let t: Transform;
    let column: { id: number; name: string; type: unknown };
    if (!call) {
      t = { kind: 'identity' };
      column = columnOf(item, schema, item);
    } else {
      const fn = call[1]!.toLowerCase();
      const args = splitTopLevel(call[2]!);
      if (fn === 'bucket' || fn === 'truncate') {
        if (args.length !== 2) throw invalid(`invalid partitioning item "${item}": ${fn} takes a count and a column`, PARTITIONING_HINT);
        const countAt = /^\d+$/.test(args[0]!) ? 0 : /^\d+$/.test(args[1]!) ? 1 : -1;
        if (countAt < 0) throw invalid(`invalid partitioning item "${item}": ${fn} needs a positive integer`, PARTITIONING_HINT);
        const n = Number(args[countAt]);
        if (!(n >= 1 && n <= MAX_COUNT)) throw invalid(`invalid partitioning item "${item}": ${fn === 'bucket' ? 'the number of buckets' : 'the width'} must be between 1 and ${MAX_COUNT}`);
        t = fn === 'bucket' ? { kind: 'bucket', n } : { kind: 'truncate', width: n };
        column = columnOf(args[1 - countAt]!, schema, item);
      } else if (['identity', 'year', 'month', 'day', 'hour'].includes(fn)) {
        if (args.length !== 1) throw invalid(`invalid partitioning item "${item}": ${fn} takes one column`, PARTITIONING_HINT);
        t = { kind: fn as 'identity' };
        column = columnOf(args[0]!, schema, item);
      } else {
        throw invalid(`invalid partitioning item "${item}": unknown transform "${call[1]}"`, PARTITIONING_HINT);
      }
    }
    if (!transformApplies(t, column.type)) {
      const type = typeof column.type === 'string' ? column.type : (column.type as { type: string }).type;
      throw invalid(`invalid partitioning item "${item}": ${t.kind} does not apply to column "${column.name}" of type ${type}`);
    }
    const name = defaultName(t, column.name);
    const transform = transformText(t);
    if (fields.some((f) => f.sourceId === column.id && f.transform === transform)) throw invalid(`invalid partitioning "${text}": "${item}" appears more than once`);
    if (fields.some((f) => f.name === name)) throw invalid(`invalid partitioning "${text}": two partition fields would be named "${name}"`);
    if (t.kind !== 'identity' && schema.fields.some((f) => f.name === name)) {
      throw invalid(`invalid partitioning "${text}": partition field "${name}" would have the name of a column`);
    }
    fields.push({ sourceId: column.id, fieldId: 1000 + fields.length, name, transform });
  }
  return fields;
}

// ---- a spec's fields, resolved ----------------------------------------------------------------

/** A partition field with its transform and the Iceberg types of its source and result. */
export interface ResolvedField {
  readonly info: PartitionFieldInfo;
  readonly transform: Transform;
  readonly sourceType: string;
}

/** The Iceberg type of every field id in any of the table's schemas (the current one winning). */
function sourceTypes(m: TableMetadata): Map<number, unknown> {
  const out = new Map<number, unknown>();
  for (const s of m.schemas.values()) for (const [id, f] of fieldsById(s)) out.set(id, f.type);
  for (const [id, f] of fieldsById(m.schemas.get(m.currentSchemaId)!)) out.set(id, f.type);
  return out;
}

/** The fields of a spec, resolved against the table's schemas; 0A000 for what Lakegate cannot compute. */
export function resolveSpec(m: TableMetadata, spec: PartitionSpec, what: string): ResolvedField[] {
  const types = sourceTypes(m);
  return spec.fields.map((f) => {
    const t = parseTransform(f.transform);
    const sourceType = types.get(f.sourceId);
    if (t.kind === 'unknown' || typeof sourceType !== 'string' || !transformApplies(t, sourceType)) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot ${what}: its partition field "${f.name}" (${f.transform}) is not one Lakegate can compute`);
    }
    return { info: { name: f.name, fieldId: f.fieldId, sourceId: f.sourceId, transform: f.transform, resultType: resultType(t, sourceType) }, transform: t, sourceType };
  });
}

// ---- transforms of stored values --------------------------------------------------------------

const US_PER_HOUR = 3_600_000_000n;
const US_PER_DAY = 86_400_000_000n;
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
};

/** Year, month (1-12) and day of a count of days since 1970-01-01 (proleptic Gregorian). */
export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function toInt(v: bigint | number, what: string): number {
  const n = Number(v);
  if (n < INT_MIN || n > INT_MAX) throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `value out of range for the Iceberg ${what} partition transform`);
  return n;
}

/** A date or timestamp datum as days / micros; timestamps of `_ns` columns are read as micros too. */
const micros = (v: unknown): bigint => BigInt(v as bigint | number);

/** The unscaled value of a decimal datum at the column's scale. */
export function unscaledAt(v: unknown, scale: number): bigint {
  const x = v instanceof Numeric ? v : Numeric.fromString(String(v));
  if (!x.isFinite()) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'an Iceberg decimal cannot hold NaN or infinity');
  const r = x.round(scale);
  return r.unscaled * 10n ** BigInt(scale - r.scale);
}

const decimalScale = (type: string): number | undefined => {
  const m = /^decimal\(\s*\d+\s*,\s*(\d+)\s*\)$/.exec(type);
  return m ? Number(m[1]) : undefined;
};

const uuidBytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/-/g, ''), 'hex'));

/** The bytes the bucket transform hashes for a stored datum of `sourceType`. */
export function bucketInput(sourceType: string, v: unknown): Uint8Array {
  const long = (x: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt.asIntN(64, x), true);
    return b;
  };
  switch (sourceType) {
    case 'int': case 'date': return long(BigInt(v as number));
    case 'long': case 'time': case 'timestamp': case 'timestamptz': case 'timestamp_ns': case 'timestamptz_ns': return long(BigInt(v as bigint));
    case 'string': return new TextEncoder().encode(v as string);
    case 'uuid': return uuidBytes(v as string);
    default: {
      const scale = decimalScale(sourceType);
      if (scale !== undefined) return minimalBigEndian(unscaledAt(v, scale));
      return v as Uint8Array;
    }
  }
}

/** Iceberg's bucket transform of a stored datum. */
export function bucketOf(sourceType: string, n: number, v: unknown): number {
  return (murmur3(bucketInput(sourceType, v)) & 0x7fffffff) % n;
}

/**
 * The transform of one stored (non-NULL) datum of the source column: a datum of the result
 * type (numbers for int and date results, bigints for long and time/timestamp results,
 * Numeric at the column's scale for decimals, string, Uint8Array, uuid text).
 */
export function transformDatum(t: Transform, sourceType: string, v: unknown): unknown {
  switch (t.kind) {
    case 'void': return null;
    case 'identity': {
      const scale = decimalScale(sourceType);
      if (scale !== undefined) return Numeric.fromBigInt(unscaledAt(v, scale), scale);
      if (sourceType === 'long' || sourceType === 'time' || TS_TYPES.includes(sourceType)) return BigInt(v as bigint);
      return v;
    }
    case 'bucket': return bucketOf(sourceType, t.n, v);
    case 'truncate': {
      if (sourceType === 'int') {
        const x = v as number;
        return x - (((x % t.width) + t.width) % t.width);
      }
      if (sourceType === 'long') {
        const x = BigInt(v as bigint);
        const w = BigInt(t.width);
        return x - (((x % w) + w) % w);
      }
      if (sourceType === 'string') {
        const s = v as string;
        if (s.length <= t.width) return s;
        return Array.from(s).slice(0, t.width).join('');
      }
      if (sourceType === 'binary') return (v as Uint8Array).subarray(0, t.width);
      const scale = decimalScale(sourceType)!;
      const u = unscaledAt(v, scale);
      const w = BigInt(t.width);
      return Numeric.fromBigInt(u - (((u % w) + w) % w), scale);
    }
    case 'year': case 'month': {
      const days = sourceType === 'date' ? (v as number) : Number(floorDiv(micros(v), US_PER_DAY));
      const { y, m } = civilFromDays(days);
      return toInt(t.kind === 'year' ? y - 1970 : (y - 1970) * 12 + (m - 1), t.kind);
    }
    case 'day': return sourceType === 'date' ? (v as number) : toInt(floorDiv(micros(v), US_PER_DAY), 'day');
    case 'hour': return toInt(floorDiv(micros(v), US_PER_HOUR), 'hour');
    default: throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `the Iceberg partition transform ${t.text} is not supported`);
  }
}

// ---- forms of a partition value -----------------------------------------------------------------

/** A key for grouping rows by partition tuple. */
export function tupleKey(values: readonly unknown[]): string {
  return JSON.stringify(values.map((v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return `x${Buffer.from(v).toString('hex')}`;
    if (v instanceof Numeric) return `d${v.toString()}`;
    if (typeof v === 'number' && Object.is(v, -0)) return '-0';
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  }));
}

const isLongType = (t: string) => t === 'long' || t === 'time' || TS_TYPES.includes(t);

function fixedWidth(b: Uint8Array, size: number, signed: boolean): Buffer {
  if (b.length === size) return Buffer.from(b);
  const out = Buffer.alloc(size, signed && b.length > 0 && (b[0]! & 0x80) !== 0 ? 0xff : 0);
  Buffer.from(b.subarray(Math.max(0, b.length - size))).copy(out, Math.max(0, size - b.length));
  return out;
}

/** A result datum (transformDatum's form) as the manifest's Avro record holds it. */
export function avroValue(resultType: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (isLongType(resultType)) {
    const x = BigInt(v as bigint);
    return resultType.endsWith('_ns') ? x * 1000n : x;
  }
  switch (resultType) {
    case 'int': case 'date': case 'float': case 'double': return Number(v);
    case 'boolean': case 'string': return v;
    case 'binary': return Buffer.from(v as Uint8Array);
    case 'uuid': return Buffer.from(uuidBytes(v as string));
    default: {
      const d = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(resultType);
      if (d) return fixedWidth(minimalBigEndian(unscaledAt(v, Number(d[2]))), decimalBytes(Number(d[1])), true);
      const f = /^fixed\[(\d+)\]$/.exec(resultType);
      if (f) return fixedWidth(v as Uint8Array, Number(f[1]), false);
      return v;
    }
  }
}

/** A partition value as a manifest read it (Avro-decoded) → a result datum. */
export function datumOfAvro(resultType: string, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  if (isLongType(resultType)) return resultType.endsWith('_ns') ? floorDiv(BigInt(raw as bigint), 1000n) : BigInt(raw as bigint);
  if (resultType === 'uuid' && raw instanceof Uint8Array) return formatUuidBytes(raw);
  return partitionDatum(resultType, raw);
}

function formatUuidBytes(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
const yearText = (y: number) => (y < 0 ? `-${pad(-y, 4)}` : pad(y, 4));
const dateText = (days: number) => {
  const { y, m, d } = civilFromDays(days);
  return `${yearText(y)}-${pad(m)}-${pad(d)}`;
};
function timeText(us: bigint): string {
  const frac = Number(us % 1_000_000n);
  const s = Number(us / 1_000_000n);
  const base = `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  return frac === 0 ? base : `${base}.${String(frac).padStart(6, '0')}`;
}
function timestampText(us: bigint): string {
  const days = floorDiv(us, US_PER_DAY);
  return `${dateText(Number(days))}T${timeText(us - days * US_PER_DAY)}`;
}

/** The human-readable form of a partition value (Iceberg's partition paths use it). */
export function humanValue(t: Transform, resultType: string, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (t.kind) {
    case 'year': return yearText(1970 + (v as number));
    case 'month': {
      const months = v as number;
      const y = 1970 + Math.floor(months / 12);
      return `${yearText(y)}-${pad(months - (y - 1970) * 12 + 1)}`;
    }
    case 'day': return dateText(v as number);
    case 'hour': {
      const hours = BigInt(v as number);
      const days = floorDiv(hours, 24n);
      return `${dateText(Number(days))}-${pad(Number(hours - days * 24n))}`;
    }
    default: break;
  }
  switch (resultType) {
    case 'date': return dateText(v as number);
    case 'time': return timeText(BigInt(v as bigint));
    case 'timestamp': case 'timestamp_ns': return timestampText(BigInt(v as bigint));
    case 'timestamptz': case 'timestamptz_ns': return `${timestampText(BigInt(v as bigint))}+00:00`;
    case 'binary': return Buffer.from(v as Uint8Array).toString('base64');
    default:
      if (resultType.startsWith('fixed[')) return Buffer.from(v as Uint8Array).toString('base64');
      return String(v);
  }
}

/** The folder of a partition under the data folder: `name=value/…`, both URL-encoded. */
export function partitionPath(fields: readonly ResolvedField[], values: readonly unknown[]): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return fields.map((f, i) => `${enc(f.info.name)}=${enc(humanValue(f.transform, f.info.resultType, values[i]))}`).join('/');
}

/** A result datum in single-value binary form (manifest list partition bounds, not truncated). */
export function singleValue(resultType: string, v: unknown): Uint8Array {
  const fixed = (n: number, f: (d: DataView) => void) => {
    const b = new Uint8Array(n);
    f(new DataView(b.buffer));
    return b;
  };
  if (isLongType(resultType)) return fixed(8, (d) => d.setBigInt64(0, BigInt.asIntN(64, avroValue(resultType, v) as bigint), true));
  switch (resultType) {
    case 'boolean': return Uint8Array.of(v ? 1 : 0);
    case 'int': case 'date': return fixed(4, (d) => d.setInt32(0, v as number, true));
    case 'float': return fixed(4, (d) => d.setFloat32(0, v as number, true));
    case 'double': return fixed(8, (d) => d.setFloat64(0, v as number, true));
    case 'string': return new TextEncoder().encode(v as string);
    case 'uuid': return uuidBytes(v as string);
    default: {
      const scale = decimalScale(resultType);
      if (scale !== undefined) return minimalBigEndian(unscaledAt(v, scale));
      return Uint8Array.from(v as Uint8Array);
    }
  }
}

function compareResult(resultType: string, a: unknown, b: unknown): number {
  if (a instanceof Numeric) return a.cmp(b as Numeric);
  if (a instanceof Uint8Array) return Buffer.compare(a, b as Uint8Array);
  if (typeof a === 'string') return resultType === 'uuid' ? (a < (b as string) ? -1 : a > (b as string) ? 1 : 0) : Buffer.compare(Buffer.from(a), Buffer.from(b as string));
  if (typeof a === 'boolean') return Number(a) - Number(b);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** The manifest list's summary of each partition field over the given tuples (result datums). */
export function fieldSummaries(fields: readonly ResolvedField[], tuples: readonly (readonly unknown[])[]): FieldSummary[] {
  return fields.map((f, i) => {
    const type = f.info.resultType;
    const float = type === 'float' || type === 'double';
    let containsNull = false;
    let containsNan = false;
    let min: unknown;
    let max: unknown;
    for (const tuple of tuples) {
      const v = tuple[i];
      if (v === null || v === undefined) {
        containsNull = true;
        continue;
      }
      if (float && Number.isNaN(v)) {
        containsNan = true;
        continue;
      }
      if (min === undefined || compareResult(type, v, min) < 0) min = v;
      if (max === undefined || compareResult(type, v, max) > 0) max = v;
    }
    return {
      containsNull,
      ...(float ? { containsNan } : {}),
      ...(min !== undefined ? { lower: singleValue(type, min), upper: singleValue(type, max) } : {}),
    };
  });
}
