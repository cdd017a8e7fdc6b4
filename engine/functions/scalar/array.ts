/**
 * Array functions and operators on one-dimensional arrays (lower bound 1), registered once per
 * element type: array_length/lower/upper/ndims/dims, cardinality, array_position(s),
 * array_append/prepend/cat/remove/replace, array_to_string, @> <@ && ||. Element equality is
 * the type's comparator; NULL elements never match in @> <@ && but are found by
 * array_position(a, NULL) (IS NOT DISTINCT FROM), as in PostgreSQL.
 *
 * Also exports anyArrayCompare for `x op ANY/ALL (array)`.
 */
import { arrayOf, T } from '../../types/pg-type.js';
import { comparatorFor, type Comparator } from '../compare.js';
import { defineScalar } from '../define.js';
import { forEachElementType } from '../element-types.js';
import { outputText } from './text-format.js';

export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
const TESTS: Record<ComparisonOp, (c: number) => boolean> = {
  '=': (c) => c === 0, '<>': (c) => c !== 0, '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0,
};

/**
 * `value op ANY (array)` (quantifier 'any') or `value op ALL (array)` with PostgreSQL's NULL
 * rules: NULL array → NULL; empty array → false for ANY, true for ALL (even for a NULL value);
 * otherwise a NULL value or NULL element that could decide the result gives NULL.
 * `cmp` is comparatorFor(the common element type).
 */
export function anyArrayCompare(op: ComparisonOp, value: unknown, array: readonly unknown[] | null, cmp: Comparator, quantifier: 'any' | 'all' = 'any'): boolean | null {
  if (array === null) return null;
  const any = quantifier === 'any';
  if (array.length === 0) return !any;
  if (value === null) return null;
  const test = TESTS[op];
  let sawNull = false;
  for (const e of array) {
    if (e === null) sawNull = true;
    else if (test(cmp(value, e)) === any) return any;
  }
  return sawNull ? null : !any;
}

/** Index (0-based) of the first element not distinct from `x` at or after `from`, or -1. */
function indexOf(a: readonly unknown[], x: unknown, cmp: Comparator, from = 0): number {
  for (let i = Math.max(from, 0); i < a.length; i++) {
    const e = a[i];
    if (x === null ? e === null : e !== null && cmp(e, x) === 0) return i;
  }
  return -1;
}

const contains = (a: readonly unknown[], b: readonly unknown[], cmp: Comparator) =>
  b.every((x) => x !== null && a.some((e) => e !== null && cmp(e, x) === 0));

type A = unknown[];
const INT4_ARRAY = arrayOf(T.int4);

forEachElementType((elem, arr) => {
  const cmp = comparatorFor(elem);
  const e = elem.name;
  const lengthIf = (a: A, dim: number, f: (a: A) => unknown) => (dim === 1 && a.length > 0 ? f(a) : null);
  defineScalar('array_length', [arr, T.int4], T.int4, ([a, d]: [A, number]) => lengthIf(a, d, (x) => x.length), `length of a ${e}[] dimension`);
  defineScalar('array_lower', [arr, T.int4], T.int4, ([a, d]: [A, number]) => lengthIf(a, d, () => 1), `lower bound of a ${e}[] dimension`);
  defineScalar('array_upper', [arr, T.int4], T.int4, ([a, d]: [A, number]) => lengthIf(a, d, (x) => x.length), `upper bound of a ${e}[] dimension`);
  defineScalar('array_ndims', [arr], T.int4, ([a]: [A]) => (a.length ? 1 : null), `number of dimensions of a ${e}[]`);
  defineScalar('array_dims', [arr], T.text, ([a]: [A]) => (a.length ? `[1:${a.length}]` : null), `dimensions of a ${e}[] as text`);
  defineScalar('cardinality', [arr], T.int4, ([a]: [A]) => a.length, `total number of elements of a ${e}[]`);

  defineScalar('array_position', [arr, elem], T.int4, ([a, x]: [A | null, unknown]) => {
    if (a === null) return null;
    const i = indexOf(a, x, cmp);
    return i < 0 ? null : i + 1;
  }, `position of the first occurrence of a ${e} in an array`, { strict: false });
  defineScalar('array_position', [arr, elem, T.int4], T.int4, ([a, x, from]: [A | null, unknown, number | null]) => {
    if (a === null || from === null) return null;
    const i = indexOf(a, x, cmp, from - 1);
    return i < 0 ? null : i + 1;
  }, `position of the first occurrence of a ${e} in an array, from a position`, { strict: false });
  defineScalar('array_positions', [arr, elem], INT4_ARRAY, ([a, x]: [A | null, unknown]) => {
    if (a === null) return null;
    const out: number[] = [];
    for (let i = indexOf(a, x, cmp); i >= 0; i = indexOf(a, x, cmp, i + 1)) out.push(i + 1);
    return out;
  }, `positions of all occurrences of a ${e} in an array`, { strict: false });

  const nonStrict = { strict: false } as const;
  defineScalar('array_append', [arr, elem], arr, ([a, x]: [A | null, unknown]) => [...(a ?? []), x], `append a ${e} to an array`, nonStrict);
  defineScalar('array_prepend', [elem, arr], arr, ([x, a]: [unknown, A | null]) => [x, ...(a ?? [])], `prepend a ${e} to an array`, nonStrict);
  defineScalar('array_cat', [arr, arr], arr, ([a, b]: [A | null, A | null]) => (a === null && b === null ? null : [...(a ?? []), ...(b ?? [])]),
    `concatenate ${e} arrays`, nonStrict);
  defineScalar('||', [arr, arr], arr, ([a, b]: [A | null, A | null]) => (a === null && b === null ? null : [...(a ?? []), ...(b ?? [])]),
    `concatenate ${e} arrays`, nonStrict);
  defineScalar('||', [arr, elem], arr, ([a, x]: [A | null, unknown]) => [...(a ?? []), x], `append a ${e} to an array`, nonStrict);
  defineScalar('||', [elem, arr], arr, ([x, a]: [unknown, A | null]) => [x, ...(a ?? [])], `prepend a ${e} to an array`, nonStrict);
  defineScalar('array_remove', [arr, elem], arr, ([a, x]: [A | null, unknown]) => (a === null ? null : a.filter((v) => !(x === null ? v === null : v !== null && cmp(v, x) === 0))),
    `remove all occurrences of a ${e} from an array`, nonStrict);
  defineScalar('array_replace', [arr, elem, elem], arr, ([a, x, y]: [A | null, unknown, unknown]) =>
    (a === null ? null : a.map((v) => ((x === null ? v === null : v !== null && cmp(v, x) === 0) ? y : v))), `replace occurrences of a ${e} in an array`, nonStrict);

  defineScalar('@>', [arr, arr], T.bool, ([a, b]: [A, A]) => contains(a, b, cmp), `${e} array contains`);
  defineScalar('<@', [arr, arr], T.bool, ([a, b]: [A, A]) => contains(b, a, cmp), `${e} array is contained by`);
  defineScalar('&&', [arr, arr], T.bool, ([a, b]: [A, A]) => a.some((x) => x !== null && b.some((y) => y !== null && cmp(x, y) === 0)), `${e} arrays overlap`);

  const join = (a: A, d: string, nullString: string | null, ctx: { format: Parameters<typeof outputText>[2] }) =>
    a.flatMap((v) => (v === null ? (nullString === null ? [] : [nullString]) : [outputText(elem, v, ctx.format)])).join(d);
  defineScalar('array_to_string', [arr, T.text], T.text, ([a, d]: [A, string], ctx) => join(a, d, null, ctx), `join ${e} array elements with a delimiter`,
    { volatility: 'stable' });
  defineScalar('array_to_string', [arr, T.text, T.text], T.text, ([a, d, n]: [A | null, string | null, string | null], ctx) =>
    (a === null || d === null ? null : join(a, d, n, ctx)), `join ${e} array elements with a delimiter, NULLs as null_string`, { volatility: 'stable', strict: false });
});
