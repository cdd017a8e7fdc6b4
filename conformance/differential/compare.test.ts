import { describe, expect, it } from 'vitest';
import type { TextResult } from '../runner/session.js';
import { compareDecimal, compareResults } from './compare.js';
import { parseQuery } from './queries.js';

const result = (rows: (string | null)[][]): TextResult => ({
  columns: [{ name: 'k', typeOid: 1700 }, { name: 'v', typeOid: 25 }],
  rows,
  command: 'SELECT',
});

describe('differential comparison', () => {
  const q = parseQuery('t', '-- sort: 1 desc\nselect k, v from t order by k desc');
  it('compares decimals exactly', () => {
    expect(compareDecimal('10.5', '9.75')).toBe(1);
    expect(compareDecimal('-10.5', '-9.75')).toBe(-1);
    expect(compareDecimal('0.0', '-0')).toBe(0);
    expect(compareDecimal('1.10', '1.1')).toBe(0);
  });
  it('accepts ties in either order', () => {
    expect(compareResults(q, result([['2', 'a'], ['2', 'b'], ['1', 'c']]), result([['2', 'b'], ['2', 'a'], ['1', 'c']]))).toEqual([]);
  });
  it('reports unsorted and different rows', () => {
    expect(compareResults(q, result([['2', 'a'], ['1', 'c']]), result([['1', 'c'], ['2', 'a']]))[0]).toMatch(/not sorted/);
    expect(compareResults(q, result([['2', 'a']]), result([['2', 'x']]))[0]).toMatch(/rows differ/);
  });
  it('only counts rows tied at a LIMIT cut', () => {
    const lq = parseQuery('t', '-- sort: 1 desc\nselect k, v from t order by k desc limit 2');
    expect(compareResults(lq, result([['3', 'a'], ['2', 'b']]), result([['3', 'a'], ['2', 'z']]))).toEqual([]);
  });
  it('requires a sort header with ORDER BY', () => {
    expect(() => parseQuery('t', 'select 1 order by 1')).toThrow(/sort/);
    expect(parseQuery('t', 'select string_agg(x, \',\' order by x) from t').sortKeys).toBeUndefined();
  });
});
