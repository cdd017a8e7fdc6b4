// Expected values were produced by PostgreSQL 15.18.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/index.js';
import { formatFloat, formatG, parseFloatText } from './float-text.js';

describe('float8out / float4out', () => {
  it('shortest round-trip with extra_float_digits = 1', () => {
    const f8 = [1e20, 1.5e-5, 123456789012345, 1234567890123456, 0.0001, 0.1 + 0.2, -0, NaN, -Infinity, 1e15, 1e14, 1.7976931348623157e308, 5e-324, 100, 0.00001234];
    expect(f8.map((v) => formatFloat(v))).toEqual([
      '1e+20', '1.5e-05', '123456789012345', '1.234567890123456e+15', '0.0001', '0.30000000000000004', '-0', 'NaN', '-Infinity',
      '1e+15', '100000000000000', '1.7976931348623157e+308', '5e-324', '100', '1.234e-05',
    ]);
    const f4 = [1000000, 123456, 1234567, 0.1, 3.14159265, 1e-5, 0.0001, 16777217, 1.17549435e-38, 3.4028235e38, 1e-45].map(Math.fround);
    expect(f4.map((v) => formatFloat(v, 1, true))).toEqual([
      '1e+06', '123456', '1.234567e+06', '0.1', '3.1415927', '1e-05', '0.0001', '1.6777216e+07', '1.1754944e-38', '3.4028235e+38', '1e-45',
    ]);
  });

  it('%.{15+efd}g with extra_float_digits <= 0', () => {
    const vals = [1e20, 1.5e-5, 0.1 + 0.2, 1 / 3, 123456789012345678, 1e15, 1e14, 100, -0];
    expect(vals.map((v) => formatFloat(v, 0))).toEqual(['1e+20', '1.5e-05', '0.3', '0.333333333333333', '1.23456789012346e+17', '1e+15', '100000000000000', '100', '-0']);
    expect(vals.map((v) => formatFloat(v, -1))).toEqual(['1e+20', '1.5e-05', '0.3', '0.33333333333333', '1.2345678901235e+17', '1e+15', '1e+14', '100', '-0']);
    expect(vals.map((v) => formatFloat(v, -15))).toEqual(['1e+20', '2e-05', '0.3', '0.3', '1e+17', '1e+15', '1e+14', '1e+02', '-0']);
    expect([0.1, 1000000, 100000].map((v) => formatFloat(Math.fround(v), 0, true))).toEqual(['0.1', '1e+06', '100000']);
    expect(formatFloat(Math.fround(100000), -1, true)).toBe('1e+05');
  });

  it('formatG rounds the exact binary value half to even', () => {
    expect(formatG(1234567890123455, 15)).toBe('1.23456789012346e+15');
    expect(formatG(0.5, 1)).toBe('0.5');
    expect(formatG(2.5, 1)).toBe('2');
  });
});

describe('float8in / float4in', () => {
  it('accepts PG spellings', () => {
    expect([' 1.5 ', '+inf', 'infinity', ' NaN ', '-1e3', '.5', '0x10'].map((s) => parseFloatText(s))).toEqual([1.5, Infinity, Infinity, NaN, -1000, 0.5, 16]);
    expect(parseFloatText('-Infinity', true)).toBe(-Infinity);
    expect(parseFloatText('0.1', true)).toBe(Math.fround(0.1));
  });

  it.each([
    ['1e400', false, '22003', '"1e400" is out of range for type double precision'],
    ['1e-400', false, '22003', '"1e-400" is out of range for type double precision'],
    ['1e40', true, '22003', '"1e40" is out of range for type real'],
    ['abc', true, '22P02', 'invalid input syntax for type real: "abc"'],
    ['', false, '22P02', 'invalid input syntax for type double precision: ""'],
  ])('rejects %j', (text, real, code, message) => {
    try {
      parseFloatText(text, real);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SqlError);
      expect([(e as SqlError).code, (e as SqlError).message]).toEqual([code, message]);
    }
  });
});
