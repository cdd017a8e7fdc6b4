import { describe, expect, it } from 'vitest';
import '../../functions/builtins.js';
import type { TableStatistics } from '../../../connectors/spi/index.js';
import type { EvalContext } from '../../functions/registry.js';
import { scalarsNamed } from '../../functions/registry.js';
import type { Expr } from '../../plan/expr.js';
import type { JoinNode, LogicalPlan, ScanNode } from '../../plan/plan.js';
import { T } from '../../types/pg-type.js';
import { Estimator } from '../cost/estimator.js';
import { optimize } from '../optimizer.js';
import type { OptimizerRule, RuleContext } from '../rule.js';
import type { StatsLookup } from '../statistics/stats-lookup.js';
import { joinDistribution } from './join-distribution.js';
import { joinReordering } from './join-reordering.js';
import { limitPushdown } from './limit-pushdown.js';
import { orFactoring } from './or-factoring.js';
import { outerJoinSimplification } from './outer-join-simplification.js';
import { predicatePushdown } from './predicate-pushdown.js';
import { projectionPruning } from './projection-pruning.js';

const col = (index: number): Expr => ({ kind: 'column', index, type: T.int4 });
const lit = (v: number): Expr => ({ kind: 'literal', text: String(v), type: T.int4 });
const op = (name: string, a: Expr, b: Expr): Expr => ({ kind: 'call', fn: scalarsNamed(name).find((f) => f.args[0]?.name === 'int4' && f.args[1]?.name === 'int4')!.id, args: [a, b], type: T.bool });
const eq = (a: Expr, b: Expr) => op('=', a, b);
const and = (...args: Expr[]): Expr => ({ kind: 'and', args, type: T.bool });
const or = (...args: Expr[]): Expr => ({ kind: 'or', args, type: T.bool });

function scan(name: string, columns: string[]): ScanNode {
  const tableColumns = columns.map((c) => ({ name: c, type: T.int4, nullable: true }));
  return { kind: 'scan', catalog: 'test', schemaName: 's', tableName: name, tableHandle: name, tableColumns, columns: columns.map((_, i) => i), schema: tableColumns.map((c) => ({ name: c.name, type: c.type })) };
}
const join = (joinType: JoinNode['joinType'], left: LogicalPlan, right: LogicalPlan, condition: Expr | null = null): JoinNode =>
  ({ kind: 'join', joinType, left, right, condition, schema: [...left.schema, ...(joinType === 'semi' || joinType === 'anti' ? [] : right.schema)] });
const filter = (input: LogicalPlan, predicate: Expr): LogicalPlan => ({ kind: 'filter', input, predicate, schema: input.schema });

const rowCounts = (counts: Record<string, TableStatistics>): StatsLookup => (s) => counts[s.tableName];
const context = (stats: StatsLookup = () => undefined): RuleContext => ({ eval: {} as EvalContext, estimator: new Estimator(stats) });
const run = (rule: OptimizerRule, plan: LogicalPlan, stats?: StatsLookup) => rule.rewrite(plan, context(stats));

/** Tables in join order, left to right. */
const tables = (p: LogicalPlan): string[] => (p.kind === 'scan' ? [p.tableName] : p.kind === 'join' ? [...tables(p.left), ...tables(p.right)] : 'input' in p ? tables(p.input) : []);

describe('or_factoring', () => {
  it('pulls conjuncts common to every branch out of the OR (TPC-H Q19 shape)', () => {
    const key = eq(col(0), col(2));
    const plan = filter(join('cross', scan('l', ['a', 'b']), scan('p', ['c', 'd'])), or(and(key, eq(col(1), lit(1))), and(eq(col(3), lit(2)), key)));
    const out = run(orFactoring, plan);
    expect(out.kind === 'filter' && out.predicate).toEqual(and(key, or(eq(col(1), lit(1)), eq(col(3), lit(2)))));
    // … so predicate pushdown then makes it a hash join.
    const pushed = run(predicatePushdown, out);
    expect(pushed.kind).toBe('join');
    expect((pushed as JoinNode).joinType).toBe('inner');
  });

  it('adds what an OR in a filter implies about single columns, and keeps the OR', () => {
    const branch1 = and(eq(col(1), lit(1)), eq(col(3), lit(5)), eq(col(0), col(2)));
    const branch2 = and(eq(col(1), lit(2)), op('<', col(3), lit(7)));
    const original = or(branch1, branch2);
    const out = run(orFactoring, filter(join('cross', scan('l', ['a', 'b']), scan('p', ['c', 'd'])), original));
    expect(out.kind === 'filter' && out.predicate).toEqual(and(original, or(eq(col(1), lit(1)), eq(col(1), lit(2))), or(eq(col(3), lit(5)), op('<', col(3), lit(7)))));
    // a column only some branches constrain implies nothing
    const partial = or(eq(col(0), lit(1)), eq(col(1), lit(2)));
    const kept = run(orFactoring, filter(scan('t', ['a', 'b']), partial));
    expect(kept.kind === 'filter' && kept.predicate).toEqual(partial);
  });

  it('drops the OR when a branch is only common conjuncts', () => {
    const out = run(orFactoring, filter(scan('t', ['a', 'b']), or(eq(col(0), lit(1)), and(eq(col(0), lit(1)), eq(col(1), lit(2))))));
    expect(out.kind === 'filter' && out.predicate).toEqual(eq(col(0), lit(1)));
  });
});

describe('outer_join_simplification', () => {
  const a = scan('a', ['x']);
  const b = scan('b', ['y']);
  it('makes a LEFT join inner when WHERE rejects NULLs of the right side', () => {
    const out = run(outerJoinSimplification, filter(join('left', a, b, eq(col(0), col(1))), op('>', col(1), lit(3))));
    expect(out.kind === 'filter' && (out.input as JoinNode).joinType).toBe('inner');
  });
  it('keeps it outer for IS NULL, and turns FULL into LEFT when the left side is rejected', () => {
    const isNull: Expr = { kind: 'isnull', arg: col(1), negated: false, type: T.bool };
    expect((run(outerJoinSimplification, filter(join('left', a, b, eq(col(0), col(1))), isNull)) as { input: JoinNode }).input.joinType).toBe('left');
    expect((run(outerJoinSimplification, filter(join('full', a, b, eq(col(0), col(1))), eq(col(0), lit(1)))) as { input: JoinNode }).input.joinType).toBe('left');
  });
});

describe('limit_pushdown', () => {
  it('moves LIMIT below a projection and into UNION ALL inputs', () => {
    const t = scan('t', ['a']);
    const project: LogicalPlan = { kind: 'project', input: t, exprs: [col(0)], schema: t.schema };
    const limited = run(limitPushdown, { kind: 'limit', input: project, count: lit(5), offset: null, schema: t.schema });
    expect(limited.kind).toBe('project');
    const union: LogicalPlan = { kind: 'setop', op: 'union', all: true, left: t, right: scan('u', ['a']), schema: t.schema };
    const out = run(limitPushdown, { kind: 'limit', input: union, count: lit(5), offset: lit(2), schema: t.schema });
    const inputs = out.kind === 'limit' && out.input.kind === 'setop' ? [out.input.left, out.input.right] : [];
    expect(inputs.map((i) => i.kind === 'limit' && i.count)).toEqual([{ kind: 'literal', text: '7', type: T.int8 }, { kind: 'literal', text: '7', type: T.int8 }]);
  });
});

describe('join_reordering', () => {
  // big(k) ⋈ mid(k, j) ⋈ small(j): written as a cross join of big and small first.
  const big = scan('big', ['k']);
  const mid = scan('mid', ['k', 'j']);
  const small = scan('small', ['j']);
  const stats = rowCounts({
    big: { rowCount: 1_000_000, columns: { k: { distinctCount: 1_000_000 } } },
    mid: { rowCount: 10_000, columns: { k: { distinctCount: 10_000 }, j: { distinctCount: 100 } } },
    small: { rowCount: 100, columns: { j: { distinctCount: 100 } } },
  });
  const plan = join('inner', join('cross', big, small), mid, and(eq(col(0), col(2)), eq(col(1), col(3))));

  it('never leaves a cross join when a connected order exists, and builds on the smaller side', () => {
    const out = run(joinReordering, plan, stats);
    expect(out.kind).toBe('project'); // restores the original column order
    const root = (out as { input: LogicalPlan }).input as JoinNode;
    const joins = (p: LogicalPlan): JoinNode[] => (p.kind === 'join' ? [p, ...joins(p.left), ...joins(p.right)] : []);
    expect(joins(root).map((j) => j.joinType)).toEqual(['inner', 'inner']);
    expect(tables(root)).toEqual(['big', 'mid', 'small']);
    for (const j of joins(root)) expect(context(stats).estimator.estimate(j.right).rows).toBeLessThanOrEqual(context(stats).estimator.estimate(j.left).rows);
    expect(out.schema).toEqual(plan.schema);
  });

  it('can be switched off by name, and traces each rule', () => {
    const seen: string[] = [];
    const out = optimize(plan, {} as EvalContext, { stats, disabled: new Set(['join_reordering']), trace: (r, _b, _a, disabled) => seen.push(`${r.name}${disabled ? ' (off)' : ''}`) });
    expect(seen).toContain('join_reordering (off)');
    expect(seen).toContain('or_factoring');
    expect(tables(out)).toEqual(['big', 'small', 'mid']);
  });
});

describe('join_distribution', () => {
  it('broadcasts a small build side and partitions a big one, and RIGHT/FULL joins', () => {
    const stats = rowCounts({ big: { rowCount: 50_000_000 }, small: { rowCount: 10 } });
    const dist = (p: LogicalPlan) => (run(joinDistribution, p, stats) as JoinNode).distribution;
    const big = scan('big', ['k']);
    const small = scan('small', ['k']);
    expect(dist(join('inner', big, small, eq(col(0), col(1))))).toBe('broadcast');
    expect(dist(join('inner', small, big, eq(col(0), col(1))))).toBe('partitioned');
    expect(dist(join('full', big, small, eq(col(0), col(1))))).toBe('partitioned');
  });
});

describe('predicate_pushdown and projection_pruning on other node kinds', () => {
  it('pushes filters below sorts and semi joins, and HAVING on a group key below the aggregation', () => {
    const t = scan('t', ['a', 'b']);
    const sorted: LogicalPlan = { kind: 'sort', input: t, keys: [{ expr: col(1), descending: false, nullsFirst: false }], schema: t.schema };
    expect(run(predicatePushdown, filter(sorted, eq(col(0), lit(1)))).kind).toBe('sort');
    const semi = join('semi', t, scan('u', ['c']), eq(col(0), col(2)));
    const out = run(predicatePushdown, filter(semi, eq(col(1), lit(1))));
    expect(out.kind === 'join' && out.left.kind).toBe('filter');
    const agg: LogicalPlan = { kind: 'aggregate', input: t, groupBy: [col(0)], aggregates: [], schema: [t.schema[0]!] };
    expect(run(predicatePushdown, filter(agg, eq(col(0), lit(1)))).kind).toBe('aggregate');
    const global: LogicalPlan = { kind: 'aggregate', input: t, groupBy: [], aggregates: [], schema: [] };
    expect(run(predicatePushdown, filter(global, { kind: 'literal', text: 'f', type: T.bool })).kind).toBe('filter');
  });

  it('prunes columns below sorts and limits', () => {
    const t = scan('t', ['a', 'b', 'c']);
    const sorted: LogicalPlan = { kind: 'sort', input: t, keys: [{ expr: col(2), descending: false, nullsFirst: false }], schema: t.schema };
    const limit: LogicalPlan = { kind: 'limit', input: sorted, count: lit(1), offset: null, schema: t.schema };
    const out = run(projectionPruning, { kind: 'project', input: limit, exprs: [col(0)], schema: [t.schema[0]!] });
    const scanned = (p: LogicalPlan): ScanNode => (p.kind === 'scan' ? p : scanned((p as { input: LogicalPlan }).input));
    expect(scanned(out).columns).toEqual([0, 2]);
  });
});
