/**
 * Functions that clients' catalog queries call (psql, pgJDBC, BI tools): format_type,
 * pg_table_is_visible, pg_get_userbyid, obj_description, has_*_privilege, to_regclass, ….
 * Names resolve through the system catalog (engine/catalog/system); objects Lakegate does
 * not have (comments, indexes, defaults) read as PostgreSQL reads them for an object without one.
 */
import { catalogOfDatabase, relationByOid } from '../../catalog/system/directory.js';
import { regclassOid, relationVisible, typeName } from '../../catalog/system/reg-names.js';
import { USER_OID } from '../../catalog/system/oids.js';
import { arrayOf, formatType, T, typeByOid } from '../../types/pg-type.js';
import { defineScalar } from '../define.js';
import { mapBinary } from '../kernels.js';
import { ANY, registerScalar, registerTable, type EvalContext } from '../registry.js';
import { constantVector } from '../../execution/batch/vector.js';

const searchPath = (ctx: EvalContext): string[] =>
  (ctx.session.getSetting('search_path', true) ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
    .map((s) => (s === '$user' ? ctx.session.user : s))
    .filter(Boolean);
const defaultCatalog = (ctx: EvalContext): string => catalogOfDatabase(ctx.session.database);
const stable = { volatility: 'stable' } as const;

defineScalar('format_type', [T.oid, T.int4], T.text, ([oid, typmod]: [number | null, number | null]) => {
  if (oid === null) return null;
  const t = typeByOid(oid, typmod ?? -1);
  if (t) return formatType(t);
  return typeName(oid) ?? '???';
}, 'format a type oid and atttypmod to canonical SQL', { ...stable, strict: false });

registerScalar({
  name: 'pg_typeof', args: [ANY], returns: T.regtype, volatility: 'stable', strict: false,
  vector: ([a], n) => constantVector(T.regtype, a!.type.oid, n),
  description: 'type of the argument',
});

defineScalar('pg_table_is_visible', [T.oid], T.bool, ([oid]: [number], ctx) => relationVisible(oid, defaultCatalog(ctx), searchPath(ctx)) ?? null,
  'is table visible in search path?', stable);
for (const name of ['pg_type_is_visible', 'pg_function_is_visible', 'pg_operator_is_visible', 'pg_collation_is_visible', 'pg_conversion_is_visible']) {
  defineScalar(name, [T.oid], T.bool, () => true, `is object visible in search path? (${name})`, stable);
}
// Another session's temporary schema is not shown (engine/catalog/system/snapshot.ts).
defineScalar('pg_is_other_temp_schema', [T.oid], T.bool, () => false, 'is schema another session\'s temp schema?', stable);
defineScalar('pg_get_userbyid', [T.oid], T.name, ([oid]: [number], ctx) => (oid === USER_OID ? ctx.session.user : `unknown (OID=${oid})`),
  'role name by OID (with fallback)', stable);

// Lakegate objects have no comments, defaults, index or constraint definitions.
defineScalar('obj_description', [T.oid, T.name], T.text, () => null, 'get description for object id and catalog name', stable);
defineScalar('obj_description', [T.oid], T.text, () => null, 'deprecated, use two-argument form instead', stable);
defineScalar('col_description', [T.oid, T.int4], T.text, () => null, 'get description for table column', stable);
defineScalar('shobj_description', [T.oid, T.name], T.text, () => null, 'get description for object id and shared catalog name', stable);
defineScalar('pg_get_expr', [T.text, T.oid], T.text, () => null, 'deparse an encoded expression', stable);
defineScalar('pg_get_expr', [T.text, T.oid, T.bool], T.text, () => null, 'deparse an encoded expression with pretty-print option', stable);
defineScalar('pg_get_indexdef', [T.oid], T.text, () => null, 'index description', stable);
defineScalar('pg_get_indexdef', [T.oid, T.int4, T.bool], T.text, () => null, 'index description (full create statement or single expression) with pretty-print option', stable);
defineScalar('pg_get_constraintdef', [T.oid], T.text, () => null, 'constraint description', stable);
defineScalar('pg_get_constraintdef', [T.oid, T.bool], T.text, () => null, 'constraint description with pretty-print option', stable);

const ENCODINGS: Record<number, string> = { 0: 'SQL_ASCII', 6: 'UTF8', 8: 'LATIN1' };
defineScalar('pg_encoding_to_char', [T.int4], T.name, ([e]: [number]) => ENCODINGS[e] ?? '', 'convert encoding id to encoding name', stable);

defineScalar('current_schemas', [T.bool], arrayOf(T.name), ([implicit]: [boolean], ctx) => {
  const path = searchPath(ctx).filter((s) => s !== ctx.session.user);
  return implicit && !path.includes('pg_catalog') ? ['pg_catalog', ...path] : path;
}, 'current schema search list', stable);
defineScalar('pg_backend_pid', [], T.int4, (_a, ctx) => ctx.session.backendPid, 'statistics: current backend PID', stable);

// The user may use everything the catalog shows them (authorization belongs to auth/, later).
const privilege = (name: string, objectTypes: (typeof T.text)[], what: string) => {
  for (const obj of objectTypes) {
    defineScalar(name, [obj, T.text], T.bool, () => true, `current user privilege on ${what} by ${obj.name}`, stable);
    defineScalar(name, [T.name, obj, T.text], T.bool, () => true, `user privilege on ${what} by username, ${what} ${obj.name}`, stable);
  }
};
privilege('has_table_privilege', [T.text, T.oid], 'relation');
privilege('has_schema_privilege', [T.text, T.oid], 'schema');
privilege('has_database_privilege', [T.text, T.oid], 'database');
privilege('has_any_column_privilege', [T.text, T.oid], 'any column');
privilege('has_column_privilege', [T.text, T.oid], 'column');

defineScalar('to_regclass', [T.text], T.regclass, ([name]: [string], ctx) => regclassOid(name, defaultCatalog(ctx), searchPath(ctx)) ?? null,
  'convert classname to regclass', stable);
defineScalar('to_regtype', [T.text], T.regtype, ([name]: [string]) => {
  const n = name.trim().toLowerCase();
  for (const t of Object.values(T)) if (t.name === n || formatType(t) === n) return t.oid;
  return null;
}, 'convert type name to regtype', stable);

// oid and the reg* types compare as numbers with each other (oid = regclass, typinput = 'array_in'::regproc).
const REG_TYPES = [T.oid, T.regclass, T.regtype, T.regproc];
const COMPARISONS: ReadonlyArray<readonly [string, (a: number, b: number) => boolean]> = [
  ['=', (a, b) => a === b], ['<>', (a, b) => a !== b], ['<', (a, b) => a < b], ['<=', (a, b) => a <= b], ['>', (a, b) => a > b], ['>=', (a, b) => a >= b],
];
for (const l of REG_TYPES) {
  for (const r of REG_TYPES) {
    if (l === T.oid && r === T.oid) continue; // comparison.ts has oid = oid
    if (l !== r && l !== T.oid && r !== T.oid) continue;
    for (const [op, f] of COMPARISONS) {
      registerScalar({
        name: op, args: [l, r], returns: T.bool, volatility: 'immutable', strict: true,
        vector: ([a, b], n) => mapBinary(T.bool, a!, b!, n, f as (x: never, y: never) => boolean), description: `${l.name} ${op} ${r.name}`,
      });
    }
  }
}

defineScalar('pg_get_viewdef', [T.oid], T.text, ([oid]: [number]) => relationByOid(oid)?.definition ?? null, 'select statement of a view', stable);
defineScalar('pg_get_viewdef', [T.oid, T.bool], T.text, ([oid]: [number]) => relationByOid(oid)?.definition ?? null, 'select statement of a view with pretty-print option', stable);
defineScalar('pg_get_triggerdef', [T.oid], T.text, () => null, 'trigger description', stable);
defineScalar('pg_get_triggerdef', [T.oid, T.bool], T.text, () => null, 'trigger description with pretty-print option', stable);
defineScalar('pg_get_function_result', [T.oid], T.text, () => null, 'result type of a function', stable);
defineScalar('pg_get_function_arguments', [T.oid], T.text, () => null, 'argument list of a function', stable);
defineScalar('pg_get_function_identity_arguments', [T.oid], T.text, () => null, 'identity argument list of a function', stable);
defineScalar('pg_get_serial_sequence', [T.text, T.text], T.text, () => null, 'name of sequence for a serial column', stable);
defineScalar('pg_relation_is_publishable', [T.regclass], T.bool, () => false, 'returns whether a relation can be part of a publication', stable);
for (const name of ['pg_total_relation_size', 'pg_relation_size', 'pg_table_size', 'pg_indexes_size']) {
  defineScalar(name, [T.regclass], T.int8, () => 0n, `disk space used by a relation (${name}); Lakegate stores nothing locally`, { volatility: 'volatile' });
}

registerTable({
  name: 'pg_get_keywords', args: [], volatility: 'stable', strict: false, description: 'list of SQL keywords',
  columns: () => [{ name: 'word', type: T.text }, { name: 'catcode', type: T.char }, { name: 'barelabel', type: T.bool }, { name: 'catdesc', type: T.text }, { name: 'baredesc', type: T.text }],
  rows: () => KEYWORDS.map(([word, cat]) => [word, cat, true, CATEGORY[cat], 'can be bare label']),
});
registerTable({
  name: 'pg_partition_ancestors', args: [T.regclass], volatility: 'stable', strict: true, description: 'view partition tree ancestors of a relation',
  columns: () => [{ name: 'relid', type: T.regclass }],
  rows: ([oid]) => [[oid]],
});

const CATEGORY: Record<string, string> = { U: 'unreserved', C: 'unreserved (cannot be function or type name)', T: 'reserved (can be function or type name)', R: 'reserved' };
/** PostgreSQL 15's reserved keywords, and the unreserved ones clients look for. */
const KEYWORDS: ReadonlyArray<readonly [string, string]> = [
  ...'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references returning select session_user some symmetric table then to trailing true union unique user using variadic when where window with'
    .split(' ').map((w) => [w, 'R'] as const),
  ...'authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join left like natural notnull outer overlaps right similar tablesample verbose'.split(' ').map((w) => [w, 'T'] as const),
  ...'between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping inout int integer interval least national nchar none normalize nullif numeric out overlay position precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable'
    .split(' ').map((w) => [w, 'C'] as const),
];
defineScalar('pg_get_statisticsobjdef_columns', [T.oid], T.text, () => null, 'extended statistics columns', stable);
defineScalar('pg_get_partkeydef', [T.oid], T.text, () => null, 'partition key description', stable);
defineScalar('pg_get_partition_constraintdef', [T.oid], T.text, () => null, 'partition constraint description', stable);
