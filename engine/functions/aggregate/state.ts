/**
 * Building blocks for aggregates whose per-group state is a JS object: StateAccumulator runs
 * an init/step/final spec over vectors, sortRowIndices orders buffered rows by sort keys.
 */
import { datumAt, VectorBuilder, type Vector } from '../../execution/batch/vector.js';
import type { PgType } from '../../types/pg-type.js';
import { comparatorFor } from '../compare.js';
import type { Accumulator, AggregateSortKey } from '../registry.js';

export interface StateSpec<S> {
  readonly init: () => S;
  /** Called with the row's argument datums (null for NULL). */
  readonly step: (state: S, values: unknown[]) => void;
  /** The group's result (null for NULL); must not change the state. `state` is undefined for a group with no accepted rows. */
  readonly final: (state: S | undefined) => unknown;
  /** Skip rows where any argument is NULL (strict transition functions). Default true. */
  readonly skipNulls?: boolean;
}

/** An Accumulator keeping one state object per group. */
export class StateAccumulator<S> implements Accumulator {
  private states: (S | undefined)[] = [];
  constructor(private readonly returns: PgType, private readonly spec: StateSpec<S>) {}

  resize(count: number): void {
    if (this.states.length < count) this.states.length = count;
  }

  add(groups: Int32Array, args: readonly Vector[], length: number): void {
    const skipNulls = this.spec.skipNulls ?? true;
    const values = new Array<unknown>(args.length);
    outer: for (let i = 0; i < length; i++) {
      for (let k = 0; k < args.length; k++) {
        const v = datumAt(args[k]!, i);
        if (v === null && skipNulls) continue outer;
        values[k] = v;
      }
      const g = groups[i]!;
      const s = (this.states[g] ??= this.spec.init());
      this.spec.step(s, values);
    }
  }

  finish(count: number): Vector {
    const b = new VectorBuilder(this.returns, count);
    for (let g = 0; g < count; g++) b.push(this.spec.final(this.states[g]) ?? null);
    return b.finish();
  }
}

/** An accumulator factory from a result type and a state spec. */
export const stateful = <S>(returns: PgType, spec: StateSpec<S>) => (): Accumulator => new StateAccumulator(returns, spec);

/**
 * Orders rows by sort keys: `keys[k][i]` is key k of row i (null for NULL). Returns the row
 * indices in order (stable: ties keep their input order).
 */
export function sortRowIndices(keys: readonly (readonly unknown[])[], sort: readonly AggregateSortKey[], rows: number): number[] {
  const cmps = sort.map((k) => comparatorFor(k.type));
  const order = Array.from({ length: rows }, (_, i) => i);
  order.sort((a, b) => {
    for (let k = 0; k < sort.length; k++) {
      const x = keys[k]![a];
      const y = keys[k]![b];
      const key = sort[k]!;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === key.nullsFirst ? -1 : 1;
      }
      const c = cmps[k]!(x, y);
      if (c !== 0) return key.descending ? -c : c;
    }
    return a - b;
  });
  return order;
}
