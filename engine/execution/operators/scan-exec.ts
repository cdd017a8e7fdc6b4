import type { Split } from '../../../connectors/spi/index.js';
import type { Batch, Schema } from '../batch/batch.js';
import type { ScanNode } from '../../plan/plan.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

/** Reads one split of a table through its connector. */
export class ScanExec implements ExecNode {
  readonly name = 'TableScan';
  constructor(readonly scan: ScanNode, readonly split: Split) {}
  get schema(): Schema {
    return this.scan.schema;
  }
  children() {
    return [];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const connector = ctx.catalogs.connector(this.scan.catalog);
    const table = { schema: this.scan.schemaName, name: this.scan.tableName, columns: this.scan.tableColumns, handle: this.scan.tableHandle };
    for await (const batch of connector.scan(ctx.connectorSession, { table, columns: this.scan.columns, split: this.split, signal: ctx.signal })) {
      await checkpoint(ctx);
      if (batch.length > 0) yield batch;
    }
  }
}
