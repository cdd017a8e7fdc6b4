/**
 * Table metadata for one statement, fetched before binding. Metadata may come from a remote
 * source (asynchronous); binding itself is synchronous, so every table name in the statement
 * (including those in subqueries and CTE bodies) is resolved up front.
 */
import { type ConnectorSession, type TableMetadata, supportsNativeQuery } from '../../connectors/spi/index.js';
import type { StatementAccess } from '../access/access-control.js';
import type { CatalogManager, NameDefaults, ResolvedTable, ResolvedView } from '../catalog/catalog-manager.js';
import { SqlError, SqlState } from '../errors/index.js';
import type { AstNode } from '../parser/ast.js';
import { positionOf, stringValue } from '../parser/ast.js';
import { parseStatements } from '../parser/parse.js';

/** A view with its parsed query and the names its query resolves against. */
export interface ExpandedView extends ResolvedView {
  readonly ast: AstNode;
  readonly defaults: NameDefaults;
}

/** Views may refer to views; deeper nesting than this is taken for a cycle. */
const MAX_VIEW_DEPTH = 32;

export interface TableName {
  readonly catalog?: string;
  readonly schema?: string;
  readonly name: string;
}

const keyOf = (n: TableName, d: NameDefaults) => JSON.stringify([n.catalog ?? null, n.schema ?? null, n.name, d.catalog, d.searchPath]);

export const tableNameOf = (rv: AstNode): TableName => ({
  catalog: rv.catalogname as string | undefined,
  schema: rv.schemaname as string | undefined,
  name: rv.relname as string,
});

/**
 * A native-query passthrough in FROM: `catalog.system.query('native statement')` (Trino's
 * `system.query` table function), with the statement as its one argument (a string literal,
 * positional or `query => '…'`).
 */
export interface NativeQueryCall {
  readonly catalog: string;
  readonly query: string;
}

/** The passthrough call a FROM function is, or undefined for an ordinary function. */
export function nativeQueryCall(fc: AstNode): NativeQueryCall | undefined {
  const parts = (fc.funcname as AstNode[]).map(stringValue);
  if (parts.length !== 3 || parts[1] !== 'system' || parts[2] !== 'query') return undefined;
  const args = (fc.args as AstNode[] | undefined) ?? [];
  const arg = args.length === 1 ? args[0]! : undefined;
  const named = arg?.NamedArgExpr as AstNode | undefined;
  if (named && named.name !== 'query') throw new SqlError(SqlState.UNDEFINED_FUNCTION, `${parts.join('.')} has no argument "${String(named.name)}"`, { hint: 'Pass the native statement as query => \'…\'.' });
  const literal = ((named ? named.arg : arg) as AstNode | undefined)?.A_Const as AstNode | undefined;
  const text = (literal?.sval as AstNode | undefined)?.sval;
  if (typeof text !== 'string') {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${parts.join('.')} takes one argument: the native statement as a string literal`, { position: positionOf(fc) });
  }
  return { catalog: parts[0]!, query: text };
}

const nativeKey = (call: NativeQueryCall) => JSON.stringify(['native', call.catalog, call.query]);

export class TableCache {
  private readonly entries = new Map<string, ResolvedTable | ExpandedView | SqlError>();
  private readonly nativeQueries = new Map<string, TableMetadata | SqlError>();

  private constructor(
    private readonly catalogs: CatalogManager,
    private readonly session: ConnectorSession,
    private readonly access: StatementAccess,
  ) {}

  /**
   * Resolves every table and view a statement names; failures are kept and raised if the name is
   * bound. Names the identity may not see are never looked up (see CatalogManager.resolveRelation).
   */
  static async prefetch(catalogs: CatalogManager, session: ConnectorSession, defaults: NameDefaults, ast: AstNode, access: StatementAccess): Promise<TableCache> {
    const cache = new TableCache(catalogs, session, access);
    await cache.fetchAll(ast, defaults, 0);
    return cache;
  }

  private async fetchAll(ast: AstNode, defaults: NameDefaults, depth: number): Promise<void> {
    const names = new Map<string, { name: TableName; position?: number }>();
    collectRangeVars(ast, (rv) => names.set(keyOf(tableNameOf(rv), defaults), { name: tableNameOf(rv), position: positionOf(rv) }));
    await Promise.all([...names].filter(([key]) => !this.entries.has(key)).map(([key, { name, position }]) => this.fetch(key, name, defaults, position, depth)));
    const calls: NativeQueryCall[] = [];
    collectNodes(ast, 'RangeFunction', (rf) => {
      for (const item of (rf.functions as AstNode[] | undefined) ?? []) {
        const fc = (((item.List as AstNode | undefined)?.items as AstNode[] | undefined)?.[0]?.FuncCall) as AstNode | undefined;
        const call = fc && nativeQueryCall(fc);
        if (call) calls.push(call);
      }
    });
    await Promise.all(calls.filter((c) => !this.nativeQueries.has(nativeKey(c))).map((c) => this.fetchNative(c)));
  }

  private async fetchNative(call: NativeQueryCall): Promise<void> {
    const key = nativeKey(call);
    try {
      if (!this.catalogs.has(call.catalog)) throw new SqlError(SqlState.UNDEFINED_FUNCTION, `catalog "${call.catalog}" does not exist`);
      const connector = this.catalogs.connector(call.catalog);
      if (!supportsNativeQuery(connector)) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `catalog "${call.catalog}" does not run native queries`);
      // A native statement reaches the source as it is, past every row filter and mask: it needs EXECUTE.
      this.access.checkExecute(call.catalog, 'system', 'query');
      this.nativeQueries.set(key, await connector.nativeQuery(this.session, call.query));
    } catch (e) {
      this.nativeQueries.set(key, SqlError.from(e));
    }
  }

  /** The table a prefetched native-query call reads. */
  native(call: NativeQueryCall): TableMetadata {
    const entry = this.nativeQueries.get(nativeKey(call));
    if (entry === undefined) throw new Error(`native query on ${call.catalog} was not prefetched`);
    if (entry instanceof SqlError) throw entry;
    return entry;
  }

  private async fetch(key: string, name: TableName, defaults: NameDefaults, position: number | undefined, depth: number): Promise<void> {
    try {
      const visible = (catalog: string, schema: string, table: string) => this.access.visible({ catalog, schema, table });
      const found = await this.catalogs.resolveRelation(this.session, name, defaults, position, true, visible);
      if (!('view' in found)) {
        this.entries.set(key, found);
        return;
      }
      if (depth >= MAX_VIEW_DEPTH) throw new SqlError(SqlState.INVALID_RECURSION, `infinite recursion detected in rules for relation "${name.name}"`);
      const query = ((parseStatements(found.view.sql)[0]?.ast.ViewStmt as AstNode | undefined)?.query) as AstNode | undefined;
      if (!query) throw new SqlError(SqlState.INVALID_OBJECT_DEFINITION, `view "${name.name}" has no query`);
      const viewDefaults: NameDefaults = { ...defaults, catalog: found.catalog, searchPath: [found.view.schema, ...defaults.searchPath] };
      this.entries.set(key, { ...found, ast: query, defaults: viewDefaults });
      await this.fetchAll(query, viewDefaults, depth + 1);
    } catch (e) {
      this.entries.set(key, SqlError.from(e));
    }
  }

  get(name: TableName, defaults: NameDefaults, position?: number): ResolvedTable | ExpandedView {
    const entry = this.entries.get(keyOf(name, defaults));
    if (entry === undefined) throw new Error(`relation ${keyOf(name, defaults)} was not prefetched`);
    if (entry instanceof SqlError) {
      if (position !== undefined) entry.position = position;
      throw entry;
    }
    return entry;
  }
}

const collectRangeVars = (node: unknown, visit: (rv: AstNode) => void): void => collectNodes(node, 'RangeVar', visit);

function collectNodes(node: unknown, kind: string, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) collectNodes(n, kind, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as AstNode)) {
    if (key === kind) visit(value as AstNode);
    collectNodes(value, kind, visit);
  }
}
