/**
 * Table metadata for one statement, fetched before binding. Metadata may come from a remote
 * source (asynchronous); binding itself is synchronous, so every table name in the statement
 * (including those in subqueries and CTE bodies) is resolved up front.
 */
import type { ConnectorSession } from '../../connectors/spi/index.js';
import type { CatalogManager, NameDefaults, ResolvedTable } from '../catalog/catalog-manager.js';
import { SqlError } from '../errors/index.js';
import type { AstNode } from '../parser/ast.js';
import { positionOf } from '../parser/ast.js';

export interface TableName {
  readonly catalog?: string;
  readonly schema?: string;
  readonly name: string;
}

const keyOf = (n: TableName) => JSON.stringify([n.catalog ?? null, n.schema ?? null, n.name]);

export const tableNameOf = (rv: AstNode): TableName => ({
  catalog: rv.catalogname as string | undefined,
  schema: rv.schemaname as string | undefined,
  name: rv.relname as string,
});

export class TableCache {
  private readonly entries = new Map<string, ResolvedTable | SqlError>();

  /** Resolves every table a statement names; failures are kept and raised if the name is bound. */
  static async prefetch(catalogs: CatalogManager, session: ConnectorSession, defaults: NameDefaults, ast: AstNode): Promise<TableCache> {
    const cache = new TableCache();
    const names = new Map<string, { name: TableName; position?: number }>();
    collectRangeVars(ast, (rv) => names.set(keyOf(tableNameOf(rv)), { name: tableNameOf(rv), position: positionOf(rv) }));
    await Promise.all(
      [...names].map(async ([key, { name, position }]) => {
        try {
          cache.entries.set(key, await catalogs.resolveTable(session, name, defaults, position));
        } catch (e) {
          cache.entries.set(key, SqlError.from(e));
        }
      }),
    );
    return cache;
  }

  get(name: TableName, position?: number): ResolvedTable {
    const entry = this.entries.get(keyOf(name));
    if (entry === undefined) throw new Error(`table ${keyOf(name)} was not prefetched`);
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
