/**
 * Functions and operators as data. Each entry has a unique id ("name(argtype,…)") that plans
 * refer to; the binder resolves a call by name and argument types to one entry.
 */
import type { FormatSettings } from '../api.js';
import type { Vector } from '../execution/batch/vector.js';
import { T, type PgType } from '../types/pg-type.js';

/**
 * Parameter type meaning PostgreSQL's "any" (count(x), concat, to_json, lag, …): the argument
 * keeps its own type. The binder must not insert a cast for such a parameter (a cast to
 * unknown would turn the value into text); bodies that need the type read it from the
 * argument vector (`vector` bodies) or from `argTypes`.
 */
export const ANY: PgType = T.unknown;

/** What a function may know about the session it runs in. */
export interface EvalContext {
  readonly params: readonly unknown[];
  /** Values of the statement's init plans (uncorrelated scalar subqueries), by id. */
  readonly initPlanValues?: readonly unknown[];
  readonly format: FormatSettings;
  readonly session: SessionFunctions;
  /**
   * Start of the current transaction, µs since 1970 UTC: now(), current_timestamp, current_date.
   * Optional until the session supplies it; functions then fall back to the first time they ask
   * for it through this context (see transactionStart in scalar/datetime.ts).
   */
  readonly transactionStart?: bigint;
  /** Start of the current statement (statement_timestamp()); falls back like transactionStart. */
  readonly statementStart?: bigint;
  /**
   * Where pg_sleep() asks for its delay: evaluation cannot wait, so the statement's driver
   * (runPlan) waits the requested time, cancellably, before it passes the batch on.
   */
  readonly sleeps?: SleepRequests;
}

export interface SleepRequests {
  /** Milliseconds requested and not yet waited. */
  ms: number;
}

/** Session facts and settings for functions such as current_user or set_config. */
export interface SessionFunctions {
  readonly user: string;
  readonly database: string;
  readonly currentSchema: string;
  /** The process id the client was given in BackendKeyData (pg_backend_pid()). */
  readonly backendPid: number;
  getSetting(name: string, missingOk: boolean): string | null;
  setSetting(name: string, value: string, isLocal: boolean): string;
  /** pg_cancel_backend / pg_terminate_backend: false (with a WARNING) when no such session; 42501 when not allowed. */
  signalBackend(pid: number, kind: 'cancel' | 'terminate'): boolean;
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

/** One ORDER BY key of an aggregate's input (ORDER BY inside the call, or WITHIN GROUP). */
export interface AggregateSortKey {
  readonly type: PgType;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface AggregateFunction {
  readonly id: string;
  readonly name: string;
  /**
   * Empty for count(*). For ordered-set aggregates: the direct argument types followed by the
   * WITHIN GROUP (ORDER BY …) types, e.g. percentile_cont(float8) WITHIN GROUP (ORDER BY
   * interval) is args [float8, interval], directArgCount 1.
   */
  readonly args: readonly PgType[];
  readonly returns: PgType;
  /** Ordered-set aggregates only: how many leading `args` are direct arguments. */
  readonly directArgCount?: number;
  /**
   * `argTypes` are the bound argument types (direct arguments first for ordered-set
   * aggregates). `sort` is the WITHIN GROUP key order for ordered-set aggregates (ascending,
   * NULLS LAST when absent). The accumulator's `add` receives the argument vectors in `args` order.
   */
  readonly create: (argTypes: readonly PgType[], sort?: readonly AggregateSortKey[]) => Accumulator;
  readonly description: string;
}

/** One output column of a table function. */
export interface TableColumn {
  readonly name: string;
  readonly type: PgType;
}

/**
 * A set-returning function in FROM (generate_series, unnest, jsonb_each, …). The plan's
 * TableFunctionNode evaluates `args` once (they are constant or outer references), then calls
 * `rows`, which yields one array of column datums (null for NULL) per output row.
 */
export interface TableFunction {
  readonly id: string;
  readonly name: string;
  readonly args: readonly PgType[];
  /** When set, extra trailing arguments of this type are accepted. */
  readonly variadic?: PgType;
  /** Output columns for the bound argument types (single-column functions name it after the function). */
  readonly columns: (argTypes: readonly PgType[]) => readonly TableColumn[];
  readonly volatility: Volatility;
  /** Strict functions produce no rows for any NULL argument without being called. */
  readonly strict: boolean;
  readonly rows: (args: unknown[], argTypes: readonly PgType[], ctx: EvalContext) => Iterable<unknown[]>;
  readonly description: string;
}

export const signatureId = (name: string, args: readonly PgType[]) => `${name}(${args.map((a) => a.name).join(',')})`;

/** One kind of function, by unique id and by name (for overload resolution). */
class FunctionTable<F extends { readonly id: string; readonly name: string }> {
  private readonly byId = new Map<string, F>();
  private readonly byName = new Map<string, F[]>();
  constructor(private readonly kind: string) {}

  add(entry: F): void {
    if (this.byId.has(entry.id)) throw new Error(`duplicate ${this.kind} ${entry.id}`);
    this.byId.set(entry.id, entry);
    this.byName.set(entry.name, [...(this.byName.get(entry.name) ?? []), entry]);
  }
  get = (id: string): F | undefined => this.byId.get(id);
  named = (name: string): readonly F[] => this.byName.get(name) ?? [];
  has = (name: string): boolean => this.byName.has(name);
  all = (): IterableIterator<F> => this.byId.values();
}

const scalars = new FunctionTable<ScalarFunction>('function');
const aggregates = new FunctionTable<AggregateFunction>('aggregate');
const windows = new FunctionTable<WindowFunction>('window function');
const tables = new FunctionTable<TableFunction>('table function');

export const registerScalar = (fn: Omit<ScalarFunction, 'id'> & { id?: string }): void => scalars.add({ ...fn, id: fn.id ?? signatureId(fn.name, fn.args) });
export const registerAggregate = (fn: Omit<AggregateFunction, 'id'>): void => aggregates.add({ ...fn, id: signatureId(fn.name, fn.args) });
export const registerWindow = (fn: Omit<WindowFunction, 'id'>): void => windows.add({ ...fn, id: signatureId(fn.name, fn.args) });
export const registerTable = (fn: Omit<TableFunction, 'id'>): void => tables.add({ ...fn, id: signatureId(fn.name, fn.args) });

export const scalarById = scalars.get;
export const scalarsNamed = scalars.named;
/** Every scalar function and operator, in registration order (pg_operator, information_schema.routines). */
export const allScalars = scalars.all;
export const aggregateById = aggregates.get;
export const aggregatesNamed = aggregates.named;
export const isAggregateName = aggregates.has;
export const windowById = windows.get;
export const windowsNamed = windows.named;
export const tableById = tables.get;
export const tablesNamed = tables.named;
export const allTables = tables.all;
