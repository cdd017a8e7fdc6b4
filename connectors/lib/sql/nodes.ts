/**
 * The relational description a SQL connector keeps in its table handle (`handle.node`): a base
 * table or native query, with what the engine pushed into it. Plain JSON, so it ships to
 * workers with the split.
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import type { AggregateItem, ConnectorExpression, PgType, PushdownJoinType, SortItem } from '../../spi/index.js';

export interface SqlColumn {
  readonly name: string;
  readonly type: PgType;
}

export type SqlNode =
  | { readonly kind: 'table'; readonly schema: string; readonly table: string; readonly columns: readonly SqlColumn[] }
  | { readonly kind: 'native'; readonly sql: string; readonly columns: readonly SqlColumn[] }
  | { readonly kind: 'filter'; readonly input: SqlNode; readonly conjuncts: readonly ConnectorExpression[] }
  | { readonly kind: 'aggregate'; readonly input: SqlNode; readonly groupBy: readonly number[]; readonly aggregates: readonly AggregateItem[] }
  | { readonly kind: 'topn'; readonly input: SqlNode; readonly keys: readonly SortItem[]; readonly count: number }
  | { readonly kind: 'limit'; readonly input: SqlNode; readonly count: number }
  | { readonly kind: 'join'; readonly joinType: PushdownJoinType; readonly left: SqlNode; readonly right: SqlNode; readonly condition: ConnectorExpression };

export const tableNode = (schema: string, table: string, columns: readonly SqlColumn[]): SqlNode =>
  ({ kind: 'table', schema, table, columns: columns.map((c) => ({ name: c.name, type: c.type })) });

/** A native statement as a relation; its text may not hold NUL (the generator's placeholder markers use it). */
export function nativeQueryNode(sql: string, columns: readonly SqlColumn[]): SqlNode {
  if (sql.includes('\u0000')) throw new SqlError(SqlState.CHARACTER_NOT_IN_REPERTOIRE, 'invalid byte sequence for encoding "UTF8": 0x00');
  return { kind: 'native', sql, columns: columns.map((c) => ({ name: c.name, type: c.type })) };
}

/** The types of a node's output columns. */
export function nodeTypes(node: SqlNode): PgType[] {
  switch (node.kind) {
    case 'table':
    case 'native':
      return node.columns.map((c) => c.type);
    case 'filter':
    case 'topn':
    case 'limit':
      return nodeTypes(node.input);
    case 'aggregate': {
      const input = nodeTypes(node.input);
      return [...node.groupBy.map((i) => input[i]!), ...node.aggregates.map((a) => a.type)];
    }
    case 'join':
      return [...nodeTypes(node.left), ...nodeTypes(node.right)];
  }
}

/** The base table when the node is a table, possibly filtered: a connector may split it by key or row ranges. */
export function splittableTable(node: SqlNode): { schema: string; table: string } | undefined {
  if (node.kind === 'filter') return splittableTable(node.input);
  return node.kind === 'table' ? { schema: node.schema, table: node.table } : undefined;
}
