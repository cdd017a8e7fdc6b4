/**
 * The admission seam (ARCHITECTURE.md §3.8): a session asks before a query or DML statement
 * starts, and gives the slot back when it ends. Requests, grants and statistics are plain JSON
 * values, so a coordinator can later serve several gateways over the network with the same
 * contract (the signal then becomes a "withdraw" call).
 */

export interface AdmissionRequest {
  /** Unique per execution; `release` names it. */
  readonly queryId: string;
  /** The identity the statement runs as (after SET ROLE) and its groups. */
  readonly user: string;
  readonly groups: readonly string[];
  /** application_name (Trino's "source"). */
  readonly source: string;
}

export interface AdmissionGrant {
  readonly queryId: string;
  /** The resource group the query runs in, e.g. "global.adhoc". */
  readonly group: string;
  /** Ceiling for the query's memory limit (the group's softMemoryLimit), or null for none. */
  readonly queryMaxMemoryBytes: number | null;
}

export interface ResourceGroupStats {
  readonly group: string;
  /** Running and queued queries of the group and its sub-groups. */
  readonly running: number;
  readonly queued: number;
  readonly hardConcurrencyLimit: number;
  readonly maxQueued: number;
}

export interface AdmissionControl {
  /**
   * Resolves when the query may run (at once, or after waiting in its group's queue, first in
   * first out). Rejects at once with SqlError 53000 when the queue is full or no selector
   * matches; rejects with the signal's reason (57014) when the signal aborts while it waits,
   * which also takes it out of the queue.
   */
  admit(request: AdmissionRequest, signal: AbortSignal): Promise<AdmissionGrant>;
  /** The admitted query ended (finished, failed or cancelled): the next queued one may start. Idempotent. */
  release(queryId: string): void;
  /** Groups with running or queued queries. */
  stats(): ResourceGroupStats[];
}
