/**
 * Authorization (ARCHITECTURE.md §3.8): what an identity may see and do, asked by the binder
 * and the statement planners before anything reaches a connector. An `AccessControl` hands out
 * one consistent `AccessRules` per statement; `allowAll` is the zero-configuration default.
 */
import type { CatalogVisibility } from '../catalog/system/visibility.js';
import { SqlError, SqlState } from '../errors/index.js';
import type { AstNode } from '../parser/ast.js';

/** Who a statement runs as: the signed-in principal, or the role chosen with SET ROLE. */
export interface Identity {
  readonly user: string;
  readonly groups: readonly string[];
}

export interface TableRef {
  readonly catalog: string;
  readonly schema: string;
  readonly table: string;
}

export type CatalogAccess = 'all' | 'read-only' | 'none';
export type TablePrivilege = 'SELECT' | 'INSERT' | 'DELETE' | 'UPDATE' | 'OWNERSHIP' | 'GRANT_SELECT';
export const TABLE_PRIVILEGES: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'OWNERSHIP', 'GRANT_SELECT'];

/** How one column appears to an identity: absent from the table, or replaced by a mask expression. */
export interface ColumnPolicy {
  readonly allow: boolean;
  /** A parsed SQL expression over the table's columns; its value replaces the column's. */
  readonly mask?: AstNode;
}

/** What an identity may do with one table (catalog access already applied). */
export interface TableAccess {
  readonly privileges: ReadonlySet<TablePrivilege>;
  /** A parsed SQL boolean expression over the table's columns: only rows where it is true are seen. */
  readonly filter?: AstNode;
  /** By column name; columns not listed are shown as they are. */
  readonly columns: ReadonlyMap<string, ColumnPolicy>;
}

/** One consistent set of rules; a statement asks one of these from start to end. */
export interface AccessRules {
  /** Changes whenever the rules change; prepared statements planned under another version are planned again. */
  readonly version: number;
  catalogAccess(identity: Identity, catalog: string): CatalogAccess;
  /** Schema ownership: CREATE SCHEMA / DROP SCHEMA (needs catalog access 'all'). */
  isSchemaOwner(identity: Identity, catalog: string, schema: string): boolean;
  tableAccess(identity: Identity, table: TableRef): TableAccess;
  /** SET ROLE to a name that is not one of the identity's groups. */
  canImpersonate(identity: Identity, user: string): boolean;
  /** EXECUTE on a function, such as a catalog's native-query passthrough `catalog.system.query`. */
  canExecute(identity: Identity, catalog: string, schema: string, fn: string): boolean;
  /** A filter or mask that could not be applied (an unknown column, a type error): goes to the server log, never to the client. */
  reportInvalid(message: string): void;
}

export interface AccessControl {
  /** The rules in force now (a file-based control may reload here). */
  rules(): AccessRules;
}

const ALL_PRIVILEGES: ReadonlySet<TablePrivilege> = new Set(TABLE_PRIVILEGES);
const NO_COLUMNS: ReadonlyMap<string, ColumnPolicy> = new Map();

/** No rules configured: everything is allowed (the zero-configuration behaviour). */
export const allowAll: AccessControl = {
  rules: () => ({
    version: 0,
    catalogAccess: () => 'all',
    isSchemaOwner: () => true,
    tableAccess: () => ({ privileges: ALL_PRIVILEGES, columns: NO_COLUMNS }),
    canImpersonate: () => true,
    canExecute: () => true,
    reportInvalid: () => undefined,
  }),
};

/** 42501 with PostgreSQL's wording: "permission denied for table x". */
export const permissionDenied = (kind: 'table' | 'view' | 'schema' | 'catalog' | 'function', name: string): SqlError =>
  new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, `permission denied for ${kind} ${name}`);

/** The rules a statement is checked against, for one identity. */
export class StatementAccess {
  private readonly cache = new Map<string, TableAccess>();

  constructor(
    readonly identity: Identity,
    readonly rules: AccessRules,
  ) {}

  table(ref: TableRef): TableAccess {
    const key = JSON.stringify([ref.catalog, ref.schema, ref.table]);
    let access = this.cache.get(key);
    if (!access) {
      access = this.rules.tableAccess(this.identity, ref);
      this.cache.set(key, access);
    }
    return access;
  }

  /** A table the identity has any privilege on; others are invisible (catalog views, name resolution). */
  visible(ref: TableRef): boolean {
    return this.table(ref).privileges.size > 0;
  }

  /** `visible` as CatalogManager.resolveRelation takes it. */
  readonly visibleName = (catalog: string, schema: string, table: string): boolean => this.visible({ catalog, schema, table });

  /** Throws 42501 unless the identity holds `privilege` on the table. */
  check(ref: TableRef, privilege: TablePrivilege, kind: 'table' | 'view' = 'table'): TableAccess {
    const access = this.table(ref);
    if (!access.privileges.has(privilege)) throw permissionDenied(kind, ref.table);
    return access;
  }

  /** What pg_catalog and information_schema list for this identity. */
  catalogVisibility(): CatalogVisibility {
    return {
      catalog: (catalog) => this.rules.catalogAccess(this.identity, catalog) !== 'none',
      schema: (catalog, schema) => this.rules.isSchemaOwner(this.identity, catalog, schema),
      table: (catalog, schema, table) => this.visible({ catalog, schema, table }),
      column: (catalog, schema, table, column) => this.table({ catalog, schema, table }).columns.get(column)?.allow !== false,
    };
  }

  checkSchemaOwner(catalog: string, schema: string): void {
    if (!this.rules.isSchemaOwner(this.identity, catalog, schema)) throw permissionDenied('schema', schema);
  }

  checkExecute(catalog: string, schema: string, fn: string): void {
    if (!this.rules.canExecute(this.identity, catalog, schema, fn)) throw permissionDenied('function', `${catalog}.${schema}.${fn}`);
  }
}
