/** OVER (…): window definitions, frames and window function calls. */
import { SqlError, SqlState, featureNotSupported } from '../errors/index.js';
import { aggregatesNamed, windowsNamed } from '../functions/registry.js';
import type { AstNode } from '../parser/ast.js';
import type { Expr } from '../plan/expr.js';
import type { FrameBound, SortKey, WindowCall, WindowFrame } from '../plan/plan.js';
import { T, type PgType } from '../types/pg-type.js';
import { coerceTo, selectCandidate, type ParamTypes } from './coerce.js';

/** Window calls are column references at this offset + the call's number until the window node exists. */
export const WINDOW_BASE = 4_000_000;

export interface WindowCollector {
  readonly calls: WindowCall[];
  /** WINDOW name AS (…) definitions of the query. */
  readonly definitions: ReadonlyMap<string, AstNode>;
}

// PostgreSQL's FRAMEOPTION_* bits (nodes/parsenodes.h).
const F = {
  RANGE: 0x2, ROWS: 0x4, GROUPS: 0x8,
  START_UNBOUNDED_PRECEDING: 0x20, END_UNBOUNDED_PRECEDING: 0x40, START_UNBOUNDED_FOLLOWING: 0x80, END_UNBOUNDED_FOLLOWING: 0x100,
  START_CURRENT_ROW: 0x200, END_CURRENT_ROW: 0x400, START_OFFSET_PRECEDING: 0x800, END_OFFSET_PRECEDING: 0x1000,
  START_OFFSET_FOLLOWING: 0x2000, END_OFFSET_FOLLOWING: 0x4000, EXCLUDE_CURRENT_ROW: 0x8000, EXCLUDE_GROUP: 0x10000, EXCLUDE_TIES: 0x20000,
};
const DEFAULT_FRAME_OPTIONS = F.RANGE | F.START_UNBOUNDED_PRECEDING | F.END_CURRENT_ROW;

/** The effective window definition of OVER name or OVER (…), with named windows resolved. */
export function resolveWindowDef(over: AstNode, definitions: ReadonlyMap<string, AstNode>): AstNode {
  if (!over.name) return withBase(over, definitions);
  const def = definitions.get(over.name as string);
  if (!def) throw new SqlError(SqlState.UNDEFINED_OBJECT, `window "${String(over.name)}" does not exist`);
  return withBase(def, definitions);
}

/** OVER (w ORDER BY …): the named window's partitioning, with ORDER BY and frame added. */
function withBase(def: AstNode, definitions: ReadonlyMap<string, AstNode>): AstNode {
  const refname = def.refname as string | undefined;
  if (!refname) return def;
  const base = definitions.get(refname);
  if (!base) throw new SqlError(SqlState.UNDEFINED_OBJECT, `window "${refname}" does not exist`);
  const resolved = withBase(base, definitions);
  if (def.partitionClause) throw new SqlError(SqlState.WINDOWING_ERROR, `cannot override PARTITION BY clause of window "${refname}"`);
  if (def.orderClause && resolved.orderClause) throw new SqlError(SqlState.WINDOWING_ERROR, `cannot override ORDER BY clause of window "${refname}"`);
  return { ...resolved, orderClause: def.orderClause ?? resolved.orderClause, frameOptions: def.frameOptions, startOffset: def.startOffset, endOffset: def.endOffset };
}

export interface WindowBindContext {
  readonly bind: (node: AstNode) => Expr;
  readonly bindSortKeys: (orderClause: AstNode[]) => SortKey[];
  readonly params: ParamTypes;
}

export function bindWindowCall(name: string, body: AstNode, args: Expr[], def: AstNode, ctx: WindowBindContext): Omit<WindowCall, never> {
  const argTypes = args.map((a) => a.type);
  const windowFn = selectCandidate(name, windowsNamed(name), argTypes, false);
  const aggregate = windowFn ? undefined : body.agg_star ? aggregatesNamed(name).find((a) => a.args.length === 0) : selectAggregate(name, argTypes);
  if (!windowFn && !aggregate) {
    throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${name}(${argTypes.map((t) => t.name).join(', ')}) does not exist`);
  }
  if (body.agg_distinct) throw featureNotSupported('DISTINCT in window functions');
  const params = windowFn ? windowFn.args : aggregate!.args;
  const coerced = params.length === 1 && params[0]!.oid === T.unknown.oid ? args : args.map((a, i) => (params[i] ? coerceTo(a, params[i]!, ctx.params) : a));
  let type: PgType;
  if (windowFn) type = windowFn.returns === 'first-arg' ? coerced[0]!.type : windowFn.returns;
  else type = (name === 'min' || name === 'max') && coerced[0] ? coerced[0].type : aggregate!.returns;
  const orderBy = ctx.bindSortKeys((def.orderClause as AstNode[] | undefined) ?? []);
  return {
    fn: (windowFn ?? aggregate)!.id,
    isAggregate: !windowFn,
    args: coerced,
    filter: body.agg_filter ? ctx.bind(body.agg_filter as AstNode) : null,
    partitionBy: ((def.partitionClause as AstNode[] | undefined) ?? []).map(ctx.bind),
    orderBy,
    frame: frameOf(def, ctx, orderBy.length > 0),
    type,
  };
}

function selectAggregate(name: string, argTypes: PgType[]) {
  const candidates = aggregatesNamed(name).filter((a) => a.args.length === argTypes.length && !a.directArgCount);
  return candidates.find((a) => a.args.length === 1 && a.args[0]!.oid === T.unknown.oid) ?? selectCandidate(name, candidates, argTypes, false);
}

function frameOf(def: AstNode, ctx: WindowBindContext, ordered: boolean): WindowFrame {
  const o = (def.frameOptions as number | undefined) || DEFAULT_FRAME_OPTIONS;
  const mode = o & F.ROWS ? 'rows' : o & F.GROUPS ? 'groups' : 'range';
  const offset = (node: unknown): Expr => coerceTo(ctx.bind(node as AstNode), mode === 'range' ? T.numeric : T.int8, ctx.params);
  const bound = (unboundedPreceding: number, unboundedFollowing: number, current: number, preceding: number, following: number, node: unknown): FrameBound => {
    if (o & unboundedPreceding) return { kind: 'unbounded_preceding' };
    if (o & unboundedFollowing) return { kind: 'unbounded_following' };
    if (o & current) return { kind: 'current_row' };
    if (o & preceding) return { kind: 'preceding', offset: offset(node) };
    if (o & following) return { kind: 'following', offset: offset(node) };
    return { kind: 'current_row' };
  };
  const start = bound(F.START_UNBOUNDED_PRECEDING, F.START_UNBOUNDED_FOLLOWING, F.START_CURRENT_ROW, F.START_OFFSET_PRECEDING, F.START_OFFSET_FOLLOWING, def.startOffset);
  const end = o & 0x10 || o & (F.END_CURRENT_ROW | F.END_UNBOUNDED_FOLLOWING | F.END_OFFSET_PRECEDING | F.END_OFFSET_FOLLOWING | F.END_UNBOUNDED_PRECEDING)
    ? bound(F.END_UNBOUNDED_PRECEDING, F.END_UNBOUNDED_FOLLOWING, F.END_CURRENT_ROW, F.END_OFFSET_PRECEDING, F.END_OFFSET_FOLLOWING, def.endOffset)
    : { kind: 'current_row' as const };
  if (mode === 'range' && (start.offset || end.offset) && !ordered) {
    throw new SqlError(SqlState.WINDOWING_ERROR, 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column');
  }
  const exclude = o & F.EXCLUDE_CURRENT_ROW ? 'current_row' : o & F.EXCLUDE_GROUP ? 'group' : o & F.EXCLUDE_TIES ? 'ties' : 'no_others';
  return { mode, start, end, exclude };
}
