/**
 * The constraint a source fragment's filters put on its scan's columns (Trino's TupleDomain):
 * from each conjunct of the form `column op constant`, `column IN (…)`, `column IS [NOT] NULL`
 * (the column possibly widened by a monotonic cast such as date → timestamp), one range set per
 * column. Connectors use it to skip files, partitions and row groups; the filters still run.
 */
import type { ColumnDomain, Constraint, ValueRange } from '../../../connectors/spi/index.js';
import { comparatorFor, type Comparator } from '../../functions/compare.js';
import { scalarById, type EvalContext } from '../../functions/registry.js';
import type { Expr } from '../../plan/expr.js';
import type { LogicalPlan, ScanNode } from '../../plan/plan.js';
import { castDatum } from '../../types/cast.js';
import type { PgType } from '../../types/pg-type.js';
import { parseText } from '../../types/text-codec.js';
import { scanColumnOf, type ScanFilter } from '../dynamic-filters/dynamic-filters.js';

type Op = '=' | '<' | '<=' | '>' | '>=';
const FLIPPED: Record<Op, Op> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Casts that keep order: a range on the wider value is a range on the column. */
const MONOTONIC_CASTS = new Set([
  'int2>int4', 'int2>int8', 'int4>int8', 'int2>numeric', 'int4>numeric', 'int8>numeric', 'int2>float8', 'int4>float8',
  'float4>float8', 'date>timestamp', 'date>timestamptz', 'timestamp>timestamptz', 'varchar>text', 'bpchar>text', 'name>text',
]);

/**
 * Types without a total order that statistics follow. (bpchar compares without trailing
 * blanks; byte order of blank-padded values agrees with that for every character from the
 * blank up, so bpchar columns take part.)
 */
const UNORDERED_BY_STATISTICS = new Set(['interval', 'json', 'jsonb', 'bool']);

interface ColumnRef {
  readonly scanColumn: number;
  readonly widen: (v: unknown) => unknown;
  readonly type: PgType;
}

interface Term {
  readonly ref: ColumnRef;
  readonly ranges?: ValueRange[];
  readonly nullAllowed: boolean;
}

/** The constraint on the scan at the bottom of `chain` (scan under filters/projections), if any. */
export function scanConstraint(chain: LogicalPlan, tableColumnsOf: (scanColumn: number) => number, ctx: EvalContext): Constraint | undefined {
  const terms: Term[] = [];
  collect(chain, ctx, terms);
  if (terms.length === 0) return undefined;
  const byColumn = new Map<string, Term[]>();
  for (const t of terms) {
    const key = `${t.ref.scanColumn}:${t.ref.type.name}`;
    byColumn.set(key, [...(byColumn.get(key) ?? []), t]);
  }
  const domains: ColumnDomain[] = [];
  for (const group of byColumn.values()) {
    const { ref } = group[0]!;
    const compare = comparatorFor(ref.type);
    let ranges: ValueRange[] | undefined;
    let nullAllowed = true;
    for (const t of group) {
      nullAllowed &&= t.nullAllowed;
      if (t.ranges) ranges = ranges === undefined ? t.ranges : intersectAll(ranges, t.ranges, compare);
    }
    domains.push({ column: tableColumnsOf(ref.scanColumn), compareAs: ref.type, compare, widen: ref.widen, ranges, nullAllowed });
  }
  return { domains };
}

/** Conjuncts of the filters in a source chain whose columns reach the scan unchanged. */
function collect(plan: LogicalPlan, ctx: EvalContext, into: Term[]): void {
  if (plan.kind === 'project') return collect(plan.input, ctx, into);
  if (plan.kind !== 'filter') return;
  for (const c of conjuncts(plan.predicate)) {
    const t = term(c, plan.input, ctx);
    if (t) into.push(t);
  }
  collect(plan.input, ctx, into);
}

const conjuncts = (e: Expr): Expr[] => (e.kind === 'and' ? e.args.flatMap(conjuncts) : [e]);

function term(e: Expr, input: LogicalPlan, ctx: EvalContext): Term | undefined {
  if (e.kind === 'or') return union(e.args.map((a) => term(a, input, ctx)));
  if (e.kind === 'isnull') {
    const ref = columnRef(e.arg, input, ctx);
    if (!ref) return undefined;
    return e.negated ? { ref, nullAllowed: false } : { ref, ranges: [], nullAllowed: true };
  }
  if (e.kind === 'quantified' && e.op === '=' && !e.all) {
    const ref = columnRef(e.arg, input, ctx);
    const array = ref ? constantValue(e.array, ctx) : undefined;
    if (!ref || !array || !Array.isArray(array.value) || !e.array.type.elem) return undefined;
    const compare = comparatorFor(ref.type);
    const values = (array.value as unknown[]).filter((v) => v !== null).map((v) => castTo(v, e.array.type.elem!, ref.type, ctx));
    if (values.some((v) => v === undefined)) return undefined;
    values.sort(compare);
    return { ref, ranges: values.map((v) => ({ low: { value: v, inclusive: true }, high: { value: v, inclusive: true } })), nullAllowed: false };
  }
  if (e.kind !== 'call' || e.args.length !== 2) return undefined;
  const name = scalarById(e.fn)?.name as Op | undefined;
  if (name === undefined || !(name in FLIPPED)) return undefined;
  let [left, right] = e.args as [Expr, Expr];
  let op: Op = name;
  let ref = columnRef(left, input, ctx);
  if (!ref) {
    [left, right] = [right, left];
    op = FLIPPED[op];
    ref = columnRef(left, input, ctx);
  }
  if (!ref) return undefined;
  const constant = constantValue(right, ctx);
  if (!constant) return undefined;
  if (constant.value === null) return { ref, ranges: [], nullAllowed: false };
  const value = castTo(constant.value, right.type, ref.type, ctx);
  if (value === undefined) return undefined;
  const bound = (inclusive: boolean) => ({ value, inclusive });
  const range: ValueRange =
    op === '=' ? { low: bound(true), high: bound(true) }
    : op === '<' ? { high: bound(false) }
    : op === '<=' ? { high: bound(true) }
    : op === '>' ? { low: bound(false) }
    : { low: bound(true) };
  return { ref, ranges: [range], nullAllowed: false };
}

/** A disjunction of terms on one column (x = 1 OR x = 2, as IN lists arrive): the union of their ranges. */
function union(terms: readonly (Term | undefined)[]): Term | undefined {
  const first = terms[0];
  if (!first || terms.some((t) => !t || t.ref.scanColumn !== first.ref.scanColumn || t.ref.type.oid !== first.ref.type.oid)) return undefined;
  const all = terms as readonly Term[];
  const nullAllowed = all.some((t) => t.nullAllowed);
  if (all.some((t) => t.ranges === undefined)) return { ref: first.ref, nullAllowed };
  const compare = comparatorFor(first.ref.type);
  const lowOf = (r: ValueRange) => r.low?.value;
  const ranges = all.flatMap((t) => t.ranges!).sort((a, b) => (a.low === undefined ? -1 : b.low === undefined ? 1 : compare(lowOf(a), lowOf(b))));
  return { ref: first.ref, ranges, nullAllowed };
}

/** `e` as a scan column, possibly under monotonic widening casts. */
function columnRef(e: Expr, input: LogicalPlan, ctx: EvalContext): ColumnRef | undefined {
  if (e.kind === 'column') {
    const scanColumn = scanColumnOf(input, e.index);
    if (scanColumn === undefined || UNORDERED_BY_STATISTICS.has(e.type.name) || e.type.elem) return undefined;
    return { scanColumn, widen: (v) => v, type: e.type };
  }
  if (e.kind === 'cast' && MONOTONIC_CASTS.has(`${e.arg.type.name}>${e.type.name}`)) {
    const inner = columnRef(e.arg, input, ctx);
    if (!inner) return undefined;
    const from = e.arg.type;
    const to = e.type;
    return { scanColumn: inner.scanColumn, type: to, widen: (v) => castDatum(inner.widen(v), from, to, ctx.format) };
  }
  return undefined;
}

/** The value of an expression known before the scan starts (literal, parameter, init plan, casts of those). */
function constantValue(e: Expr, ctx: EvalContext): { value: unknown } | undefined {
  switch (e.kind) {
    case 'literal':
      return { value: e.text === null ? null : e.type.name === 'unknown' ? e.text : parseText(e.type, e.text, ctx.format) };
    case 'param':
      return { value: ctx.params[e.index] ?? null };
    case 'init_plan':
      return ctx.initPlanValues === undefined ? undefined : { value: ctx.initPlanValues[e.id] ?? null };
    case 'cast': {
      const inner = constantValue(e.arg, ctx);
      if (!inner) return undefined;
      return { value: inner.value === null ? null : castDatum(inner.value, e.arg.type, e.type, ctx.format) };
    }
    default:
      return undefined;
  }
}

/** A constant of type `from` as a datum of `to`, or undefined when the types differ in a way that needs a real cast. */
function castTo(value: unknown, from: PgType, to: PgType, ctx: EvalContext): unknown {
  if (from.oid === to.oid) return value;
  try {
    return castDatum(value, from, to, ctx.format);
  } catch {
    return undefined;
  }
}

/** Ranges allowed by both lists (each a union of ranges). */
function intersectAll(a: readonly ValueRange[], b: readonly ValueRange[], compare: Comparator): ValueRange[] {
  const out: ValueRange[] = [];
  for (const x of a) for (const y of b) {
    const r = intersect(x, y, compare);
    if (r) out.push(r);
  }
  return out;
}

function intersect(x: ValueRange, y: ValueRange, compare: Comparator): ValueRange | undefined {
  const low = tighter(x.low, y.low, compare, 1);
  const high = tighter(x.high, y.high, compare, -1);
  if (low && high) {
    const c = compare(low.value, high.value);
    if (c > 0 || (c === 0 && !(low.inclusive && high.inclusive))) return undefined;
  }
  return { ...(low ? { low } : {}), ...(high ? { high } : {}) };
}

/** Of two bounds on the same side, the one that allows less (`sign` 1: lower bounds, -1: upper). */
function tighter(a: ValueRange['low'], b: ValueRange['low'], compare: Comparator, sign: 1 | -1): ValueRange['low'] {
  if (!a) return b;
  if (!b) return a;
  const c = compare(a.value, b.value) * sign;
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a;
}

/** Dynamic filters with more values than this constrain their column to the values' smallest-to-largest range. */
export const MAX_DYNAMIC_FILTER_POINTS = 1000;

/**
 * `constraint` with the scan's dynamic filters added as domains: the build side's key values
 * (or their range, for many values) on each filtered column. Only types whose join key is the
 * datum itself take part (integers, dates, timestamps, text, varchar).
 */
export function withDynamicFilters(constraint: Constraint | undefined, filters: readonly ScanFilter[], scan: ScanNode): Constraint | undefined {
  const domains: ColumnDomain[] = [];
  for (const f of filters) {
    const type = scan.schema[f.scanColumn]!.type;
    const keyed = type.layout === 'int32' || type.layout === 'int64' || ['text', 'varchar', 'name'].includes(type.name);
    if (!keyed || type.elem) continue;
    const compare = comparatorFor(type);
    domains.push({ column: scan.columns[f.scanColumn]!, compareAs: type, compare, widen: (v) => v, ranges: valueRanges([...f.values], compare), nullAllowed: false });
  }
  if (domains.length === 0) return constraint;
  return { domains: [...(constraint?.domains ?? []), ...domains] };
}

function valueRanges(values: unknown[], compare: Comparator): ValueRange[] {
  if (values.length <= MAX_DYNAMIC_FILTER_POINTS) return values.sort(compare).map((value) => ({ low: { value, inclusive: true }, high: { value, inclusive: true } }));
  let min = values[0];
  let max = values[0];
  for (const v of values) {
    if (compare(v, min) < 0) min = v;
    if (compare(v, max) > 0) max = v;
  }
  return [{ low: { value: min, inclusive: true }, high: { value: max, inclusive: true } }];
}
