import { beforeAll, describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../connectors/registry.js';
import { openTestSession, type TestSession } from '../testing/run-sql.js';

let s: TestSession;
beforeAll(async () => {
  s = openTestSession(createDefaultCatalogs());
  await s.query('create table t1 (a int, b int, c int)');
  await s.query('insert into t1 values (1, 10, 100), (2, 20, 200), (3, 30, null), (4, null, 400)');
  await s.query('create table t2 (a int, x text)');
  await s.query("insert into t2 values (1, 'one'), (1, 'uno'), (3, 'three'), (null, 'nothing')");
});

const rows = async (sql: string) => (await s.query(sql)).rows;

describe('window functions', () => {
  it('computes ranking and aggregates over frames', async () => {
    expect(await rows('select a, row_number() over (order by a desc), rank() over (order by b is null), sum(a) over (order by a) from t1 order by a')).toEqual([
      ['1', '4', '1', '1'], ['2', '3', '1', '3'], ['3', '2', '1', '6'], ['4', '1', '4', '10'],
    ]);
    expect(await rows('select a, sum(a) over (order by a rows between 1 preceding and 1 following), count(*) over () from t1 order by a')).toEqual([
      ['1', '3', '4'], ['2', '6', '4'], ['3', '9', '4'], ['4', '7', '4'],
    ]);
    expect(await rows('select x, a, lag(x) over w, first_value(x) over w from t2 window w as (partition by a order by x) order by a, x')).toEqual([
      ['one', '1', null, 'one'], ['uno', '1', 'one', 'one'], ['three', '3', null, 'three'], ['nothing', null, null, 'nothing'],
    ]);
    expect(await rows('select a, sum(count(*)) over () from t2 group by a order by a')).toEqual([['1', '4'], ['3', '4'], [null, '4']]);
    expect(await rows('select a, sum(a) over (order by a range between 1 preceding and current row exclude current row) from t1 order by a')).toEqual([
      ['1', null], ['2', '1'], ['3', '2'], ['4', '3'],
    ]);
  });
});
