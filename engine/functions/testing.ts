/**
 * Helpers for unit tests of functions: call a registered function with arguments written as
 * PostgreSQL text literals and get the result as PostgreSQL prints it, so expected values can
 * be copied from psql output.
 */
import { expect } from 'vitest';
import { datumAt, vectorFromDatums, type Vector } from '../execution/batch/vector.js';
import { T, type PgType } from '../types/pg-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText, parseText, type FormatSettings } from '../types/text-codec.js';
import './builtins.js';
import { mapRows } from './kernels.js';
import {
  aggregateById,
  scalarById,
  tableById,
  windowById,
  type AggregateSortKey,
  type EvalContext,
  type WindowPartition,
} from './registry.js';

export function testContext(format: Partial<FormatSettings> = {}, extra: Partial<EvalContext> = {}): EvalContext {
  const settings = new Map<string, string>();
  return {
    params: [],
    format: { ...DEFAULT_FORMAT_SETTINGS, ...format },
    session: {
      user: 'tester',
      database: 'db',
      currentSchema: 'public',
      backendPid: 1,
      getSetting: (name) => settings.get(name) ?? null,
      setSetting: (name, value) => {
        settings.set(name, value);
        return value;
      },
      signalBackend: () => false,
    },
    transactionStart: 1_700_000_000_000_000n,
    statementStart: 1_700_000_000_000_000n,
    ...extra,
  };
}

const ctx0 = testContext();

/** An argument: text literal (parsed as the parameter's type), null, or [type, text]. */
export type Arg = string | null | readonly [PgType, string | null];

function argVector(a: Arg, param: PgType, ctx: EvalContext): Vector {
  const [type, text] = Array.isArray(a) ? (a as readonly [PgType, string | null]) : [param.oid === T.unknown.oid ? T.unknown : param, a as string | null];
  return vectorFromDatums(type, [text === null ? null : parseText(type, text, ctx.format)]);
}

/** Evaluates a scalar function by id; the result as PostgreSQL's text output (null for NULL). */
export function run(id: string, args: readonly Arg[], ctx: EvalContext = ctx0): string | null {
  const fn = scalarById(id);
  if (!fn) throw new Error(`no function ${id}`);
  const vectors = args.map((a, i) => argVector(a, fn.args[i] ?? fn.variadic!, ctx));
  const out = fn.vector ? fn.vector(vectors, 1, ctx) : mapRows(fn.returns, vectors, 1, fn.strict, (v) => fn.scalar!(v, ctx));
  const d = datumAt(out, 0);
  return d === null ? null : formatText(out.type, d, ctx.format);
}

/** Aggregates text literals (rows of argument texts) into one group; result text. */
export function runAggregate(id: string, rows: readonly (readonly Arg[])[], types?: readonly PgType[], sort?: readonly AggregateSortKey[], ctx: EvalContext = ctx0): string | null {
  const fn = aggregateById(id);
  if (!fn) throw new Error(`no aggregate ${id}`);
  const argTypes = types ?? fn.args;
  const acc = fn.create(argTypes, sort);
  acc.resize(1);
  const cols = argTypes.map((t, k) => vectorFromDatums(t, rows.map((r) => {
    const a = r[k]!;
    return a === null ? null : parseText(t, a as string, ctx.format);
  })));
  if (rows.length) acc.add(new Int32Array(rows.length), cols, rows.length);
  const out = acc.finish(1);
  const d = datumAt(out, 0);
  return d === null ? null : formatText(out.type, d, ctx.format);
}

/** Rows of a table function, each column as text. */
export function runTable(id: string, args: readonly Arg[], ctx: EvalContext = ctx0): (string | null)[][] {
  const fn = tableById(id);
  if (!fn) throw new Error(`no table function ${id}`);
  const vectors = args.map((a, i) => argVector(a, fn.args[i] ?? fn.variadic!, ctx));
  const values = vectors.map((v) => datumAt(v, 0));
  const types = vectors.map((v) => v.type);
  const cols = fn.columns(types);
  if (fn.strict && values.some((v) => v === null)) return [];
  return [...fn.rows(values, types, ctx)].map((r) => r.map((d, k) => (d === null ? null : formatText(cols[k]!.type, d, ctx.format))));
}

/**
 * Runs a window function over one partition given as argument columns (datums), peer groups
 * given by `peers` (a group number per row) and frames (default: RANGE UNBOUNDED PRECEDING
 * to CURRENT ROW, i.e. [0, peerEnd)).
 */
export function runWindow(
  id: string,
  columns: readonly Vector[],
  peers: readonly number[],
  returns: PgType,
  frames?: readonly (readonly [number, number])[],
  ctx: EvalContext = ctx0,
): unknown[] {
  const fn = windowById(id);
  if (!fn) throw new Error(`no window function ${id}`);
  const n = peers.length;
  const peerStart = new Int32Array(n);
  const peerEnd = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = i;
    while (s > 0 && peers[s - 1] === peers[i]) s--;
    let e = i + 1;
    while (e < n && peers[e] === peers[i]) e++;
    peerStart[i] = s;
    peerEnd[i] = e;
  }
  const frameStart = new Int32Array(n);
  const frameEnd = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    frameStart[i] = frames ? frames[i]![0] : 0;
    frameEnd[i] = frames ? frames[i]![1] : peerEnd[i]!;
  }
  const partition: WindowPartition = { length: n, args: columns, peerStart, peerEnd, frameStart, frameEnd, returns };
  const out = fn.evaluate(partition, ctx);
  return Array.from({ length: n }, (_, i) => datumAt(out, i));
}

/** One scalar-function case: [function id, arguments as for run(), PostgreSQL's output]. */
export type Case = readonly [string, readonly Arg[], string | null];

/** Runs each case and expects PostgreSQL's output; `label` names a failing case's arguments. */
export function check(cases: readonly Case[], label: (args: readonly Arg[]) => string = (args) => JSON.stringify(args)): void {
  for (const [id, args, expected] of cases) expect(run(id, args), `${id}(${label(args)})`).toBe(expected);
}
