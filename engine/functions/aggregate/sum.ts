/**
 * sum and avg with PostgreSQL's result types, over typed-array state per group. Integer and
 * numeric sums stay exact: each group adds unscaled values as safe-integer doubles (exact
 * while the running sum stays below 2^53) and moves the running sum into a bigint only when
 * it would not; numeric NaN and ±Infinity are combined on the side. Float sums add in row
 * order, as a running double per group.
 */
import { allocateData, type Vector } from '../../execution/batch/vector.js';
import { Numeric, pow10 } from '../../types/numeric.js';
import { T, type PgType } from '../../types/pg-type.js';
import { registerAggregate, type Accumulator } from '../registry.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function grown<A extends Float64Array | Int32Array>(arr: A, count: number, fill: number): A {
  if (count <= arr.length) return arr;
  const next = new (arr.constructor as new (n: number) => A)(Math.max(count, arr.length * 2));
  next.set(arr);
  if (fill !== 0) next.fill(fill, arr.length);
  return next;
}

/**
 * Exact sums of integers or numerics per group: the value is (high + low) × 10^-scale, with
 * `low` a safe integer. `scale` is -1 until the group sees a finite value.
 */
abstract class ExactSum implements Accumulator {
  protected counts = new Float64Array(16);
  protected low = new Float64Array(16);
  protected scales = new Int32Array(16).fill(-1);
  protected readonly high: (bigint | undefined)[] = [];
  /** NaN or ±Infinity inputs of each group, combined. */
  protected readonly special: (Numeric | undefined)[] = [];

  constructor(private readonly returns: PgType, private readonly result: (sum: Numeric, count: number) => unknown) {}

  resize(count: number): void {
    this.counts = grown(this.counts, count, 0);
    this.low = grown(this.low, count, 0);
    this.scales = grown(this.scales, count, -1);
  }

  abstract add(groups: Int32Array, args: readonly Vector[], length: number): void;

  /** Adds unscaled × 10^-scale to group g (the general case: any size, any scale). */
  protected addExact(g: number, unscaled: bigint, scale: number): void {
    let s = this.scales[g]!;
    let high = (this.high[g] ?? 0n) + BigInt(this.low[g]!);
    this.low[g] = 0;
    if (s < 0) this.scales[g] = s = scale;
    if (scale > s) {
      high *= pow10(scale - s);
      this.scales[g] = s = scale;
    }
    this.high[g] = high + unscaled * pow10(s - scale);
  }

  protected addSpecial(g: number, x: Numeric): void {
    const prev = this.special[g];
    this.special[g] = prev === undefined ? x : prev.add(x);
  }

  /** The sum of group g as a numeric (the group has at least one input). */
  protected sumOf(g: number): Numeric {
    const s = this.scales[g]!;
    const low = this.low[g]!;
    const high = this.high[g];
    const finite = s < 0 ? null : high === undefined ? Numeric.fromSafeInteger(low, s) : Numeric.fromBigInt(high + BigInt(low), s);
    const special = this.special[g];
    if (special === undefined) return finite!;
    return finite === null ? special : special.add(finite);
  }

  finish(count: number): Vector {
    const data = allocateData(this.returns.layout, count) as unknown[];
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < count; g++) {
      if (this.counts[g] === 0) (nulls ??= new Uint8Array(count))[g] = 1;
      else data[g] = this.result(this.sumOf(g), this.counts[g]!);
    }
    return { type: this.returns, length: count, data: data as Vector['data'], nulls };
  }
}

/** Sums numerics. */
class NumericSum extends ExactSum {
  add(groups: Int32Array, args: readonly Vector[], length: number): void {
    const v = args[0]!;
    const data = v.data as Numeric[];
    const nulls = v.nulls;
    const { counts, low, scales } = this;
    for (let i = 0; i < length; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const g = groups[i]!;
      const x = data[i]!;
      counts[g]++;
      const f = x.safeUnscaled();
      if (f === f) {
        const s = scales[g]!;
        if (s === x.scale || s < 0) {
          const r = low[g]! + f;
          if (r <= MAX_SAFE && r >= -MAX_SAFE) {
            low[g] = r;
            scales[g] = x.scale;
            continue;
          }
        }
        this.addExact(g, x.unscaled, x.scale);
      } else if (x.isFinite()) this.addExact(g, x.unscaled, x.scale);
      else this.addSpecial(g, x);
    }
  }
}

/** Sums int2/int4 (int32 layout) or int8 (read as two int32 words, exact below 2^53). */
class IntegerSum extends ExactSum {
  constructor(returns: PgType, result: (sum: Numeric, count: number) => unknown, private readonly wide: boolean) {
    super(returns, result);
  }

  add(groups: Int32Array, args: readonly Vector[], length: number): void {
    const v = args[0]!;
    const nulls = v.nulls;
    const { counts, low, scales } = this;
    const narrow = this.wide ? null : (v.data as Int32Array);
    const wide = this.wide ? (v.data as BigInt64Array) : null;
    const words = wide === null ? null : new Int32Array(wide.buffer, wide.byteOffset, 2 * length);
    for (let i = 0; i < length; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const g = groups[i]!;
      counts[g]++;
      let f: number;
      if (narrow !== null) f = narrow[i]!;
      else {
        const hi = words![2 * i + 1]!;
        f = hi >= -0x200000 && hi < 0x200000 ? hi * 4294967296 + (words![2 * i]! >>> 0) : NaN;
      }
      const r = low[g]! + f;
      if (r <= MAX_SAFE && r >= -MAX_SAFE) {
        low[g] = r;
        scales[g] = 0;
      } else this.addExact(g, narrow !== null ? BigInt(f) : wide![i]!, 0);
    }
  }
}

/** Sums floats in row order. */
class FloatSum implements Accumulator {
  private counts = new Float64Array(16);
  private sums = new Float64Array(16);
  constructor(private readonly returns: PgType, private readonly result: (sum: number, count: number) => number) {}
  resize(count: number): void {
    this.counts = grown(this.counts, count, 0);
    this.sums = grown(this.sums, count, 0);
  }
  add(groups: Int32Array, args: readonly Vector[], length: number): void {
    const v = args[0]!;
    const data = v.data as Float64Array;
    const nulls = v.nulls;
    const { counts, sums } = this;
    for (let i = 0; i < length; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const g = groups[i]!;
      sums[g] = counts[g] === 0 ? data[i]! : sums[g]! + data[i]!;
      counts[g]++;
    }
  }
  finish(count: number): Vector {
    const data = new Float64Array(count);
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < count; g++) {
      if (this.counts[g] === 0) (nulls ??= new Uint8Array(count))[g] = 1;
      else data[g] = this.result(this.sums[g]!, this.counts[g]!);
    }
    return { type: this.returns, length: count, data, nulls };
  }
}

const avg = (sum: Numeric, count: number): Numeric => Numeric.avg(sum, BigInt(count));

function register(arg: PgType, returns: PgType, avgType: PgType, sum: () => Accumulator, average: () => Accumulator): void {
  registerAggregate({ name: 'sum', args: [arg], returns, create: sum, description: `sum of ${arg.name} values` });
  registerAggregate({ name: 'avg', args: [arg], returns: avgType, create: average, description: `average of ${arg.name} values` });
}

for (const t of [T.int2, T.int4]) {
  register(t, T.int8, T.numeric, () => new IntegerSum(T.int8, (s) => s.unscaled, false), () => new IntegerSum(T.numeric, avg, false));
}
register(T.int8, T.numeric, T.numeric, () => new IntegerSum(T.numeric, (s) => s, true), () => new IntegerSum(T.numeric, avg, true));
register(T.numeric, T.numeric, T.numeric, () => new NumericSum(T.numeric, (s) => s), () => new NumericSum(T.numeric, avg));
register(T.float4, T.float4, T.float8, () => new FloatSum(T.float4, (s) => Math.fround(s)), () => new FloatSum(T.float8, (s, n) => s / n));
register(T.float8, T.float8, T.float8, () => new FloatSum(T.float8, (s) => s), () => new FloatSum(T.float8, (s, n) => s / n));
