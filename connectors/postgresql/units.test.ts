import { describe, expect, it } from 'vitest';
import { arrayOf, formatType, T, typeByName } from '../../engine/types/pg-type.js';
import { parseTypeText } from '../../engine/types/type-names.js';
import { parseConfig } from './config.js';
import { blockSplits, keySplits, splitCondition } from './splits.js';
import { formatText, parseText } from '../../engine/types/text-codec.js';
import { mapRemoteType, REMOTE_TEXT, typeSql, valueParser, type RemoteTypeRow } from './types.js';
import { postgresqlDialect } from './dialect.js';

describe('catalog properties', () => {
  it('reads JDBC and libpq-style URLs', () => {
    expect(parseConfig('pg', { 'connection-url': 'jdbc:postgresql://db.example:6543/sales?ApplicationName=bi', 'connection-user': 'u', 'connection-password': 'p' }))
      .toMatchObject({ host: 'db.example', port: 6543, database: 'sales', user: 'u', password: 'p', applicationName: 'bi', maxConnections: 8 });
    expect(parseConfig('pg', { 'connection-url': 'postgresql://al%40ice:s%2Fecret@[::1]/db' }))
      .toMatchObject({ host: '::1', port: 5432, database: 'db', user: 'al@ice', password: 's/ecret' });
    expect(parseConfig('pg', { 'connection-url': 'jdbc:postgresql://h/d?user=x&password=y&sslmode=require&connectTimeout=3' }))
      .toMatchObject({ user: 'x', password: 'y', tls: { mode: 'require' }, connectTimeoutMs: 3000 });
    expect(parseConfig('pg', { 'connection-url': 'jdbc:postgresql://h/d', 'postgresql.max-connections': '3', 'postgresql.idle-timeout': '2m', 'postgresql.fetch-size': '500' }))
      .toMatchObject({ maxConnections: 3, idleTimeoutMs: 120_000, fetchSize: 500 });
  });

  it('rejects what it would otherwise ignore', () => {
    expect(() => parseConfig('pg', {})).toThrow(/connection-url/);
    expect(() => parseConfig('pg', { 'connection-url': 'jdbc:mysql://h/d' })).toThrow(/jdbc:postgresql/);
    expect(() => parseConfig('pg', { 'connection-url': 'jdbc:postgresql://a,b/d' })).toThrow(/several hosts/);
    expect(() => parseConfig('pg', { 'connection-url': 'jdbc:postgresql://h/d?currentSchema=x' })).toThrow(/currentSchema/);
    expect(() => parseConfig('pg', { 'connection-url': 'jdbc:postgresql://h/d?sslmode=prefer' })).toThrow(/sslmode/);
    expect(() => parseConfig('pg', { 'connection-url': 'jdbc:postgresql://h/d', 'connection-pasword': 'x' })).toThrow(/connection-pasword/);
    expect(() => parseConfig('pg', { 'connection-url': 'jdbc:postgresql://h/d', 'postgresql.max-connections': '0' })).toThrow(/positive/);
    expect(() => parseConfig('pg', { 'connection-url': 'jdbc:postgresql://h/d', 'postgresql.idle-timeout': 'soon' })).toThrow(/duration/);
  });
});

describe('type mapping', () => {
  const rows = new Map<number, RemoteTypeRow>([
    [90001, { oid: 90001, schema: 'public', name: 'email', kind: 'd', baseType: 90002, baseTypmod: -1, arrayElement: 0 }],
    [90002, { oid: 90002, schema: 'public', name: 'short', kind: 'd', baseType: 1043, baseTypmod: 24, arrayElement: 0 }],
    [90003, { oid: 90003, schema: 'public', name: '_email', kind: 'b', baseType: 0, baseTypmod: -1, arrayElement: 90001 }],
    [90004, { oid: 90004, schema: 'public', name: 'mood', kind: 'e', baseType: 0, baseTypmod: -1, arrayElement: 0 }],
    [90005, { oid: 90005, schema: 'public', name: '_mood', kind: 'b', baseType: 0, baseTypmod: -1, arrayElement: 90004 }],
    [3904, { oid: 3904, schema: 'pg_catalog', name: 'int4range', kind: 'r', baseType: 0, baseTypmod: -1, arrayElement: 0 }],
  ]);

  it('built-in types keep their modifiers; domains resolve to their base; arrays of domains too', () => {
    expect(mapRemoteType(1700, ((10 << 16) | 2) + 4, rows)).toEqual({ type: parseTypeText('numeric(10,2)') });
    expect(mapRemoteType(1015, 14, rows)).toEqual({ type: arrayOf(parseTypeText('varchar(10)')) });
    expect(mapRemoteType(90001, -1, rows)).toEqual({ type: parseTypeText('varchar(20)') });
    expect(mapRemoteType(90003, -1, rows)).toEqual({ type: arrayOf(parseTypeText('varchar(20)')) });
  });

  it('reports what Lakegate cannot represent', () => {
    expect(mapRemoteType(90004, -1, rows)).toEqual({ unsupported: 'public.mood (enum type)' });
    expect(mapRemoteType(90005, -1, rows)).toEqual({ unsupported: 'public._mood (array of public.mood (enum type))' });
    expect(mapRemoteType(3904, -1, rows)).toEqual({ unsupported: 'pg_catalog.int4range (range type)' });
    expect(mapRemoteType(2205, -1, rows)).toEqual({ unsupported: 'type with OID 2205' });
  });

  it('renders Lakegate types for CREATE TABLE', () => {
    const cases: [string, string][] = [
      ['integer', 'integer'], ['numeric(12,3)', 'numeric(12,3)'], ['numeric', 'numeric'], ['character varying(7)', 'character varying(7)'],
      ['character(2)', 'character(2)'], ['timestamp(3) with time zone', 'timestamp(3) with time zone'], ['time without time zone', 'time without time zone'],
      ['text[]', 'pg_catalog.text[]'], ['"char"', 'pg_catalog."char"'], ['double precision', 'double precision'], ['jsonb', 'pg_catalog.jsonb'],
    ];
    for (const [text, sql] of cases) expect(typeSql(parseTypeText(text))).toBe(sql);
    expect(typeSql(typeByName('interval', ((8 | 1024 | 2048 | 4096) << 16) | 3))).toBe('interval day to second(3)');
    expect(typeSql(typeByName('interval', (0x7fff << 16) | 2))).toBe('interval(2)');
    expect(typeSql(typeByName('interval', (4 << 16) | 0xffff))).toBe('interval year');
    expect(() => typeSql(T.regclass)).toThrow(/regclass/);
    expect(formatType(T.bpchar)).toBe('bpchar');
    expect(typeSql(T.bpchar)).toBe('pg_catalog.bpchar');
  });
});

describe('value parsing', () => {
  it('the fast paths read the pinned session text as PostgreSQL input functions do', () => {
    const texts: Record<string, string[]> = {
      date: ['2024-02-29', '0001-01-01', '9999-12-31', '1970-01-01', '1969-12-31', '1900-03-01', '0044-03-15 BC', 'infinity', '-infinity', '12345-01-01'],
      timestamp: ['2024-02-29 23:59:59.999999', '0001-01-01 00:00:00', '1969-12-31 23:59:59.5', '1970-01-01 00:00:00.000001', '2000-01-01 12:00:00.12', 'infinity', '0100-01-01 00:00:00 BC'],
      timestamptz: ['2024-02-29 23:59:59.999999+00', '1969-12-31 23:59:59.5+00', '0001-01-01 00:00:00+00', '-infinity', '1850-01-01 00:00:00+00'],
      numeric: ['0', '-0.001', '12345678901234567890.123456789', 'NaN', 'Infinity', '1.50'],
    };
    for (const [name, values] of Object.entries(texts)) {
      const type = parseTypeText(name === 'timestamptz' ? 'timestamp with time zone' : name);
      for (const v of values) expect(valueParser(type)(v), `${name} ${v}`).toEqual(parseText(type, v, REMOTE_TEXT));
    }
    for (let days = -800_000; days < 3_000_000; days += 997) {
      const text = formatText(T.timestamp, BigInt(days) * 86_400_000_000n + BigInt(days * 7919 % 86_400_000_000), REMOTE_TEXT);
      expect(valueParser(T.timestamp)(text)).toBe(parseText(T.timestamp, text, REMOTE_TEXT));
    }
  });
});

describe('splits', () => {
  it('key ranges cover the keys once, open at both ends', () => {
    expect(keySplits('id', 'int4', 1n, 10n, 3)).toEqual([
      { kind: 'key', column: 'id', typeName: 'int4', from: null, to: '5' },
      { kind: 'key', column: 'id', typeName: 'int4', from: '5', to: '9' },
      { kind: 'key', column: 'id', typeName: 'int4', from: '9', to: null },
    ]);
    expect(keySplits('id', 'int8', -5n, -4n, 8)).toHaveLength(2);
    expect(blockSplits(10, 4).map((s) => s.kind === 'blocks' && [s.from, s.to])).toEqual([[null, 2], [2, 5], [5, 7], [7, null]]);
    expect(blockSplits(2, 8)).toHaveLength(2);
  });

  it('conditions bind every bound', () => {
    const bound: unknown[] = [];
    const bind = (v: unknown) => `$${bound.push(v)}`;
    const quote = (n: string) => `"${n}"`;
    expect(splitCondition({ kind: 'key', column: 'i"d', typeName: 'int8', from: '5', to: '9' }, (n) => `"${n.replaceAll('"', '""')}"`)!(bind))
      .toBe('"i""d" >= $1::pg_catalog.int8 AND "i""d" < $2::pg_catalog.int8');
    expect(splitCondition({ kind: 'blocks', from: null, to: 7 }, quote)!(bind)).toBe('ctid < $3::pg_catalog.tid');
    expect(bound).toEqual(['5', '9', '(7,0)']);
    expect(splitCondition({ kind: 'whole' }, quote)).toBeUndefined();
  });
});

describe('dialect constants', () => {
  const dialect = postgresqlDialect({ byteOrderText: true });
  it('binds constants, and writes an access rule\'s constant as a literal quoted by doubling', () => {
    expect(dialect.constant("O'Brien \\x", T.text, '$1')).toEqual({ sql: '$1::pg_catalog.text', value: "O'Brien \\x" });
    // standard_conforming_strings is pinned on, so a backslash is an ordinary character
    expect(dialect.literal!("O'Brien \\x'); DROP TABLE t; --", T.text)).toBe("'O''Brien \\x''); DROP TABLE t; --'::pg_catalog.text");
    expect(dialect.literal!('2024-02-01', T.date)).toBe("'2024-02-01'::pg_catalog.date");
    expect(dialect.literal!('a\u0000b', T.text)).toBeUndefined();
  });
});
