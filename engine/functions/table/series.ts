/**
 * Set-returning functions for FROM: generate_series (int4, int8, numeric, timestamp,
 * timestamptz), generate_subscripts, unnest, information_schema._pg_expandarray, regexp_matches,
 * regexp_split_to_table, string_to_table. Each yields rows of column datums (see TableFunction in registry.ts).
 */
import { SqlError, SqlState } from '../../errors/index.js';
import { addIntervalToTimestamp, addIntervalToTimestamptz } from '../../types/datetime.js';
import { compareIntervals, type Interval, ZERO_INTERVAL } from '../../types/interval.js';
import { Numeric } from '../../types/numeric.js';
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import { ELEMENT_TYPES } from '../element-types.js';
import { registerTable, type EvalContext, type TableColumn, type Volatility } from '../registry.js';
import { allMatches, matchGroups, parseFlags, regexpSplit } from '../scalar/regex.js';
import { stringToArray } from '../scalar/string.js';

function table(
  name: string,
  args: readonly PgType[],
  columns: (argTypes: readonly PgType[]) => readonly TableColumn[],
  rows: (args: never, argTypes: readonly PgType[], ctx: EvalContext) => Iterable<unknown[]>,
  description: string,
  volatility: Volatility = 'immutable',
  strict = true,
) {
  registerTable({ name, args, columns, volatility, strict, rows: rows as (args: unknown[], t: readonly PgType[], c: EvalContext) => Iterable<unknown[]>, description });
}

/** One column named after the function. */
const single = (name: string, type: PgType) => () => [{ name, type }];

const ONE = Numeric.fromInt(1);
const stepZero = () => new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'step size cannot equal zero');

// ---- generate_series -------------------------------------------------------------------------

function* numberSeries<N extends number | bigint>(start: N, stop: N, step: N, zero: N): Generator<unknown[]> {
  if (step === zero) throw stepZero();
  for (let v = start; step > zero ? v <= stop : v >= stop; v = ((v as number) + (step as number)) as N) yield [v];
}
for (const [type, one] of [[T.int4, 1], [T.int8, 1n]] as const) {
  const zero = typeof one === 'number' ? 0 : 0n;
  table('generate_series', [type, type, type], single('generate_series', type), ([a, b, s]: [number, number, number]) => numberSeries(a, b, s, zero as number),
    `series of ${type.name} values from start to stop by step`);
  table('generate_series', [type, type], single('generate_series', type), ([a, b]: [number, number]) => numberSeries(a, b, one as number, zero as number),
    `series of ${type.name} values from start to stop`);
}

function* numericSeries(start: Numeric, stop: Numeric, step: Numeric): Generator<unknown[]> {
  for (const [v, what] of [[start, 'start'], [stop, 'stop'], [step, 'step size']] as const) {
    if (v.isNaN()) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${what} value cannot be NaN`.replace('step size value', 'step size'));
    if (v.isInfinite()) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${what} value cannot be infinity`.replace('step size value', 'step size'));
  }
  if (step.isZero()) throw stepZero();
  const up = step.sign() > 0;
  for (let v = start; up ? v.cmp(stop) <= 0 : v.cmp(stop) >= 0; v = v.add(step)) yield [v];
}
table('generate_series', [T.numeric, T.numeric, T.numeric], single('generate_series', T.numeric), ([a, b, s]: [Numeric, Numeric, Numeric]) => numericSeries(a, b, s),
  'series of numeric values from start to stop by step');
table('generate_series', [T.numeric, T.numeric], single('generate_series', T.numeric), ([a, b]: [Numeric, Numeric]) => numericSeries(a, b, ONE),
  'series of numeric values from start to stop');

function* timestampSeries(start: bigint, stop: bigint, step: Interval, add: (ts: bigint, iv: Interval) => bigint): Generator<unknown[]> {
  const dir = compareIntervals(step, ZERO_INTERVAL);
  if (dir === 0) throw stepZero();
  for (let v = start; dir > 0 ? v <= stop : v >= stop; v = add(v, step)) yield [v];
}
table('generate_series', [T.timestamp, T.timestamp, T.interval], single('generate_series', T.timestamp),
  ([a, b, s]: [bigint, bigint, Interval]) => timestampSeries(a, b, s, addIntervalToTimestamp), 'series of timestamps from start to stop by step');
table('generate_series', [T.timestamptz, T.timestamptz, T.interval], single('generate_series', T.timestamptz),
  ([a, b, s]: [bigint, bigint, Interval], _t, ctx) => timestampSeries(a, b, s, (ts, iv) => addIntervalToTimestamptz(ts, iv, ctx.format.timeZone)),
  'series of timestamps with time zone from start to stop by step', 'stable');

// ---- arrays ----------------------------------------------------------------------------------

function* subscripts(a: unknown[], dim: number, reverse: boolean): Generator<unknown[]> {
  if (dim !== 1 || a.length === 0) return;
  for (let i = 0; i < a.length; i++) yield [reverse ? a.length - i : i + 1];
}
for (const elem of ELEMENT_TYPES) {
  const arr = arrayOf(elem);
  table('unnest', [arr], (types) => [{ name: 'unnest', type: types[0]?.elem ?? elem }], function* ([a]: [unknown[]]) {
    for (const v of a) yield [v];
  }, 'expand an array to a set of rows');
  table('information_schema._pg_expandarray', [arr], (types) => [{ name: 'x', type: types[0]?.elem ?? elem }, { name: 'n', type: T.int4 }],
    ([a]: [unknown[]]) => a.map((x, i) => [x, i + 1]), 'the elements of an array with their positions (x, n), as information_schema uses it');
  table('generate_subscripts', [arr, T.int4], single('generate_subscripts', T.int4), ([a, d]: [unknown[], number]) => subscripts(a, d, false),
    'subscripts of an array dimension');
  table('generate_subscripts', [arr, T.int4, T.bool], single('generate_subscripts', T.int4), ([a, d, r]: [unknown[], number, boolean]) => subscripts(a, d, r),
    'subscripts of an array dimension, optionally in reverse');
}

// ---- text ------------------------------------------------------------------------------------

const text = T.text;
function* regexpMatches(s: string, p: string, flags: string): Generator<unknown[]> {
  const o = parseFlags(flags);
  for (const m of allMatches(s, p, o.flags, o.global)) yield [matchGroups(m)];
}
table('regexp_matches', [text, text], single('regexp_matches', arrayOf(text)), ([s, p]: [string, string]) => regexpMatches(s, p, ''),
  'regular expression matches as arrays of groups');
table('regexp_matches', [text, text, text], single('regexp_matches', arrayOf(text)), ([s, p, f]: [string, string, string]) => regexpMatches(s, p, f),
  'regular expression matches as arrays of groups (g: all matches)');
const rowsOf = (values: readonly unknown[]) => values.map((v) => [v]);
table('regexp_split_to_table', [text, text], single('regexp_split_to_table', text), ([s, p]: [string, string]) => rowsOf(regexpSplit(s, p, '')),
  'split string by regular expression');
table('regexp_split_to_table', [text, text, text], single('regexp_split_to_table', text), ([s, p, f]: [string, string, string]) => rowsOf(regexpSplit(s, p, f)),
  'split string by regular expression');
table('string_to_table', [text, text], single('string_to_table', text), ([s, d]: [string | null, string | null]) => (s === null ? [] : rowsOf(stringToArray(s, d, null))),
  'split string into rows by delimiter', 'immutable', false);
table('string_to_table', [text, text, text], single('string_to_table', text), ([s, d, n]: [string | null, string | null, string | null]) =>
  (s === null ? [] : rowsOf(stringToArray(s, d, n))), 'split string into rows by delimiter, mapping null_string to NULL', 'immutable', false);
