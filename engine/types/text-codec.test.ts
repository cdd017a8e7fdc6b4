// Expected values were produced by PostgreSQL 15.18.
import { describe, expect, it } from 'vitest';
import { Numeric } from './numeric.js';
import { arrayOf, numericTypmod, T, typeByName } from './pg-type.js';
import { DEFAULT_FORMAT_SETTINGS as S, formatText, parseText } from './text-codec.js';
import { err } from './testing.js';

const roundTrip = (type = T.text, text: string, settings = S) => formatText(type, parseText(type, text, settings), settings);

describe('scalars', () => {
  it('bool', () => {
    expect([' yes ', 'of', 'TRUE', 't', '1', 'n', 'off', 'on'].map((s) => parseText(T.bool, s, S))).toEqual([true, false, true, true, true, false, false, true]);
    expect(formatText(T.bool, true, S)).toBe('t');
    expect(err(() => parseText(T.bool, 'o', S)).message).toBe('invalid input syntax for type boolean: "o"');
  });

  it('integers', () => {
    expect(parseText(T.int4, ' 12 ', S)).toBe(12);
    expect(parseText(T.int4, '-2147483648', S)).toBe(-2147483648);
    expect(parseText(T.int8, '-9223372036854775808', S)).toBe(-9223372036854775808n);
    expect(formatText(T.int8, 42n, S)).toBe('42');
    const e = err(() => parseText(T.int4, '1.5', S));
    expect([e.code, e.message]).toEqual(['22P02', 'invalid input syntax for type integer: "1.5"']);
    const r = err(() => parseText(T.int2, '99999', S));
    expect([r.code, r.message]).toEqual(['22003', 'value "99999" is out of range for type smallint']);
    expect(err(() => parseText(T.int8, '9223372036854775808', S)).message).toBe('value "9223372036854775808" is out of range for type bigint');
  });

  it('oid', () => {
    expect(parseText(T.oid, '-1', S)).toBe(4294967295);
    expect(err(() => parseText(T.oid, '4294967296', S)).message).toBe('value "4294967296" is out of range for type oid');
  });

  it('floats follow extra_float_digits', () => {
    expect(roundTrip(T.float8, '0.1')).toBe('0.1');
    expect(formatText(T.float8, 0.1 + 0.2, S)).toBe('0.30000000000000004');
    expect(formatText(T.float8, 0.1 + 0.2, { ...S, extraFloatDigits: 0 })).toBe('0.3');
    expect(formatText(T.float4, parseText(T.float4, '3.14159265', S), S)).toBe('3.1415927');
  });

  it('numeric with typmod', () => {
    expect(formatText(T.numeric, Numeric.fromString('1.50'), S)).toBe('1.50');
    expect(roundTrip(typeByName('numeric', numericTypmod(4, 2)), '12.345')).toBe('12.35');
    expect(err(() => parseText(typeByName('numeric', numericTypmod(4, 2)), '123.45', S)).message).toBe('numeric field overflow');
  });

  it('character types', () => {
    expect(parseText(typeByName('bpchar', 8), 'ab', S)).toBe('ab  ');
    expect(parseText(typeByName('bpchar', 8), 'abcd   ', S)).toBe('abcd');
    expect(parseText(typeByName('varchar', 7), 'abc   ', S)).toBe('abc');
    const e = err(() => parseText(typeByName('varchar', 7), 'abcdef', S));
    expect([e.code, e.message]).toEqual(['22001', 'value too long for type character varying(3)']);
    expect(err(() => parseText(typeByName('bpchar', 6), 'abcd', S)).message).toBe('value too long for type character(2)');
    expect(parseText(T.name, 'é'.repeat(40), S)).toBe('é'.repeat(31));
  });

  it('bytea', () => {
    const bytes = parseText(T.bytea, 'a\\\\b\\001\\377 ~', S) as Uint8Array;
    expect(formatText(T.bytea, bytes, S)).toBe('\\x615c6201ff207e');
    expect(formatText(T.bytea, bytes, { ...S, byteaOutput: 'escape' })).toBe('a\\\\b\\001\\377 ~');
    expect(formatText(T.bytea, parseText(T.bytea, '\\xDE AD be ef', S), { ...S, byteaOutput: 'escape' })).toBe('\\336\\255\\276\\357');
    expect(err(() => parseText(T.bytea, '\\x0', S)).message).toBe('invalid hexadecimal data: odd number of digits');
    expect(err(() => parseText(T.bytea, '\\xzz', S)).message).toBe('invalid hexadecimal digit: "z"');
    expect(err(() => parseText(T.bytea, 'a\\9', S)).message).toBe('invalid input syntax for type bytea');
  });

  it('uuid', () => {
    for (const s of ['{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11']) {
      expect(parseText(T.uuid, s, S)).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    }
    expect(err(() => parseText(T.uuid, 'xyz', S)).message).toBe('invalid input syntax for type uuid: "xyz"');
  });

  it('json keeps text, jsonb normalises', () => {
    expect(parseText(T.json, '{"b":1,  "a":2}', S)).toBe('{"b":1,  "a":2}');
    expect(parseText(T.jsonb, '{"b":[1,2],"a":1, "a":2}', S)).toBe('{"a": 2, "b": [1, 2]}');
    const e = err(() => parseText(T.json, '{x}', S));
    expect([e.code, e.message, e.detail]).toEqual(['22P02', 'invalid input syntax for type json', 'Token "x" is invalid.']);
  });

  it('date/time types use the settings', () => {
    const sql = { ...S, dateStyle: 'SQL, DMY', timeZone: 'Europe/Berlin' };
    expect(roundTrip(T.date, '2024-01-05', sql)).toBe('05/01/2024');
    expect(roundTrip(T.timestamptz, '2024-07-05 12:00+00', sql)).toBe('05/07/2024 14:00:00 CEST');
    expect(roundTrip(typeByName('timestamp', 0), '2024-01-05 13:04:05.5')).toBe('2024-01-05 13:04:06');
    expect(roundTrip(typeByName('time', 2), '13:04:05.555')).toBe('13:04:05.56');
    expect(roundTrip(T.interval, '1 year 2 mons', { ...S, intervalStyle: 'iso_8601' })).toBe('P1Y2M');
  });
});

describe('arrays', () => {
  const textArr = arrayOf(T.text);
  it('array_out quoting', () => {
    const v = ['a', '', 'NULL', null, 'a b', 'x"y', 'c\\\\d', '{', ',', 'é'];
    expect(formatText(textArr, v, S)).toBe('{a,"","NULL",NULL,"a b","x\\"y","c\\\\\\\\d","{",",",é}');
    expect(formatText(arrayOf(T.numeric), [Numeric.fromString('1.5'), null], S)).toBe('{1.5,NULL}');
    expect(formatText(arrayOf(T.bytea), [Uint8Array.of(1, 255)], S)).toBe('{"\\\\x01ff"}');
  });

  it('array_in', () => {
    expect(parseText(textArr, '{1, 2 ,"3", NULL, "NULL"}', S)).toEqual(['1', '2', '3', null, 'NULL']);
    expect(parseText(arrayOf(T.int4), '{}', S)).toEqual([]);
    expect(parseText(textArr, '{ "a b" , c\\\\,d }', S)).toEqual(['a b', 'c\\', 'd']);
    expect(parseText(arrayOf(T.int4), '[1:2]={1,2}', S)).toEqual([1, 2]);
    const cases: [string, string][] = [
      ['{1,2', 'Unexpected end of input.'],
      ['1,2', 'Array value must start with "{" or dimension information.'],
      ['{1,2}x', 'Junk after closing right brace.'],
    ];
    for (const [text, detail] of cases) {
      const e = err(() => parseText(arrayOf(T.int4), text, S));
      expect([e.code, e.message, e.detail]).toEqual(['22P02', `malformed array literal: "${text}"`, detail]);
    }
    expect(err(() => parseText(arrayOf(T.int4), '{1,x}', S)).message).toBe('invalid input syntax for type integer: "x"');
  });
});
