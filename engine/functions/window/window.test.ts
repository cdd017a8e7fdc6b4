import { describe, expect, it } from 'vitest';
import { vectorFromDatums } from '../../execution/batch/vector.js';
import { T } from '../../types/pg-type.js';
import { runWindow } from '../testing.js';

const ints = (...xs: (number | null)[]) => vectorFromDatums(T.int4, xs);
const const4 = (v: number, n: number) => vectorFromDatums(T.int4, Array(n).fill(v));

describe('window functions (expected values from PostgreSQL 15)', () => {
  // select x, rank() over w, … from (values (1),(1),(2),(3)) v(x) window w as (order by x)
  const peers = [0, 0, 1, 2];
  it('ranking', () => {
    expect(runWindow('row_number()', [], peers, T.int8)).toEqual([1n, 2n, 3n, 4n]);
    expect(runWindow('rank()', [], peers, T.int8)).toEqual([1n, 1n, 3n, 4n]);
    expect(runWindow('dense_rank()', [], peers, T.int8)).toEqual([1n, 1n, 2n, 3n]);
    expect(runWindow('percent_rank()', [], peers, T.float8)).toEqual([0, 0, 2 / 3, 1]);
    expect(runWindow('cume_dist()', [], peers, T.float8)).toEqual([0.5, 0.5, 0.75, 1]);
  });
  it('ntile distributes the remainder to the first buckets', () => {
    const tiles = (n: number, rows: number) => runWindow('ntile(int4)', [const4(n, rows)], [...Array(rows).keys()], T.int4);
    expect(tiles(3, 7)).toEqual([1, 1, 1, 2, 2, 3, 3]);
    expect(tiles(5, 3)).toEqual([1, 2, 3]);
    expect(tiles(4, 10)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 4, 4]);
    expect(() => tiles(0, 2)).toThrow('argument of ntile must be greater than zero');
  });
  it('lag and lead with offsets and defaults coerced to the value type', () => {
    const x = ints(1, 1, 2, 3);
    expect(runWindow('lag(unknown)', [x], peers, T.int4)).toEqual([null, 1, 1, 2]);
    expect(runWindow('lead(unknown,int4,unknown)', [x, const4(2, 4), const4(0, 4)], peers, T.int4)).toEqual([2, 3, 0, 0]);
    const textDefault = vectorFromDatums(T.unknown, Array(4).fill('7'));
    expect(runWindow('lead(unknown,int4,unknown)', [x, const4(3, 4), textDefault], peers, T.int4)).toEqual([3, 7, 7, 7]);
    expect(runWindow('lag(unknown,int4)', [x, ints(null, 1, 1, 1)], peers, T.int4)).toEqual([null, 1, 1, 2]);
  });
  it('frame values', () => {
    const x = ints(1, 1, 2, 3);
    expect(runWindow('first_value(unknown)', [x], peers, T.int4)).toEqual([1, 1, 1, 1]);
    expect(runWindow('last_value(unknown)', [x], peers, T.int4)).toEqual([1, 1, 2, 3]);
    expect(runWindow('nth_value(unknown,int4)', [x, const4(2, 4)], peers, T.int4)).toEqual([1, 1, 1, 1]);
    const frames = [[0, 1], [1, 2], [2, 2], [2, 4]] as const;
    expect(runWindow('nth_value(unknown,int4)', [x, const4(2, 4)], peers, T.int4, frames)).toEqual([null, null, null, 3]);
    expect(runWindow('first_value(unknown)', [x], peers, T.int4, frames)).toEqual([1, 1, null, 2]);
    expect(() => runWindow('nth_value(unknown,int4)', [x, const4(0, 4)], peers, T.int4)).toThrow('argument of nth_value must be greater than zero');
  });
});
