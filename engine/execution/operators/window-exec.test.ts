import { describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../../connectors/registry.js';
import { SqlError } from '../../errors/index.js';
import { openTestSession } from '../../testing/run-sql.js';

const query = `select l_orderkey, l_linenumber,
    row_number() over (partition by l_orderkey order by l_linenumber desc),
    sum(l_quantity) over (partition by l_orderkey order by l_linenumber),
    count(*) over (partition by l_shipdate)
  from tpch.tiny.lineitem order by 1, 2`;

describe('WindowExec under a memory limit', () => {
  it('spills through its sort and gives the in-memory result', async () => {
    const s = openTestSession(createDefaultCatalogs());
    const expected = await s.query(query);
    await s.query("set lakegate.query_max_memory = '2MB'");
    expect((await s.query(query)).rows).toEqual(expected.rows);
    expect(expected.rows).toHaveLength(60175);
  });

  it('fails with 53200 when spilling is off', async () => {
    const s = openTestSession(createDefaultCatalogs());
    await s.query("set lakegate.query_max_memory = '2MB'");
    await s.query('set lakegate.spill_enabled = off');
    const e = await s.query(query).then(() => null, (x: unknown) => x);
    expect((e as SqlError).code).toBe('53200');
  });
});
