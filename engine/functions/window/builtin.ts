/**
 * Window functions: row_number, rank, dense_rank, percent_rank, cume_dist, ntile (ranking, by
 * peer groups; frames ignored), lag, lead (by row offset within the partition; frames
 * ignored) and first_value, last_value, nth_value (within each row's frame).
 */
import { datumAt, VectorBuilder, type Vector } from '../../execution/batch/vector.js';
import { SqlError, SqlState } from '../../errors/index.js';
import { castDatum } from '../../types/cast.js';
import { T, type PgType } from '../../types/pg-type.js';
import { ANY, registerWindow, type EvalContext, type WindowPartition } from '../registry.js';

/** A result vector with one value per partition row from `f(i)` (null for NULL). */
function build(type: PgType, p: WindowPartition, f: (i: number) => unknown): Vector {
  const b = new VectorBuilder(type, Math.max(p.length, 1));
  for (let i = 0; i < p.length; i++) b.push(f(i));
  return b.finish();
}

function ranking(name: string, returns: PgType, f: (p: WindowPartition) => (i: number) => unknown, description: string, args: PgType[] = []) {
  registerWindow({ name, args, returns, evaluate: (p) => build(returns, p, f(p)), description });
}

ranking('row_number', T.int8, () => (i) => BigInt(i + 1), 'row number within partition');
ranking('rank', T.int8, (p) => (i) => BigInt(p.peerStart[i]! + 1), 'rank with gaps');
ranking('dense_rank', T.int8, (p) => {
  const ranks = new Float64Array(p.length);
  for (let i = 0, r = 0; i < p.length; i++) ranks[i] = p.peerStart[i] === i ? ++r : r;
  return (i) => BigInt(ranks[i]!);
}, 'rank without gaps');
ranking('percent_rank', T.float8, (p) => (i) => (p.length > 1 ? p.peerStart[i]! / (p.length - 1) : 0), 'fractional rank within partition');
ranking('cume_dist', T.float8, (p) => (i) => p.peerEnd[i]! / p.length, 'fraction of rows preceding or peer with current row');
ranking('ntile', T.int4, (p) => {
  const n = p.length === 0 ? null : (datumAt(p.args[0]!, 0) as number | null);
  if (n === null) return () => null;
  if (n <= 0) throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_NTILE, 'argument of ntile must be greater than zero');
  const tiles = new Int32Array(p.length);
  let boundary = Math.floor(p.length / n);
  let remainder = 0;
  if (boundary <= 0) boundary = 1;
  else {
    remainder = p.length % n;
    if (remainder !== 0) boundary++;
  }
  for (let i = 0, tile = 1, inBucket = 0; i < p.length; i++) {
    inBucket++;
    if (boundary < inBucket) {
      if (remainder !== 0 && tile === remainder) {
        remainder = 0;
        boundary--;
      }
      tile++;
      inBucket = 1;
    }
    tiles[i] = tile;
  }
  return (i) => tiles[i];
}, 'split rows into n groups as equal as possible', [T.int4]);

// ---- lag / lead ------------------------------------------------------------------------------

/** The default argument's value at row i, converted to the result type. */
function defaultAt(p: WindowPartition, i: number, ctx: EvalContext): unknown {
  const v = p.args[2];
  if (v === undefined) return null;
  const d = datumAt(v, i);
  return d === null || v.type.oid === p.returns.oid ? d : castDatum(d, v.type, p.returns, ctx.format);
}

for (const [name, sign] of [['lag', -1], ['lead', 1]] as const) {
  for (const args of [[ANY], [ANY, T.int4], [ANY, T.int4, ANY]]) {
    registerWindow({
      name,
      args,
      returns: 'first-arg',
      evaluate: (p, ctx) =>
        build(p.returns, p, (i) => {
          const offset = p.args[1] ? (datumAt(p.args[1], i) as number | null) : 1;
          if (offset === null) return null;
          const j = i + sign * offset;
          return j >= 0 && j < p.length ? datumAt(p.args[0]!, j) : defaultAt(p, i, ctx);
        }),
      description: `value ${sign < 0 ? 'offset rows before' : 'offset rows after'} the current row (default 1), or default when none`,
    });
  }
}

// ---- frame values ----------------------------------------------------------------------------

registerWindow({
  name: 'first_value',
  args: [ANY],
  returns: 'first-arg',
  evaluate: (p) => build(p.returns, p, (i) => (p.frameStart[i]! < p.frameEnd[i]! ? datumAt(p.args[0]!, p.frameStart[i]!) : null)),
  description: 'value at the first row of the window frame',
});
registerWindow({
  name: 'last_value',
  args: [ANY],
  returns: 'first-arg',
  evaluate: (p) => build(p.returns, p, (i) => (p.frameStart[i]! < p.frameEnd[i]! ? datumAt(p.args[0]!, p.frameEnd[i]! - 1) : null)),
  description: 'value at the last row of the window frame',
});
registerWindow({
  name: 'nth_value',
  args: [ANY, T.int4],
  returns: 'first-arg',
  evaluate: (p) =>
    build(p.returns, p, (i) => {
      const n = datumAt(p.args[1]!, i) as number | null;
      if (n === null) return null;
      if (n <= 0) throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_NTH_VALUE, 'argument of nth_value must be greater than zero');
      const j = p.frameStart[i]! + n - 1;
      return j < p.frameEnd[i]! ? datumAt(p.args[0]!, j) : null;
    }),
  description: 'value at the nth row of the window frame (1-based)',
});
