import { describe, expect, it } from 'vitest';
import { runTable } from '../testing.js';

const col = (rows: (string | null)[][]) => rows.map((r) => r[0] ?? 'N').join(',');

describe('table functions (expected values from PostgreSQL 15)', () => {
  it('generate_series', () => {
    expect(col(runTable('generate_series(numeric,numeric,numeric)', ['1', '3', '0.5']))).toBe('1,1.5,2.0,2.5,3.0');
    expect(col(runTable('generate_series(int4,int4,int4)', ['5', '1', '-2']))).toBe('5,3,1');
    expect(col(runTable('generate_series(int8,int8)', ['1', '3']))).toBe('1,2,3');
    expect(col(runTable('generate_series(timestamptz,timestamptz,interval)', ['2020-01-31', '2020-04-30', '1 month'])))
      .toBe('2020-01-31 00:00:00+00,2020-02-29 00:00:00+00,2020-03-29 00:00:00+00,2020-04-29 00:00:00+00');
    expect(() => runTable('generate_series(int4,int4,int4)', ['1', '3', '0'])).toThrow('step size cannot equal zero');
    expect(runTable('generate_series(int4,int4)', [null, '3'])).toEqual([]);
  });
  it('arrays and text', () => {
    expect(col(runTable('unnest(_int4)', ['{1,NULL,3}']))).toBe('1,N,3');
    expect(col(runTable('generate_subscripts(_text,int4,bool)', ['{a,b,c}', '1', 't']))).toBe('3,2,1');
    expect(runTable('information_schema._pg_expandarray(_int2)', ['{3,NULL,1}'])).toEqual([['3', '1'], [null, '2'], ['1', '3']]);
    expect(col(runTable('regexp_matches(text,text,text)', ['a1b22', '(\\d)(\\d)?', 'g']))).toBe('{1,NULL},{2,2}');
    expect(col(runTable('regexp_split_to_table(text,text)', ['a b  c', '\\s+']))).toBe('a,b,c');
    expect(col(runTable('string_to_table(text,text)', ['a|b', '|']))).toBe('a,b');
  });
  it('json', () => {
    expect(runTable('jsonb_each(jsonb)', ['{"b":[1],"a":"x"}'])).toEqual([['a', '"x"'], ['b', '[1]']]);
    expect(runTable('json_each_text(json)', ['{"b": [1,  2], "a":"x"}'])).toEqual([['b', '[1,  2]'], ['a', 'x']]);
    expect(col(runTable('jsonb_array_elements_text(jsonb)', ['[1,"a",null]']))).toBe('1,a,N');
    expect(() => runTable('jsonb_array_elements(jsonb)', ['{}'])).toThrow('cannot extract elements from an object');
  });
});
