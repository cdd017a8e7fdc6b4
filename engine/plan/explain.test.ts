import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../connectors/registry.js';
import { Q9_TINY } from '../../connectors/tpch/queries.fixture.js';
import { SqlError } from '../errors/index.js';
import { openTestSession, type TestSession } from '../testing/run-sql.js';

let s: TestSession;
beforeEach(async () => {
  s = openTestSession(createDefaultCatalogs(), 'tester', 'tpch');
  await s.query('set search_path = tiny');
});
const plan = async (sql: string) => {
  const r = await s.query(sql);
  expect(r.columns).toEqual(['QUERY PLAN']);
  return r.rows.map((row) => row[0]!);
};
/** The "actual rows=N" of the first line matching `pattern`. */
const actualRows = (lines: string[], pattern: RegExp) => Number(/actual rows=(\d+)/.exec(lines.find((l) => pattern.test(l)) ?? '')?.[1]);

const THREE_WAY = `select n_name, count(*) from orders join customer on o_custkey = c_custkey join nation on c_nationkey = n_nationkey
  where n_name = 'GERMANY' group by n_name`;

describe('EXPLAIN', () => {
  it('shows fragments, the join order and estimates for a 3-way join', async () => {
    const lines = await plan(`explain ${THREE_WAY}`);
    expect(lines[0]).toBe('Join order: (orders ⋈ (customer ⋈ nation))');
    expect(lines).toContain('Fragment 0 [single]');
    for (const t of ['orders', 'customer', 'nation']) expect(lines.some((l) => new RegExp(`TableScan tpch\\.tiny\\.${t}  \\(rows=\\d+`).test(l))).toBe(true);
    expect(lines.filter((l) => /^Fragment [1-3] \[source: one task per split\]$/.test(l))).toHaveLength(3);
    const joins = lines.filter((l) => l.includes('HashJoin inner [broadcast]'));
    expect(joins).toHaveLength(2);
    expect(lines.some((l) => l.trim() === 'Hash Keys: o_custkey = c_custkey')).toBe(true);
    expect(lines.some((l) => /TableScan tpch\.tiny\.orders  \(rows=15000 cost=15000\)/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('Filter: (n_name = '))).toBe(true);
    expect(lines.some((l) => l.includes('actual'))).toBe(false);
  });

  it('FORMAT JSON returns one row; VERBOSE adds outputs and the optimizer trace', async () => {
    const json = JSON.parse((await plan(`explain (format json) ${THREE_WAY}`))[0]!) as [{ Fragments: { Id: number }[]; 'Join Order': string[] }];
    expect(json[0].Fragments.map((f) => f.Id)).toEqual([0, 1, 2, 3]);
    expect(json[0]['Join Order']).toEqual(['(orders ⋈ (customer ⋈ nation))']);
    const verbose = await plan(`explain (verbose) ${THREE_WAY}`);
    expect(verbose).toContain('Optimizer trace:');
    expect(verbose.some((l) => /^  join_reordering: changed/.test(l))).toBe(true);
    expect(verbose.some((l) => l.trim().startsWith('Output: '))).toBe(true);
    await s.query("set lakegate.disabled_rules = 'join_reordering'");
    expect((await plan(`explain (verbose) ${THREE_WAY}`)).some((l) => l === '  join_reordering: disabled')).toBe(true);
  });

  it('rejects bad options as PostgreSQL does', async () => {
    const code = (sql: string) => s.query(sql).then(() => null, (e: unknown) => (e as SqlError).code);
    expect(await code('explain (nonsense) select 1')).toBe('42601');
    expect(await code('explain (format csv) select 1')).toBe('22023');
    expect(await code('explain (analyze maybe) select 1')).toBe('22023');
    expect(await code('explain (timing) select 1')).toBe('22023');
  });
});

describe('EXPLAIN ANALYZE', () => {
  it('reports the real row counts per operator', async () => {
    // without dynamic filters, so every scan reports its whole table
    await s.query('set lakegate.dynamic_filtering = off');
    const lines = await plan(`explain analyze ${THREE_WAY}`).finally(() => s.query('reset lakegate.dynamic_filtering'));
    const real = (await s.query(`select count(*) from orders join customer on o_custkey = c_custkey join nation on c_nationkey = n_nationkey where n_name = 'GERMANY'`)).rows[0]![0];
    expect(actualRows(lines, /HashJoin inner.*o_custkey|HashJoin inner/)).toBe(Number(real));
    expect(actualRows(lines, /TableScan tpch\.tiny\.orders/)).toBe(15000);
    expect(actualRows(lines, /TableScan tpch\.tiny\.customer/)).toBe(1500);
    expect(actualRows(lines, /HashAggregate/)).toBe(1);
    expect(lines.some((l) => /TableScan tpch\.tiny\.orders .*tasks=\d+ time=[\d.]+ ms/.test(l))).toBe(true);
    expect(lines.at(-2)).toMatch(/^Planning Time: [\d.]+ ms$/);
    expect(lines.at(-1)).toMatch(/^Execution Time: [\d.]+ ms$/);
  });

  it('counts the rows a scan keeps after the dynamic filters of the joins above it', async () => {
    const lines = await plan(`explain analyze ${THREE_WAY}`);
    const real = (await s.query(`select count(*) from orders join customer on o_custkey = c_custkey join nation on c_nationkey = n_nationkey where n_name = 'GERMANY'`)).rows[0]![0];
    expect(actualRows(lines, /HashJoin inner.*o_custkey|HashJoin inner/)).toBe(Number(real));
    expect(actualRows(lines, /TableScan tpch\.tiny\.orders/)).toBeLessThan(15000);
  });

  it('TPC-H Q9 on tiny: each fragment, the join order chosen and rows per operator', async () => {
    const q9 = readFileSync('conformance/differential/queries/tpch/q09.sql', 'utf8');
    await s.query('set lakegate.dynamic_filtering = off');
    const lines = await plan(`explain analyze ${q9}`).finally(() => s.query('reset lakegate.dynamic_filtering'));
    expect(lines[0]).toMatch(/^Join order: .*lineitem.*/);
    for (const t of ['part', 'supplier', 'lineitem', 'partsupp', 'orders', 'nation']) expect(lines.some((l) => l.includes(`TableScan tpch.tiny.${t}`))).toBe(true);
    expect(lines.filter((l) => /^Fragment \d+ \[/.test(l))).toHaveLength(7);
    expect(actualRows(lines, /TableScan tpch\.tiny\.lineitem/)).toBe(60175);
    expect(actualRows(lines, /^  Sort/)).toBe(Q9_TINY.length);
    expect(actualRows(lines, /Filter  \(/)).toBe(Number((await s.query("select count(*) from part where p_name like '%green%'")).rows[0]![0]));
    expect(lines.filter((l) => l.includes('HashJoin inner'))).toHaveLength(5);
  });
});
