/**
 * Names ↔ OIDs for regclass and regtype, answered synchronously from the fixed system tables,
 * the types, and the relations the last catalog snapshot saw (directory.ts).
 */
import { formatType, T, typeByOid } from '../../types/pg-type.js';
import { installRegNameResolver } from '../../types/reg-names.js';
import { allRelations, relationByOid, relationOid } from './directory.js';
import { SYSTEM_CATALOG } from './snapshot.js';
import { SystemConnector } from './system-connector.js';
import { typeRows } from './types.js';

/** Splits a possibly quoted, possibly qualified name: 'pg_catalog."pg_class"' → ['pg_catalog', 'pg_class']. */
export function splitQualifiedName(text: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."\s]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  let last = 0;
  while (last < text.length && (m = re.exec(text)) !== null) {
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.toLowerCase());
    last = re.lastIndex;
    if (m[3] === '') break;
  }
  return parts;
}

/**
 * The OID of relation `text` as seen from a database whose default catalog is `defaultCatalog`,
 * searching `searchPath` for an unqualified name; undefined when unknown.
 */
export function regclassOid(text: string, defaultCatalog: string, searchPath: readonly string[]): number | undefined {
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  const parts = splitQualifiedName(text);
  const name = parts[parts.length - 1];
  if (name === undefined || parts.length > 3) return undefined;
  const schemas = parts.length >= 2 ? [parts[parts.length - 2]!] : ['pg_catalog', ...searchPath];
  const catalog = parts.length === 3 ? parts[0]! : defaultCatalog;
  for (const schema of schemas) {
    const system = SystemConnector.table(schema, name);
    if (system) return system.oid;
    const dot = schema.indexOf('.');
    const oid = relationOid(catalog, schema, name) ?? (dot > 0 ? relationOid(schema.slice(0, dot), schema.slice(dot + 1), name) : undefined);
    if (oid !== undefined) return oid;
  }
  return undefined;
}

const quoteIdent = (s: string): string => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

/**
 * regclass input without a session (casts): pg_catalog's tables by bare name, other relations by
 * a name the directory knows unambiguously: "catalog.schema".table, catalog.schema.table,
 * schema.table or table.
 */
function regclassInput(text: string): number | undefined {
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  const parts = splitQualifiedName(text);
  const name = parts[parts.length - 1]!;
  if (parts.length === 1 && SystemConnector.table('pg_catalog', name)) return SystemConnector.table('pg_catalog', name)!.oid;
  if (parts.length === 2 && (parts[0] === 'pg_catalog' || parts[0] === 'information_schema')) return SystemConnector.table(parts[0], name)?.oid;
  if (parts.length === 3) return relationOid(parts[0]!, parts[1]!, name);
  const schema = parts.length === 2 ? parts[0]! : undefined;
  const dot = schema?.indexOf('.') ?? -1;
  if (schema !== undefined && dot > 0) return relationOid(schema.slice(0, dot), schema.slice(dot + 1), name);
  const matches = allRelations().filter((r) => r.name === name && r.catalog !== SYSTEM_CATALOG && (schema === undefined || r.schema === schema));
  return matches.length === 1 ? matches[0]!.oid : undefined;
}

/** regclass output without a session: names that resolve from any database (see regclassInput). */
function regclassOutput(oid: number): string | undefined {
  const r = relationByOid(oid);
  if (!r) return undefined;
  if (r.catalog === SYSTEM_CATALOG) return r.schema === 'pg_catalog' ? quoteIdent(r.name) : `${r.schema}.${quoteIdent(r.name)}`;
  return `${quoteIdent(`${r.catalog}.${r.schema}`)}.${quoteIdent(r.name)}`;
}

/** The few functions clients name as regproc literals. */
const PROCS: Record<string, number> = { array_in: 750, array_out: 751, record_in: 2290, record_out: 2291, boolin: 1242, int4in: 42, textin: 46 };
const procNames = new Map(Object.entries(PROCS).map(([k, v]) => [v, k]));

function regtypeInput(text: string): number | undefined {
  const parts = splitQualifiedName(text.replace(/\[\]$/, ''));
  const n = parts[parts.length - 1];
  if (n === undefined || (parts.length === 2 && parts[0] !== 'pg_catalog')) return undefined;
  const array = text.trim().endsWith('[]');
  const base = Object.values(T).find((t) => t.name === n || formatType(t) === n) ?? typeRows().find((r) => r.name === n);
  if (!base) return undefined;
  return array ? typeRows().find((r) => r.oid === base.oid)?.array || undefined : base.oid;
}

installRegNameResolver({
  input(typeName, text) {
    if (typeName === 'regclass') return regclassInput(text);
    if (typeName === 'regtype') return regtypeInput(text);
    const parts = splitQualifiedName(text);
    return parts.length <= 2 && (parts.length === 1 || parts[0] === 'pg_catalog') ? PROCS[parts[parts.length - 1]!] : undefined;
  },
  output(typeName, oid) {
    if (typeName === 'regclass') return regclassOutput(oid);
    if (typeName === 'regproc') return procNames.get(oid);
    const t = typeByOid(oid);
    return t ? formatType(t) : typeName2(oid);
  },
});

const typeName2 = (oid: number): string | undefined => typeRows().find((r) => r.oid === oid)?.name;

/** Whether relation `oid` would be found by its bare name (pg_table_is_visible); undefined when unknown. */
export function relationVisible(oid: number, defaultCatalog: string, searchPath: readonly string[]): boolean | undefined {
  const r = relationByOid(oid);
  if (!r) return undefined;
  if (r.catalog === SYSTEM_CATALOG) return r.schema === 'pg_catalog' || searchPath.includes(r.schema);
  const ns = r.catalog === defaultCatalog ? r.schema : `${r.catalog}.${r.schema}`;
  return searchPath.includes(ns) && regclassOid(quoteIdent(r.name), defaultCatalog, searchPath) === oid;
}

/** pg_type.typname of `oid`, or undefined. */
export const typeName = (oid: number): string | undefined => typeByOid(oid)?.name ?? typeName2(oid);

export { PROCS as KNOWN_PROCS };
