/**
 * Functions and operators as data. Each entry has a unique id ("name(argtype,…)") that plans
 * refer to; the binder resolves a call by name and argument types to one entry.
 */
import type { FormatSettings } from '../api.js';
import type { Vector } from '../execution/batch/vector.js';
import type { PgType } from '../types/pg-type.js';

/** What a function may know about the session it runs in. */
export interface EvalContext {
  readonly params: readonly unknown[];
  readonly format: FormatSettings;
  readonly session: SessionFunctions;
}

/** Session facts and settings for functions such as current_user or set_config. */
export interface SessionFunctions {
  readonly user: string;
  readonly database: string;
  readonly currentSchema: string;
  getSetting(name: string, missingOk: boolean): string | null;
  setSetting(name: string, value: string, isLocal: boolean): string;
}

export type Volatility = 'immutable' | 'stable' | 'volatile';

export interface ScalarFunction {
  readonly id: string;
  readonly name: string;
  readonly args: readonly PgType[];
  /** When set, extra trailing arguments of this type are accepted. */
  readonly variadic?: PgType;
  readonly returns: PgType;
  readonly volatility: Volatility;
  /** Strict functions return NULL for any NULL argument without being called. */
  readonly strict: boolean;
  /** Row-at-a-time body: called with non-null datums when strict. */
  readonly scalar?: (args: unknown[], ctx: EvalContext) => unknown;
  /** Whole-vector body: preferred over `scalar` when present. */
  readonly vector?: (args: readonly Vector[], length: number, ctx: EvalContext) => Vector;
  readonly description: string;
}

export interface Accumulator {
  /** Adds rows [0, length) of the argument vectors for the groups in `groups`. */
  add(groups: Int32Array, args: readonly Vector[], length: number): void;
  /** Makes room for group ids up to `count - 1`. */
  resize(count: number): void;
  /**
   * One value per group, as a vector of the aggregate's return type. Does not change the
   * state: more rows may be added afterwards (window frames read running values this way).
   */
  finish(count: number): Vector;
}

/**
 * One partition of a window, sorted by the window's ORDER BY, as a window function sees it.
 * Frames are half-open row ranges [frameStart[i], frameEnd[i]) per row.
 */
export interface WindowPartition {
  readonly length: number;
  /** Argument vectors, one row per partition row. */
  readonly args: readonly Vector[];
  /** First row of row i's peer group (rows equal under ORDER BY), and one past its last. */
  readonly peerStart: Int32Array;
  readonly peerEnd: Int32Array;
  readonly frameStart: Int32Array;
  readonly frameEnd: Int32Array;
  /** The result type of the call (for functions like lag whose type follows an argument). */
  readonly returns: PgType;
}

export interface WindowFunction {
  readonly id: string;
  readonly name: string;
  readonly args: readonly PgType[];
  /** Result type; 'first-arg' for value functions (lag, first_value, …) that return their argument's type. */
  readonly returns: PgType | 'first-arg';
  /** One result per partition row. */
  readonly evaluate: (partition: WindowPartition, ctx: EvalContext) => Vector;
  readonly description: string;
}

export interface AggregateFunction {
  readonly id: string;
  readonly name: string;
  /** Empty for count(*). */
  readonly args: readonly PgType[];
  readonly returns: PgType;
  readonly create: (argTypes: readonly PgType[]) => Accumulator;
  readonly description: string;
}

const scalars = new Map<string, ScalarFunction>();
const scalarsByName = new Map<string, ScalarFunction[]>();
const windows = new Map<string, WindowFunction>();
const windowsByName = new Map<string, WindowFunction[]>();
const aggregates = new Map<string, AggregateFunction>();
const aggregatesByName = new Map<string, AggregateFunction[]>();

export const signatureId = (name: string, args: readonly PgType[]) => `${name}(${args.map((a) => a.name).join(',')})`;

export function registerScalar(fn: Omit<ScalarFunction, 'id'> & { id?: string }): void {
  const entry: ScalarFunction = { ...fn, id: fn.id ?? signatureId(fn.name, fn.args) };
  if (scalars.has(entry.id)) throw new Error(`duplicate function ${entry.id}`);
  scalars.set(entry.id, entry);
  const list = scalarsByName.get(entry.name) ?? [];
  list.push(entry);
  scalarsByName.set(entry.name, list);
}

export function registerAggregate(fn: Omit<AggregateFunction, 'id'>): void {
  const entry: AggregateFunction = { ...fn, id: signatureId(fn.name, fn.args) };
  if (aggregates.has(entry.id)) throw new Error(`duplicate aggregate ${entry.id}`);
  aggregates.set(entry.id, entry);
  const list = aggregatesByName.get(entry.name) ?? [];
  list.push(entry);
  aggregatesByName.set(entry.name, list);
}

export function registerWindow(fn: Omit<WindowFunction, 'id'>): void {
  const entry: WindowFunction = { ...fn, id: signatureId(fn.name, fn.args) };
  if (windows.has(entry.id)) throw new Error(`duplicate window function ${entry.id}`);
  windows.set(entry.id, entry);
  const list = windowsByName.get(entry.name) ?? [];
  list.push(entry);
  windowsByName.set(entry.name, list);
}

export const windowById = (id: string): WindowFunction | undefined => windows.get(id);
export const windowsNamed = (name: string): readonly WindowFunction[] => windowsByName.get(name) ?? [];
export const scalarById = (id: string): ScalarFunction | undefined => scalars.get(id);
export const scalarsNamed = (name: string): readonly ScalarFunction[] => scalarsByName.get(name) ?? [];
export const aggregateById = (id: string): AggregateFunction | undefined => aggregates.get(id);
export const aggregatesNamed = (name: string): readonly AggregateFunction[] => aggregatesByName.get(name) ?? [];
export const isAggregateName = (name: string): boolean => aggregatesByName.has(name);
