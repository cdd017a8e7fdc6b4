import { beforeEach, describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../../connectors/registry.js';
import { openTestSession, type TestSession } from '../../testing/run-sql.js';
import { showStatsQuery } from './analyze.js';

let s: TestSession;
beforeEach(() => {
  s = openTestSession(createDefaultCatalogs());
});

describe('SHOW STATS', () => {
  it('recognises only Trino\'s two forms', () => {
    expect(showStatsQuery('SHOW STATS FOR tpch.tiny.nation;')).toBe('select * from tpch.tiny.nation');
    expect(showStatsQuery('show stats for (select 1)')).toBe('select 1');
    expect(showStatsQuery('show stats for nation; drop table x')).toBeUndefined();
    expect(showStatsQuery('show statistics')).toBeUndefined();
  });

  it('shows the tpch connector\'s statistics in Trino\'s columns, with a summary row', async () => {
    const r = await s.query('show stats for tpch.tiny.orders');
    expect(r.columns).toEqual(['column_name', 'data_size', 'distinct_values_count', 'nulls_fraction', 'row_count', 'low_value', 'high_value']);
    const byName = new Map(r.rows.map((row) => [row[0], row]));
    expect(byName.get('o_orderkey')).toEqual(['o_orderkey', null, '15000', '0', null, '1', '60000']);
    expect(byName.get('o_orderdate')!.slice(5)).toEqual(['1992-01-01', '1998-08-02']);
    expect(byName.get('o_orderstatus')!.slice(1, 3)).toEqual(['15000', '3']);
    expect(r.rows.at(-1)).toEqual([null, null, null, null, '15000', null, null]);
    const q = await s.query("show stats for (select * from tpch.tiny.orders where o_orderstatus = 'F')");
    expect(q.rows.at(-1)![4]).toBe('5000');
  });
});

describe('ANALYZE', () => {
  it('computes memory-table statistics, which an insert invalidates', async () => {
    await s.query('create table t (a int, b text)');
    await s.query("insert into t values (1, 'x'), (2, 'y'), (2, null), (5, 'x')");
    expect((await s.query('show stats for t')).rows.find((r) => r[0] === 'a')).toEqual(['a', null, null, null, null, null, null]);
    expect((await s.query('analyze t')).tag).toBe('ANALYZE');
    const rows = (await s.query('show stats for t')).rows;
    expect(rows.find((r) => r[0] === 'a')).toEqual(['a', '16', '3', '0', null, '1', '5']);
    expect(rows.find((r) => r[0] === 'b')).toEqual(['b', '3', '2', '0.25', null, 'x', 'y']);
    expect(rows.at(-1)![4]).toBe('4');
    await s.query('insert into t values (7, null)');
    expect((await s.query('show stats for t')).rows.find((r) => r[0] === 'a')![2]).toBeNull();
    await s.query('analyze');
    expect((await s.query('show stats for t')).rows.find((r) => r[0] === 'a')![2]).toBe('4');
  });

  it('leaves connectors that keep their own statistics alone, with a warning', async () => {
    await s.query('analyze tpch.tiny.nation');
    expect(s.notices.map((n) => n.message)).toEqual(['skipping "nation" --- catalog "tpch" keeps its own statistics']);
    await expect(s.query('vacuum')).rejects.toMatchObject({ code: '0A000' });
  });
});
