import { afterAll, describe, expect, it, vi } from 'vitest';
import { createDefaultCatalogs } from '../../../connectors/registry.js';
import type { QueryResources } from '../../scheduler/query-resources.js';
import { shutdownWorkerPool } from '../../scheduler/worker/worker-pool.js';
import { openTestSession } from '../../testing/run-sql.js';

const started: QueryResources[] = [];
vi.mock('../../scheduler/query-resources.js', async (original) => {
  const m = await original<typeof import('../../scheduler/query-resources.js')>();
  return { queryResources: (...args: Parameters<typeof m.queryResources>) => { const r = m.queryResources(...args); started.push(r); return r; } };
});

/** Rows the probe side's scan tasks read and passed on, over all fragments of the last query. */
function probeRows(): { rowsIn: number; rowsOut: number } {
  const stats = [...(started.at(-1)!.dynamicFilters?.stats.values() ?? [])];
  return { rowsIn: stats.reduce((n, s) => n + s.rowsIn, 0), rowsOut: stats.reduce((n, s) => n + s.rowsOut, 0) };
}

describe('dynamic filtering', () => {
  const s = openTestSession(createDefaultCatalogs());
  afterAll(() => shutdownWorkerPool());
  const sql = `select count(*), sum(l_quantity) from tpch.tiny.lineitem join tpch.tiny.orders on l_orderkey = o_orderkey where o_orderdate < date '1992-02-01'`;

  for (const threads of ['0', '2']) {
    it(`drops probe rows the build side cannot match (worker_threads = ${threads})`, async () => {
      await s.query(`set lakegate.worker_threads = ${threads}`);
      await s.query('set lakegate.dynamic_filtering = off');
      const without = await s.query(sql);
      expect(probeRows()).toEqual({ rowsIn: 0, rowsOut: 0 });
      await s.query('set lakegate.dynamic_filtering = on');
      const withFilter = await s.query(sql);
      expect(withFilter.rows).toEqual(without.rows);
      const { rowsIn, rowsOut } = probeRows();
      expect(rowsIn).toBe(60175);
      expect(rowsOut).toBeLessThan(rowsIn / 20);
      expect(rowsOut).toBeGreaterThan(0);
    });
  }

  it('publishes nothing for outer joins, whose unmatched probe rows are kept', async () => {
    await s.query(`select count(*) from tpch.tiny.lineitem left join (select * from tpch.tiny.orders where o_orderdate < date '1992-02-01') o on l_orderkey = o_orderkey`);
    expect(probeRows()).toEqual({ rowsIn: 0, rowsOut: 0 });
  });
});
