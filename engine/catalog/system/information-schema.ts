/**
 * information_schema views with PostgreSQL 15's columns. Its domains are shown as their base
 * types (sql_identifier → name, character_data/yes_or_no → varchar, cardinal_number → int4).
 * table_catalog is the connected database; table_schema is the pg_namespace name.
 */
import { formatType, numericPrecision, numericScale, type PgType } from '../../types/pg-type.js';
import { allScalars, allTables } from '../../functions/registry.js';
import { functionKey } from './oids.js';
import { isOperator } from './pg-catalog.js';
import { SYSTEM_CATALOG, type Snapshot } from './snapshot.js';
import { table, type SystemTableDef } from './table-def.js';

const VIEW_OID_BASE = 13100;
let index = 0;
const view = (name: string, spec: string, rows?: (s: Snapshot) => unknown[][]) =>
  table('information_schema', name, VIEW_OID_BASE + index++, 'v', spec.replace(/\bident\b/g, 'name').replace(/\bchars\b/g, 'varchar').replace(/\bcard\b/g, 'int4'), rows);

/** information_schema.columns.data_type. */
function dataType(t: PgType): string {
  if (t.elem) return 'ARRAY';
  switch (t.name) {
    case 'bpchar': return 'character';
    case 'varchar': return 'character varying';
    case 'numeric': return 'numeric';
    case 'unknown': return 'USER-DEFINED';
    default: return formatType({ ...t, typmod: -1 });
  }
}

/** character_maximum_length, character_octet_length, numeric_precision, radix, scale, datetime_precision. */
function typeFacts(t: PgType): unknown[] {
  const mod = t.typmod;
  const chars = (t.name === 'varchar' || t.name === 'bpchar') && mod >= 4 ? mod - 4 : null;
  const octets = chars !== null ? chars * 4 : t.category === 'S' && !t.elem && t.name !== 'name' && t.name !== 'char' ? 1073741824 : null;
  const bits: Record<string, number> = { int2: 16, int4: 32, int8: 64, float4: 24, float8: 53 };
  let precision: number | null = bits[t.name] ?? null;
  let radix: number | null = precision !== null ? 2 : null;
  let scale: number | null = t.name.startsWith('int') ? 0 : null;
  if (t.name === 'numeric') {
    radix = 10;
    precision = mod >= 4 ? numericPrecision(mod) : null;
    scale = mod >= 4 ? numericScale(mod) : null;
  }
  const datetime = t.name === 'date' ? 0 : ['time', 'timestamp', 'timestamptz', 'interval'].includes(t.name) ? (mod >= 0 ? mod : 6) : null;
  return [chars, octets, precision, radix, scale, datetime];
}

const userRelations = (s: Snapshot) => s.relations;

/** The privileges PostgreSQL reports for a table's owner (role_table_grants), SELECT with hierarchy. */
const TABLE_PRIVILEGES = ['INSERT', 'SELECT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/**
 * information_schema.routines: the registry's functions as PostgreSQL shows its built-in ones
 * (schema pg_catalog, language INTERNAL, specific_name "name_oid"); operators are not routines.
 */
function routineRows(s: Snapshot): unknown[][] {
  const functions = [...[...allScalars()].filter((f) => !isOperator(f)), ...[...allTables()].map((f) => ({ ...f, returns: f.columns(f.args)[0]?.type }))];
  return functions.map((f) => {
    const returns = f.returns ?? f.args[0]!;
    return [
      s.database, 'pg_catalog', `${f.name}_${s.oidFor(functionKey(f.id))}`, s.database, 'pg_catalog', f.name, 'FUNCTION', null, null, null, null, null, null,
      dataType(returns), ...Array<null>(14).fill(null), s.database, 'pg_catalog', returns.name, null, null, null, null, '0', 'EXTERNAL', f.name, null, 'INTERNAL',
      'GENERAL', f.volatility === 'immutable' ? 'YES' : 'NO', 'MODIFIES', f.strict ? 'YES' : 'NO', null, 'YES', 0, null, null, 'INVOKER', null, null, null, 'NO',
      null, null, null, 'NO', ...Array<null>(24).fill(null),
    ];
  });
}

const ROUTINE_COLUMNS = `specific_catalog ident, specific_schema ident, specific_name ident, routine_catalog ident, routine_schema ident,
  routine_name ident, routine_type chars, module_catalog ident, module_schema ident, module_name ident, udt_catalog ident, udt_schema ident,
  udt_name ident, data_type chars, character_maximum_length card, character_octet_length card, character_set_catalog ident,
  character_set_schema ident, character_set_name ident, collation_catalog ident, collation_schema ident, collation_name ident,
  numeric_precision card, numeric_precision_radix card, numeric_scale card, datetime_precision card, interval_type chars,
  interval_precision card, type_udt_catalog ident, type_udt_schema ident, type_udt_name ident, scope_catalog ident, scope_schema ident,
  scope_name ident, maximum_cardinality card, dtd_identifier ident, routine_body chars, routine_definition chars, external_name chars,
  external_language chars, parameter_style chars, is_deterministic chars, sql_data_access chars, is_null_call chars, sql_path chars,
  schema_level_routine chars, max_dynamic_result_sets card, is_user_defined_cast chars, is_implicitly_invocable chars, security_type chars,
  to_sql_specific_catalog ident, to_sql_specific_schema ident, to_sql_specific_name ident, as_locator chars, created timestamptz,
  last_altered timestamptz, new_savepoint_level chars, is_udt_dependent chars, result_cast_from_data_type chars, result_cast_as_locator chars,
  result_cast_char_max_length card, result_cast_char_octet_length card, result_cast_char_set_catalog ident, result_cast_char_set_schema ident,
  result_cast_char_set_name ident, result_cast_collation_catalog ident, result_cast_collation_schema ident, result_cast_collation_name ident,
  result_cast_numeric_precision card, result_cast_numeric_precision_radix card, result_cast_numeric_scale card,
  result_cast_datetime_precision card, result_cast_interval_type chars, result_cast_interval_precision card,
  result_cast_type_udt_catalog ident, result_cast_type_udt_schema ident, result_cast_type_udt_name ident, result_cast_scope_catalog ident,
  result_cast_scope_schema ident, result_cast_scope_name ident, result_cast_maximum_cardinality card, result_cast_dtd_identifier ident`;

export const informationSchemaTables: SystemTableDef[] = [
  view('schemata', `catalog_name ident, schema_name ident, schema_owner ident, default_character_set_catalog ident,
    default_character_set_schema ident, default_character_set_name ident, sql_path chars`,
  (s) => s.namespaces.map((n) => [s.database, n.name, s.user, null, null, null, null])),
  view('tables', `table_catalog ident, table_schema ident, table_name ident, table_type chars, self_referencing_column_name ident,
    reference_generation chars, user_defined_type_catalog ident, user_defined_type_schema ident, user_defined_type_name ident,
    is_insertable_into chars, is_typed chars, commit_action chars`,
  (s) => userRelations(s).map((r) => [
    s.database, r.namespace.name, r.name, r.kind === 'v' ? 'VIEW' : 'BASE TABLE', null, null, null, null, null, r.kind === 'r' ? 'YES' : 'NO', 'NO', null,
  ])),
  view('columns', `table_catalog ident, table_schema ident, table_name ident, column_name ident, ordinal_position card, column_default chars,
    is_nullable chars, data_type chars, character_maximum_length card, character_octet_length card, numeric_precision card,
    numeric_precision_radix card, numeric_scale card, datetime_precision card, interval_type chars, interval_precision card,
    character_set_catalog ident, character_set_schema ident, character_set_name ident, collation_catalog ident, collation_schema ident,
    collation_name ident, domain_catalog ident, domain_schema ident, domain_name ident, udt_catalog ident, udt_schema ident, udt_name ident,
    scope_catalog ident, scope_schema ident, scope_name ident, maximum_cardinality card, dtd_identifier ident, is_self_referencing chars,
    is_identity chars, identity_generation chars, identity_start chars, identity_increment chars, identity_maximum chars,
    identity_minimum chars, identity_cycle chars, is_generated chars, generation_expression chars, is_updatable chars`,
  (s) => userRelations(s).flatMap((r) => r.columns.map((c, i) => [
    s.database, r.namespace.name, r.name, c.name, i + 1, null, c.nullable ? 'YES' : 'NO', dataType(c.type), ...typeFacts(c.type),
    null, null, null, null, null, null, null, null, null, null, null, s.database, 'pg_catalog', c.type.name, null, null, null, null,
    String(i + 1), 'NO', 'NO', null, null, null, null, null, 'NO', 'NEVER', null, r.kind === 'r' ? 'YES' : 'NO',
  ]))),
  view('views', `table_catalog ident, table_schema ident, table_name ident, view_definition chars, check_option chars, is_updatable chars,
    is_insertable_into chars, is_trigger_updatable chars, is_trigger_deletable chars, is_trigger_insertable_into chars`,
  (s) => s.relations.filter((r) => r.kind === 'v').map((r) => [s.database, r.namespace.name, r.name, r.definition ?? null, 'NONE', 'NO', 'NO', 'NO', 'NO', 'NO'])),
  view('table_constraints', `constraint_catalog ident, constraint_schema ident, constraint_name ident, table_catalog ident, table_schema ident,
    table_name ident, constraint_type chars, is_deferrable chars, initially_deferred chars, enforced chars, nulls_distinct chars`),
  view('key_column_usage', `constraint_catalog ident, constraint_schema ident, constraint_name ident, table_catalog ident, table_schema ident,
    table_name ident, column_name ident, ordinal_position card, position_in_unique_constraint card`),
  view('referential_constraints', `constraint_catalog ident, constraint_schema ident, constraint_name ident, unique_constraint_catalog ident,
    unique_constraint_schema ident, unique_constraint_name ident, match_option chars, update_rule chars, delete_rule chars`),
  view('routines', ROUTINE_COLUMNS, routineRows),
  view('role_table_grants', `grantor ident, grantee ident, table_catalog ident, table_schema ident, table_name ident, privilege_type chars,
    is_grantable chars, with_hierarchy chars`,
  (s) => userRelations(s).filter((r) => r.namespace.catalog !== SYSTEM_CATALOG).flatMap((r) => TABLE_PRIVILEGES.map((p) => [
    s.user, s.user, s.database, r.namespace.name, r.name, p, 'YES', p === 'SELECT' ? 'YES' : 'NO',
  ]))),
];
