/**
 * The engine's runtime constraint (parameters, init plans, dynamic filters resolved into value
 * ranges per column) as expressions a SQL source can evaluate, so it returns only rows the
 * query can use. Values travel in PostgreSQL text form and are bound as parameters.
 */
import { T } from '../../../engine/types/pg-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText } from '../../../engine/types/text-codec.js';
import type { ColumnDomain, ColumnMetadata, ConnectorExpression, Constraint, PgType, ValueRange } from '../../spi/index.js';

/** Larger sets of single values are sent as their smallest-to-largest range instead of an IN list. */
export const MAX_IN_LIST = 1000;

const call = (name: string, args: ConnectorExpression[]): ConnectorExpression => ({ kind: 'call', name, args, type: T.bool });

/** One expression per constrained column of `columns` (the table's); unconstrained columns give none. */
export function constraintConjuncts(constraint: Constraint | undefined, columns: readonly ColumnMetadata[]): ConnectorExpression[] {
  const out: ConnectorExpression[] = [];
  for (const domain of constraint?.domains ?? []) {
    const column = columns[domain.column];
    if (!column) continue;
    const e = domainExpression(domain, column.type);
    if (e) out.push(e);
  }
  return out;
}

function domainExpression(domain: ColumnDomain, columnType: PgType): ConnectorExpression | undefined {
  const raw: ConnectorExpression = { kind: 'column', column: domain.column, type: columnType };
  const target = domain.compareAs;
  const value: ConnectorExpression = columnType.oid === target.oid && columnType.typmod === target.typmod ? raw : { kind: 'cast', arg: raw, type: target };
  const constant = (datum: unknown): ConnectorExpression => ({ kind: 'constant', text: formatText(target, datum, DEFAULT_FORMAT_SETTINGS), type: target });
  const isNull = call('is_null', [raw]);
  if (domain.ranges === undefined) return domain.nullAllowed ? undefined : call('is_not_null', [raw]);
  const parts = rangesExpression(domain.ranges, domain.compare, value, constant);
  if (domain.nullAllowed) return parts.length === 0 ? isNull : call('or', [...parts, isNull]);
  if (parts.length === 0) return call('and', [isNull, call('is_not_null', [raw])]);
  return parts.length === 1 ? parts[0] : call('or', parts);
}

function rangesExpression(
  ranges: readonly ValueRange[], compare: (a: unknown, b: unknown) => number,
  value: ConnectorExpression, constant: (datum: unknown) => ConnectorExpression,
): ConnectorExpression[] {
  const points = ranges.filter((r) => r.low && r.high && r.low.inclusive && r.high.inclusive && compare(r.low.value, r.high.value) === 0);
  const spans = ranges.filter((r) => !points.includes(r));
  const out: ConnectorExpression[] = [];
  if (points.length > MAX_IN_LIST) {
    const values = points.map((p) => p.low!.value).sort(compare);
    spans.push({ low: { value: values[0], inclusive: true }, high: { value: values[values.length - 1], inclusive: true } });
  } else if (points.length === 1) {
    out.push(call('=', [value, constant(points[0]!.low!.value)]));
  } else if (points.length > 1) {
    out.push(call('in', [value, ...points.map((p) => constant(p.low!.value))]));
  }
  for (const r of spans) {
    const bounds: ConnectorExpression[] = [];
    if (r.low) bounds.push(call(r.low.inclusive ? '>=' : '>', [value, constant(r.low.value)]));
    if (r.high) bounds.push(call(r.high.inclusive ? '<=' : '<', [value, constant(r.high.value)]));
    out.push(bounds.length === 0 ? call('is_not_null', [value]) : bounds.length === 1 ? bounds[0]! : call('and', bounds));
  }
  return out;
}
