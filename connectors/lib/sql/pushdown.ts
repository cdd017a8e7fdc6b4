/**
 * The PushdownConnector methods for any SQL source: each wraps the handle's node in one more
 * node when the dialect can render it, and declines otherwise. Handles are
 * `{ node: SqlNode, … }`; the connector's other handle fields are kept.
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import type {
  AggregateItem, ColumnMetadata, ConnectorExpression, ConnectorSession, PushdownConnector, PushdownJoinType, SortItem, TableMetadata,
} from '../../spi/index.js';
import type { SqlDialect } from './dialect.js';
import type { SqlNode } from './nodes.js';
import { canRender, renderStatement } from './render.js';
import { constraintConjuncts } from './constraint.js';
import type { Constraint } from '../../spi/index.js';

export interface SqlHandle {
  readonly node: SqlNode;
}

export const nodeOf = (table: TableMetadata): SqlNode => (table.handle as unknown as SqlHandle).node;

const withNode = (table: TableMetadata, node: SqlNode, columns: readonly ColumnMetadata[] = table.columns): TableMetadata =>
  ({ ...table, columns, handle: { ...(table.handle as Record<string, never>), node: node as never } });

const rendersWhole = (dialect: SqlDialect, node: SqlNode) => renderStatement(dialect, node, []) !== undefined;

export function sqlPushdown(dialect: SqlDialect): Required<PushdownConnector> {
  return {
    applyFilter(_session: ConnectorSession, table: TableMetadata, conjuncts: readonly ConnectorExpression[]) {
      const node = nodeOf(table);
      const accepted = conjuncts.map((c) => canRender(dialect, node, c));
      if (!accepted.some(Boolean)) return undefined;
      return { table: withNode(table, { kind: 'filter', input: node, conjuncts: conjuncts.filter((_c, i) => accepted[i]) }), accepted };
    },
    applyLimit(_session: ConnectorSession, table: TableMetadata, count: number) {
      if (!Number.isSafeInteger(count) || count < 0) return undefined;
      return withNode(table, { kind: 'limit', input: nodeOf(table), count });
    },
    applyTopN(_session: ConnectorSession, table: TableMetadata, keys: readonly SortItem[], count: number) {
      if (!Number.isSafeInteger(count) || count < 0 || keys.length === 0) return undefined;
      const node: SqlNode = { kind: 'topn', input: nodeOf(table), keys, count };
      return rendersWhole(dialect, node) ? withNode(table, node) : undefined;
    },
    applyAggregation(_session: ConnectorSession, table: TableMetadata, groupBy: readonly number[], aggregates: readonly AggregateItem[]) {
      const node: SqlNode = { kind: 'aggregate', input: nodeOf(table), groupBy, aggregates };
      if (!rendersWhole(dialect, node)) return undefined;
      const columns: ColumnMetadata[] = [
        ...groupBy.map((i) => ({ ...table.columns[i]!, hidden: false })),
        ...aggregates.map((a, i) => ({ name: `_agg${i}`, type: a.type, nullable: true })),
      ];
      return withNode(table, node, columns);
    },
    applyJoin(_session: ConnectorSession, joinType: PushdownJoinType, left: TableMetadata, right: TableMetadata, condition: ConnectorExpression) {
      const node: SqlNode = { kind: 'join', joinType, left: nodeOf(left), right: nodeOf(right), condition };
      if (!rendersWhole(dialect, node)) return undefined;
      const nullable = (cs: readonly ColumnMetadata[], outer: boolean) => cs.map((c) => (outer ? { ...c, nullable: true } : c));
      return withNode(left, node, [
        ...nullable(left.columns, joinType === 'right' || joinType === 'full'),
        ...nullable(right.columns, joinType === 'left' || joinType === 'full'),
      ]);
    },
    describeTable(table: TableMetadata) {
      return describeStatement(dialect, table);
    },
  };
}

/**
 * The statement for one scan: the requested columns of the handle's node, restricted by the
 * engine's runtime constraint and the split's condition (see StatementOptions).
 */
export function scanStatement(dialect: SqlDialect, table: TableMetadata, columns: readonly number[], options: {
  constraint?: Constraint;
  splitCondition?: (bind: (value: unknown) => string) => string;
} = {}): { sql: string; params: unknown[] } {
  const statement = renderStatement(dialect, nodeOf(table), columns, {
    conjuncts: constraintConjuncts(options.constraint, table.columns),
    ...(options.splitCondition ? { splitCondition: options.splitCondition } : {}),
  });
  if (!statement) throw new SqlError(SqlState.INTERNAL_ERROR, `${dialect.name}: the table's pushed-down query cannot be rendered`);
  return statement;
}

/** The statement text and its parameters, for EXPLAIN. */
export function describeStatement(dialect: SqlDialect, table: TableMetadata): string {
  const { sql, params } = scanStatement(dialect, table, table.columns.map((_c, i) => i));
  if (params.length === 0) return sql;
  return `${sql} [${params.map((p, i) => `${dialect.placeholder(i + 1)}=${shown(p)}`).join(', ')}]`;
}

const shown = (p: unknown): string =>
  typeof p === 'string' ? `'${p.replaceAll("'", "''")}'` : p instanceof Uint8Array ? `'\\x${Buffer.from(p).toString('hex')}'` : String(p);
