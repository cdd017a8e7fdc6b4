// Expected bytes are PostgreSQL 15.18's *_send output (encode(numeric_send(...), 'hex') etc.).
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../engine/errors/index.js';
import { Numeric } from '../../engine/types/numeric.js';
import { arrayOf, T, type PgType } from '../../engine/types/pg-type.js';
import { DEFAULT_FORMAT_SETTINGS as S, formatText, parseText } from '../../engine/types/text-codec.js';
import { decodeBinary, encodeBinary } from './binary-codec.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

const CASES: [PgType, string, string][] = [
  [T.numeric, '0', '0000000000000000'],
  [T.numeric, '0.00', '0000000000000002'],
  [T.numeric, '1.5', '000200000000000100011388'],
  [T.numeric, '-0.00012', '0002ffff40000005000107d0'],
  [T.numeric, '10000', '0001000100000000' + '0001'],
  [T.numeric, 'NaN', '00000000c0000000'],
  [T.numeric, 'Infinity', '00000000d0000020'],
  [T.numeric, '-Infinity', '00000000f0000020'],
  [T.int4, '-5', 'fffffffb'],
  [T.int8, '-9223372036854775808', '8000000000000000'],
  [T.int2, '-5', 'fffb'],
  [T.bool, 't', '01'],
  [T.oid, '4294967295', 'ffffffff'],
  [T.float8, '-0.1', 'bfb999999999999a'],
  [T.float4, '1.5', '3fc00000'],
  [T.date, '2024-01-05', '00002242'],
  [T.date, 'infinity', '7fffffff'],
  [T.date, '-infinity', '80000000'],
  [T.timestamp, 'infinity', '7fffffffffffffff'],
  [T.timestamp, '2000-01-01 00:00:01', '00000000000f4240'],
  [T.time, '00:00:01', '00000000000f4240'],
  [T.interval, '-1 mon 2 days 00:00:01', '00000000000f424000000002ffffffff'],
  [T.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc999c0b4ef8bb6d6bb9bd380a11'],
  [T.jsonb, '{"a":1}', '017b2261223a20317d'],
  [T.text, 'hé', '68c3a9'],
  [T.bytea, '\\x01ff', '01ff'],
  [arrayOf(T.int4), '{1,NULL}', '00000001000000010000001700000002000000010000000400000001ffffffff'],
  [arrayOf(T.text), '{}', '000000000000000000000019'],
];

describe('binary send/recv', () => {
  it.each(CASES)('%o %s', (type, text, wire) => {
    const datum = parseText(type, text, S);
    expect(hex(encodeBinary(type, datum))).toBe(wire);
    expect(formatText(type, decodeBinary(type, bytes(wire)), S)).toBe(formatText(type, datum, S));
  });

  it('timestamps count from 2000-01-01', () => {
    expect(decodeBinary(T.timestamptz, bytes('0000000000000000'))).toBe(946684800000000n);
  });

  it('numeric_recv truncates digits hidden by dscale', () => {
    // 1.5 with dscale 0
    expect((decodeBinary(T.numeric, bytes('000200000000000000011388')) as Numeric).toString()).toBe('1');
  });

  it.each([
    [T.int4, '0001', 'incorrect binary data format'],
    [T.int8, '00000001', 'incorrect binary data format'],
    [T.numeric, '000100000000000027100000', 'incorrect binary data format'],
    [T.numeric, '0001000000000000' + '2710', 'invalid digit in external "numeric" value'],
    [T.numeric, '0000000012340000', 'invalid sign in external "numeric" value'],
    [T.jsonb, '027b7d', 'unsupported jsonb version number 2'],
    [T.uuid, '0102', 'incorrect binary data format'],
    [arrayOf(T.int4), '000000010000000000000017000000020000000100000004', 'incorrect binary data format'],
  ])('rejects malformed %o', (type, wire, message) => {
    try {
      decodeBinary(type, bytes(wire));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SqlError);
      expect([(e as SqlError).code, (e as SqlError).message]).toEqual(['22P03', message]);
    }
  });
});
