/**
 * The admission seam (ARCHITECTURE.md §3.8): a session asks before a query or DML statement
 * starts, reports what the running statement holds in memory, and gives the slot back when it
 * ends. Requests, grants, reports and statistics are plain JSON values, so a coordinator can
 * later serve several gateways over the network with the same contract (the signal then becomes
 * a "withdraw" call).
 */

export interface AdmissionRequest {
  /** Unique per execution; `release` names it. */
  readonly queryId: string;
  /** The identity the statement runs as (after SET ROLE) and its groups. */
  readonly user: string;
  readonly groups: readonly string[];
  /** application_name (Trino's "source"). */
  readonly source: string;
  /** What kind of statement it is (Trino's queryType). */
  readonly queryType: QueryType;
}

/**
 * Trino's query types of the statements that go through admission: SELECT (and COPY … TO),
 * EXPLAIN ANALYZE, INSERT (and CREATE TABLE AS, as in Trino), DELETE (and TRUNCATE), ANALYZE.
 */
export const QUERY_TYPES = ['SELECT', 'EXPLAIN', 'INSERT', 'DELETE', 'ANALYZE'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export interface AdmissionGrant {
  readonly queryId: string;
  /** The resource group the query runs in, e.g. "global.adhoc". */
  readonly group: string;
}

export interface ResourceGroupStats {
  readonly group: string;
  /** Running and queued queries of the group and its sub-groups. */
  readonly running: number;
  readonly queued: number;
  readonly hardConcurrencyLimit: number;
  readonly maxQueued: number;
  /** Bytes held by the running queries of the group and its sub-groups (its memory share). */
  readonly memoryUsageBytes: number;
  /** The group's softMemoryLimit in bytes, or null for none. */
  readonly softMemoryLimitBytes: number | null;
}

export interface AdmissionControl {
  /**
   * Resolves when the query may run (at once, or after waiting in its group's queue, first in
   * first out, while a group on its path runs too many queries or holds its softMemoryLimit or
   * more). Rejects at once with SqlError 53000 when the queue is full or no selector
   * matches; rejects with the signal's reason (57014) when the signal aborts while it waits,
   * which also takes it out of the queue.
   */
  admit(request: AdmissionRequest, signal: AbortSignal): Promise<AdmissionGrant>;
  /**
   * The admitted query now holds `bytes` of memory in all (whole bytes; the latest total, not a
   * change). It counts toward the memory share of its groups until release; a report for a query
   * that is not running (released already) is ignored.
   */
  memoryReserved(queryId: string, bytes: number): void;
  /** The admitted query ended (finished, failed or cancelled): its slot and memory share are given back, and queued queries may start. Idempotent. */
  release(queryId: string): void;
  /** Groups with running or queued queries. */
  stats(): ResourceGroupStats[];
}
