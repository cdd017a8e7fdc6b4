/** Reads one split of a table through its connector, dropping rows dynamic filters rule out. */
import type { Split } from '../../../connectors/spi/index.js';
import type { Batch, Schema } from '../batch/batch.js';
import type { LogicalPlan, ScanNode } from '../../plan/plan.js';
import { scanConstraint, withDynamicFilters } from '../constraints/scan-constraint.js';
import { applyScanFilters, type ScanFilter } from '../dynamic-filters/dynamic-filters.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

export class ScanExec implements ExecNode {
  readonly name = 'TableScan';
  /**
   * `fragmentId` names the fragment in the dynamic-filter statistics; `chain` is the source
   * chain above the scan (its filters become the scan's constraint).
   */
  constructor(readonly scan: ScanNode, readonly split: Split, readonly filters: readonly ScanFilter[] = [], readonly fragmentId = 0, readonly chain?: LogicalPlan) {}
  get schema(): Schema {
    return this.scan.schema;
  }
  children() {
    return [];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const connector = ctx.catalogs.connector(this.scan.catalog);
    const table = { schema: this.scan.schemaName, name: this.scan.tableName, columns: this.scan.tableColumns, handle: this.scan.tableHandle };
    const filtered = this.chain ? scanConstraint(this.chain, (column) => this.scan.columns[column]!, ctx.eval) : undefined;
    const constraint = withDynamicFilters(filtered, this.filters, this.scan);
    for await (const read of connector.scan(ctx.connectorSession, { table, columns: this.scan.columns, split: this.split, signal: ctx.signal, constraint })) {
      await checkpoint(ctx);
      const batch = applyScanFilters(read, this.filters);
      if (this.filters.length > 0) ctx.dynamicFilters?.record(this.fragmentId, read.length, batch.length);
      if (batch.length > 0) yield batch;
    }
  }
}
