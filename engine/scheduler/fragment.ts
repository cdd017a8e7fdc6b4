/**
 * A plan fragment: the part of a plan that runs as one kind of task. Source fragments (a scan
 * with the filters and projections directly above it) run one task per split; their output
 * flows through an exchange into the fragment above. Fragments are plain JSON, so a
 * coordinator can ship them to remote workers unchanged.
 */
import type { LogicalPlan, ScanNode } from '../plan/plan.js';

export interface PlanFragment {
  readonly id: number;
  readonly root: LogicalPlan;
  /** 'source': one task per split of `scan`; 'single': one task. */
  readonly partitioning: 'source' | 'single';
}

/** The scan at the bottom of a source chain (scan, under any filters and projections), if the plan is one. */
export function sourceChainScan(plan: LogicalPlan): ScanNode | undefined {
  let p = plan;
  while (p.kind === 'filter' || p.kind === 'project') p = p.input;
  return p.kind === 'scan' ? p : undefined;
}
