/** Type mapping, values, metadata, statistics and native queries against the real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { formatType, type PgType } from '../../engine/types/pg-type.js';
import { mysqlConnectorFactory, type MySqlConnector } from './index.js';
import { AdminConnection, testProperties } from './testing.js';

const DB = 'lgt_types';
/** format_type(), with the fractional digits of time and timestamp shown. */
const typeText = (t: PgType) => (t.name === 'timestamp' || t.name === 'time' ? `${t.name}(${t.typmod})` : formatType(t));
const admin = new AdminConnection();
const session = { user: 'tester', queryId: 'q' };
let my: MySqlConnector;
let s: TestSession;

const COLUMNS: [string, string, string][] = [
  // name, MySQL type, PostgreSQL type
  ['id', 'INT PRIMARY KEY', 'integer'],
  ['b', 'BOOLEAN', 'boolean'],
  ['ti', 'TINYINT', 'smallint'],
  ['tiu', 'TINYINT UNSIGNED', 'smallint'],
  ['si', 'SMALLINT', 'smallint'],
  ['siu', 'SMALLINT UNSIGNED', 'integer'],
  ['mi', 'MEDIUMINT UNSIGNED', 'integer'],
  ['i', 'INT', 'integer'],
  ['iu', 'INT UNSIGNED', 'bigint'],
  ['bi', 'BIGINT', 'bigint'],
  ['biu', 'BIGINT UNSIGNED', 'numeric(20,0)'],
  ['d', 'DECIMAL(38,10)', 'numeric(38,10)'],
  ['d0', 'DECIMAL(65,0)', 'numeric(65,0)'],
  ['f', 'FLOAT', 'real'],
  ['db', 'DOUBLE', 'double precision'],
  ['c', 'CHAR(5)', 'character(5)'],
  ['vc', 'VARCHAR(20)', 'character varying(20)'],
  ['t', 'TEXT', 'text'],
  ['lt', 'LONGTEXT', 'text'],
  ['l1', 'VARCHAR(10) CHARACTER SET latin1', 'character varying(10)'],
  ['bn', 'BINARY(4)', 'bytea'],
  ['vb', 'VARBINARY(10)', 'bytea'],
  ['bl', 'BLOB', 'bytea'],
  ['dt', 'DATE', 'date'],
  ['dtm', 'DATETIME(6)', 'timestamp(6)'],
  ['dt0', 'DATETIME', 'timestamp(0)'],
  ['ts', 'TIMESTAMP(3) NULL', 'timestamp(3)'],
  ['tm', 'TIME(6)', 'time(6)'],
  ['y', 'YEAR', 'smallint'],
  ['j', 'JSON', 'json'],
  ['e', "ENUM('x','y')", 'text'],
  ['st', "SET('p','q')", 'text'],
  ['bt', 'BIT(10)', 'bigint'],
  ['b1', 'BIT(1)', 'boolean'],
  ['b64', 'BIT(64)', 'numeric(20,0)'],
  ['u', 'UUID', 'uuid'],
];

const ROWS: (string | null)[][] = [
  ['1', '1', '-128', '255', '-32768', '65535', '16777215', '-2147483648', '4294967295', '-9223372036854775808', '18446744073709551615',
    '-1234567890123456789012345678.0123456789', '99999999999999999999999999999999999999999999999999999999999999999', '1.1', '0.1', 'ab', 'x y ',
    'txt😀 𝄞', 'a\\b\'c"d', 'é', 'ab', 'cd', '\\\u0000\u00ff', '2020-02-29', '2020-01-02 03:04:05.000006', '1999-12-31 23:59:59',
    '2021-01-01 00:00:00.123', '23:59:59.999999', '2024', '{"a": [1, 2.50, 12345678901234567890]}', 'y', 'p,q', '682', '1', '18446744073709551615',
    '123e4567-e89b-12d3-a456-426614174000'],
  ['2', '0', '0', '0', '0', '0', '0', '0', '0', '9223372036854775807', '0', '0.0000000000', '0', '3.4028234e38', '-1e-300', '', '', '', '', '',
    '\u0000', '', '', '1000-01-01', '9999-12-31 23:59:59.999999', '1000-01-01 00:00:00', '1970-01-01 00:00:01', '00:00:00', '1901', '[]', 'x', '',
    '0', '0', '0', '00000000-0000-0000-0000-000000000000'],
  ['3', '2', ...Array<null>(COLUMNS.length - 2).fill(null)],
];

/** What Lakegate shows for ROWS (PostgreSQL text output). */
const EXPECTED: (string | null)[][] = [
  ['1', 't', '-128', '255', '-32768', '65535', '16777215', '-2147483648', '4294967295', '-9223372036854775808', '18446744073709551615',
    '-1234567890123456789012345678.0123456789', '99999999999999999999999999999999999999999999999999999999999999999', '1.1', '0.1', 'ab   ', 'x y ',
    'txt😀 𝄞', 'a\\b\'c"d', 'é', '\\x61620000', '\\x6364', '\\x5c00ff', '2020-02-29', '2020-01-02 03:04:05.000006', '1999-12-31 23:59:59',
    '2021-01-01 00:00:00.123', '23:59:59.999999', '2024', '{"a": [1, 2.50, 12345678901234567890]}', 'y', 'p,q', '682', 't', '18446744073709551615',
    '123e4567-e89b-12d3-a456-426614174000'],
  ['2', 'f', '0', '0', '0', '0', '0', '0', '0', '9223372036854775807', '0', '0.0000000000', '0', '3.4028235e+38', '-1e-300', '     ', '', '', '', '',
    '\\x00000000', '\\x', '\\x', '1000-01-01', '9999-12-31 23:59:59.999999', '1000-01-01 00:00:00', '1970-01-01 00:00:01', '00:00:00', '1901', '[]', 'x', '',
    '0', 'f', '0', '00000000-0000-0000-0000-000000000000'],
  ['3', 't', ...Array<null>(COLUMNS.length - 2).fill(null)],
];

beforeAll(async () => {
  await admin.run(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.run(`CREATE DATABASE ${DB}`);
  await admin.run(`CREATE TABLE ${DB}.kinds (${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`);
  const bits = new Set(['bt', 'b1', 'b64']);
  const placeholders = COLUMNS.map(([n]) => (bits.has(n) ? 'CAST(? AS UNSIGNED)' : '?')).join(', ');
  for (const r of ROWS) {
    await admin.run(`INSERT INTO ${DB}.kinds VALUES (${placeholders})`, r.map((v, i) => (v !== null && ['bn', 'vb', 'bl'].includes(COLUMNS[i]![0]) ? Buffer.from(v, 'latin1') : v)));
  }
  await admin.run(`CREATE TABLE ${DB}.shapes (id INT PRIMARY KEY, g GEOMETRY NULL, label VARCHAR(10))`);
  await admin.run(`INSERT INTO ${DB}.shapes VALUES (1, ST_GeomFromText('POINT(1 1)'), 'one'), (2, NULL, 'two')`);
  await admin.run(`CREATE TABLE ${DB}.clock (t TIME)`);
  await admin.run(`INSERT INTO ${DB}.clock VALUES ('-01:00:00')`);
  await admin.run(`CREATE VIEW ${DB}.kinds_view AS SELECT id, vc FROM ${DB}.kinds`);
  await admin.run(`CREATE TABLE ${DB}.\`Mixed\` (x INT)`);
  await admin.run(`CREATE TABLE ${DB}.stats (id INT PRIMARY KEY, grp INT, code VARCHAR(5), KEY (grp), UNIQUE KEY (code))`);
  for (let i = 0; i < 500; i += 100) {
    const values = Array.from({ length: 100 }, (_x, k) => `(${i + k}, ${(i + k) % 10}, 'c${i + k}')`).join(', ');
    await admin.run(`INSERT INTO ${DB}.stats VALUES ${values}`);
  }
  await admin.run(`ANALYZE TABLE ${DB}.stats`);
  my = mysqlConnectorFactory.create('my', testProperties()) as MySqlConnector;
  s = openTestSession(new Map([['my', my]]));
});

afterAll(async () => {
  await admin.run(`DROP DATABASE IF EXISTS ${DB}`);
  await my?.close();
  admin.close();
});

describe('mysql types', () => {
  it('maps every column type onto a PostgreSQL type', async () => {
    const t = (await my.getTable(session, DB, 'kinds'))!;
    expect(t.columns.map((c) => [c.name, typeText(c.type)])).toEqual(COLUMNS.map(([n, , pg]) => [n, pg]));
    expect(t.columns.map((c) => c.nullable)).toEqual(COLUMNS.map(([n]) => n !== 'id'));
  });

  it('reads values exactly: NULLs, decimals, unsigned bigint, fractions, bool, char padding, bytes, json, emoji', async () => {
    const r = await s.query(`select * from my.${DB}.kinds order by id`);
    expect(r.rows).toEqual(EXPECTED);
    // the same values through a native query (result metadata instead of information_schema)
    const native = await s.query(`select * from my.system.query('select * from ${DB}.kinds') order by id`);
    // character columns of a result are text: CHAR(5) comes without its padding
    expect(native.rows).toEqual(EXPECTED.map((row) => row.map((v, i) => (COLUMNS[i]![0] === 'c' && v !== null ? v.trimEnd() : v))));
  });

  it('reports what it cannot read', async () => {
    const t = (await my.getTable(session, DB, 'shapes'))!;
    expect(t.columns.map((c) => [c.name, c.hidden ?? false])).toEqual([['id', false], ['g', true], ['label', false]]);
    expect((await s.query(`select * from my.${DB}.shapes order by id`)).rows).toEqual([['1', 'one'], ['2', 'two']]);
    await expect(s.query(`select g from my.${DB}.shapes`)).rejects.toMatchObject({ code: '0A000', message: expect.stringContaining('geometry') });
    expect((await s.query(`select count(g), count(*) from my.${DB}.shapes where g is null`)).rows).toEqual([['0', '1']]);
    await expect(s.query(`select * from my.system.query('select g from ${DB}.shapes')`)).rejects.toMatchObject({ code: '0A000' });
    await expect(s.query(`select * from my.${DB}.clock`)).rejects.toMatchObject({ code: '22008' });
  });
});

describe('mysql metadata', () => {
  it('lists schemas without the system databases, and tables and views', async () => {
    const schemas = await my.listSchemas();
    expect(schemas).toContain(DB);
    expect(schemas).toContain('lakegate');
    for (const system of ['mysql', 'information_schema', 'performance_schema', 'sys']) expect(schemas).not.toContain(system);
    expect(await my.listTables(session, DB)).toEqual(['Mixed', 'clock', 'kinds', 'kinds_view', 'shapes', 'stats']);
    expect(await my.listTables(session, 'mysql')).toEqual([]);
  });

  it('finds tables and views by their exact names only', async () => {
    expect((await my.getTable(session, DB, 'kinds_view'))!.columns.map((c) => formatType(c.type))).toEqual(['integer', 'character varying(20)']);
    expect(await my.getTable(session, DB, 'Mixed')).toBeDefined();
    expect(await my.getTable(session, DB, 'mixed')).toBeUndefined();
    expect(await my.getTable(session, DB, 'KINDS')).toBeUndefined();
    expect(await my.getTable(session, DB, 'nope')).toBeUndefined();
    expect(await my.getTable(session, 'mysql', 'user')).toBeUndefined();
    expect((await s.query(`select id, vc from my.${DB}.kinds_view order by id`)).rows).toEqual([['1', 'x y '], ['2', ''], ['3', null]]);
  });

  it('estimates rows and distinct values from information_schema and index cardinality', async () => {
    const stats = await my.getStatistics(session, (await my.getTable(session, DB, 'stats'))!);
    expect(stats.rowCount).toBeGreaterThanOrEqual(400);
    expect(stats.rowCount).toBeLessThanOrEqual(600);
    expect(stats.columns?.id?.distinctCount).toBe(stats.rowCount);
    expect(stats.columns?.code?.distinctCount).toBe(stats.rowCount);
    expect(stats.columns?.grp?.distinctCount).toBeGreaterThanOrEqual(5);
    expect(stats.columns?.grp?.distinctCount).toBeLessThanOrEqual(50);
    expect(await my.getStatistics(session, (await my.getTable(session, DB, 'kinds_view'))!)).toEqual({});
  });
});

describe('mysql native queries', () => {
  it('learns the columns without running the statement', async () => {
    await admin.run(`CREATE TABLE ${DB}.log (n INT)`);
    const t = await my.nativeQuery(session, `select n + 1 as next, concat('x', n) as label, sum(n) over () as total, now(6) as at from ${DB}.log where n > 0`);
    expect(t.columns.map((c) => [c.name, typeText(c.type)])).toEqual([
      ['next', 'bigint'], ['label', 'text'], ['total', 'numeric(32,0)'], ['at', 'timestamp(6)'],
    ]);
    const slow = Date.now();
    await my.nativeQuery(session, 'select sleep(5) as z');
    expect(Date.now() - slow).toBeLessThan(3000);
  });

  it('runs with filters, aggregates and limits pushed around it', async () => {
    const q = `my.system.query('select id, vc, bi from ${DB}.kinds;')`;
    expect((await s.query(`select id, vc from ${q} where id > 1 order by id`)).rows).toEqual([['2', ''], ['3', null]]);
    expect((await s.query(`select count(*), max(bi) from ${q}`)).rows).toEqual([['3', '9223372036854775807']]);
    expect((await s.query(`select id from ${q} order by id desc limit 1`)).rows).toEqual([['3']]);
  });

  it('reports the source error with its SQLSTATE', async () => {
    const code = (sql: string) => my.nativeQuery(session, sql).then(() => null, (e: SqlError) => e.code);
    expect(await code('selec 1')).toBe('42601');
    expect(await code(`select * from ${DB}.missing`)).toBe('42P01');
    expect(await code(`select nope from ${DB}.kinds`)).toBe('42703');
    expect(await code(`select 1 as a, 2 as a`)).toBe('42701');
    expect(await code(`insert into ${DB}.log values (1)`)).toBe('42601');
  });
});
