/**
 * Logical plans: immutable, plain JSON trees. Every node carries its output schema; the
 * expressions of a node refer to columns of its input (for joins: left columns, then right).
 */
import type { Field } from '../execution/batch/batch.js';
import type { Json } from '../../connectors/spi/index.js';
import type { ColumnMetadata } from '../../connectors/spi/index.js';
import type { Expr } from './expr.js';

export type LogicalPlan =
  | ScanNode
  | ValuesNode
  | FilterNode
  | ProjectNode
  | JoinNode
  | AggregateNode
  | SortNode
  | LimitNode;

export interface ScanNode {
  readonly kind: 'scan';
  readonly catalog: string;
  readonly schemaName: string;
  readonly tableName: string;
  readonly tableHandle: Json;
  readonly tableColumns: readonly ColumnMetadata[];
  /** Which table columns the scan produces, in order. */
  readonly columns: readonly number[];
  readonly schema: readonly Field[];
}

export interface ValuesNode {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
  readonly schema: readonly Field[];
}

export interface FilterNode {
  readonly kind: 'filter';
  readonly input: LogicalPlan;
  readonly predicate: Expr;
  readonly schema: readonly Field[];
}

export interface ProjectNode {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly exprs: readonly Expr[];
  readonly schema: readonly Field[];
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross';

export interface JoinNode {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  /** Over left columns followed by right columns; null for a cross join. */
  readonly condition: Expr | null;
  readonly schema: readonly Field[];
}

export interface AggregateCall {
  /** Registry id of the aggregate, e.g. "sum(numeric)". */
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter: Expr | null;
}

/** Output: the group keys, then one column per aggregate. */
export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly input: LogicalPlan;
  readonly groupBy: readonly Expr[];
  readonly aggregates: readonly AggregateCall[];
  readonly schema: readonly Field[];
}

export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface SortNode {
  readonly kind: 'sort';
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
  readonly schema: readonly Field[];
}

export interface LimitNode {
  readonly kind: 'limit';
  readonly input: LogicalPlan;
  /** Null: no limit. Evaluated once per execution (may be a parameter). */
  readonly count: Expr | null;
  readonly offset: Expr | null;
  readonly schema: readonly Field[];
}

export function planInputs(p: LogicalPlan): readonly LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'values':
      return [];
    case 'join':
      return [p.left, p.right];
    default:
      return [p.input];
  }
}
