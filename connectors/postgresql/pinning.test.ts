import { afterAll, describe, expect, it } from 'vitest';
import { openTestSession } from '../../engine/testing/run-sql.js';
import type { PostgresqlConnector } from './connector.js';
import { connectorFor, dropDatabase, freshDatabase, session, uniqueName } from './testing.js';

const DB = uniqueName('lakegate_pgconn_pinning');
const LATIN1 = uniqueName('lakegate_pgconn_latin1');
const EUC_JP = uniqueName('lakegate_pgconn_eucjp');

const opened: PostgresqlConnector[] = [];
const connector = (database: string) => {
  const c = connectorFor(database);
  opened.push(c);
  return c;
};

afterAll(async () => {
  for (const c of opened) await c.close();
  for (const db of [DB, LATIN1, EUC_JP]) await dropDatabase(db);
});

const QUERY = `SELECT id, f4, f8, n, t, by, d, ts, tstz, iv, ai FROM pg.public.v ORDER BY id`;

describe('pinned upstream session settings', () => {
  it('results do not change when the upstream database sets every setting differently', async () => {
    const setup = await freshDatabase(DB);
    await setup.query(`
      CREATE TABLE public.v (id int4, f4 float4, f8 float8, n numeric, t text, by bytea, d date, ts timestamp, tstz timestamptz, iv interval, ai int4[]);
      INSERT INTO public.v VALUES
        (1, 0.1, 0.1::float8 + 0.2::float8, 1.50, 'a\\b ''q'' é', '\\x5c00ff', '2024-02-01', '2024-02-01 13:14:15.5', '2024-02-01 13:14:15+00', '-1 year -2 days +03:00', '{1,2}'),
        (2, 1e30, 1e-300, -0.001, '', '\\x', '0044-03-15 BC', 'infinity', '1970-01-01 00:00:00+00', '1 mon -00:00:01', '{}');
    `);
    const before = await openTestSession(new Map([['pg', connector(DB)]])).query(QUERY);
    await setup.query(`ALTER DATABASE ${DB} SET DateStyle = 'SQL, DMY'`);
    await setup.query(`ALTER DATABASE ${DB} SET IntervalStyle = 'sql_standard'`);
    await setup.query(`ALTER DATABASE ${DB} SET TimeZone = 'Asia/Tokyo'`);
    await setup.query(`ALTER DATABASE ${DB} SET extra_float_digits = -15`);
    await setup.query(`ALTER DATABASE ${DB} SET bytea_output = 'escape'`);
    await setup.query(`ALTER DATABASE ${DB} SET standard_conforming_strings = off`);
    await setup.query(`ALTER DATABASE ${DB} SET search_path = public`);
    await setup.query(`ALTER DATABASE ${DB} SET client_encoding = 'LATIN1'`);
    await setup.query(`ALTER DATABASE ${DB} SET default_transaction_read_only = off`);
    await setup.query('CREATE SEQUENCE public.s');
    await setup.end();
    const after = connector(DB);
    const gateway = openTestSession(new Map([['pg', after]]));
    expect(await gateway.query(QUERY)).toEqual(before);
    expect(before.rows[0]).toEqual([
      '1', '0.1', '0.30000000000000004', '1.50', "a\\b 'q' é", '\\x5c00ff', '2024-02-01', '2024-02-01 13:14:15.5', '2024-02-01 13:14:15+00',
      '-1 years -2 days +03:00:00', '{1,2}',
    ]);
    expect((await gateway.query(`SELECT id FROM pg.public.v WHERE d = DATE '2024-02-01' AND tstz = TIMESTAMPTZ '2024-02-01 22:14:15+09'`)).rows).toEqual([['1']]);
    expect((await gateway.query(`SELECT id FROM pg.public.v WHERE t = 'a\\b ''q'' é'`)).rows).toEqual([['1']]);
    expect(await after.listSchemas()).toEqual(['public']);
    // Reads run read-only: a native query that would write upstream fails there, and writes still work.
    await expect(gateway.query(`SELECT * FROM pg.system.query('SELECT pg_catalog.nextval(''public.s'') AS n')`)).rejects.toMatchObject({
      message: expect.stringContaining('read-only transaction'),
    });
    await gateway.query('CREATE TABLE pg.public.w AS SELECT 1 AS x');
    expect((await gateway.query('SELECT x FROM pg.public.w')).rows).toEqual([['1']]);
  });

  it('text from a LATIN1 database arrives as UTF-8 and still compares in byte order at the source', async () => {
    const setup = await freshDatabase(LATIN1, `ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    await setup.query(`CREATE TABLE public.t (s text); INSERT INTO public.t VALUES ('é'), ('ÿ'), ('a'), ('Z'), ('ß')`);
    await setup.end();
    const c = connector(LATIN1);
    const table = (await c.getTable(session, 'public', 't'))!;
    expect((table.handle as { byteOrderText: boolean }).byteOrderText).toBe(true);
    const gateway = openTestSession(new Map([['pg', c]]));
    expect((await gateway.query(`SELECT s FROM pg.public.t WHERE s > 'a' ORDER BY s`)).rows).toEqual([['ß'], ['é'], ['ÿ']]);
  });

  it('in a database whose encoding orders bytes differently, text comparisons stay in Lakegate', async () => {
    const setup = await freshDatabase(EUC_JP, `ENCODING 'EUC_JP' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    await setup.query(`CREATE TABLE public.t (id int4, s text); INSERT INTO public.t VALUES (1, 'ア'), (2, 'ｱ'), (3, '亜'), (4, 'z')`);
    await setup.end();
    const c = connector(EUC_JP);
    const table = (await c.getTable(session, 'public', 't'))!;
    expect((table.handle as { byteOrderText: boolean }).byteOrderText).toBe(false);
    const textFilter = { kind: 'call' as const, name: '<', type: table.columns[0]!.type, args: [
      { kind: 'column' as const, column: 1, type: table.columns[1]!.type }, { kind: 'constant' as const, text: 'ｱ', type: table.columns[1]!.type },
    ] };
    expect(c.applyFilter(session, table, [textFilter])).toBeUndefined();
    const gateway = openTestSession(new Map([['pg', c]]));
    // UTF-8 byte order: 'z' < 'ア' (E3 82 A2) < '亜' (E4 BA 9C) < 'ｱ' (EF BD B1).
    expect((await gateway.query(`SELECT s FROM pg.public.t WHERE s < 'ｱ' ORDER BY s`)).rows).toEqual([['z'], ['ア'], ['亜']]);
  });
});
