// Expected values were produced by PostgreSQL 15.18.
import { describe, expect, it } from 'vitest';
import { applyTypmod, canCast, castDatum, commonType } from './cast.js';
import { parseInterval } from './interval.js';
import { Numeric } from './numeric.js';
import { arrayOf, numericTypmod, T, typeByName } from './pg-type.js';
import { DEFAULT_FORMAT_SETTINGS as S, formatText, parseText } from './text-codec.js';
import { err } from './testing.js';

const n = (s: string) => Numeric.fromString(s);
const cast = (v: unknown, from = T.text, to = T.text, settings = S) => castDatum(v, from, to, settings);

describe('castDatum', () => {
  it('integers and range errors', () => {
    expect(cast(5, T.int4, T.int8)).toBe(5n);
    expect(err(() => cast(3000000000n, T.int8, T.int4)).message).toBe('integer out of range');
    expect(err(() => cast(70000, T.int4, T.int2)).message).toBe('smallint out of range');
    expect(err(() => cast(1e19, T.float8, T.int8)).message).toBe('bigint out of range');
    expect(err(() => cast(NaN, T.float8, T.int4)).code).toBe('22003');
  });

  it('float → int rounds half to even, numeric → int half away from zero', () => {
    expect([2.5, 3.5, -2.5].map((v) => cast(v, T.float8, T.int4))).toEqual([2, 4, -2]);
    expect(cast(2.5, T.float8, T.int2)).toBe(2);
    expect(cast(n('2.5'), T.numeric, T.int4)).toBe(3);
    expect(cast(n('-2.5'), T.numeric, T.int8)).toBe(-3n);
    expect(err(() => cast(n('NaN'), T.numeric, T.int4)).message).toBe('cannot convert NaN to integer');
    expect(err(() => cast(n('inf'), T.numeric, T.int8)).message).toBe('cannot convert infinity to bigint');
    expect(err(() => cast(n('3000000000'), T.numeric, T.int4)).message).toBe('integer out of range');
  });

  it('floats and numeric', () => {
    expect(String(cast(0.1, T.float8, T.numeric))).toBe('0.1');
    expect(String(cast(Math.fround(1.5), T.float4, T.numeric))).toBe('1.5');
    expect(String(cast(1e20, T.float8, T.numeric))).toBe('100000000000000000000');
    expect(cast(n('0.1'), T.numeric, T.float8)).toBe(0.1);
    expect(formatText(T.float8, cast(Math.fround(0.001), T.float4, T.float8), S)).toBe('0.0010000000474974513');
    expect(formatText(T.float4, cast(123.456, T.float8, T.float4), S)).toBe('123.456');
    expect(err(() => cast(1e39, T.float8, T.float4)).message).toBe('value out of range: overflow');
    expect(err(() => cast(1e-50, T.float8, T.float4)).message).toBe('value out of range: underflow');
    expect(err(() => cast(n('1e39'), T.numeric, T.float4)).message).toBe('"1000000000000000000000000000000000000000" is out of range for type real');
    expect(String(cast(n('12.5'), T.numeric, typeByName('numeric', numericTypmod(3, 0))))).toBe('13');
  });

  it('strings', () => {
    expect(cast(true, T.bool, T.text)).toBe('true');
    expect(cast(n('1.50'), T.numeric, T.text)).toBe('1.50');
    expect(cast('ab  ', T.bpchar, T.varchar)).toBe('ab');
    expect(cast('abcd', T.text, typeByName('bpchar', 6))).toBe('ab');
    expect(cast('abcdef', T.text, typeByName('varchar', 7))).toBe('abc');
    expect(cast('ab', T.text, typeByName('bpchar', 8))).toBe('ab  ');
    expect(cast('12', T.text, T.int4)).toBe(12);
    expect(err(() => cast('x', T.text, T.int4)).message).toBe('invalid input syntax for type integer: "x"');
    expect(cast(1704412800000000n, T.timestamptz, T.text, { ...S, timeZone: 'Asia/Kolkata' })).toBe('2024-01-05 05:30:00+05:30');
  });

  it('bool, oid, json', () => {
    expect(cast(1, T.int4, T.bool)).toBe(true);
    expect(cast(true, T.bool, T.int4)).toBe(1);
    expect(cast(4294967295, T.oid, T.int4)).toBe(-1);
    expect(cast(-1, T.int4, T.oid)).toBe(4294967295);
    expect(cast('{"b":1, "a":2}', T.json, T.jsonb)).toBe('{"a": 2, "b": 1}');
    expect(cast('1.5', T.jsonb, T.numeric)?.toString()).toBe('1.5');
    expect(err(() => cast('"x"', T.jsonb, T.int4)).message).toBe('cannot cast jsonb string to type integer');
  });

  it('date/time', () => {
    const ny = { ...S, timeZone: 'America/New_York' };
    const d = parseText(T.date, '2024-01-05', S);
    expect(formatText(T.timestamptz, cast(d, T.date, T.timestamptz, ny), ny)).toBe('2024-01-05 00:00:00-05');
    expect(formatText(T.date, cast(parseText(T.timestamptz, '2024-01-05 23:30-08', ny), T.timestamptz, T.date, ny), ny)).toBe('2024-01-06');
    expect(formatText(T.timestamp, cast(parseText(T.timestamptz, '2024-01-05 23:30+00', ny), T.timestamptz, T.timestamp, ny), ny)).toBe('2024-01-05 18:30:00');
    expect(formatText(T.interval, cast(3_600_000_000n, T.time, T.interval), S)).toBe('01:00:00');
    expect(formatText(T.time, cast(parseInterval('-1 hour'), T.interval, T.time), S)).toBe('23:00:00');
  });

  it('arrays element-wise', () => {
    expect(cast(['1.5', '2.5'], arrayOf(T.text), arrayOf(T.numeric))).toEqual([n('1.5'), n('2.5')]);
    expect(cast([n('1.5'), null, n('2.5')], arrayOf(T.numeric), arrayOf(T.int4))).toEqual([2, null, 3]);
    expect(cast([1, 2], arrayOf(T.int4), T.text)).toBe('{1,2}');
  });

  it('applyTypmod errors on implicit overflow and truncates explicitly', () => {
    const v3 = typeByName('varchar', 7);
    expect(applyTypmod('abc   ', v3, false)).toBe('abc');
    expect(applyTypmod('abcdef', v3, true)).toBe('abc');
    const e = err(() => applyTypmod('abcdef', v3, false));
    expect([e.code, e.message]).toEqual(['22001', 'value too long for type character varying(3)']);
  });
});

describe('canCast / commonType', () => {
  it('follows pg_cast contexts', () => {
    expect(canCast(T.int4, T.int8)).toBe('implicit');
    expect(canCast(T.int8, T.int4)).toBe('assignment');
    expect(canCast(T.numeric, T.float8)).toBe('implicit');
    expect(canCast(T.float8, T.numeric)).toBe('assignment');
    expect(canCast(T.bool, T.int4)).toBe('explicit');
    expect(canCast(T.int4, T.text)).toBe('assignment');
    expect(canCast(T.text, T.int4)).toBe('explicit');
    expect(canCast(T.date, T.timestamptz)).toBe('implicit');
    expect(canCast(T.timestamptz, T.date)).toBe('assignment');
    expect(canCast(T.unknown, T.date)).toBe('implicit');
    expect(canCast(T.uuid, T.int4)).toBeNull();
    expect(canCast(arrayOf(T.int4), arrayOf(T.int8))).toBe('implicit');
  });

  it('select_common_type', () => {
    expect(commonType([T.int4, T.numeric])).toBe(T.numeric);
    expect(commonType([T.int4, T.int8, T.int2])).toBe(T.int8);
    expect(commonType([T.numeric, T.float8])).toBe(T.float8);
    expect(commonType([T.float8, T.numeric])).toBe(T.float8);
    expect(commonType([T.unknown, T.unknown])).toBe(T.text);
    expect(commonType([T.unknown, T.int4])).toBe(T.int4);
    expect(commonType([T.varchar, T.text])).toBe(T.varchar);
    expect(commonType([T.text, T.varchar])).toBe(T.text);
    expect(commonType([T.numeric, T.float4])).toBe(T.float4);
    expect(commonType([T.int4, T.oid])).toBe(T.oid);
    expect(commonType([T.date, T.timestamp])).toBe(T.timestamp);
    expect(commonType([T.timestamp, T.timestamptz])).toBe(T.timestamptz);
    expect(commonType([T.int4, T.text])).toBeUndefined();
    expect(commonType([T.bool, T.int4])).toBeUndefined();
    expect(commonType([typeByName('varchar', 14), typeByName('varchar', 14)])?.typmod).toBe(14);
    expect(commonType([typeByName('varchar', 14), typeByName('varchar', 20)])?.typmod).toBe(-1);
  });
});
