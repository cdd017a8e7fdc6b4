/**
 * Pushdown against the real server: every query runs on the mysql catalog (filters, aggregates,
 * TopN and joins go to MySQL as far as the dialect accepts them) and on the same rows in the
 * memory catalog (local evaluation, the oracle); results must be identical. The suite repeats
 * with the server's global sql_mode, time_zone and select limit changed (checklist b.6,
 * items 102–111).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { T } from '../../engine/types/pg-type.js';
import { memoryConnectorFactory } from '../memory/index.js';
import type { ConnectorExpression } from '../spi/index.js';
import { bindable } from './client.js';
import { mysqlConnectorFactory, type MySqlConnector } from './index.js';
import { AdminConnection, testProperties } from './testing.js';

const DB = 'lgt_push';
/** The server settings the suite changes, back to the server's startup values. */
const RESET_GLOBALS = ['sql_mode', 'time_zone', 'sql_select_limit', 'max_sort_length', 'div_precision_increment', 'character_set_client',
  'character_set_results', 'collation_connection', 'character_set_server', 'collation_server'].map((v) => `GLOBAL ${v} = DEFAULT`).join(', ');
const admin = new AdminConnection();
const connectors: MySqlConnector[] = [];
let oracle: TestSession;
let s: TestSession;

function mysqlSession(extra: Record<string, string> = {}): TestSession {
  const my = mysqlConnectorFactory.create('my', testProperties(extra)) as MySqlConnector;
  connectors.push(my);
  return openTestSession(new Map([['my', my], ['mem', oracleMemory]]));
}
const oracleMemory = memoryConnectorFactory.create('mem', {});

/** Strings that differ only in case, accents, trailing spaces; quotes, backslashes, LIKE wildcards, `$$`, emoji, and CJK characters whose GBK/BIG5/Shift-JIS encodings end in 0x5c. */
const STRINGS = [
  'a', 'A', 'a ', 'á', 'b', 'B', 'ab', 'a%b', 'a_b', 'axb', 'a\\b', 'a\\%b', "it's", "'; DROP TABLE t; --", '$$x$$', '😀', '𝄞x', '許功蓋', '縗', 'ソ表',
  'x\\0y', 'x\\\\y', '', 'zz', 'Zz', 'ß', 'ss', '%', '_', '\\', 'a-b', 'Ünïcødé 表', 'abcd1', 'abcd0', 'abcd',
];

beforeAll(async () => {
  await admin.run(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.run(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  await admin.run(`CREATE TABLE ${DB}.items (id INT PRIMARY KEY, s VARCHAR(40), t TEXT, c CHAR(4), n BIGINT, u INT UNSIGNED, k INT, d DECIMAL(12,3),
    f FLOAT, g DOUBLE, dt DATE, ts DATETIME(6), b BOOLEAN, tz TIMESTAMP(3) NULL)`);
  for (let i = 0; i < 60; i++) {
    const str = i < STRINGS.length ? STRINGS[i]! : null;
    await admin.run(`INSERT INTO ${DB}.items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      String(i), str, i % 7 === 0 ? null : STRINGS[(i * 5) % STRINGS.length]!, i % 5 === 0 ? null : ['ab', 'a', 'AB', 'b '][i % 4]!,
      i % 11 === 0 ? null : String((i - 20) * 1000000007), String(i % 9), i % 13 === 0 ? null : String(i - 30),
      i % 6 === 0 ? null : `${i - 25}.${String(i * 37 % 1000).padStart(3, '0')}`, i % 8 === 0 ? null : String([1.1, 0.1, 2.5, -3.75][i % 4]),
      String(i / 7 - 3), i % 10 === 0 ? null : `2020-${String(i % 12 + 1).padStart(2, '0')}-${String(i % 28 + 1).padStart(2, '0')}`,
      `2021-01-01 00:00:0${i % 10}.${String(i * 123457 % 1000000).padStart(6, '0')}`, i % 4 === 3 ? null : String(i % 3 === 0 ? 2 : i % 2),
      i % 9 === 0 ? null : `2022-03-${String(i % 28 + 1).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:30:00.250`,
    ]);
  }
  await admin.run(`CREATE TABLE ${DB}.pairs (id BIGINT PRIMARY KEY, label VARCHAR(40), item INT)`);
  for (let i = 0; i < 40; i++) await admin.run(`INSERT INTO ${DB}.pairs VALUES (?, ?, ?)`, [String(i * 3), STRINGS[(i * 7) % STRINGS.length]!, String(i % 17)]);
  oracle = openTestSession(new Map([['mem', oracleMemory]]));
  s = mysqlSession();
  await s.query(`create table mem.public.items as select * from my.${DB}.items`);
  await s.query(`create table mem.public.pairs as select * from my.${DB}.pairs`);
});

afterAll(async () => {
  await admin.run(`SET ${RESET_GLOBALS}`);
  await admin.run(`DROP DATABASE IF EXISTS ${DB}`);
  for (const c of connectors) await c.close();
  admin.close();
});

const sorted = (rows: (string | null)[][]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** Filters, each run as `select id, s from items where …`. */
const FILTERS = [
  "s = 'a'", "s <> 'a'", "s < 'b'", "s >= 'a '", "s > 'a'", "s in ('a', 'A', 'á', 'ss')", "s not in ('a', 'b')", "s = 'ß'",
  "s like 'a%'", "s like 'a\\%b'", "s like '%\\\\%'", "s like 'a_b'", "s not like '%a%'", "s like '許%'", "s like '%😀%'", "s like '_'",
  "s like 'a'", "s like 'A%'", "s like '%x%' and s like '%y'",
  "s = '縗'", "s = 'x\\0y'", "s = 'x\\\\y'", "s = 'it''s'", "s = '$$x$$'", "s = ''", "s = '\\'", "s = '''; DROP TABLE t; --'",
  "s = t", "s < t", "s::text || 'x' = 'ax'", "t || s = 'aa'", "length(s) = 2", "s is null", "s is not null and s > ''", "t like '%a%' or s like '%b%'",
  'n - -1 > 0', 'n = -1', 'n * 2 < 10', 'n + 1000000007 = 0', 'u - 5 < 0', 'k + 1 > 5', 'k = -1', 'k between -3 and 4', 'd > 1.5', 'd = 2.250',
  'd < -10', 'f = 1.1', 'f = 1.1::real', 'f > 1', 'g < 0.5', 'g = 1', "dt between '2020-01-01' and '2020-06-30'", "dt > '2020-03-01'",
  "ts >= '2022-03-05 12:00'", "tz < '2022-03-10 05:00'", "ts >= '2021-01-01 00:00:05.5'", "ts < timestamp '2021-01-01 00:00:03'", "dt = timestamp '2020-02-03 00:00'", 'b', 'not b', 'b is null',
  "c = 'ab'", "c = 'ab  '", 'not (s = \'a\' or k > 3)', 'abs(n) < 3000000000', "s like 'a%' and n > 0",
];

const AGGREGATES = [
  'select s, count(*) from items group by s', 'select count(distinct s), count(s), count(*) from items', 'select min(s), max(s), min(t), max(t) from items',
  'select sum(k), sum(n), sum(d), sum(u) from items', 'select b, count(*) from items group by b', 'select bool_and(b), bool_or(b) from items',
  'select k, sum(n), min(d), max(dt), count(distinct s) from items group by k', 'select dt, count(*) from items where s > \'a\' group by dt',
  'select sum(distinct k), count(distinct n) from items', 'select c, count(*) from items group by c', 'select min(f), max(g), min(ts) from items',
  'select avg(k), avg(d) from items', 'select sum(n) from items where k > 1000',
];

const ORDERED = [
  'select id, s from items order by s nulls first, id limit 5', 'select id, s from items order by s desc nulls last, id limit 7',
  'select id, s from items order by s, id limit 40', 'select id, n from items order by n desc, id limit 3', 'select id, d from items order by d nulls first, id limit 4',
  'select id, ts from items order by ts desc, id limit 6', 'select id, tz from items order by tz nulls first, id limit 6', 'select id from items order by id limit 0', 'select id from items order by id limit 10 offset 5',
  'select s, count(*) from items group by s order by 2 desc, 1 limit 5',
];

const JOINS = [
  'select a.id, p.id from items a join pairs p on a.s = p.label', 'select a.id, p.id from items a left join pairs p on a.k = p.item',
  'select a.id, p.id from items a right join pairs p on a.id = p.id', 'select a.id, p.label from items a join pairs p on a.s = p.label and p.id > 30',
  'select a.id, b.id from items a join items b on a.t = b.s', 'select a.id, p.id from items a full join pairs p on a.id = p.item',
];

/** The same query on the mysql catalog and on the memory copy gives the same rows. */
async function agrees(session: TestSession, sql: string, ordered = false): Promise<void> {
  const run = (t: TestSession, text: string) => t.query(text).catch((e: Error) => {
    throw new Error(`${text}: ${e.message}`);
  });
  const local = await run(oracle, sql.replaceAll(/\b(items|pairs)\b/g, 'mem.public.$1'));
  const remote = await run(session, sql.replaceAll(/\b(items|pairs)\b/g, `my.${DB}.$1`));
  expect(ordered ? remote.rows : sorted(remote.rows), sql).toEqual(ordered ? local.rows : sorted(local.rows));
}

async function sourceQuery(session: TestSession, sql: string): Promise<string> {
  const plan = await session.query(`explain ${sql.replaceAll(/\b(items|pairs)\b/g, `my.${DB}.$1`)}`);
  return plan.rows.map((r) => r[0]).join('\n');
}

describe('mysql pushdown agrees with local evaluation', () => {
  it('filters', async () => {
    for (const f of FILTERS) await agrees(s, `select id, s from items where ${f}`);
  });

  it('aggregates', async () => {
    for (const q of AGGREGATES) await agrees(s, q);
  });

  it('TopN and LIMIT', async () => {
    for (const q of ORDERED) await agrees(s, q, true);
  });

  it('joins within the catalog', async () => {
    for (const q of JOINS) await agrees(s, q);
  });

  it('pushes what it can compute exactly, and says so in EXPLAIN', async () => {
    const pushed = async (sql: string) => (await sourceQuery(s, sql)).split('Source Query: ')[1] ?? '';
    expect(await pushed("select id from items where s = 'a'")).toContain('WHERE ((CAST(CONVERT(`s` USING utf8mb4) AS BINARY)) = (CAST(CONVERT(? USING utf8mb4) AS BINARY)))');
    expect(await pushed("select id from items where s like 'a\\%b'")).toContain("COLLATE utf8mb4_bin) LIKE (CONVERT(? USING utf8mb4)) ESCAPE '\\'");
    expect(await pushed('select id from items where n - -1 > 0')).toContain('(CAST(`n` AS SIGNED)) - (CAST(CAST(? AS SIGNED) AS SIGNED))');
    expect(await pushed('select s, count(*) from items group by s')).toContain('GROUP BY CAST(CONVERT(`s` USING utf8mb4) AS BINARY)');
    expect(await pushed('select id, s from items order by s nulls first, id limit 5')).toContain('ORDER BY (CAST(CONVERT(`s` USING utf8mb4) AS BINARY)) IS NULL DESC');
    expect(await pushed('select a.id, p.id from items a join pairs p on a.s = p.label')).toContain('JOIN');
    // declined: int4 arithmetic (MySQL computes in 64 bits, PostgreSQL raises on overflow),
    // bpchar and bool comparisons, avg (MySQL's scale differs), FULL JOIN (MySQL has none)
    expect(await pushed('select id from items where k + 1 > 5')).not.toContain('WHERE');
    expect(await pushed("select id from items where c = 'ab'")).not.toContain('WHERE');
    expect(await pushed('select avg(k) from items')).not.toContain('AVG');
    expect(await pushed('select a.id, p.id from items a full join pairs p on a.id = p.item')).not.toContain('JOIN');
    // the statement text (before the parameter list EXPLAIN appends) never holds a comment opener
    for (const f of FILTERS) expect((await pushed(`select id from items where ${f}`)).split(' [?=')[0], f).not.toMatch(/--|\/\*|#/);
  });

  it('binds query parameters and runtime constraints as values', async () => {
    for (const value of ["x' OR 1=1 --", 'a', 'A', 'a\\%b', '許功蓋', '{"id": 1}', '$$x$$']) {
      const remote = await s.query(`select id from my.${DB}.items where s = $1`, [value]);
      const local = await oracle.query('select id from mem.public.items where s = $1', [value]);
      expect(sorted(remote.rows), value).toEqual(sorted(local.rows));
    }
    await agrees(s, 'select id from items where s = (select max(label) from pairs)');
    await agrees(s, 'select id from items where n in (select n from items where k = 1)');
  });
});

describe('mysql pushdown does not depend on server settings (b.6 103, 107)', () => {
  const settings = [
    "sql_mode = ''", "sql_mode = 'NO_BACKSLASH_ESCAPES'", "sql_mode = 'ANSI_QUOTES'", "sql_mode = 'ANSI,PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES'",
    "time_zone = '+05:30'", 'sql_select_limit = 3', 'max_sort_length = 4', 'div_precision_increment = 0',
    "character_set_client = 'latin1', GLOBAL character_set_results = 'latin1', GLOBAL collation_connection = 'latin1_swedish_ci'",
    "character_set_server = 'latin1', GLOBAL collation_server = 'latin1_swedish_ci'",
  ];
  for (const [i, setting] of settings.entries()) {
    it(`with GLOBAL ${setting}`, async () => {
      await admin.run(`SET GLOBAL ${setting}`);
      try {
        // a connector of its own (also in worker threads): its connections start with the new global
        const session = mysqlSession({ 'mysql.max-connections': String(20 + i) });
        for (const f of FILTERS) await agrees(session, `select id, s from items where ${f}`);
        for (const q of AGGREGATES) await agrees(session, q);
        for (const q of ORDERED) await agrees(session, q, true);
        for (const q of JOINS) await agrees(session, q);
        await agrees(session, 'select * from items');
      } finally {
        await admin.run(`SET ${RESET_GLOBALS}`);
      }
    });
  }
});

describe('mysql injection checklist (b.6)', () => {
  const session = { user: 'tester', queryId: 'q' };
  const col = (column: number, type = T.text): ConnectorExpression => ({ kind: 'column', column, type });
  const str = (text: string): ConnectorExpression => ({ kind: 'constant', text, type: T.text });
  const eq = (a: ConnectorExpression, b: ConnectorExpression): ConnectorExpression => ({ kind: 'call', name: '=', args: [a, b], type: T.bool });

  it('104: identifiers with backtick, quote, dot, space and Unicode round-trip', async () => {
    const inMy = openTestSession(new Map([['my', connectors[0]!]]), 'tester', 'my');
    const id = (name: string) => `"${name.replaceAll('"', '""')}"`;
    for (const name of ['a`b', 'q"t', 'd.t', 'sp ace', 'Ünï表', "x'y", '`', 'x`; DROP DATABASE lakegate; --']) {
      await inMy.query(`create schema ${id(name)}`);
      await inMy.query(`create table ${id(name)}.${id(name)} (${id(name)} int, v text)`);
      await inMy.query(`insert into ${id(name)}.${id(name)} values (1, 'one'), (2, 'two')`);
      const r = await inMy.query(`select ${id(name)}, v from ${id(name)}.${id(name)} where ${id(name)} > 1 and v <> 'x'`);
      expect(r.rows, name).toEqual([['2', 'two']]);
      expect((await inMy.query(`select count(*) from ${id(name)}.${id(name)} group by v order by 1 limit 1`)).rows, name).toEqual([['1']]);
      const tables = await admin.run('SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY ORDINAL_POSITION', [name]);
      expect(tables.map((t) => [String(t[0]), String(t[1])]), name).toEqual([[name, name], [name, 'v']]);
      await inMy.query(`drop schema ${id(name)} cascade`);
    }
    expect(await admin.run("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'lakegate'")).toEqual([['1']]);
  });

  it('105: x - -1 and negative constants never put -- in the statement', async () => {
    const my = connectors[0]!;
    const table = (await my.getTable(session, DB, 'items'))!;
    const n = col(4, T.int8);
    const minusOne: ConnectorExpression = { kind: 'constant', text: '-1', type: T.int8 };
    const neg: ConnectorExpression = { kind: 'call', name: '-', args: [minusOne], type: T.int8 };
    const filter = my.applyFilter(session, table, [
      { kind: 'call', name: '>', args: [{ kind: 'call', name: '-', args: [n, minusOne], type: T.int8 }, minusOne], type: T.bool },
      { kind: 'call', name: '<>', args: [{ kind: 'call', name: '-', args: [n, neg], type: T.int8 }, neg], type: T.bool },
    ])!;
    expect(filter.accepted).toEqual([true, true]);
    const text = my.describeTable(filter.table);
    expect(text).not.toContain('--');
    await agrees(s, 'select id from items where n - -1 > -1 and n - (-(-1)) <> -1');
  });

  it('106: text that is not valid Unicode is never sent', async () => {
    const my = connectors[0]!;
    const table = (await my.getTable(session, DB, 'items'))!;
    expect(my.applyFilter(session, table, [eq(col(1), str('a\uD800b'))])).toBeUndefined();
    expect(my.applyFilter(session, table, [eq(col(1), str('a\uDC00'))])).toBeUndefined();
    expect(my.applyFilter(session, table, [eq(col(1), str('a😀'))])?.accepted).toEqual([true]);
    // the engine rejects an escape that makes invalid UTF-8 while parsing, before planning
    await expect(s.query(`select id from my.${DB}.items where s = E'\\xff'`)).rejects.toMatchObject({ code: expect.stringMatching(/^(22021|42601)$/) });
  });

  it('108: LIKE with %, _ and \\ and an explicit ESCAPE matches as locally', async () => {
    for (const q of ["s like 'a!%b' escape '!'", "s like '%!_%' escape '!'", "s like 'a\\b' escape ''", "s like '\\\\%'", "s like 'x\\\\0y'"]) {
      await agrees(s, `select id from items where ${q}`);
    }
  });

  it('109: objects and arrays are never bound', () => {
    expect(() => bindable([{ id: 1 }])).toThrow(/refusing to bind/);
    expect(() => bindable([['a', 'b']])).toThrow(/refusing to bind/);
    expect(() => bindable([true])).toThrow(/refusing to bind/);
    expect(bindable(['{"a":1}', null, Buffer.from('x'), 5, 7n])).toEqual(['{"a":1}', null, Buffer.from('x'), '5', '7']);
  });

  it('110: LIMIT, OFFSET and TopN counts are validated integers', async () => {
    const my = connectors[0]!;
    const table = (await my.getTable(session, DB, 'items'))!;
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 60]) {
      expect(my.applyLimit(session, table, bad), String(bad)).toBeUndefined();
      expect(my.applyTopN(session, table, [{ column: 0, descending: false, nullsFirst: false }], bad), String(bad)).toBeUndefined();
    }
    await agrees(s, 'select id from items order by id limit 9223372036854775807', true);
    await agrees(s, 'select id from items order by id offset 58', true);
    for (const bad of ['limit -1', "limit '1; drop table items'", 'offset -3']) {
      const remote = await s.query(`select id from my.${DB}.items ${bad}`).then(() => 'ok', (e: SqlError) => e.code);
      const local = await oracle.query(`select id from mem.public.items ${bad}`).then(() => 'ok', (e: SqlError) => e.code);
      expect(remote, bad).toBe(local);
    }
  });

  it('111: native queries are a single statement', async () => {
    const my = connectors[0]!;
    for (const q of [`select 1; drop table ${DB}.pairs`, `select 1; select 2`]) {
      const code = await my.nativeQuery(session, q).then(() => null, (e: SqlError) => e.code);
      expect(code, q).toBe('42601');
    }
    expect(await admin.run(`SELECT COUNT(*) FROM ${DB}.pairs`)).toEqual([['40']]);
    // a trailing comment cannot swallow what the generator appends
    const native = await s.query(`select x from my.system.query('select id as x from ${DB}.items -- all of them') where x < 3`);
    expect(sorted(native.rows)).toEqual([['0'], ['1'], ['2']]);
  });

  it('102: equality on a binary-quoted string accepts only the exact row', async () => {
    const my = connectors[0]!;
    const table = (await my.getTable(session, DB, 'items'))!;
    const f = my.applyFilter(session, table, [eq(col(1), str("a' OR '1'='1"))])!;
    expect(f.accepted).toEqual([true]);
    const rows: unknown[] = [];
    for await (const b of my.scan(session, { table: f.table, columns: [0], split: { info: {} }, signal: new AbortController().signal })) rows.push(b.length);
    expect(rows).toEqual([]);
  });
});
