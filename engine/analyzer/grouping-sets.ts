/**
 * GROUPING SETS, ROLLUP and CUBE, expanded into one aggregation per grouping set combined with
 * UNION ALL; keys absent from a set are NULL, and a trailing int4 column holds the set's bit
 * mask for grouping() (bit n-1-i set when key i is not in the set).
 */
import { SqlError, SqlState } from '../errors/index.js';
import type { Field } from '../execution/batch/batch.js';
import type { AstNode } from '../parser/ast.js';
import { type Expr, mapExpr, sameExpr } from '../plan/expr.js';
import type { AggregateCall, LogicalPlan } from '../plan/plan.js';
import { T } from '../types/pg-type.js';
import { isPlaceholder } from './bind-expr.js';

/** grouping() calls are column references at this offset + the call's number until resolved. */
export const GROUPING_BASE = 5_000_000;

export interface GroupingCollector {
  /** Arguments of each grouping(…) call, bound over the FROM columns. */
  readonly calls: Expr[][];
}

export const hasGroupingSets = (groupClause: AstNode[]): boolean => groupClause.some((g) => 'GroupingSet' in g);

/** The grouping sets of a GROUP BY clause, as lists of expression nodes. */
export function expandGroupingSets(groupClause: AstNode[]): AstNode[][] {
  return groupClause.map(itemSets).reduce<AstNode[][]>((acc, sets) => acc.flatMap((a) => sets.map((s) => [...a, ...s])), [[]]);
}

function itemSets(node: AstNode): AstNode[][] {
  const gs = node.GroupingSet as AstNode | undefined;
  if (!gs) return [[node]];
  const content = (gs.content as AstNode[] | undefined) ?? [];
  switch (gs.kind) {
    case 'GROUPING_SET_EMPTY':
      return [[]];
    case 'GROUPING_SET_SIMPLE':
      return [content];
    case 'GROUPING_SET_SETS':
      return content.flatMap(itemSets);
    case 'GROUPING_SET_ROLLUP': {
      const elems = content.map(element);
      return elems.map((_, i) => elems.slice(0, elems.length - i).flat()).concat([[]]);
    }
    case 'GROUPING_SET_CUBE': {
      const elems = content.map(element);
      const sets: AstNode[][] = [];
      for (let mask = (1 << elems.length) - 1; mask >= 0; mask--) sets.push(elems.filter((_, i) => mask & (1 << (elems.length - 1 - i))).flat());
      return sets;
    }
    default:
      throw new SqlError(SqlState.SYNTAX_ERROR, `unknown grouping set kind ${String(gs.kind)}`);
  }
}

/** An element of ROLLUP/CUBE: one expression, or a parenthesised list of them. */
function element(node: AstNode): AstNode[] {
  const row = node.RowExpr as AstNode | undefined;
  if (row) return row.args as AstNode[];
  const gs = node.GroupingSet as AstNode | undefined;
  return gs ? ((gs.content as AstNode[] | undefined) ?? []) : [node];
}

/** Binds the sets: the distinct key expressions, and each set as indices into them. */
export function bindGroupingSets(sets: AstNode[][], bind: (node: AstNode) => Expr): { keys: Expr[]; sets: number[][] } {
  const keys: Expr[] = [];
  const indexOf = (e: Expr) => {
    let i = keys.findIndex((k) => sameExpr(k, e));
    if (i < 0) i = keys.push(e) - 1;
    return i;
  };
  return { keys, sets: sets.map((s) => [...new Set(s.map((n) => indexOf(bind(n))))]) };
}

/** UNION ALL of one aggregation per set, each widened to all keys + aggregates + mask. */
export function groupingSetsPlan(input: LogicalPlan, keys: readonly Expr[], sets: readonly number[][], aggregates: readonly AggregateCall[], aggTypes: readonly Field['type'][]): LogicalPlan {
  const schema: Field[] = [
    ...keys.map((k, i) => ({ name: `_group${i}`, type: k.type })),
    ...aggTypes.map((t, i) => ({ name: `_agg${i}`, type: t })),
    { name: '_grouping', type: T.int4 },
  ];
  const branches = sets.map((set): LogicalPlan => {
    const groupBy = set.map((i) => keys[i]!);
    const aggSchema: Field[] = [...groupBy.map((k, i) => ({ name: `_g${i}`, type: k.type })), ...aggTypes.map((t, i) => ({ name: `_a${i}`, type: t }))];
    const aggregate: LogicalPlan = { kind: 'aggregate', input, groupBy, aggregates, schema: aggSchema };
    let mask = 0;
    keys.forEach((_, i) => {
      if (!set.includes(i)) mask |= 1 << (keys.length - 1 - i);
    });
    const exprs: Expr[] = [
      ...keys.map((k, i): Expr => (set.includes(i) ? { kind: 'column', index: set.indexOf(i), type: k.type } : { kind: 'literal', text: null, type: k.type })),
      ...aggTypes.map((t, j): Expr => ({ kind: 'column', index: set.length + j, type: t })),
      { kind: 'literal', text: String(mask), type: T.int4 },
    ];
    return { kind: 'project', input: aggregate, exprs, schema };
  });
  return branches.reduce((left, right) => ({ kind: 'setop', op: 'union', all: true, left, right, schema }));
}

/** Replaces grouping(…) placeholders: bits of the mask column (0 without grouping sets). */
export function resolveGroupingCalls(e: Expr, collector: GroupingCollector, keys: readonly Expr[], maskColumn: number | null): Expr {
  return mapExpr(e, (x) => {
    if (x.kind !== 'column' || !isPlaceholder(x.index, GROUPING_BASE)) return x;
    const args = collector.calls[x.index - GROUPING_BASE]!;
    const positions = args.map((a) => {
      const k = keys.findIndex((key) => sameExpr(key, a));
      if (k < 0) throw new SqlError(SqlState.GROUPING_ERROR, 'arguments to GROUPING must be grouping expressions of the associated query level');
      return k;
    });
    if (maskColumn === null) return { kind: 'literal', text: '0', type: T.int4 };
    // Sum over arguments j of ((mask / 2^(n-1-k_j)) % 2) * 2^(m-1-j).
    const int = (v: number): Expr => ({ kind: 'literal', text: String(v), type: T.int4 });
    const call = (fn: string, a: Expr, b: Expr): Expr => ({ kind: 'call', fn: `${fn}(int4,int4)`, args: [a, b], type: T.int4 });
    const mask: Expr = { kind: 'column', index: maskColumn, type: T.int4 };
    const terms = positions.map((k, j) => call('*', call('%', call('/', mask, int(2 ** (keys.length - 1 - k))), int(2)), int(2 ** (positions.length - 1 - j))));
    return terms.reduce((a, b) => call('+', a, b));
  });
}

export const groupingPlaceholder = (collector: GroupingCollector, args: Expr[]): Expr => ({ kind: 'column', index: GROUPING_BASE + collector.calls.push(args) - 1, type: T.int4 });

