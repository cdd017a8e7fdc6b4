/**
 * Table statistics for the scans of a plan. Connectors answer asynchronously; the optimizer's
 * rules are synchronous, so the statistics of every scanned table are fetched once, before
 * optimizing, and looked up by scan afterwards.
 */
import type { TableStatistics } from '../../../connectors/spi/index.js';
import { type LogicalPlan, type ScanNode, planInputs } from '../../plan/plan.js';

export type StatsLookup = (scan: ScanNode) => TableStatistics | undefined;

export const noStatistics: StatsLookup = () => undefined;

const tableKey = (scan: ScanNode) => `${scan.catalog}\u0000${JSON.stringify(scan.tableHandle)}`;

function scans(plan: LogicalPlan, into: ScanNode[] = []): ScanNode[] {
  if (plan.kind === 'scan') into.push(plan);
  for (const i of planInputs(plan)) scans(i, into);
  return into;
}

/** Fetches statistics for every table `plans` scan (once per table); failures count as unknown. */
export async function collectStatistics(
  plans: readonly LogicalPlan[],
  fetch: (scan: ScanNode) => Promise<TableStatistics | undefined>,
): Promise<StatsLookup> {
  const byTable = new Map<string, TableStatistics | undefined>();
  for (const scan of plans.flatMap((p) => scans(p))) {
    const key = tableKey(scan);
    if (!byTable.has(key)) byTable.set(key, await fetch(scan).catch(() => undefined));
  }
  return (scan) => byTable.get(tableKey(scan));
}
