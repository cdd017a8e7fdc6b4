/**
 * Table metadata for one statement, fetched before binding. Metadata may come from a remote
 * source (asynchronous); binding itself is synchronous, so every table name in the statement
 * (including those in subqueries and CTE bodies) is resolved up front.
 */
import type { ConnectorSession } from '../../connectors/spi/index.js';
import type { CatalogManager, NameDefaults, ResolvedTable, ResolvedView } from '../catalog/catalog-manager.js';
import { SqlError, SqlState } from '../errors/index.js';
import type { AstNode } from '../parser/ast.js';
import { positionOf } from '../parser/ast.js';
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

export class TableCache {
  private readonly entries = new Map<string, ResolvedTable | ExpandedView | SqlError>();

  private constructor(
    private readonly catalogs: CatalogManager,
    private readonly session: ConnectorSession,
  ) {}

  /** Resolves every table and view a statement names; failures are kept and raised if the name is bound. */
  static async prefetch(catalogs: CatalogManager, session: ConnectorSession, defaults: NameDefaults, ast: AstNode): Promise<TableCache> {
    const cache = new TableCache(catalogs, session);
    await cache.fetchAll(ast, defaults, 0);
    return cache;
  }

  private async fetchAll(ast: AstNode, defaults: NameDefaults, depth: number): Promise<void> {
    const names = new Map<string, { name: TableName; position?: number }>();
    collectRangeVars(ast, (rv) => names.set(keyOf(tableNameOf(rv), defaults), { name: tableNameOf(rv), position: positionOf(rv) }));
    await Promise.all([...names].filter(([key]) => !this.entries.has(key)).map(([key, { name, position }]) => this.fetch(key, name, defaults, position, depth)));
  }

  private async fetch(key: string, name: TableName, defaults: NameDefaults, position: number | undefined, depth: number): Promise<void> {
    try {
      const found = await this.catalogs.resolveRelation(this.session, name, defaults, position);
      if (!('view' in found)) {
        this.entries.set(key, found);
        return;
      }
      if (depth >= MAX_VIEW_DEPTH) throw new SqlError(SqlState.INVALID_RECURSION, `infinite recursion detected in rules for relation "${name.name}"`);
      const query = ((parseStatements(found.view.sql)[0]?.ast.ViewStmt as AstNode | undefined)?.query) as AstNode | undefined;
      if (!query) throw new SqlError(SqlState.INVALID_OBJECT_DEFINITION, `view "${name.name}" has no query`);
      const viewDefaults: NameDefaults = { catalog: found.catalog, searchPath: [found.view.schema, ...defaults.searchPath] };
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

function collectRangeVars(node: unknown, visit: (rv: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) collectRangeVars(n, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as AstNode)) {
    if (key === 'RangeVar') visit(value as AstNode);
    else collectRangeVars(value, visit);
  }
}
