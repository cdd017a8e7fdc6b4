/**
 * Aggregates over sorted input.
 *
 * - withInputOrder wraps any aggregate for `agg(args ORDER BY keys)` (array_agg(x ORDER BY y),
 *   string_agg(s, ',' ORDER BY s)): it buffers the rows and feeds them to a fresh inner
 *   accumulator in key order at finish.
 * - Ordered-set aggregates (percentile_cont, percentile_disc, mode): `args` are the direct
 *   arguments followed by the WITHIN GROUP key; the accumulator takes each group's direct
 *   argument values from its first row, collects the non-NULL keys and sorts them at finish.
 */
import { datumAt, vectorFromDatums, type Vector, VectorBuilder } from '../../execution/batch/vector.js';
import { SqlError, SqlState } from '../../errors/index.js';
import { addIntervals, type Interval, multiplyInterval, subIntervals } from '../../types/interval.js';
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import { comparatorFor, hashKeyFor } from '../compare.js';
import { registerAggregate, type Accumulator, type AggregateSortKey } from '../registry.js';
import { sortRowIndices } from './state.js';

/**
 * An Accumulator for `aggregate(args ORDER BY sort)`: `add` receives the aggregate's argument
 * vectors (argTypes.length of them) followed by one vector per sort key. `create` makes the
 * plain aggregate's accumulator (AggregateFunction.create(argTypes)).
 */
export function withInputOrder(create: () => Accumulator, argTypes: readonly PgType[], sort: readonly AggregateSortKey[]): Accumulator {
  const groups: number[] = [];
  const args: unknown[][] = argTypes.map(() => []);
  const keys: unknown[][] = sort.map(() => []);
  let maxGroups = 0;
  return {
    resize(count) {
      maxGroups = Math.max(maxGroups, count);
    },
    add(g, vectors, length) {
      for (let i = 0; i < length; i++) {
        groups.push(g[i]!);
        args.forEach((col, k) => col.push(datumAt(vectors[k]!, i)));
        keys.forEach((col, k) => col.push(datumAt(vectors[argTypes.length + k]!, i)));
      }
    },
    finish(count) {
      const order = sortRowIndices(keys, sort, groups.length);
      const inner = create();
      inner.resize(Math.max(count, maxGroups));
      if (order.length > 0) {
        const vectors = args.map((col, k) => vectorFromDatums(argTypes[k]!, order.map((i) => col[i])));
        inner.add(Int32Array.from(order, (i) => groups[i]!), vectors, order.length);
      }
      return inner.finish(count);
    },
  };
}

const ASCENDING: readonly AggregateSortKey[] = [];

/** Ordered-set accumulator: `final(direct, sorted)` computes a group's result. */
class OrderedSetAccumulator implements Accumulator {
  private readonly direct: unknown[][] = [];
  private readonly values: unknown[][] = [];
  constructor(
    private readonly returns: PgType,
    private readonly directCount: number,
    private readonly key: AggregateSortKey,
    private readonly final: (direct: unknown[], sorted: unknown[]) => unknown,
  ) {}
  resize(): void {}
  add(groups: Int32Array, args: readonly Vector[], length: number): void {
    const keyVector = args[this.directCount]!;
    for (let i = 0; i < length; i++) {
      const g = groups[i]!;
      if (this.direct[g] === undefined) {
        this.direct[g] = args.slice(0, this.directCount).map((v) => datumAt(v, i));
        this.values[g] = [];
      }
      const v = datumAt(keyVector, i);
      if (v !== null) this.values[g]!.push(v);
    }
  }
  finish(count: number): Vector {
    const b = new VectorBuilder(this.returns, count);
    const cmp = comparatorFor(this.key.type);
    const sign = this.key.descending ? -1 : 1;
    for (let g = 0; g < count; g++) {
      const direct = this.direct[g];
      if (direct === undefined) {
        b.push(null);
        continue;
      }
      const sorted = [...this.values[g]!].sort((x, y) => sign * cmp(x, y));
      b.push(this.final(direct, sorted) ?? null);
    }
    return b.finish();
  }
}

function orderedSet(name: string, direct: readonly PgType[], key: PgType, returns: PgType, final: (direct: unknown[], sorted: unknown[]) => unknown, description: string) {
  registerAggregate({
    name,
    args: [...direct, key],
    directArgCount: direct.length,
    returns,
    create: (argTypes, sort = ASCENDING) =>
      new OrderedSetAccumulator(returns, direct.length, sort[0] ?? { type: argTypes[direct.length] ?? key, descending: false, nullsFirst: false }, final),
    description,
  });
}

function checkFraction(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `percentile value ${p} is not between 0 and 1`);
  return p;
}

/** percentile_cont over sorted values with a linear interpolation `lerp(a, b, t)`. */
function continuous(p: number, sorted: unknown[], lerp: (a: unknown, b: unknown, t: number) => unknown): unknown {
  checkFraction(p);
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return lo === hi ? sorted[lo] : lerp(sorted[lo], sorted[hi], pos - lo);
}

function discrete(p: number, sorted: unknown[]): unknown {
  checkFraction(p);
  if (sorted.length === 0) return null;
  return sorted[Math.max(Math.ceil(p * sorted.length), 1) - 1];
}

const LERPS: ReadonlyArray<readonly [PgType, (a: unknown, b: unknown, t: number) => unknown]> = [
  [T.float8, (a, b, t) => (a as number) + ((b as number) - (a as number)) * t],
  [T.interval, (a, b, t) => addIntervals(a as Interval, multiplyInterval(subIntervals(b as Interval, a as Interval), t))],
];
for (const [type, lerp] of LERPS) {
  orderedSet('percentile_cont', [T.float8], type, type, ([p], s) => (p === null ? null : continuous(p as number, s, lerp)), 'continuous distribution percentile');
  orderedSet('percentile_cont', [arrayOf(T.float8)], type, arrayOf(type), ([ps], s) =>
    (ps === null ? null : (ps as (number | null)[]).map((p) => (p === null ? null : continuous(p, s, lerp)))), 'multiple continuous percentiles');
}

/** Types percentile_disc and mode accept (anyelement with a sort order). */
const SORTABLE: readonly PgType[] = [
  T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.text, T.varchar, T.bpchar, T.bool, T.date, T.time, T.timestamp,
  T.timestamptz, T.interval, T.uuid, T.bytea, T.oid,
];
for (const type of SORTABLE) {
  orderedSet('percentile_disc', [T.float8], type, type, ([p], s) => (p === null ? null : discrete(p as number, s)), 'discrete percentile');
  orderedSet('percentile_disc', [arrayOf(T.float8)], type, arrayOf(type), ([ps], s) =>
    (ps === null ? null : (ps as (number | null)[]).map((p) => (p === null ? null : discrete(p, s)))), 'multiple discrete percentiles');
  const key = hashKeyFor(type);
  orderedSet('mode', [], type, type, (_d, sorted) => {
    let best: unknown = null;
    let bestCount = 0;
    for (let i = 0; i < sorted.length; ) {
      let j = i + 1;
      while (j < sorted.length && key(sorted[j]) === key(sorted[i])) j++;
      if (j - i > bestCount) {
        bestCount = j - i;
        best = sorted[i];
      }
      i = j;
    }
    return best;
  }, 'most frequent value');
}
