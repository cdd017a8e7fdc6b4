/** count, min, max with PostgreSQL's result types (sum and avg: sum.ts). */
import { allocateData, type Vector } from '../../execution/batch/vector.js';
import { T, type PgType } from '../../types/pg-type.js';
import { comparatorFor } from '../compare.js';
import { registerAggregate, type Accumulator } from '../registry.js';

function grow<A extends { length: number; set?(a: A): void }>(arr: A, count: number, make: (n: number) => A): A {
  if (count <= arr.length) return arr;
  const next = make(Math.max(count, arr.length * 2));
  if (Array.isArray(arr)) for (let i = 0; i < arr.length; i++) (next as unknown as unknown[])[i] = (arr as unknown as unknown[])[i];
  else next.set!(arr);
  return next;
}

/** Counts per group: rows (count(*)) or non-NULL values (count(x)). */
class CountAccumulator implements Accumulator {
  private counts = new Float64Array(16);
  constructor(private readonly countNulls: boolean) {}
  resize(count: number): void {
    this.counts = grow(this.counts, count, (n) => new Float64Array(n));
  }
  add(groups: Int32Array, args: readonly Vector[], length: number): void {
    const nulls = this.countNulls ? null : args[0]!.nulls;
    const counts = this.counts;
    for (let i = 0; i < length; i++) if (nulls === null || nulls[i] === 0) counts[groups[i]!]++;
  }
  finish(count: number): Vector {
    const data = new BigInt64Array(count);
    for (let g = 0; g < count; g++) data[g] = BigInt(this.counts[g]!);
    return { type: T.int8, length: count, data, nulls: null };
  }
}

/** min or max per group by the type's comparator. */
class ExtremeAccumulator implements Accumulator {
  private best: unknown[] = [];
  private seen = new Uint8Array(16);
  private readonly cmp;
  constructor(private readonly type: PgType, private readonly sign: 1 | -1) {
    this.cmp = comparatorFor(type);
  }
  resize(count: number): void {
    this.seen = grow(this.seen, count, (n) => new Uint8Array(n));
  }
  add(groups: Int32Array, args: readonly Vector[], length: number): void {
    const v = args[0]!;
    const data = v.data as unknown[];
    const nulls = v.nulls;
    for (let i = 0; i < length; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const g = groups[i]!;
      const x = data[i];
      if (this.seen[g] === 0 || this.sign * this.cmp(x, this.best[g]) > 0) {
        this.best[g] = x;
        this.seen[g] = 1;
      }
    }
  }
  finish(count: number): Vector {
    const data = allocateData(this.type.layout, count) as unknown[];
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < count; g++) {
      if (this.seen[g] === 0) (nulls ??= new Uint8Array(count))[g] = 1;
      else data[g] = this.best[g];
    }
    return { type: this.type, length: count, data: data as Vector['data'], nulls };
  }
}

const ordered: PgType[] = [
  T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.oid, T.text, T.bpchar, T.date, T.time, T.timestamp,
  T.timestamptz, T.interval, T.bool,
];
for (const t of ordered) {
  for (const [name, sign] of [['min', -1], ['max', 1]] as const) {
    if (t === T.bool) continue;
    registerAggregate({
      name,
      args: [t],
      returns: t,
      create: (argTypes) => new ExtremeAccumulator(argTypes[0] ?? t, sign),
      description: `${name === 'min' ? 'minimum' : 'maximum'} ${t.name} value`,
    });
  }
}

registerAggregate({ name: 'count', args: [], returns: T.int8, create: () => new CountAccumulator(true), description: 'number of input rows' });
/** count(x) accepts any type: the binder passes the argument as-is; `T.unknown` here means "any". */
registerAggregate({ name: 'count', args: [T.unknown], returns: T.int8, create: () => new CountAccumulator(false), description: 'number of non-NULL input values' });
