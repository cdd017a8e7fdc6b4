import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createDefaultCatalogs } from '../../../connectors/registry.js';
import { openTestSession, type TestSession } from '../../testing/run-sql.js';
import { Numeric } from '../../types/numeric.js';
import { T, arrayOf, typeByName, numericTypmod } from '../../types/pg-type.js';
import { vectorFromDatums } from '../batch/vector.js';
import { decodeBatch, encodeBatch } from './batch-codec.js';
import { shutdownWorkerPool } from '../../scheduler/worker/worker-pool.js';

const spillFolders = () => readdirSync(tmpdir()).filter((n) => n.startsWith(`lakegate-spill-${process.pid}-`));

/** Runs `sql` without a memory limit and again with a tiny one; both must agree. */
async function compareWithSpill(s: TestSession, sql: string, limit = '256kB'): Promise<void> {
  await s.query(`set lakegate.query_max_memory = '1GB'`);
  const unlimited = await s.query(sql);
  await s.query(`set lakegate.query_max_memory = '${limit}'`);
  const spilled = await s.query(sql);
  await s.query(`reset lakegate.query_max_memory`);
  expect(spilled.rows).toEqual(unlimited.rows);
  expect(unlimited.rows.length).toBeGreaterThan(0);
}

describe('spill format', () => {
  it('round-trips every layout, NULLs and object datums', () => {
    const schema = [
      { name: 'b', type: T.bool }, { name: 'i', type: T.int4 }, { name: 'l', type: T.int8 }, { name: 'f', type: T.float8 },
      { name: 't', type: T.text }, { name: 'n', type: typeByName('numeric', numericTypmod(40, 2)) }, { name: 'iv', type: T.interval },
      { name: 'by', type: T.bytea }, { name: 'a', type: arrayOf(T.int8) },
    ];
    const rows = [
      [true, 1, 2n, 1.5, 'héllo ☃', Numeric.fromString('12345678901234567890123.45'), { months: 1, days: 2, micros: 3n }, new Uint8Array([1, 2]), [1n, null]],
      [null, null, null, null, null, null, null, null, null],
      [false, -7, -(2n ** 63n), Number.NaN, '', Numeric.NaN, { months: -1, days: 0, micros: -5n }, new Uint8Array(), []],
    ];
    const batch = { length: rows.length, columns: schema.map((f, c) => vectorFromDatums(f.type, rows.map((r) => r[c]))) };
    const back = decodeBatch(Buffer.from(encodeBatch(batch)), schema);
    for (let c = 0; c < schema.length; c++) {
      const v = back.columns[c]!;
      rows.forEach((r, i) => {
        const want = r[c];
        const isNull = v.nulls !== null && v.nulls[i] === 1;
        expect(isNull).toBe(want === null);
        if (want === null) return;
        const got = schema[c]!.type.layout === 'bool' ? (v.data as Uint8Array)[i] === 1 : (v.data as unknown[])[i];
        if (want instanceof Numeric) expect(String(got)).toBe(want.toString());
        else expect(got).toEqual(want);
      });
    }
  });
});

describe('spilling operators', () => {
  const s = openTestSession(createDefaultCatalogs());
  afterAll(() => shutdownWorkerPool());

  it('aggregates more groups than fit by partitioning rows of new groups to disk', async () => {
    await compareWithSpill(s, `select l_orderkey, count(*), sum(l_extendedprice), count(distinct l_suppkey), max(l_comment) from tpch.tiny.lineitem group by 1 order by 1`);
  });

  it('sorts more rows than fit with sorted runs and a k-way merge (NULLs placed as asked)', async () => {
    await compareWithSpill(s, `select o_orderkey, o_custkey, o_orderdate from tpch.tiny.orders order by o_orderdate desc, case when o_custkey % 3 = 0 then null else o_custkey end nulls first, o_orderkey`);
  });

  it('joins with a build side larger than memory (grace hash join), all join types', async () => {
    const base = `(select o_orderkey k, o_custkey c from tpch.tiny.orders where o_orderkey % 4 <> 0)`;
    const probe = `(select l_orderkey k, l_linenumber n from tpch.tiny.lineitem where l_orderkey % 5 <> 0)`;
    await compareWithSpill(s, `select count(*), sum(p.n), sum(b.c) from ${probe} p join ${base} b on p.k = b.k`);
    await compareWithSpill(s, `select count(*), count(b.k), count(p.k) from ${probe} p left join ${base} b on p.k = b.k`);
    await compareWithSpill(s, `select count(*), count(b.k), count(p.k) from ${probe} p full join ${base} b on p.k = b.k and p.n < 3`);
    await compareWithSpill(s, `select count(*) from ${probe} p where p.k in (select k from ${base} b)`);
    await compareWithSpill(s, `select count(*) from ${probe} p where not exists (select 1 from ${base} b where b.k = p.k)`);
    await compareWithSpill(s, `select count(*) from ${probe} p where p.k not in (select k from ${base} b)`);
    await compareWithSpill(s, `select count(*) from ${probe} p where p.k not in (select case when k = 7 then null else k end from ${base} b)`);
  });

  it('fails with 53200 when spilling is off, while a small query carries on; no spill files remain', async () => {
    const other = openTestSession(createDefaultCatalogs());
    await s.query(`set lakegate.query_max_memory = '256kB'; set lakegate.spill_enabled = off`);
    const big = s.query(`select l_orderkey, count(*) from tpch.tiny.lineitem group by 1`);
    const small = other.query(`select count(*) from tpch.tiny.nation`);
    await expect(big).rejects.toMatchObject({ code: '53200', message: 'Query exceeded per-query memory limit of 256kB' });
    expect((await small).rows).toEqual([['25']]);
    await s.query(`reset lakegate.spill_enabled; reset lakegate.query_max_memory`);
    expect(spillFolders()).toEqual([]);
  });

  it('fails with 53200 once the spill limit is reached, and cleans up', async () => {
    await s.query(`set lakegate.query_max_memory = '256kB'; set lakegate.max_spill_bytes = '64kB'`);
    await expect(s.query(`select l_orderkey, count(*) from tpch.tiny.lineitem group by 1`)).rejects.toMatchObject({ code: '53200' });
    await s.query(`reset lakegate.max_spill_bytes; reset lakegate.query_max_memory`);
    expect(spillFolders()).toEqual([]);
  });

  it('accepts PostgreSQL memory units', async () => {
    await s.query(`set lakegate.query_max_memory = 65536`);
    expect((await s.query(`show lakegate.query_max_memory`)).rows).toEqual([['64MB']]);
    await expect(s.query(`set lakegate.query_max_memory = '12 parsecs'`)).rejects.toMatchObject({ code: '22023' });
    expect(existsSync(tmpdir())).toBe(true);
  });
});
