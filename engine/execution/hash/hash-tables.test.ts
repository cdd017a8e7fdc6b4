import { describe, expect, it } from 'vitest';
import { Numeric } from '../../types/numeric.js';
import { T, type PgType } from '../../types/pg-type.js';
import { vectorFromDatums, datumAt, type Vector } from '../batch/vector.js';
import { GroupTable } from './group-table.js';
import { JoinTable } from './join-table.js';

const num = (s: string) => Numeric.fromString(s);
const col = (type: PgType, values: unknown[]): Vector => vectorFromDatums(type, values);

describe('GroupTable', () => {
  it('groups by the type equality: NULLs together, 1.5 = 1.50, NaN = NaN, 0 = -0, bpchar trailing spaces', () => {
    const g = new GroupTable([T.numeric, T.float8, T.bpchar]);
    const keys = [
      col(T.numeric, [num('1.5'), num('1.50'), null, null, num('NaN'), num('NaN'), num('1e30'), num('1000000000000000000000000000000.0')]),
      col(T.float8, [0, -0, null, null, NaN, NaN, 1, 1]),
      col(T.bpchar, ['a', 'a  ', null, null, 'b', 'b ', 'c', 'c']),
    ];
    expect([...g.assign(keys, 8)]).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(g.count).toBe(4);
    const out = g.keyVectors();
    expect(out[2]!.length).toBe(4);
    expect(datumAt(out[2]!, 0)).toBe('a');
    expect(datumAt(out[0]!, 1)).toBeNull();
  });

  it('keeps ids across batches and many groups (rehashing), int8 keys beyond 2^53', () => {
    const g = new GroupTable([T.int8, T.text]);
    const n = 20_000;
    const big = (i: number) => 2n ** 60n + BigInt(i % 5000);
    const keys = [col(T.int8, Array.from({ length: n }, (_, i) => big(i))), col(T.text, Array.from({ length: n }, (_, i) => `k${i % 3}`))];
    const ids = g.assign(keys, n);
    expect(g.count).toBe(15_000);
    const again = g.assign(keys, n, false);
    expect([...again]).toEqual([...ids]);
    expect([...g.assign([col(T.int8, [1n]), col(T.text, ['k0'])], 1, false)]).toEqual([-1]);
    const [k8, kt] = g.keyVectors();
    for (let i = 0; i < n; i += 997) {
      expect(datumAt(k8!, ids[i]!)).toBe(big(i));
      expect(datumAt(kt!, ids[i]!)).toBe(`k${i % 3}`);
    }
  });

  it('single integer keys: NULL is its own group, also when create is false', () => {
    const g = new GroupTable([T.int4]);
    expect([...g.assign([col(T.int4, [5, null, 0, 5, null, -1])], 6)]).toEqual([0, 1, 2, 0, 1, 3]);
    expect([...g.assign([col(T.int4, [null, 7, 0])], 3, false)]).toEqual([1, -1, 2]);
    const h = new GroupTable([T.int8]);
    expect([...h.assign([col(T.int8, [1n])], 1, false)]).toEqual([-1]);
    expect([...h.assign([col(T.int8, [null, 2n ** 40n, null])], 3, false)]).toEqual([-1, -1, -1]);
    expect([...h.assign([col(T.int8, [null, 2n ** 40n, 0n, 2n ** 40n])], 4)]).toEqual([0, 1, 2, 1]);
    expect(h.keyVectors()[0]!.nulls?.[0]).toBe(1);
  });

  it('newRows gives the first row of each new key', () => {
    const g = new GroupTable([T.int4]);
    expect(g.newRows([col(T.int4, [3, 1, 3, null, 1])], 5)).toEqual([0, 1, 3]);
    expect(g.newRows([col(T.int4, [1, 2, null, 2])], 4)).toEqual([1]);
  });
});

describe('JoinTable', () => {
  const chain = (t: JoinTable, id: number) => {
    const rows: number[] = [];
    for (let r = id < 0 ? -1 : t.first[id]!; r >= 0; r = t.next[r]!) rows.push(r);
    return rows;
  };

  it('matches equal keys in build row order; NULL keys never match', () => {
    const build = [col(T.int4, [1, 2, 1, null, 3]), col(T.text, ['x', 'x', 'x', 'x', null])];
    const t = new JoinTable(build, 5, [T.int4, T.text]);
    expect(t.hasNullKey).toBe(true);
    expect(t.size).toBe(2);
    const ids = t.match([col(T.int4, [1, 2, 3, null, 9]), col(T.text, ['x', 'x', null, 'x', 'x'])], 5);
    expect([...ids].map((id) => chain(t, id))).toEqual([[0, 2], [1], [], [], []]);
  });

  it('single integer keys (compared in the slots), int8 beyond 2^32, many keys', () => {
    const n = 5000;
    const wide = (i: number) => (BigInt(i % 1000) << 33n) - 7n;
    const t8 = new JoinTable([col(T.int8, Array.from({ length: n }, (_, i) => (i === 3 ? null : wide(i))))], n, [T.int8]);
    expect(t8.size).toBe(1000);
    expect(t8.hasNullKey).toBe(true);
    const ids8 = t8.match([col(T.int8, [wide(3), wide(17), -7n, 1n << 33n, null])], 5);
    expect([...ids8].map((id) => chain(t8, id).length)).toEqual([4, 5, 5, 0, 0]);
    expect(chain(t8, ids8[1]!)).toEqual([17, 1017, 2017, 3017, 4017]);
    const t4 = new JoinTable([col(T.int4, [-1, 0, -1, 2147483647])], 4, [T.int4]);
    expect([...t4.match([col(T.int4, [-1, 2147483647, 1])], 3)].map((id) => chain(t4, id))).toEqual([[0, 2], [3], []]);
    const pair = new JoinTable([col(T.int4, [1, 1, 2, 1, null]), col(T.int2, [2, 1, 1, 2, 1])], 5, [T.int4, T.int2]);
    expect(pair.size).toBe(3);
    const ids = pair.match([col(T.int4, [1, 2, 2, 1, null]), col(T.int2, [2, 1, 2, 1, 1])], 5);
    expect([...ids].map((id) => chain(pair, id))).toEqual([[0, 3], [2], [], [1], []]);
  });

  it('compares numerics by value and floats with NaN = NaN', () => {
    const t = new JoinTable([col(T.numeric, [num('2.50'), num('NaN')]), col(T.float8, [NaN, -0])], 2, [T.numeric, T.float8]);
    const ids = t.match([col(T.numeric, [num('2.5'), num('NaN')]), col(T.float8, [NaN, 0])], 2);
    expect([...ids].map((id) => chain(t, id))).toEqual([[0], [1]]);
  });

  it('without keys every build row matches (nested loop)', () => {
    const t = new JoinTable([], 3, []);
    expect(chain(t, t.match([], 2)[1]!)).toEqual([0, 1, 2]);
    expect([...new JoinTable([], 0, []).match([], 2)]).toEqual([-1, -1]);
  });
});
