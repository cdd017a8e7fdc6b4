// Authorization end to end through engine sessions: a rules file, an admin who set up the
// tables, and analysts who see only EU customers with masked e-mails, whatever the query shape.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Batch, Connector, ConnectorExpression, PushdownConnector, ScanRequest, TableMetadata } from '../../connectors/spi/index.js';
import { MemoryConnector } from '../../connectors/memory/memory-connector.js';
import type { EngineSession, PreparedStatement } from '../api.js';
import { SqlError } from '../errors/index.js';
import { datumAt, vectorFromDatums } from '../execution/batch/vector.js';
import { openTestSession, type TestSession } from '../testing/run-sql.js';
import { T } from '../types/pg-type.js';
import { FileAccessControl } from './file-access-control.js';

const RULES = {
  catalogs: [
    { group: 'admins', allow: 'all' },
    { group: 'analyst|writers|broken', catalog: 'memory|src', allow: 'read-only' },
    { group: 'writers', allow: 'all' },
  ],
  schemas: [{ group: 'admins', owner: true }],
  tables: [
    { group: 'admins', privileges: ['SELECT', 'INSERT', 'DELETE', 'OWNERSHIP'] },
    {
      group: 'analyst', schema: 'public|s', table: 'customers', privileges: ['SELECT'], filter: "region = 'EU'",
      columns: [{ name: 'email', mask: "regexp_replace(email, '^[^@]+', '***')" }, { name: 'ssn', allow: false }],
    },
    { group: 'analyst', table: 'orders|eu_view', privileges: ['SELECT'] },
    { group: 'broken', table: 'customers', privileges: ['SELECT'], filter: 'no_such_column > 1' },
  ],
  impersonation: [{ original_user: 'carol', new_user: '(?!bob$).*' }],
};

const CUSTOMERS = [
  ['1', 'Ann', 'EU', 'ann@example.eu'],
  ['2', 'Bob', 'US', 'bob@example.com'],
  ['3', 'Cleo', 'US', 'cleo@example.com'],
  ['4', 'Dirk', 'EU', 'dirk@example.eu'],
];

let dir: string;
let rulesFile: string;
let log: string[];
let control: FileAccessControl;
let catalogs: Map<string, Connector>;
let admin: TestSession;

const writeRules = (rules: unknown) => writeFileSync(rulesFile, typeof rules === 'string' ? rules : JSON.stringify(rules));
const as = (user: string, groups: string[]) => openTestSession(catalogs, user, 'memory', { groups, accessControl: control });
const rows = async (s: TestSession, sql: string) => (await s.query(sql)).rows;
async function denied(s: TestSession, sql: string, code = '42501'): Promise<SqlError> {
  const e = await s.query(sql).then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(SqlError);
  expect((e as SqlError).code).toBe(code);
  return e as SqlError;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lakegate-access-'));
  rulesFile = join(dir, 'rules.json');
  writeRules(RULES);
  log = [];
  control = new FileAccessControl({ path: rulesFile, refreshMs: 0, log: (m) => log.push(m) });
  catalogs = new Map<string, Connector>([['memory', new MemoryConnector()]]);
  admin = as('root', ['admins']);
  await admin.query('create table customers (id int, name text, region text, email text, ssn text)');
  await admin.query(`insert into customers values ${CUSTOMERS.map((r) => `(${r[0]}, '${r[1]}', '${r[2]}', '${r[3]}', 'ssn-${r[0]}')`).join(', ')}`);
  await admin.query('create table orders (order_id int, customer_id int, amount int)');
  await admin.query('insert into orders values (10, 1, 100), (11, 2, 200), (12, 4, 400), (13, 3, 300)');
  await admin.query('create table secrets (k text)');
  await admin.query("insert into secrets values ('top')");
  await admin.query('create view eu_view as select id, email from customers');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('table privileges', () => {
  it('denies a table without a matching rule with 42501, and a hidden table like a missing one', async () => {
    const analyst = as('ann', ['analyst']);
    const e = await denied(analyst, 'select * from secrets');
    expect(e.message).toBe('permission denied for table secrets');
    await denied(analyst, 'select * from memory.public.secrets');
    const missing = await denied(analyst, 'select * from memory.public.no_such_table');
    expect(missing.message).toBe('permission denied for table no_such_table');
    await denied(analyst, 'select 1 from orders o join secrets s on true');
    await denied(as('nobody', []), 'select * from orders');
  });

  it('lets the admin see everything', async () => {
    expect(await rows(admin, 'select id, email, ssn from customers order by id')).toEqual(CUSTOMERS.map((r) => [r[0], r[3], `ssn-${r[0]}`]));
  });
});

describe('row filters and column masks', () => {
  const masked = (r: string[]) => r[3]!.replace(/^[^@]+/, '***');

  it('shows an analyst only EU rows, masked e-mails and no denied column', async () => {
    const analyst = as('ann', ['analyst']);
    const all = await analyst.query('select * from customers order by id');
    expect(all.columns).toEqual(['id', 'name', 'region', 'email']);
    expect(all.rows).toEqual(CUSTOMERS.filter((r) => r[2] === 'EU').map((r) => [r[0], r[1], r[2], masked(r)]));
    await denied(analyst, 'select ssn from customers', '42703');
  });

  it('holds under joins, GROUP BY, subqueries, views and predicates on masked columns', async () => {
    const analyst = as('ann', ['analyst']);
    expect(await rows(analyst, 'select c.id, o.amount from orders o join customers c on c.id = o.customer_id order by 1')).toEqual([['1', '100'], ['4', '400']]);
    expect(await rows(analyst, 'select o.order_id from orders o left join customers c on c.id = o.customer_id where c.id is null order by 1')).toEqual([['11'], ['13']]);
    expect(await rows(analyst, 'select region, count(*) from customers group by region')).toEqual([['EU', '2']]);
    expect(await rows(analyst, 'select email from customers group by email order by 1')).toEqual([['***@example.eu']]);
    expect(await rows(analyst, 'select count(*) from (select * from customers) c')).toEqual([['2']]);
    expect(await rows(analyst, 'select order_id from orders where customer_id in (select id from customers) order by 1')).toEqual([['10'], ['12']]);
    expect(await rows(analyst, 'select (select count(*) from customers c where c.id = o.customer_id) from orders o order by order_id')).toEqual([['1'], ['0'], ['1'], ['0']]);
    expect(await rows(analyst, 'with c as (select * from customers) select id from c union all select id from customers order by 1')).toEqual([['1'], ['1'], ['4'], ['4']]);
    expect(await rows(analyst, 'select * from eu_view order by id')).toEqual([['1', '***@example.eu'], ['4', '***@example.eu']]);
    expect(await rows(analyst, "select id from customers where email = 'ann@example.eu'")).toEqual([]);
    expect(await rows(analyst, "select id from customers where email like 'ann%'")).toEqual([]);
  });

  it('runs the row filter before the query\'s own predicates (no error from hidden rows)', async () => {
    const analyst = as('ann', ['analyst']);
    // 10 / (id - 3) fails only for customer 3, who is not in the EU.
    expect(await rows(analyst, 'select id from customers where 10 / (id - 3) <> 0 order by id')).toEqual([['1'], ['4']]);
    await denied(admin, 'select id from customers where 10 / (id - 3) <> 0', '22012');
  });

  it('keeps the filter and mask text out of EXPLAIN', async () => {
    const analyst = as('ann', ['analyst']);
    for (const sql of ['explain select * from customers', 'explain (verbose, format json) select email, count(*) from customers group by email', 'explain analyze select * from customers where id > 0']) {
      const text = (await rows(analyst, sql)).map((r) => r[0]).join('\n');
      expect(text).not.toMatch(/EU|regexp_replace|\*\*\*/);
      expect(text).not.toMatch(/rows=4/);
    }
    expect((await rows(analyst, 'explain select * from customers')).map((r) => r[0]).join('\n')).toContain('Filter: <row filter>');
    await denied(analyst, 'show stats for customers');
  });

  it('never shows the text of a rule that cannot be applied; the server log gets the reason', async () => {
    const e = await denied(as('bo', ['broken']), 'select * from customers');
    expect(e.message).toBe('permission denied for table customers');
    expect(`${e.message} ${e.detail ?? ''} ${e.hint ?? ''}`).not.toContain('no_such_column');
    expect(log.join('\n')).toContain('no_such_column');
  });
});

describe('SET ROLE and prepared statements', () => {
  async function run(session: EngineSession, prepared: PreparedStatement): Promise<string[][]> {
    const execution = session.execute(prepared, [], { signal: new AbortController().signal });
    const out: string[][] = [];
    for (let b = await execution.next(); b !== null; b = await execution.next()) {
      for (let i = 0; i < b.length; i++) out.push(b.columns.map((v) => String(datumAt(v, i))));
    }
    return out;
  }

  it('applies the role\'s rules to a statement prepared before SET ROLE, and the principal\'s after RESET ROLE', async () => {
    const carol = as('carol', ['admins', 'analyst']);
    const prepared = await carol.session.prepare(carol.session.parse('select id, email from customers order by id')[0]!, []);
    expect(await run(carol.session, prepared)).toHaveLength(4);
    await carol.query('set role analyst');
    expect(await run(carol.session, prepared)).toEqual([['1', '***@example.eu'], ['4', '***@example.eu']]);
    expect(await rows(carol, 'select current_user')).toEqual([['analyst']]);
    await carol.query('reset role');
    expect(await run(carol.session, prepared)).toHaveLength(4);
  });

  it('returns to the previous identity on ROLLBACK and checks every way of setting the role', async () => {
    const carol = as('carol', ['admins', 'analyst']);
    await carol.query('begin');
    await carol.query('set role analyst');
    expect(await rows(carol, 'select count(*) from customers')).toEqual([['2']]);
    await carol.query('rollback');
    expect(await rows(carol, 'select count(*) from customers')).toEqual([['4']]);
    await denied(carol, 'set role bob');
    await carol.query('set role dave');
    await denied(carol, 'select count(*) from customers');
    const ann = as('ann', ['analyst']);
    expect((await denied(ann, 'set role admins')).message).toBe('permission denied to set role "admins"');
    await denied(ann, "select set_config('role', 'admins', false)");
  });
});

describe('writes', () => {
  it('checks INSERT, DELETE, CREATE and DROP against the rules', async () => {
    const analyst = as('ann', ['analyst']);
    await denied(analyst, 'insert into orders values (99, 1, 1)');
    await denied(analyst, 'delete from orders');
    await denied(analyst, 'create table mine (a int)');
    await denied(analyst, 'create schema mine');
    await denied(analyst, 'drop table secrets');
    await denied(analyst, 'drop table if exists secrets');
    await denied(analyst, 'create view v2 as select 1');
    await admin.query('create table scratch (a int)');
    await admin.query('insert into scratch values (1)');
    await admin.query('delete from scratch');
    await admin.query('drop table scratch');
  });

  it('refuses INSERT into a table with a row filter, even with the INSERT privilege', async () => {
    writeRules({ ...RULES, tables: [{ group: 'analyst', table: 'customers', privileges: ['SELECT', 'INSERT'], filter: "region = 'EU'" }, ...RULES.tables] });
    const e = await denied(as('ann', ['analyst', 'writers']), "insert into customers values (5, 'Eve', 'US', 'e@x', 's')");
    expect(e.message).toBe('permission denied for table customers');
  });
});

describe('catalog views', () => {
  it('list only the tables and columns the identity may see', async () => {
    const analyst = as('ann', ['analyst']);
    expect(await rows(analyst, "select table_name from information_schema.tables where table_schema = 'public' order by 1")).toEqual([['customers'], ['eu_view'], ['orders']]);
    expect(await rows(analyst, "select column_name from information_schema.columns where table_name = 'customers' order by ordinal_position")).toEqual([['id'], ['name'], ['region'], ['email']]);
    expect(await rows(analyst, "select count(*) from pg_class where relname = 'secrets'")).toEqual([['0']]);
    expect(await rows(analyst, "select count(*) from pg_tables where tablename = 'secrets'")).toEqual([['0']]);
    expect(await rows(admin, "select count(*) from pg_class where relname = 'secrets'")).toEqual([['1']]);
    expect(await rows(as('nobody', []), "select count(*) from pg_namespace where nspname = 'public'")).toEqual([['0']]);
  });

  it("psql's \\d and \\d name queries list only what the identity may see; PostgreSQL's SHOW has no tables", async () => {
    // describe.c's listTables (\d) and describeTableDetails (\d secrets), as psql 15 sends them.
    const listTables = `SELECT n.nspname as "Schema", c.relname as "Name" FROM pg_catalog.pg_class c
      LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
      WHERE c.relkind IN ('r','p','v','m','S','f','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast'
        AND n.nspname <> 'information_schema' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;`;
    const findRelation = (name: string) => `SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c
      LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname OPERATOR(pg_catalog.~) '^(${name})$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3;`;
    const analyst = as('ann', ['analyst']);
    expect((await rows(analyst, listTables)).map((r) => r[1])).toEqual(['customers', 'eu_view', 'orders']);
    expect((await rows(admin, listTables)).map((r) => r[1])).toContain('secrets');
    expect(await rows(analyst, findRelation('secrets'))).toEqual([]);
    expect(await rows(analyst, findRelation('no_such_table'))).toEqual([]);
    expect((await rows(admin, findRelation('secrets'))).map((r) => r[2])).toEqual(['secrets']);
    await expect(analyst.query('show tables')).rejects.toMatchObject({ code: '42704' });
  });
});

describe('the rules file', () => {
  it('denies everything when it does not parse, and logs why', async () => {
    writeRules('{ "tables": [ ');
    await denied(admin, 'select * from orders');
    expect(log.at(-1)).toMatch(/is invalid, denying all access/);
    writeRules({ ...RULES, tables: [{ group: 'admins', privileges: ['SELECT'], filtr: 'true' }] });
    await denied(admin, 'select * from orders');
    expect(log.at(-1)).toContain('unknown or unsupported key "filtr"');
    writeRules({});
    await denied(admin, 'select * from orders');
  });

  it('is reloaded when it changes', async () => {
    const analyst = as('ann', ['analyst']);
    expect(await rows(analyst, 'select count(*) from customers')).toEqual([['2']]);
    writeRules({ ...RULES, tables: [{ group: 'analyst', table: 'customers', privileges: ['SELECT'], filter: "region = 'US'" }] });
    expect(await rows(analyst, 'select count(*) from customers')).toEqual([['2']]);
    expect(await rows(analyst, "select count(*) from customers where region = 'US'")).toEqual([['2']]);
    writeRules({ ...RULES, tables: [] });
    await denied(analyst, 'select count(*) from customers');
  });

  it('denies everything when the file is missing', async () => {
    rmSync(rulesFile);
    await denied(admin, 'select * from orders');
    expect(log.at(-1)).toMatch(/cannot be read/);
  });
});

// A source that evaluates the equality filters it is given, and describes its "remote SQL".
const SRC_COLUMNS = [{ name: 'id', type: T.int4, nullable: false }, { name: 'region', type: T.text, nullable: false }];
const SRC_ROWS: [number, string][] = [[1, 'EU'], [2, 'US'], [3, 'EU']];

class RemoteSource implements Connector, PushdownConnector {
  readonly name = 'remote-test';
  readonly remoteSql: string[] = [];
  async listSchemas() { return ['s']; }
  async listTables() { return ['customers']; }
  async getTable(_s: unknown, schema: string, table: string): Promise<TableMetadata | undefined> {
    return schema === 's' && table === 'customers' ? { schema, name: table, columns: SRC_COLUMNS, handle: { where: [] } } : undefined;
  }
  async getSplits() { return [{ info: null }]; }
  async *scan(_s: unknown, request: ScanRequest): AsyncIterable<Batch> {
    const where = (request.table.handle as { where: [number, string][] }).where;
    this.remoteSql.push(this.describeTable(request.table));
    const rows = SRC_ROWS.filter((r) => where.every(([c, v]) => String(r[c]) === v));
    yield { length: rows.length, columns: request.columns.map((c) => vectorFromDatums(SRC_COLUMNS[c]!.type, rows.map((r) => r[c]))) };
  }
  applyFilter(_s: unknown, table: TableMetadata, conjuncts: readonly ConnectorExpression[]) {
    const accepted = conjuncts.map((c) => c.kind === 'call' && c.name === '=' && c.args[0]?.kind === 'column' && c.args[1]?.kind === 'constant');
    const where = [...(table.handle as { where: [number, string][] }).where];
    conjuncts.forEach((c, i) => {
      if (accepted[i] && c.kind === 'call') where.push([(c.args[0] as { column: number }).column, (c.args[1] as { text: string }).text]);
    });
    return { table: { ...table, handle: { where } }, accepted };
  }
  describeTable(table: TableMetadata) {
    const where = (table.handle as { where: [number, string][] }).where;
    return `SELECT id, region FROM s.customers${where.length ? ` WHERE ${where.map(([c, v]) => `${SRC_COLUMNS[c]!.name} = '${v}'`).join(' AND ')}` : ''}`;
  }
}

describe('pushdown', () => {
  it('hands the row filter to the source with the scan, and EXPLAIN does not show the remote SQL', async () => {
    const source = new RemoteSource();
    catalogs.set('src', source);
    const analyst = openTestSession(catalogs, 'ann', 'src', { groups: ['analyst'], accessControl: control });
    expect(await rows(analyst, 'select id from s.customers order by id')).toEqual([['1'], ['3']]);
    expect(source.remoteSql.at(-1)).toBe("SELECT id, region FROM s.customers WHERE region = 'EU'");
    expect(await rows(analyst, 'select id from s.customers where id = 3')).toEqual([['3']]);
    expect(source.remoteSql.at(-1)).toBe("SELECT id, region FROM s.customers WHERE region = 'EU' AND id = '3'");
    // A predicate that can fail (division) stays above the filter, out of the source's AND.
    expect(await rows(analyst, 'select id from s.customers where 10 / (id - 2) > 0 and id = 3')).toEqual([['3']]);
    expect(source.remoteSql.at(-1)).toBe("SELECT id, region FROM s.customers WHERE region = 'EU' AND id = '3'");
    const plan = (await rows(analyst, 'explain select id from s.customers')).map((r) => r[0]).join('\n');
    expect(plan).toContain('Source Query: <not shown: a row filter or column mask applies>');
    expect(plan).not.toContain('EU');
  });
});
