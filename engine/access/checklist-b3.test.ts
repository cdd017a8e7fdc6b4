// CHECKLIST-reliability.md b.3 lines not covered elsewhere (docs/reliability-checklist.md maps
// every line to its test): row filters under cursors, COPY TO and parameters (63), a statement
// prepared before impersonation (64), and masked values in ORDER BY, DISTINCT and join keys (66).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../connectors/spi/index.js';
import { MemoryConnector } from '../../connectors/memory/memory-connector.js';
import type { EngineSession, PreparedStatement } from '../api.js';
import { datumAt } from '../execution/batch/vector.js';
import { openTestSession, type TestSession } from '../testing/run-sql.js';
import { FileAccessControl } from './file-access-control.js';

const RULES = {
  catalogs: [{ group: 'admins', allow: 'all' }, { group: 'analyst', allow: 'read-only' }, { user: 'eve', allow: 'read-only' }],
  tables: [
    { group: 'admins', privileges: ['SELECT', 'INSERT', 'OWNERSHIP'] },
    {
      group: 'analyst', table: 'customers', privileges: ['SELECT'], filter: "region = 'EU'",
      columns: [
        { name: 'email', mask: "regexp_replace(email, '^[^@]+', '***')" },
        { name: 'code', mask: "case when code = 'a' then 'z' else code end" },
      ],
    },
    { group: 'analyst', table: 'contacts', privileges: ['SELECT'] },
    { user: 'eve', table: 'customers', privileges: ['SELECT'], filter: "region = 'US'" },
  ],
  impersonation: [{ original_user: 'carol', new_user: 'eve' }],
};

let dir: string;
let control: FileAccessControl;
let catalogs: Map<string, Connector>;

const as = (user: string, groups: string[]) => openTestSession(catalogs, user, 'memory', { groups, accessControl: control });
const rows = async (s: TestSession, sql: string, params: unknown[] = []) => (await s.query(sql, params)).rows;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lakegate-b3-'));
  writeFileSync(join(dir, 'rules.json'), JSON.stringify(RULES));
  control = new FileAccessControl({ path: join(dir, 'rules.json'), refreshMs: 0, log: () => undefined });
  catalogs = new Map<string, Connector>([['memory', new MemoryConnector('memory')]]);
  const admin = as('root', ['admins']);
  await admin.query('create table customers (id int, region text, email text, code text)');
  await admin.query(`insert into customers values
    (1, 'EU', 'ann@example.eu', 'b'), (2, 'US', 'bob@example.com', 'c'), (3, 'US', 'cleo@example.com', 'd'), (4, 'EU', 'dirk@example.eu', 'a')`);
  await admin.query('create table contacts (email text)');
  await admin.query("insert into contacts values ('ann@example.eu'), ('***@example.eu')");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('b.3 line 63: the row filter under more query shapes', () => {
  it('holds through a cursor, COPY TO, a parameter and a derived table, giving the filtered baseline', async () => {
    const analyst = as('ann', ['analyst']);
    const baseline = [['1'], ['4']];
    expect(await rows(analyst, 'select id from customers order by id')).toEqual(baseline);
    await analyst.query('begin');
    await analyst.query('declare c cursor for select id from customers order by id');
    expect(await rows(analyst, 'fetch all from c')).toEqual(baseline);
    await analyst.query('commit');
    expect(await rows(analyst, 'copy (select id from customers order by id) to stdout')).toEqual(baseline);
    expect((await rows(analyst, 'copy customers to stdout')).map((r) => r[0]).sort()).toEqual(['1', '4']);
    expect(await rows(analyst, 'select id from customers where id > $1 order by id', [0])).toEqual(baseline);
    expect(await rows(analyst, "select id from customers where region = 'US' or id > 0 order by id")).toEqual(baseline);
  });
});

describe('b.3 line 64: a statement prepared before impersonation', () => {
  async function run(session: EngineSession, prepared: PreparedStatement): Promise<string[]> {
    const execution = session.execute(prepared, [], { signal: new AbortController().signal });
    const out: string[] = [];
    for (let b = await execution.next(); b !== null; b = await execution.next()) {
      for (let i = 0; i < b.length; i++) out.push(String(datumAt(b.columns[0]!, i)));
    }
    return out;
  }

  it("runs under the impersonated user's filter, and the original identity's after ROLLBACK", async () => {
    const carol = as('carol', ['admins']);
    const prepared = await carol.session.prepare(carol.session.parse('select id from customers order by id')[0]!, []);
    expect(await run(carol.session, prepared)).toEqual(['1', '2', '3', '4']);
    await carol.query('begin');
    await carol.query('set role eve');
    expect(await rows(carol, 'select current_user')).toEqual([['eve']]);
    expect(await run(carol.session, prepared)).toEqual(['2', '3']);
    await carol.query('rollback');
    expect(await run(carol.session, prepared)).toEqual(['1', '2', '3', '4']);
  });
});

describe('b.3 line 66: masked columns everywhere in a query', () => {
  it('ORDER BY, DISTINCT and join keys use the masked value', async () => {
    const analyst = as('ann', ['analyst']);
    // Raw codes order 4 (a) before 1 (b); masked, 4 becomes z.
    expect(await rows(analyst, 'select id from customers order by code')).toEqual([['1'], ['4']]);
    expect(await rows(analyst, 'select distinct email from customers')).toEqual([['***@example.eu']]);
    expect(await rows(analyst, 'select count(*) from customers c join contacts k on k.email = c.email')).toEqual([['2']]);
    expect(await rows(analyst, "select count(*) from customers c join contacts k on k.email = c.email where k.email = 'ann@example.eu'")).toEqual([['0']]);
    expect(await rows(analyst, "select id from customers where code = 'a'")).toEqual([]);
  });
});
