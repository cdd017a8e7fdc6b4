/**
 * single_value(x): the only value of a group; a second row is error 21000. Used for
 * correlated scalar subqueries without aggregates, which must yield at most one row per key.
 */
import { SqlError, SqlState } from '../../errors/index.js';
import { allocateData, type Vector } from '../../execution/batch/vector.js';
import { T, type PgType } from '../../types/pg-type.js';
import { registerAggregate, type Accumulator } from '../registry.js';

class SingleValueAccumulator implements Accumulator {
  private values: unknown[] = [];
  private seen = new Uint8Array(16);
  constructor(private readonly type: PgType) {}
  resize(count: number): void {
    if (count <= this.seen.length) return;
    const next = new Uint8Array(Math.max(count, this.seen.length * 2));
    next.set(this.seen);
    this.seen = next;
  }
  add(groups: Int32Array, args: readonly Vector[], length: number): void {
    const v = args[0]!;
    for (let i = 0; i < length; i++) {
      const g = groups[i]!;
      if (this.seen[g] === 1) throw new SqlError(SqlState.CARDINALITY_VIOLATION, 'more than one row returned by a subquery used as an expression');
      this.seen[g] = 1;
      this.values[g] = v.nulls !== null && v.nulls[i] === 1 ? null : (v.data as unknown[])[i];
    }
  }
  finish(count: number): Vector {
    const data = allocateData(this.type.layout, count) as unknown[];
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < count; g++) {
      const x = this.values[g];
      if (x === null || x === undefined) (nulls ??= new Uint8Array(count))[g] = 1;
      else data[g] = x;
    }
    return { type: this.type, length: count, data: data as Vector['data'], nulls };
  }
}

registerAggregate({
  name: 'single_value',
  args: [T.unknown],
  returns: T.unknown,
  create: (argTypes) => new SingleValueAccumulator(argTypes[0]!),
  description: 'the one value of a group (error 21000 for more than one row)',
});
