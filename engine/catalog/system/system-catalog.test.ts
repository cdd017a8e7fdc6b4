import { describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../../connectors/registry.js';
import { openTestSession } from '../../testing/run-sql.js';

const open = (database = 'tpch') => openTestSession(createDefaultCatalogs(), 'tester', database);
const rows = async (sql: string, database = 'tpch') => (await open(database).query(sql)).rows;
const columnsOf = async (table: string) => (await open().query(`select * from ${table} limit 0`)).columns;

describe('names: pg_catalog and information_schema from every database', () => {
  it('resolves qualified, unqualified and three-part names', async () => {
    const s = open('lakegate');
    expect((await s.query('select count(*) > 0 from pg_catalog.pg_class')).rows).toEqual([['t']]);
    expect((await s.query('select count(*) > 0 from pg_class')).rows).toEqual([['t']]);
    expect((await s.query('select count(*) > 0 from tpch.pg_catalog.pg_namespace')).rows).toEqual([['t']]);
    expect((await s.query('select count(*) > 0 from information_schema.tables')).rows).toEqual([['t']]);
    await expect(s.query('select * from information_schema.nope')).rejects.toThrow('relation "information_schema.nope" does not exist');
  });

  it('names the default catalog\'s schemas plainly and every other catalog\'s as "catalog.schema"', async () => {
    const fromTpch = (await rows("select nspname from pg_namespace where nspname in ('tiny', 'memory.public', 'pg_catalog', 'information_schema', 'public') order by 1")).flat();
    expect(fromTpch).toEqual(['information_schema', 'memory.public', 'pg_catalog', 'tiny']);
    const fromOther = (await rows("select nspname from pg_namespace where nspname in ('public', 'tpch.tiny', 'tiny') order by 1", 'lakegate')).flat();
    expect(fromOther).toEqual(['public', 'tpch.tiny']);
    expect(await rows("select oid from pg_namespace where nspname in ('pg_catalog', 'information_schema') order by 1")).toEqual([['11'], ['13000']]);
  });

  it('reads a "catalog.schema"-named namespace as the catalog\'s schema', async () => {
    expect(await rows('select n_name from "tpch.tiny".nation where n_nationkey = 1', 'lakegate')).toEqual([['ARGENTINA                ']]);
  });
});

describe('pg_catalog tables', () => {
  it('has PostgreSQL 15 columns', async () => {
    expect(await columnsOf('pg_namespace')).toEqual(['oid', 'nspname', 'nspowner', 'nspacl']);
    expect((await columnsOf('pg_class')).length).toBe(33);
    expect((await columnsOf('pg_attribute')).length).toBe(26);
    expect((await columnsOf('pg_type')).length).toBe(32);
    expect((await columnsOf('pg_proc')).length).toBe(30);
    expect((await columnsOf('pg_index')).length).toBe(21);
    expect((await columnsOf('pg_constraint')).length).toBe(26);
    expect(await columnsOf('pg_database')).toEqual([
      'oid', 'datname', 'datdba', 'encoding', 'datlocprovider', 'datistemplate', 'datallowconn', 'datconnlimit', 'datfrozenxid',
      'datminmxid', 'dattablespace', 'datcollate', 'datctype', 'daticulocale', 'datcollversion', 'datacl',
    ]);
    expect(await columnsOf('pg_tables')).toEqual(['schemaname', 'tablename', 'tableowner', 'tablespace', 'hasindexes', 'hasrules', 'hastriggers', 'rowsecurity']);
  });

  it('types its columns as PostgreSQL does', async () => {
    const s = open();
    const prepared = await s.session.prepare(s.session.parse('select oid, relname, relkind, relnatts, reltuples, relacl from pg_class')[0]!, []);
    expect(prepared.columns!.map((c) => c.type.name)).toEqual(['oid', 'name', 'char', 'int2', 'float4', '_aclitem']);
  });

  it('lists tables with stable OIDs that RowDescription also uses', async () => {
    const [[oid, kind, natts]] = (await rows("select c.oid, relkind, relnatts from pg_class c join pg_namespace n on n.oid = c.relnamespace where nspname = 'tiny' and relname = 'nation'")) as string[][];
    expect([kind, natts]).toEqual(['r', '4']);
    const s = open('lakegate');
    expect(await s.query('select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where nspname = \'tpch.tiny\' and relname = \'nation\''))
      .toMatchObject({ rows: [[oid]] });
    const prepared = await s.session.prepare(s.session.parse('select n_name from tpch.tiny.nation')[0]!, []);
    expect(prepared.columns![0]).toMatchObject({ tableOid: Number(oid), columnNumber: 2 });
    expect(await rows("select oid, relkind from pg_class where relname in ('pg_class', 'pg_type') order by 1")).toEqual([['1247', 'r'], ['1259', 'r']]);
  });

  it('describes columns in pg_attribute', async () => {
    expect(await rows(`select attname, atttypid, atttypmod, attnum, attnotnull, format_type(atttypid, atttypmod)
      from pg_attribute where attrelid = 'tpch.tiny.nation'::regclass order by attnum`)).toEqual([
      ['n_nationkey', '23', '-1', '1', 't', 'integer'],
      ['n_name', '1042', '29', '2', 't', 'character(25)'],
      ['n_regionkey', '23', '-1', '3', 't', 'integer'],
      ['n_comment', '1043', '156', '4', 't', 'character varying(152)'],
    ]);
  });

  it('lists every base type with its real OID and array type in pg_type', async () => {
    expect(await rows("select oid, typname, typnamespace, typlen, typbyval, typtype, typcategory, typelem, typarray from pg_type where typname in ('int4', '_int4', 'text', 'numeric') order by oid")).toEqual([
      ['23', 'int4', '11', '4', 't', 'b', 'N', '0', '1007'],
      ['25', 'text', '11', '-1', 'f', 'b', 'S', '0', '1009'],
      ['1007', '_int4', '11', '-1', 'f', 'b', 'A', '23', '0'],
      ['1700', 'numeric', '11', '-1', 'f', 'b', 'N', '0', '1231'],
    ]);
    expect(await rows("select typinput = 'pg_catalog.array_in'::regproc from pg_type where typname in ('int4', '_int4') order by oid")).toEqual([['f'], ['t']]);
  });

  it('shows the databases, the user and the settings', async () => {
    expect(await rows('select datname, pg_encoding_to_char(encoding) from pg_database order by 1', 'lakegate')).toEqual([['lake', 'UTF8'], ['lakegate', 'UTF8'], ['memory', 'UTF8'], ['tpch', 'UTF8']]);
    expect(await rows('select rolname, rolcanlogin, oid from pg_roles')).toEqual([['tester', 't', '10']]);
    expect(await rows('select usename, usesysid from pg_user')).toEqual([['tester', '10']]);
    const s = open();
    await s.query("set application_name = 'cat-test'");
    expect((await s.query("select setting, source from pg_settings where name = 'application_name'")).rows).toEqual([['cat-test', 'session']]);
  });

  it('lists views in pg_class, pg_views and information_schema.views', async () => {
    const s = open('lakegate');
    await s.query('create table t (a int not null, b text)');
    await s.query('create view v as select a from t');
    expect((await s.query("select tablename from pg_tables where schemaname = 'public'")).rows).toEqual([['t']]);
    expect((await s.query("select relkind, relnatts from pg_class where relname = 'v'")).rows).toEqual([['v', '1']]);
    expect((await s.query("select viewname, definition from pg_views where schemaname = 'public'")).rows).toEqual([['v', 'select a from t']]);
    expect((await s.query("select table_name, view_definition from information_schema.views where table_schema = 'public'")).rows).toEqual([['v', 'select a from t']]);
    expect((await s.query("select pg_get_viewdef(oid, true) from pg_class where relname = 'v'")).rows).toEqual([['select a from t']]);
  });

  it('answers empty catalogs with their columns', async () => {
    for (const t of ['pg_description', 'pg_index', 'pg_constraint', 'pg_attrdef', 'pg_inherits', 'pg_proc', 'pg_trigger']) {
      expect(await rows(`select count(*) from ${t}`)).toEqual([['0']]);
    }
    expect(await rows('select amname from pg_am order by oid')).toEqual([['heap'], ['btree']]);
  });
});

describe('information_schema', () => {
  it('lists schemata, tables and columns', async () => {
    expect((await columnsOf('information_schema.columns')).length).toBe(44);
    expect(await rows("select catalog_name, schema_name from information_schema.schemata where schema_name in ('tiny', 'memory.public') order by 2")).toEqual([
      ['tpch', 'memory.public'], ['tpch', 'tiny'],
    ]);
    expect(await rows("select table_type from information_schema.tables where table_schema = 'tiny' and table_name = 'region'")).toEqual([['BASE TABLE']]);
    expect(await rows(`select column_name, ordinal_position, is_nullable, data_type, character_maximum_length, numeric_precision, udt_name
      from information_schema.columns where table_schema = 'tiny' and table_name = 'region' order by ordinal_position`)).toEqual([
      ['r_regionkey', '1', 'NO', 'integer', null, '32', 'int4'],
      ['r_name', '2', 'NO', 'character', '25', null, 'bpchar'],
      ['r_comment', '3', 'NO', 'character varying', '152', null, 'varchar'],
    ]);
  });
});

describe('catalog functions', () => {
  it('format_type, visibility, owners, descriptions, privileges', async () => {
    expect(await rows("select format_type(1043, 29), format_type(1007, -1), format_type(23, null), format_type(30, -1), format_type(999999, -1)")).toEqual([
      ['character varying(25)', 'integer[]', 'integer', 'oidvector', '???'],
    ]);
    expect(await rows("select pg_get_userbyid(10), obj_description(1259, 'pg_class'), col_description(1259, 1), pg_get_expr(null, 0)")).toEqual([['tester', null, null, null]]);
    expect(await rows("select has_table_privilege('tiny.nation', 'select'), has_schema_privilege('tiny', 'usage'), pg_backend_pid() > 0")).toEqual([['t', 't', 't']]);
    const s = open();
    await s.query('set search_path = tiny');
    expect((await s.query('select current_schemas(true), current_schemas(false)')).rows).toEqual([['{pg_catalog,tiny}', '{tiny}']]);
    expect((await s.query(`select n.nspname, pg_table_is_visible(c.oid) from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where relname in ('nation', 'pg_class') and nspname in ('tiny', 'sf1', 'pg_catalog') order by 1`)).rows).toEqual([
      ['pg_catalog', 't'], ['sf1', 'f'], ['tiny', 't'],
    ]);
  });

  it('regclass and regtype by name', async () => {
    expect(await rows("select 'pg_class'::regclass::oid, 'pg_catalog.pg_type'::regclass, to_regclass('nope'), 'int4'::regtype, 'text[]'::regtype::oid")).toEqual([
      ['1259', 'pg_type', null, 'integer', '1009'],
    ]);
    const s = open('lakegate');
    await s.query('select 1 from pg_class limit 1');
    expect((await s.query("select to_regclass('\"tpch.tiny\".nation')::text, 'tpch.tiny.region'::regclass")).rows).toEqual([['"tpch.tiny".nation', '"tpch.tiny".region']]);
    await expect(s.query("select 'no_such_table'::regclass")).rejects.toThrow('relation "no_such_table" does not exist');
  });

  it("binds psql's operator, collation and ARRAY() forms", async () => {
    expect(await rows(`select c.relname from pg_catalog.pg_class c left join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relname operator(pg_catalog.~) '^(region)$' collate pg_catalog.default and n.nspname operator(pg_catalog.~) '^(tiny)$' collate pg_catalog.default`)).toEqual([['region']]);
    expect(await rows("select array(select rolname from pg_roles order by 1), array(select 1 from pg_index)")).toEqual([['{tester}', '{}']]);
  });
});

describe('pg_authid, pg_publication_tables, pg_stat_activity, pg_operator, pg_cast', () => {
  it('have PostgreSQL 15 columns', async () => {
    expect(await columnsOf('pg_authid')).toEqual([
      'oid', 'rolname', 'rolsuper', 'rolinherit', 'rolcreaterole', 'rolcreatedb', 'rolcanlogin', 'rolreplication', 'rolbypassrls', 'rolconnlimit', 'rolpassword', 'rolvaliduntil',
    ]);
    expect(await columnsOf('pg_publication_tables')).toEqual(['pubname', 'schemaname', 'tablename', 'attnames', 'rowfilter']);
    expect(await columnsOf('pg_stat_activity')).toEqual([
      'datid', 'datname', 'pid', 'leader_pid', 'usesysid', 'usename', 'application_name', 'client_addr', 'client_hostname', 'client_port',
      'backend_start', 'xact_start', 'query_start', 'state_change', 'wait_event_type', 'wait_event', 'state', 'backend_xid', 'backend_xmin',
      'query_id', 'query', 'backend_type',
    ]);
    expect(await columnsOf('pg_operator')).toEqual([
      'oid', 'oprname', 'oprnamespace', 'oprowner', 'oprkind', 'oprcanmerge', 'oprcanhash', 'oprleft', 'oprright', 'oprresult', 'oprcom',
      'oprnegate', 'oprcode', 'oprrest', 'oprjoin',
    ]);
    expect(await columnsOf('pg_cast')).toEqual(['oid', 'castsource', 'casttarget', 'castfunc', 'castcontext', 'castmethod']);
    const s = open();
    const prepared = await s.session.prepare(s.session.parse('select p.attnames, a.pid, a.backend_start, o.oprkind, o.oprcode, c.castmethod from pg_publication_tables p, pg_stat_activity a, pg_operator o, pg_cast c')[0]!, []);
    expect(prepared.columns!.map((c) => c.type.name)).toEqual(['_name', 'int4', 'timestamptz', 'char', 'regproc', 'char']);
  });

  it('shows the user in pg_authid without a password, and no publications', async () => {
    expect(await rows('select oid, rolname, rolsuper, rolcanlogin, rolpassword from pg_authid')).toEqual([['10', 'tester', 'f', 't', null]]);
    expect(await rows('select count(*) from pg_publication_tables')).toEqual([['0']]);
  });

  it('lists open sessions in pg_stat_activity, hiding other users\' queries', async () => {
    const catalogs = createDefaultCatalogs();
    const { createEngine } = await import('../../index.js');
    const engine = createEngine({ catalogs });
    const options = (user: string, backendPid: number) => ({
      user, database: 'tpch', backendPid, startupParameters: { application_name: `app-${user}` }, onParameterStatus: () => undefined, onNotice: () => undefined,
    });
    const me = engine.openSession(options('alice', 4242));
    const other = engine.openSession(options('bob', 4343));
    const run = async (sql: string) => {
      const prepared = await me.prepare(me.parse(sql)[0]!, []);
      const execution = me.execute(prepared, [], { signal: new AbortController().signal });
      const out: unknown[][] = [];
      for (let b = await execution.next(); b !== null; b = await execution.next()) {
        const { datumAt } = await import('../../execution/batch/vector.js');
        for (let i = 0; i < b.length; i++) out.push(b.columns.map((v) => datumAt(v, i)));
      }
      return out;
    };
    await run('begin');
    expect(await run('select pid, usename, application_name, state, query, backend_type, xact_start is not null, pid = pg_backend_pid() from pg_stat_activity order by pid')).toEqual([
      [4242, 'alice', 'app-alice', 'active', 'select pid, usename, application_name, state, query, backend_type, xact_start is not null, pid = pg_backend_pid() from pg_stat_activity order by pid', 'client backend', true, true],
      [4343, 'bob', 'app-bob', null, '<insufficient privilege>', null, false, false],
    ]);
    other.close();
    expect(await run('select pid, state from pg_stat_activity')).toEqual([[4242, 'active']]);
    me.close();
  });

  it('lists the registry\'s operators and the casts cast.ts knows', async () => {
    expect(await rows(`select o.oprkind, o.oprleft::regtype, o.oprright::regtype, o.oprresult::regtype, o.oprcanhash, c.oprname, n.oprname, o.oid >= 16384
      from pg_operator o left join pg_operator c on c.oid = o.oprcom left join pg_operator n on n.oid = o.oprnegate
      where o.oprname = '<' and o.oprleft = 'int4'::regtype and o.oprright = 'int4'::regtype`)).toEqual([['b', 'integer', 'integer', 'boolean', 'f', '>', '>=', 't']]);
    expect(await rows("select oprcanhash, oprcanmerge from pg_operator where oprname = '=' and oprleft = 'text'::regtype and oprright = 'text'::regtype")).toEqual([['t', 't']]);
    expect(await rows("select oprkind, oprleft from pg_operator where oprname = '-' and oprleft = 0 and oprright = 'int4'::regtype")).toEqual([['l', '0']]);
    const first = await rows('select oid, oprname from pg_operator order by oid');
    expect(await rows('select oid, oprname from pg_operator order by oid', 'lakegate')).toEqual(first);
    // castcontext and castmethod as PostgreSQL 15's pg_cast has them.
    expect(await rows(`select castsource::regtype, casttarget::regtype, castcontext, castmethod, castfunc <> 0 from pg_cast
      where castsource::regtype::text || '>' || casttarget::regtype::text in
        ('integer>bigint', 'bigint>integer', 'integer>oid', 'text>character varying', 'bpchar>text', 'json>jsonb', 'integer>boolean')
      order by castsource, casttarget`)).toEqual([
      ['bigint', 'integer', 'a', 'f', 't'], ['integer', 'boolean', 'e', 'f', 't'], ['integer', 'bigint', 'i', 'f', 't'], ['integer', 'oid', 'i', 'b', 'f'],
      ['text', 'character varying', 'i', 'b', 'f'], ['json', 'jsonb', 'a', 'i', 'f'], ['bpchar', 'text', 'i', 'f', 't'],
    ]);
  });
});

describe('information_schema.routines and role_table_grants', () => {
  it('have PostgreSQL 15 columns', async () => {
    const routines = await columnsOf('information_schema.routines');
    expect(routines.length).toBe(82);
    expect(routines.slice(0, 7)).toEqual(['specific_catalog', 'specific_schema', 'specific_name', 'routine_catalog', 'routine_schema', 'routine_name', 'routine_type']);
    expect(routines.slice(-2)).toEqual(['result_cast_maximum_cardinality', 'result_cast_dtd_identifier']);
    expect(await columnsOf('information_schema.role_table_grants')).toEqual([
      'grantor', 'grantee', 'table_catalog', 'table_schema', 'table_name', 'privilege_type', 'is_grantable', 'with_hierarchy',
    ]);
  });

  it('lists the functions as PostgreSQL lists its built-in ones', async () => {
    const [row] = await rows(`select specific_catalog, specific_schema, specific_name like 'lower\\_%', routine_schema, routine_type, data_type, type_udt_name,
      routine_body, routine_definition, external_language, is_deterministic, is_null_call, security_type
      from information_schema.routines where routine_name = 'lower' and data_type = 'text'`);
    expect(row).toEqual(['tpch', 'pg_catalog', 't', 'pg_catalog', 'FUNCTION', 'text', 'text', 'EXTERNAL', 'lower', 'INTERNAL', 'YES', 'YES', 'INVOKER']);
    expect(await rows("select count(*) > 0, count(distinct specific_name) = count(*) from information_schema.routines where routine_name = 'generate_series'")).toEqual([['t', 't']]);
    expect(await rows("select count(*) from information_schema.routines where routine_name = '+'")).toEqual([['0']]);
  });

  it('grants the owner every table privilege, SELECT with hierarchy', async () => {
    expect(await rows("select grantor, grantee, table_catalog, privilege_type, is_grantable, with_hierarchy from information_schema.role_table_grants where table_schema = 'tiny' and table_name = 'nation'")).toEqual([
      ['tester', 'tester', 'tpch', 'INSERT', 'YES', 'NO'], ['tester', 'tester', 'tpch', 'SELECT', 'YES', 'YES'], ['tester', 'tester', 'tpch', 'UPDATE', 'YES', 'NO'],
      ['tester', 'tester', 'tpch', 'DELETE', 'YES', 'NO'], ['tester', 'tester', 'tpch', 'TRUNCATE', 'YES', 'NO'], ['tester', 'tester', 'tpch', 'REFERENCES', 'YES', 'NO'],
      ['tester', 'tester', 'tpch', 'TRIGGER', 'YES', 'NO'],
    ]);
    expect(await rows("select count(*) from information_schema.role_table_grants where table_schema in ('pg_catalog', 'information_schema')")).toEqual([['0']]);
  });
});
