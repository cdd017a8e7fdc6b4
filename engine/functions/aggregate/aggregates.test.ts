import { describe, expect, it } from 'vitest';
import { vectorFromDatums } from '../../execution/batch/vector.js';
import { arrayOf, T } from '../../types/pg-type.js';
import { aggregateById } from '../registry.js';
import { runAggregate } from '../testing.js';
import { withInputOrder } from './ordered.js';

const rows = (...xs: (string | null)[]) => xs.map((x) => [x]);

describe('statistics aggregates (expected values from PostgreSQL 15)', () => {
  it('numeric variance and stddev scales', () => {
    expect(runAggregate('variance(int4)', rows('1', '2', '4'))).toBe('2.3333333333333333');
    expect(runAggregate('var_pop(int4)', rows('1', '2', '4'))).toBe('1.5555555555555556');
    expect(runAggregate('stddev(int4)', rows('1', '2', '4'))).toBe('1.5275252316519467');
    expect(runAggregate('stddev_pop(int4)', rows('1', '2', '4'))).toBe('1.2472191289246471');
    expect(runAggregate('variance(numeric)', rows('1.5', '2.25', '4.125'))).toBe('1.8281250000000000');
    expect(runAggregate('stddev(numeric)', rows('1.5', '2.25', '4.125'))).toBe('1.3520817282989960');
    expect(runAggregate('stddev_pop(numeric)', rows('1.5', '2.25', '4.125'))).toBe('1.1039701082909809');
    expect(runAggregate('variance(int4)', rows('1', '1', '1'))).toBe('0');
    expect(runAggregate('variance(int4)', rows('1'))).toBeNull();
    expect(runAggregate('var_pop(int4)', rows('1'))).toBe('0');
    expect(runAggregate('variance(int4)', [])).toBeNull();
  });
  it('float variance', () => {
    expect(runAggregate('variance(float8)', rows('1', '2', '4'))).toBe('2.3333333333333335');
  });
  it('regression family', () => {
    const xy = [['2', '1'], ['4.5', '2'], ['5.5', '3']];
    expect(runAggregate('corr(float8,float8)', xy)).toBe('0.9707253433941511');
    expect(runAggregate('covar_pop(float8,float8)', xy)).toBe('1.1666666666666667');
    expect(runAggregate('covar_samp(float8,float8)', xy)).toBe('1.75');
    expect(runAggregate('regr_slope(float8,float8)', xy)).toBe('1.75');
    expect(runAggregate('regr_intercept(float8,float8)', xy)).toBe('0.5');
    expect(runAggregate('regr_r2(float8,float8)', xy)).toBe('0.9423076923076923');
    expect(runAggregate('regr_count(float8,float8)', xy)).toBe('3');
    expect(runAggregate('regr_count(float8,float8)', [])).toBe('0');
  });
  it('bool and bit aggregates', () => {
    expect(runAggregate('bool_and(bool)', rows('t', null, 'f'))).toBe('f');
    expect(runAggregate('bool_or(bool)', rows('f', null, 't'))).toBe('t');
    expect(runAggregate('every(bool)', rows(null))).toBeNull();
    expect(runAggregate('bit_and(int4)', rows('7', '14'))).toBe('6');
    expect(runAggregate('bit_or(int8)', rows('1', '4'))).toBe('5');
    expect(runAggregate('bit_xor(int2)', rows('3', '5'))).toBe('6');
  });
});

describe('collecting aggregates', () => {
  it('array_agg keeps NULLs, NULL for no rows', () => {
    expect(runAggregate('array_agg(int4)', rows('1', null, '3'))).toBe('{1,NULL,3}');
    expect(runAggregate('array_agg(text)', [])).toBeNull();
  });
  it('string_agg uses each row delimiter and skips NULL values', () => {
    expect(runAggregate('string_agg(text,text)', [['a', ','], [null, ';'], ['b', '-'], ['c', null]])).toBe('a-bc');
    expect(runAggregate('string_agg(text,text)', [[null, ',']])).toBeNull();
    expect(runAggregate('string_agg(bytea,bytea)', [['\\x01', '\\xff'], ['\\x02', '\\xff']])).toBe('\\x01ff02');
  });
  it('withInputOrder sorts the input of any aggregate', () => {
    const fn = aggregateById('array_agg(int4)')!;
    const acc = withInputOrder(() => fn.create([T.int4]), [T.int4], [{ type: T.text, descending: true, nullsFirst: true }]);
    acc.resize(2);
    acc.add(Int32Array.from([0, 1, 0, 0]), [vectorFromDatums(T.int4, [1, 2, 3, 4]), vectorFromDatums(T.text, ['b', 'x', null, 'c'])], 4);
    const out = acc.finish(2);
    expect(out.data).toEqual([[3, 4, 1], [2]]);
  });
});

describe('ordered-set aggregates', () => {
  const asc = (type = T.int4) => [{ type, descending: false, nullsFirst: false }];
  const data = [['0.5', '1'], ['0.5', '2'], ['0.5', '2'], ['0.5', '10'], ['0.5', null]];
  it('percentile_cont, percentile_disc, mode', () => {
    expect(runAggregate('percentile_cont(float8,float8)', data)).toBe('2');
    expect(runAggregate('percentile_disc(float8,int4)', data, undefined, asc())).toBe('2');
    expect(runAggregate('mode(int4)', data.map((r) => [r[1]!]), undefined, asc())).toBe('2');
    const desc = [{ type: T.float8, descending: true, nullsFirst: false }];
    expect(runAggregate('percentile_cont(float8,float8)', data.map((r) => ['0.25', r[1]!]), undefined, desc)).toBe('4');
    const many = data.map((r) => ['{0.1,0.9}', r[1]!]);
    expect(runAggregate('percentile_cont(_float8,float8)', many, [arrayOf(T.float8), T.float8])).toBe('{1.3,7.600000000000001}');
    expect(runAggregate('percentile_cont(float8,interval)', [['0.5', '1 day'], ['0.5', '2 days 3 hours']])).toBe('1 day 13:30:00');
  });
  it('rejects fractions outside [0, 1]', () => {
    expect(() => runAggregate('percentile_cont(float8,float8)', [['1.5', '1']])).toThrow('percentile value 1.5 is not between 0 and 1');
  });
  it('no rows gives NULL', () => {
    expect(runAggregate('percentile_cont(float8,float8)', [])).toBeNull();
  });
});

describe('sum and avg stay exact (expected values from PostgreSQL 15)', () => {
  it('numeric sums across scales, past 2^53, with NaN and infinities', () => {
    expect(runAggregate('sum(numeric)', rows('1.5', '2.25', '-0.125', null))).toBe('3.625');
    expect(runAggregate('sum(numeric)', rows('9007199254740991', '9007199254740991', '0.1'))).toBe('18014398509481982.1');
    expect(runAggregate('sum(numeric)', rows('4503599627370496.5', '4503599627370496.5', '-1'))).toBe('9007199254740992.0');
    expect(runAggregate('sum(numeric)', rows('1e30', '1', '-1e30'))).toBe('1');
    expect(runAggregate('sum(numeric)', rows('1', 'NaN', '2'))).toBe('NaN');
    expect(runAggregate('sum(numeric)', rows('Infinity', '5', 'Infinity'))).toBe('Infinity');
    expect(runAggregate('sum(numeric)', rows('Infinity', '-Infinity'))).toBe('NaN');
    expect(runAggregate('sum(numeric)', rows(null))).toBeNull();
    expect(runAggregate('avg(numeric)', rows('1', '2', '2'))).toBe('1.6666666666666667');
    expect(runAggregate('avg(numeric)', rows('Infinity', '1'))).toBe('Infinity');
  });
  it('integer sums', () => {
    expect(runAggregate('sum(int4)', rows('2147483647', '2147483647', '-5'))).toBe('4294967289');
    expect(runAggregate('sum(int8)', rows('9223372036854775807', '9223372036854775807'))).toBe('18446744073709551614');
    expect(runAggregate('sum(int8)', rows('-9007199254740993', '1', null))).toBe('-9007199254740992');
    expect(runAggregate('avg(int8)', rows('9223372036854775807', '1'))).toBe('4611686018427387904');
    expect(runAggregate('avg(int4)', rows('1', '2'))).toBe('1.5000000000000000');
    expect(runAggregate('sum(int2)', rows(null, null))).toBeNull();
  });
  it('float sums', () => {
    expect(runAggregate('sum(float8)', rows('0.1', '0.2', 'NaN'))).toBe('NaN');
    expect(runAggregate('sum(float8)', rows('0.1', '0.2'))).toBe('0.30000000000000004');
    expect(runAggregate('avg(float8)', rows('1', '2'))).toBe('1.5');
  });
});

