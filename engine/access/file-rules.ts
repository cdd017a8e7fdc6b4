/**
 * Rules from a JSON file in the style of Trino's file-based access control (docs/security.md):
 * `catalogs`, `schemas`, `tables` (privileges, row `filter`, column `allow`/`mask`),
 * `impersonation` and `functions`. Within each section the first rule whose patterns all match
 * wins; no matching rule (or no section) grants nothing. Patterns are regular expressions that
 * must match the whole name. Anything the parser does not understand is an error, so a typo
 * can never drop a filter: the caller then denies everything.
 */
import type { AstNode } from '../parser/ast.js';
import { parseStatements } from '../parser/parse.js';
import {
  type AccessRules, type CatalogAccess, type ColumnPolicy, type Identity, type TableAccess, type TablePrivilege, type TableRef, TABLE_PRIVILEGES,
} from './access-control.js';

/** A rules file that cannot be used; the message names the place (never shown to clients). */
export class RulesError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Subject {
  readonly user: RegExp;
  /** Absent: the rule applies whatever the groups. */
  readonly group?: RegExp;
}

interface CatalogRule extends Subject {
  readonly catalog: RegExp;
  readonly allow: CatalogAccess;
}

interface SchemaRule extends Subject {
  readonly catalog: RegExp;
  readonly schema: RegExp;
  readonly owner: boolean;
}

interface TableRule extends Subject {
  readonly catalog: RegExp;
  readonly schema: RegExp;
  readonly table: RegExp;
  readonly privileges: ReadonlySet<TablePrivilege>;
  readonly filter?: AstNode;
  readonly columns: ReadonlyMap<string, ColumnPolicy>;
}

interface ImpersonationRule {
  readonly originalUser: RegExp;
  /** May refer to groups captured from the original user: $1, $2, … */
  readonly newUser: string;
  readonly allow: boolean;
}

interface FunctionRule extends Subject {
  readonly catalog: RegExp;
  readonly schema: RegExp;
  readonly function: RegExp;
  readonly execute: boolean;
}

const SECTIONS = ['catalogs', 'schemas', 'tables', 'impersonation', 'functions'];
const FUNCTION_PRIVILEGES = ['EXECUTE', 'GRANT_EXECUTE', 'OWNERSHIP'];

function pattern(obj: JsonObject, key: string, where: string): RegExp | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new RulesError(`${where}: "${key}" must be a string (a regular expression)`);
  try {
    return new RegExp(`^(?:${v})$`);
  } catch (e) {
    throw new RulesError(`${where}: "${key}" is not a valid regular expression: ${(e as Error).message}`);
  }
}

const ANY = /^[\s\S]*$/;
const anyPattern = (obj: JsonObject, key: string, where: string): RegExp => pattern(obj, key, where) ?? ANY;

function object(v: Json, where: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new RulesError(`${where} must be an object`);
  return v;
}

function onlyKeys(obj: JsonObject, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new RulesError(`${where}: unknown or unsupported key "${k}"`);
  }
}

function list(root: JsonObject, section: string): JsonObject[] {
  const v = root[section];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new RulesError(`"${section}" must be an array of rules`);
  return v.map((r, i) => object(r, `${section}[${i}]`));
}

function subject(obj: JsonObject, where: string): Subject {
  const group = pattern(obj, 'group', where);
  return { user: anyPattern(obj, 'user', where), ...(group ? { group } : {}) };
}

function bool(obj: JsonObject, key: string, where: string, fallback?: boolean): boolean {
  const v = obj[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'boolean') throw new RulesError(`${where}: "${key}" must be true or false`);
  return v;
}

/** Walks a parsed expression for what a policy expression may not contain. */
function checkPolicyNodes(node: unknown, where: string): void {
  if (Array.isArray(node)) return node.forEach((n) => checkPolicyNodes(n, where));
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as AstNode)) {
    if (key === 'SubLink') throw new RulesError(`${where}: subqueries are not supported in filters and masks`);
    if (key === 'ParamRef') throw new RulesError(`${where}: parameters ($n) are not allowed in filters and masks`);
    checkPolicyNodes(value, where);
  }
}

/** Parses a SQL scalar expression (a row filter or a column mask) into its AST. */
export function parsePolicyExpression(text: string, where: string): AstNode {
  let statements;
  try {
    statements = parseStatements(`SELECT ${text}`);
  } catch (e) {
    throw new RulesError(`${where}: not a valid SQL expression: ${(e as Error).message}`);
  }
  const select = statements.length === 1 ? (statements[0]!.ast.SelectStmt as AstNode | undefined) : undefined;
  const targets = select?.targetList as AstNode[] | undefined;
  const onlyTargets = select !== undefined && Object.keys(select).every((k) => ['targetList', 'limitOption', 'op'].includes(k));
  const target = targets?.length === 1 ? (targets[0]!.ResTarget as AstNode) : undefined;
  if (!onlyTargets || !target || target.name !== undefined) throw new RulesError(`${where}: must be one SQL expression`);
  const expr = target.val as AstNode;
  checkPolicyNodes(expr, where);
  return expr;
}

function catalogAccess(v: Json | undefined, where: string): CatalogAccess {
  if (v === true) return 'all';
  if (v === false) return 'none';
  if (v === 'all' || v === 'read-only' || v === 'none') return v;
  throw new RulesError(`${where}: "allow" must be "all", "read-only" or "none"`);
}

function columnPolicies(v: Json | undefined, where: string): Map<string, ColumnPolicy> {
  const out = new Map<string, ColumnPolicy>();
  if (v === undefined) return out;
  if (!Array.isArray(v)) throw new RulesError(`${where}: "columns" must be an array`);
  v.forEach((c, i) => {
    const w = `${where}.columns[${i}]`;
    const col = object(c, w);
    onlyKeys(col, ['name', 'allow', 'mask'], w);
    if (typeof col.name !== 'string') throw new RulesError(`${w}: "name" must be a string`);
    const allow = bool(col, 'allow', w, true);
    if (col.mask !== undefined && typeof col.mask !== 'string') throw new RulesError(`${w}: "mask" must be a SQL expression (a string)`);
    if (!allow && col.mask !== undefined) throw new RulesError(`${w}: a column that is not allowed cannot have a mask`);
    out.set(col.name, { allow, ...(typeof col.mask === 'string' ? { mask: parsePolicyExpression(col.mask, `${w}.mask`) } : {}) });
  });
  return out;
}

function privileges(v: Json | undefined, allowed: readonly string[], where: string): Set<string> {
  if (!Array.isArray(v)) throw new RulesError(`${where}: "privileges" must be an array`);
  return new Set(v.map((p) => {
    if (typeof p !== 'string' || !allowed.includes(p)) throw new RulesError(`${where}: unknown privilege ${JSON.stringify(p)} (one of ${allowed.join(', ')})`);
    return p;
  }));
}

/** The rule limits what its tables show: a row filter, a mask or a hidden column. */
const governs = (r: TableRule) => r.filter !== undefined || [...r.columns.values()].some((c) => c.mask !== undefined || !c.allow);

const matches = (s: Subject, id: Identity) => s.user.test(id.user) && (!s.group || id.groups.some((g) => s.group!.test(g)));

/** Parsed rules; `version` distinguishes one load from the next. */
export class FileRules implements AccessRules {
  private readonly catalogs: CatalogRule[];
  private readonly schemas: SchemaRule[];
  private readonly tables: TableRule[];
  private readonly impersonation: ImpersonationRule[];
  private readonly functions: FunctionRule[];

  constructor(
    readonly version: number,
    text: string,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch (e) {
      throw new RulesError(`not valid JSON: ${(e as Error).message}`);
    }
    const root = object(parsed, 'the rules file');
    onlyKeys(root, SECTIONS, 'the rules file');
    this.catalogs = list(root, 'catalogs').map((r, i) => {
      const w = `catalogs[${i}]`;
      onlyKeys(r, ['user', 'group', 'catalog', 'allow'], w);
      return { ...subject(r, w), catalog: anyPattern(r, 'catalog', w), allow: catalogAccess(r.allow, w) };
    });
    this.schemas = list(root, 'schemas').map((r, i) => {
      const w = `schemas[${i}]`;
      onlyKeys(r, ['user', 'group', 'catalog', 'schema', 'owner'], w);
      return { ...subject(r, w), catalog: anyPattern(r, 'catalog', w), schema: anyPattern(r, 'schema', w), owner: bool(r, 'owner', w) };
    });
    this.tables = list(root, 'tables').map((r, i) => {
      const w = `tables[${i}]`;
      onlyKeys(r, ['user', 'group', 'catalog', 'schema', 'table', 'privileges', 'filter', 'columns'], w);
      if (r.filter !== undefined && typeof r.filter !== 'string') throw new RulesError(`${w}: "filter" must be a SQL expression (a string)`);
      return {
        ...subject(r, w),
        catalog: anyPattern(r, 'catalog', w),
        schema: anyPattern(r, 'schema', w),
        table: anyPattern(r, 'table', w),
        privileges: privileges(r.privileges, TABLE_PRIVILEGES, w) as Set<TablePrivilege>,
        ...(typeof r.filter === 'string' ? { filter: parsePolicyExpression(r.filter, `${w}.filter`) } : {}),
        columns: columnPolicies(r.columns, w),
      };
    });
    this.impersonation = list(root, 'impersonation').map((r, i) => {
      const w = `impersonation[${i}]`;
      onlyKeys(r, ['original_user', 'new_user', 'allow'], w);
      if (typeof r.new_user !== 'string') throw new RulesError(`${w}: "new_user" is required (a regular expression)`);
      pattern(r, 'new_user', w);
      return { originalUser: anyPattern(r, 'original_user', w), newUser: r.new_user, allow: bool(r, 'allow', w, true) };
    });
    this.functions = list(root, 'functions').map((r, i) => {
      const w = `functions[${i}]`;
      onlyKeys(r, ['user', 'group', 'catalog', 'schema', 'function', 'privileges'], w);
      return {
        ...subject(r, w),
        catalog: anyPattern(r, 'catalog', w),
        schema: anyPattern(r, 'schema', w),
        function: anyPattern(r, 'function', w),
        execute: privileges(r.privileges, FUNCTION_PRIVILEGES, w).has('EXECUTE'),
      };
    });
  }

  catalogAccess(identity: Identity, catalog: string): CatalogAccess {
    return this.catalogs.find((r) => matches(r, identity) && r.catalog.test(catalog))?.allow ?? 'none';
  }

  isSchemaOwner(identity: Identity, catalog: string, schema: string): boolean {
    if (this.catalogAccess(identity, catalog) !== 'all') return false;
    return this.schemas.find((r) => matches(r, identity) && r.catalog.test(catalog) && r.schema.test(schema))?.owner ?? false;
  }

  tableAccess(identity: Identity, ref: TableRef): TableAccess {
    const access = this.catalogAccess(identity, ref.catalog);
    const rule = access === 'none'
      ? undefined
      : this.tables.find((r) => matches(r, identity) && r.catalog.test(ref.catalog) && r.schema.test(ref.schema) && r.table.test(ref.table));
    if (!rule) return { privileges: new Set(), columns: new Map() };
    const granted = access === 'read-only' ? new Set([...rule.privileges].filter((p) => p === 'SELECT')) : rule.privileges;
    return { privileges: granted, columns: rule.columns, ...(rule.filter ? { filter: rule.filter } : {}) };
  }

  canImpersonate(identity: Identity, user: string): boolean {
    for (const r of this.impersonation) {
      const m = r.originalUser.exec(identity.user);
      if (!m) continue;
      const target = r.newUser.replace(/\$(\d)/g, (_s, n: string) => (m[Number(n)] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      if (new RegExp(`^(?:${target})$`).test(user)) return r.allow;
    }
    return false;
  }

  reportInvalid(message: string): void {
    this.log(message);
  }

  /**
   * EXECUTE by the first matching function rule. A native statement reaches the source past every
   * row filter, mask and hidden column, so it is refused to anyone a table rule with one of those
   * matches in the catalog, whatever the function rules grant.
   */
  canExecute(identity: Identity, catalog: string, schema: string, fn: string): boolean {
    if (this.catalogAccess(identity, catalog) === 'none') return false;
    const granted = this.functions.find((r) => matches(r, identity) && r.catalog.test(catalog) && r.schema.test(schema) && r.function.test(fn))?.execute ?? false;
    if (!granted) return false;
    if (this.tables.some((r) => matches(r, identity) && r.catalog.test(catalog) && governs(r))) {
      this.log(`EXECUTE on ${catalog}.${schema}.${fn} refused to user "${identity.user}": row filters, masks or hidden columns apply to them in catalog "${catalog}"`);
      return false;
    }
    return true;
  }
}
