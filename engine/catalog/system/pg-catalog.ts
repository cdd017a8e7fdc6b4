/** pg_catalog tables with PostgreSQL 15's columns (see table-def.ts for type substitutions). */
import { castEntries } from '../../types/cast.js';
import { T } from '../../types/pg-type.js';
import { allScalars, type ScalarFunction } from '../../functions/registry.js';
import { castKey, databaseKey, functionKey, PG_CATALOG_NAMESPACE, roleKey, USER_OID } from './oids.js';
import type { ActivityRow } from './session-info.js';
import { isTempSchema, SYSTEM_CATALOG, type RelationInfo, type Snapshot } from './snapshot.js';
import { table, type SystemTableDef } from './table-def.js';
import { pgTypeRow, typeAlign, typeByVal, typeCollation, typeLen, typeRows, typeStorage } from './types.js';

const HEAP_AM = 2;
const UTF8 = 6;
/** PostgreSQL's fixed OIDs of its catalog tables; views get 12000 + position. */
const VIEW_OID_BASE = 12000;
let viewIndex = 0;
const view = (name: string, spec: string, rows?: (s: Snapshot) => unknown[][]) => table('pg_catalog', name, VIEW_OID_BASE + viewIndex++, 'v', spec, rows);
const rel = (name: string, oid: number, spec: string, rows?: (s: Snapshot) => unknown[][]) => table('pg_catalog', name, oid, 'r', spec, rows);

const userRelations = (s: Snapshot, kind: 'r' | 'v'): RelationInfo[] => s.relations.filter((r) => r.kind === kind && r.namespace.catalog !== SYSTEM_CATALOG);

/** Functions named by a symbol are operators (engine/functions/README.md). */
export const isOperator = (fn: ScalarFunction): boolean => /^[^a-z0-9_]+$/i.test(fn.name);

const COMMUTATOR: Record<string, string> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=', '+': '+', '*': '*' };
const NEGATOR: Record<string, string> = {
  '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>', '~': '!~', '!~': '~', '~*': '!~*', '!~*': '~*', '~~': '!~~', '!~~': '~~', '~~*': '!~~*', '!~~*': '~~*',
};

/** pg_operator: one row per operator of the function registry; OIDs hashed from the signature id. */
function operatorRows(s: Snapshot): unknown[][] {
  const operators = [...allScalars()].filter(isOperator);
  const ids = new Set(operators.map((o) => o.id));
  const oidOf = (name: string | undefined, args: readonly string[]) => {
    const id = name === undefined ? undefined : `${name}(${args.join(',')})`;
    return id !== undefined && ids.has(id) ? s.oidFor(functionKey(id)) : 0;
  };
  return operators.map((o) => {
    const [left, right] = o.args.length === 2 ? [o.args[0]!, o.args[1]!] : [undefined, o.args[0]!];
    const argNames = o.args.map((a) => a.name);
    const hashable = o.name === '=' && left !== undefined;
    return [
      s.oidFor(functionKey(o.id)), o.name, PG_CATALOG_NAMESPACE, USER_OID, left === undefined ? 'l' : 'b', hashable, hashable,
      left?.oid ?? 0, right?.oid ?? 0, o.returns.oid, left === undefined ? 0 : oidOf(COMMUTATOR[o.name], [...argNames].reverse()),
      oidOf(NEGATOR[o.name], argNames), s.oidFor(functionKey(o.id)), 0, 0,
    ];
  });
}

/** pg_cast: the casts engine/types/cast.ts lists; a function cast names the function "target(source)". */
const castRows = (s: Snapshot): unknown[][] => castEntries().map((c) => [
  s.oidFor(castKey(c.source, c.target)), T[c.source].oid, T[c.target].oid, c.method === 'f' ? s.oidFor(functionKey(`${c.target}(${c.source})`)) : 0, c.context, c.method,
]);

/**
 * pg_stat_activity: the session's own user sees everything of its sessions; of other users'
 * sessions only who and where, with query "<insufficient privilege>", as PostgreSQL shows them
 * to a role that is neither their member nor pg_read_all_stats.
 */
function activityRow(s: Snapshot, a: ActivityRow): unknown[] {
  const datid = s.oidFor(databaseKey(a.database));
  if (a.user !== s.user) {
    return [datid, a.database, a.pid, null, s.oidFor(roleKey(a.user)), a.user, a.applicationName, ...Array<null>(13).fill(null), '<insufficient privilege>', null];
  }
  const idle = a.state !== 'active';
  return [
    datid, a.database, a.pid, null, USER_OID, a.user, a.applicationName, a.clientAddr, null, a.clientPort,
    a.backendStart, a.xactStart, a.queryStart, a.stateChange, idle ? 'Client' : null, idle ? 'ClientRead' : null, a.state, null, null, null, a.query, 'client backend',
  ];
}

export const pgCatalogTables: SystemTableDef[] = [
  rel('pg_namespace', 2615, 'oid oid, nspname name, nspowner oid, nspacl acl', (s) => s.namespaces.map((n) => [n.oid, n.name, USER_OID, null])),
  rel('pg_class', 1259, `oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, relfilenode oid,
    reltablespace oid, relpages int4, reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, relisshared bool,
    relpersistence char, relkind char, relnatts int2, relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool,
    relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, relreplident char, relispartition bool, relrewrite oid,
    relfrozenxid xid, relminmxid xid, relacl acl, reloptions textArray, relpartbound nodeTree`,
  (s) => s.relations.map((r) => [
    r.oid, r.name, r.namespace.oid, 0, 0, USER_OID, r.kind === 'r' ? HEAP_AM : 0, 0, 0, 0, -1, 0, 0, false, false,
    isTempSchema(r.namespace.schema) ? 't' : 'p', r.kind, r.columns.length, 0, r.kind === 'v', false, false, false, false, true, r.kind === 'v' ? 'n' : 'd', false, 0,
    0, 0, null, null, null,
  ])),
  rel('pg_attribute', 1249, `attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, attndims int4,
    attcacheoff int4, atttypmod int4, attbyval bool, attalign char, attstorage char, attcompression char, attnotnull bool,
    atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, attisdropped bool, attislocal bool, attinhcount int4,
    attcollation oid, attacl acl, attoptions textArray, attfdwoptions textArray, attmissingval anyarray`,
  (s) => s.relations.flatMap((r) => r.columns.map((c, i) => [
    r.oid, c.name, c.type.oid, -1, typeLen(c.type), i + 1, c.type.elem ? 1 : 0, -1, c.type.typmod, typeByVal(c.type), typeAlign(c.type),
    typeStorage(c.type), '', !c.nullable, false, false, '', '', false, true, 0, typeCollation(c.type), null, null, null, null,
  ]))),
  rel('pg_type', 1247, `oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, typcategory char,
    typispreferred bool, typisdefined bool, typdelim char, typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc,
    typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, typalign char,
    typstorage char, typnotnull bool, typbasetype oid, typtypmod int4, typndims int4, typcollation oid, typdefaultbin nodeTree,
    typdefault text, typacl acl`, () => typeRows().map(pgTypeRow)),
  rel('pg_database', 1262, `oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, datallowconn bool,
    datconnlimit int4, datfrozenxid xid, datminmxid xid, dattablespace oid, datcollate text, datctype text, daticulocale text,
    datcollversion text, datacl acl`,
  (s) => s.databases.map((d) => [d.oid, d.name, USER_OID, UTF8, 'c', false, true, -1, 0, 1, 1663, 'C', 'C', null, null, null])),
  view('pg_roles', `rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool,
    rolreplication bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz, rolbypassrls bool, rolconfig textArray, oid oid`,
  (s) => [[s.user, false, true, false, false, true, false, -1, '********', null, false, null, USER_OID]]),
  view('pg_user', `usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, passwd text,
    valuntil timestamptz, useconfig textArray`, (s) => [[s.user, USER_OID, false, false, false, false, '********', null, null]]),
  rel('pg_authid', 1260, `oid oid, rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool,
    rolreplication bool, rolbypassrls bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz`,
  (s) => [[USER_OID, s.user, false, true, false, false, true, false, false, -1, null, null]]),
  rel('pg_auth_members', 1261, 'roleid oid, member oid, grantor oid, admin_option bool'),
  view('pg_settings', `name text, setting text, unit text, category text, short_desc text, extra_desc text, context text, vartype text,
    source text, min_val text, max_val text, enumvals textArray, boot_val text, reset_val text, sourcefile text, sourceline int4,
    pending_restart bool`,
  (s) => s.settings.map((x) => [
    x.name, x.setting, null, 'Lakegate', '', null, x.readOnly ? 'internal' : 'user', 'string', x.setting === x.bootVal ? 'default' : 'session',
    null, null, null, x.bootVal, x.bootVal, null, null, false,
  ])),
  view('pg_tables', 'schemaname name, tablename name, tableowner name, tablespace name, hasindexes bool, hasrules bool, hastriggers bool, rowsecurity bool',
    (s) => s.relations.filter((r) => r.kind === 'r').map((r) => [r.namespace.name, r.name, s.user, null, false, false, false, false])),
  view('pg_views', 'schemaname name, viewname name, viewowner name, definition text',
    (s) => s.relations.filter((r) => r.kind === 'v').map((r) => [r.namespace.name, r.name, s.user, r.definition ?? null])),
  view('pg_matviews', 'schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes bool, ispopulated bool, definition text'),
  rel('pg_description', 2609, 'objoid oid, classoid oid, objsubid int4, description text'),
  rel('pg_shdescription', 2396, 'objoid oid, classoid oid, description text'),
  rel('pg_index', 2610, `indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, indnullsnotdistinct bool,
    indisprimary bool, indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool,
    indislive bool, indisreplident bool, indkey int2vector, indcollation oidvector, indclass oidvector, indoption int2vector,
    indexprs nodeTree, indpred nodeTree`),
  rel('pg_constraint', 2606, `oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool,
    convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype char, confdeltype char,
    confmatchtype char, conislocal bool, coninhcount int4, connoinherit bool, conkey int2Array, confkey int2Array, conpfeqop oidArray,
    conppeqop oidArray, conffeqop oidArray, confdelsetcols int2Array, conexclop oidArray, conbin nodeTree`),
  rel('pg_attrdef', 2604, 'oid oid, adrelid oid, adnum int2, adbin nodeTree'),
  rel('pg_inherits', 2611, 'inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool'),
  rel('pg_am', 2601, 'oid oid, amname name, amhandler regproc, amtype char', () => [[HEAP_AM, 'heap', 0, 't'], [403, 'btree', 0, 'i']]),
  rel('pg_opclass', 2616, 'oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault bool, opckeytype oid'),
  rel('pg_proc', 1255, `oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, prorows float4,
    provariadic oid, prosupport regproc, prokind char, prosecdef bool, proleakproof bool, proisstrict bool, proretset bool,
    provolatile char, proparallel char, pronargs int2, pronargdefaults int2, prorettype oid, proargtypes oidvector,
    proallargtypes oidArray, proargmodes charArray, proargnames textArray, proargdefaults nodeTree, protrftypes oidArray, prosrc text,
    probin text, prosqlbody nodeTree, proconfig textArray, proacl acl`),
  rel('pg_trigger', 2620, `oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char, tgisinternal bool,
    tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool, tginitdeferred bool, tgnargs int2, tgattr int2vector,
    tgargs text, tgqual nodeTree, tgoldtable name, tgnewtable name`),
  rel('pg_tablespace', 1213, 'oid oid, spcname name, spcowner oid, spcacl acl, spcoptions textArray',
    () => [[1663, 'pg_default', USER_OID, null, null], [1664, 'pg_global', USER_OID, null, null]]),
  rel('pg_depend', 2608, 'classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char'),
  rel('pg_collation', 3456, `oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic bool,
    collencoding int4, collcollate text, collctype text, colliculocale text, collversion text`,
  () => [[100, 'default', PG_CATALOG_NAMESPACE, USER_OID, 'd', true, -1, null, null, null, null], [950, 'C', PG_CATALOG_NAMESPACE, USER_OID, 'c', true, -1, 'C', 'C', null, null]]),
  rel('pg_sequence', 2224, 'seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool'),
  rel('pg_policy', 3256, 'oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles oidArray, polqual nodeTree, polwithcheck nodeTree'),
  rel('pg_statistic_ext', 3381, `oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys int2vector,
    stxkind charArray, stxexprs nodeTree`),
  rel('pg_publication', 6104, `oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool,
    pubtruncate bool, pubviaroot bool`),
  rel('pg_publication_rel', 6106, 'oid oid, prpubid oid, prrelid oid, prqual nodeTree, prattrs int2vector'),
  rel('pg_publication_namespace', 6237, 'oid oid, pnpubid oid, pnnspid oid'),
  view('pg_publication_tables', 'pubname name, schemaname name, tablename name, attnames nameArray, rowfilter text'),
  view('pg_stat_activity', `datid oid, datname name, pid int4, leader_pid int4, usesysid oid, usename name, application_name text,
    client_addr inet, client_hostname text, client_port int4, backend_start timestamptz, xact_start timestamptz, query_start timestamptz,
    state_change timestamptz, wait_event_type text, wait_event text, state text, backend_xid xid, backend_xmin xid, query_id int8, query text,
    backend_type text`, (s) => s.activity.map((a) => activityRow(s, a))),
  rel('pg_operator', 2617, `oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char, oprcanmerge bool, oprcanhash bool,
    oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid, oprcode regproc, oprrest regproc, oprjoin regproc`, operatorRows),
  rel('pg_cast', 2605, 'oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char', castRows),
  rel('pg_enum', 3501, 'oid oid, enumtypid oid, enumsortorder float4, enumlabel name'),
  rel('pg_range', 3541, 'rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid, rngcanonical regproc, rngsubdiff regproc'),
  rel('pg_extension', 3079, 'oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, extconfig oidArray, extcondition textArray'),
  rel('pg_language', 2612, 'oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool, lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl acl',
    () => [[12, 'internal', USER_OID, false, false, 0, 0, 0, null], [13, 'c', USER_OID, false, false, 0, 0, 0, null], [14, 'sql', USER_OID, false, true, 0, 0, 0, null]]),
  rel('pg_rewrite', 2618, 'oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead bool, ev_qual nodeTree, ev_action nodeTree'),
  view('pg_stat_user_tables', `relid oid, schemaname name, relname name, seq_scan int8, seq_tup_read int8, idx_scan int8, idx_tup_fetch int8,
    n_tup_ins int8, n_tup_upd int8, n_tup_del int8, n_tup_hot_upd int8, n_live_tup int8, n_dead_tup int8, n_mod_since_analyze int8,
    n_ins_since_vacuum int8, last_vacuum timestamptz, last_autovacuum timestamptz, last_analyze timestamptz, last_autoanalyze timestamptz,
    vacuum_count int8, autovacuum_count int8, analyze_count int8, autoanalyze_count int8`,
  (s) => userRelations(s, 'r').map((r) => [r.oid, r.namespace.name, r.name, ...Array<bigint>(11).fill(0n), null, null, null, null, 0n, 0n, 0n, 0n])),
];
