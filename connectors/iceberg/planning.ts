/**
 * Scan planning: manifest list → manifests → live data files of one snapshot, skipping
 * manifests (partition summaries), partitions (transform-aware) and files (column bounds and
 * NULL counts) the query's constraint rules out, and attaching the delete files that apply to
 * each data file by the specification's sequence-number rules.
 */
import { domainsByColumn, mayMatch } from '../lib/pruning.js';
import type { ColumnDomain, Constraint } from '../spi/index.js';
import type { FileIO } from './io.js';
import {
  EntryStatus, FileContent, ManifestContent, manifestsWithoutList, readManifest, readManifestList, type DataFile, type ManifestEntry, type ManifestFile,
} from './manifests.js';
import { applyTransform, decodeBound, parseTransform, partitionDatum, resultType, sourceRange, type Transform } from './values.js';

/** A partition spec with the Iceberg types of its source columns (all the planner needs of the table). */
export interface SpecInfo {
  readonly specId: number;
  readonly fields: readonly { readonly fieldId: number; readonly sourceId: number; readonly name: string; readonly transform: string; readonly sourceType?: string }[];
}

/** A table column as the planner sees it: its field id and Iceberg type (primitive name, or undefined). */
export interface PlanColumn {
  readonly fieldId: number;
  readonly primitive?: string;
  /** OID of the column's PostgreSQL type. */
  readonly typeOid: number;
}

export interface DeleteRef {
  readonly path: string;
  readonly size: number;
  readonly content: number;
  readonly equalityIds?: readonly number[];
}

export interface PlannedFile {
  readonly file: DataFile;
  readonly sequenceNumber: number;
  readonly deletes: DeleteRef[];
}

export interface PlanResult {
  readonly files: PlannedFile[];
  readonly manifestsRead: number;
  readonly manifestsSkipped: number;
}

const POSITION_PATH_FIELD = 2147483546;

/** Every live entry (data and deletes) of a snapshot's manifests that may hold wanted rows. */
export async function planFiles(
  io: FileIO,
  manifestList: string | readonly string[],
  specs: readonly SpecInfo[],
  columns: readonly PlanColumn[],
  constraint: Constraint | undefined,
): Promise<PlanResult> {
  const manifests = typeof manifestList === 'string' ? await readManifestList(io, manifestList) : manifestsWithoutList(manifestList);
  const domains = new Map<number, readonly Domain[]>(domainsByColumn(constraint));
  const byField = new Map<number, { column: number; primitive?: string }>();
  columns.forEach((c, i) => byField.set(c.fieldId, { column: i, ...(c.primitive ? { primitive: c.primitive } : {}) }));
  // bucket and truncate partitions are checked with point values of the column's own type
  for (const [column, list] of domains) domains.set(column, list.map((d) => ({ ...d, ownType: d.compareAs.oid === columns[column]?.typeOid })));
  const specById = new Map(specs.map((s) => [s.specId, s]));
  const domainsOf = (fieldId: number): readonly ColumnDomain[] => {
    const c = byField.get(fieldId);
    return c ? (domains.get(c.column) ?? []) : [];
  };

  const data: ManifestEntry[] = [];
  const deletes: ManifestEntry[] = [];
  let read = 0;
  let skipped = 0;
  for (const m of manifests) {
    const spec = specById.get(m.specId);
    if (m.content === ManifestContent.DATA && spec && !manifestMayMatch(m, spec, domainsOf)) {
      skipped++;
      continue;
    }
    read++;
    for (const e of await readManifest(io, m)) {
      if (e.status === EntryStatus.DELETED) continue;
      if (e.file.content === FileContent.DATA) {
        const fileSpec = specById.get(e.file.specId);
        if (fileSpec && !partitionMayMatch(e.file, fileSpec, domainsOf)) continue;
        if (!fileMayMatch(e.file, byField, domains)) continue;
        data.push(e);
      } else deletes.push(e);
    }
  }

  const files = data.map((e) => ({ file: e.file, sequenceNumber: e.sequenceNumber, deletes: applicableDeletes(e, deletes, specById) }));
  return { files, manifestsRead: read, manifestsSkipped: skipped };
}

function applicableDeletes(data: ManifestEntry, deletes: readonly ManifestEntry[], specs: ReadonlyMap<number, SpecInfo>): DeleteRef[] {
  const out: DeleteRef[] = [];
  const key = partitionKey(data.file);
  for (const d of deletes) {
    const f = d.file;
    const global = (specs.get(f.specId)?.fields.length ?? 0) === 0;
    if (!global && (f.specId !== data.file.specId || partitionKey(f) !== key)) continue;
    if (f.content === FileContent.POSITION_DELETES) {
      if (d.sequenceNumber < data.sequenceNumber) continue;
      const lo = f.lowerBounds?.get(POSITION_PATH_FIELD);
      const hi = f.upperBounds?.get(POSITION_PATH_FIELD);
      const path = data.file.path;
      if (lo && (decodeBound('string', lo) as string) > path) continue;
      if (hi && (decodeBound('string', hi) as string) < path) continue;
    } else if (f.content === FileContent.EQUALITY_DELETES) {
      if (d.sequenceNumber <= data.sequenceNumber) continue;
    } else continue;
    out.push({ path: f.path, size: f.fileSize, content: f.content, ...(f.equalityIds ? { equalityIds: f.equalityIds } : {}) });
  }
  return out;
}

const jsonKey = (v: unknown): unknown =>
  typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;

export function partitionKey(f: DataFile): string {
  return JSON.stringify([...f.partition.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, jsonKey(v)]));
}

// ---- pruning ------------------------------------------------------------------------------------

type DomainsOf = (fieldId: number) => readonly ColumnDomain[];

/** A domain, marked when it compares datums of the column's own type. */
type Domain = ColumnDomain & { readonly ownType?: boolean };

function manifestMayMatch(m: ManifestFile, spec: SpecInfo, domainsOf: DomainsOf): boolean {
  if (!m.partitions) return true;
  return spec.fields.every((field, i) => {
    const summary = m.partitions![i];
    const list = domainsOf(field.sourceId);
    if (!summary || list.length === 0 || !field.sourceType) return true;
    const t = parseTransform(field.transform);
    if (t.kind === 'void' || t.kind === 'unknown') return true;
    const rt = resultType(t, field.sourceType);
    const lower = summary.lower && decodeBound(rt, summary.lower);
    const upper = summary.upper && decodeBound(rt, summary.upper);
    if (lower === undefined || upper === undefined) {
      // no bounds: every partition value is NULL (or the summary is unknown)
      return summary.lower !== undefined || summary.upper !== undefined || !summary.containsNull || list.every((d) => d.nullAllowed);
    }
    return list.every((d) => {
      if (summary.containsNull && d.nullAllowed) return true;
      const lo = sourceRange(t, field.sourceType!, lower);
      const hi = sourceRange(t, field.sourceType!, upper);
      if (lo && hi) return mayMatch(d, { min: lo.min, max: hi.max, nullCount: 0 });
      const points = pointValues(d);
      if (!points) return true;
      return points.some((p) => {
        const v = applyTransform(t, field.sourceType!, p);
        return v === undefined || (compareSame(v, lower) >= 0 && compareSame(v, upper) <= 0);
      });
    });
  });
}

function partitionMayMatch(f: DataFile, spec: SpecInfo, domainsOf: DomainsOf): boolean {
  return spec.fields.every((field) => {
    const list = domainsOf(field.sourceId);
    if (list.length === 0 || !field.sourceType || !f.partition.has(field.fieldId)) return true;
    const t = parseTransform(field.transform);
    if (t.kind === 'void' || t.kind === 'unknown') return true;
    const p = partitionDatum(resultType(t, field.sourceType), f.partition.get(field.fieldId));
    return list.every((d) => valueMatches(d, t, field.sourceType!, p));
  });
}

function valueMatches(d: ColumnDomain, t: Transform, sourceType: string, p: unknown): boolean {
  if (p === null) return d.nullAllowed;
  const range = sourceRange(t, sourceType, p);
  if (range) return mayMatch({ ...d, nullAllowed: false }, { min: range.min, max: range.max, nullCount: 0 });
  const points = pointValues(d);
  if (!points) return true;
  return points.some((x) => {
    const v = applyTransform(t, sourceType, x);
    return v === undefined || compareSame(v, p) === 0;
  });
}

function fileMayMatch(f: DataFile, byField: ReadonlyMap<number, { column: number; primitive?: string }>, domains: ReadonlyMap<number, readonly ColumnDomain[]>): boolean {
  for (const [fieldId, c] of byField) {
    const list = domains.get(c.column);
    if (!list || !c.primitive) continue;
    const stats = fileStatistics(f, fieldId, c.primitive);
    if (!list.every((d) => mayMatch(d, stats))) return false;
  }
  return true;
}

/** A file's statistics of one column as datums (bounds of floating-point columns only when the file has no NaN). */
export function fileStatistics(f: DataFile, fieldId: number, primitive: string): { min?: unknown; max?: unknown; nullCount?: number; rowCount: number } {
  const nanFree = (primitive !== 'float' && primitive !== 'double') || f.nanCounts?.get(fieldId) === 0;
  const lo = nanFree ? f.lowerBounds?.get(fieldId) : undefined;
  const hi = nanFree ? f.upperBounds?.get(fieldId) : undefined;
  const min = lo && decodeBound(primitive, lo);
  const max = hi && decodeBound(primitive, hi);
  const nullCount = f.nullCounts?.get(fieldId);
  return {
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(nullCount !== undefined ? { nullCount } : {}),
    rowCount: f.recordCount,
  };
}

/** The values of a domain that allows only single values (an equality or IN list); undefined otherwise. */
function pointValues(d: ColumnDomain): unknown[] | undefined {
  if (!d.ranges) return undefined;
  const out: unknown[] = [];
  for (const r of d.ranges) {
    if (!r.low || !r.high || !r.low.inclusive || !r.high.inclusive || d.compare(r.low.value, r.high.value) !== 0) return undefined;
    out.push(r.low.value);
  }
  return (d as Domain).ownType ? out : undefined;
}

function compareSame(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
