import { afterAll, describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../../connectors/registry.js';
import { openTestSession } from '../../testing/run-sql.js';
import { Numeric } from '../../types/numeric.js';
import { shutdownWorkerPool, workerPool } from './worker-pool.js';

/** Waits until every worker task has confirmed it stopped. */
async function noTaskRunning(): Promise<void> {
  for (let i = 0; i < 200 && workerPool.runningTasks > 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(workerPool.runningTasks).toBe(0);
}

describe('source tasks in worker threads', () => {
  const s = openTestSession(createDefaultCatalogs());
  afterAll(() => shutdownWorkerPool());

  it('returns what in-process execution returns', async () => {
    const queries = [
      `select l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice * (1 - l_discount)), avg(l_discount), count(*) from tpch.tiny.lineitem where l_shipdate <= date '1998-12-01' - interval '90' day group by 1, 2 order by 1, 2`,
      `select c_mktsegment, count(*), min(c_name), max(c_comment) from tpch.tiny.customer where c_acctbal > $1 group by 1 order by 1`,
    ];
    for (const q of queries) {
      await s.query('set lakegate.worker_threads = 0');
      const local = await s.query(q, [Numeric.fromString('100.5')]);
      await s.query('set lakegate.worker_threads = 2');
      expect(await s.query(q, [Numeric.fromString('100.5')])).toEqual(local);
    }
    expect(workerPool.threads).toBeGreaterThan(0);
    await noTaskRunning();
  });

  it("reports a worker's error with its SQLSTATE", async () => {
    await s.query('set lakegate.worker_threads = 2');
    await expect(s.query('select count(*) from tpch.tiny.lineitem where l_quantity / (l_linenumber - 1) > 1')).rejects.toMatchObject({ code: '22012', message: 'division by zero' });
    await noTaskRunning();
  });

  it('stops worker tasks on cancel (statement_timeout) and after LIMIT', async () => {
    await s.query("set lakegate.worker_threads = 2; set statement_timeout = '300ms'");
    const t0 = performance.now();
    await expect(s.query('select sum(l_quantity) from tpch.sf10.lineitem')).rejects.toMatchObject({ code: '57014' });
    expect(performance.now() - t0).toBeLessThan(3000);
    await s.query('reset statement_timeout');
    await noTaskRunning();
    expect((await s.query('select l_orderkey from tpch.sf1.lineitem limit 3')).rows).toHaveLength(3);
    await noTaskRunning();
  });

  it('keeps fragments that read session settings in-process', async () => {
    await s.query("set lakegate.worker_threads = 2; set application_name = 'ALGERIA'");
    expect((await s.query("select n_nationkey from tpch.tiny.nation where n_name = current_setting('application_name')")).rows).toEqual([['0']]);
  });

  it('keeps fragments calling pg_sleep in-process, where the statement waits what they ask for', async () => {
    await s.query('set lakegate.worker_threads = 2');
    const t0 = performance.now();
    expect((await s.query('select r_regionkey from tpch.tiny.region where pg_sleep(0.05) is not null order by 1')).rows).toHaveLength(5);
    // five rows, 50 ms each: a worker would have skipped the waits
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it('shuts down', async () => {
    await shutdownWorkerPool();
    expect(workerPool.threads).toBe(0);
  });
});
