/**
 * Memory reservations: a node-wide pool shared by every query of this process, a per-query
 * context with its own limit drawing from the pool, and per-operator handles that release
 * everything they hold when the operator ends. Exceeding either limit is SQLSTATE 53200.
 */
import { getHeapStatistics } from 'node:v8';
import { SqlError, SqlState } from '../../errors/index.js';
import { formatBytes } from './estimate.js';
import type { SpillSpace } from '../spill/spill-space.js';

/** Bytes every query of this process may hold together. */
export class MemoryPool {
  reserved = 0;
  constructor(public capacity: number) {}

  tryReserve(bytes: number): boolean {
    if (this.reserved + bytes > this.capacity) return false;
    this.reserved += bytes;
    return true;
  }

  release(bytes: number): void {
    this.reserved = Math.max(0, this.reserved - bytes);
  }
}

/** The node-wide pool: by default 70% of the V8 heap limit (resize `capacity` to configure). */
export const nodeMemoryPool = new MemoryPool(Math.floor(getHeapStatistics().heap_size_limit * 0.7));

/** Hears each change of what a query holds, in bytes (negative when it gives memory back): its resource group counts it. */
export type MemoryListener = (bytes: number) => void;

/**
 * One query's memory: a limit, the pool it draws from, where it may spill (null: spilling is
 * off), and who hears of what it reserves and releases.
 */
export class QueryMemory {
  reserved = 0;
  peak = 0;
  private nodeFull = false;

  constructor(
    readonly limit: number,
    readonly spill: SpillSpace | null,
    readonly pool: MemoryPool = nodeMemoryPool,
    private readonly listener: MemoryListener | null = null,
  ) {}

  /** Reserves `bytes` if both the query's limit and the node pool allow it. */
  tryReserve(bytes: number): boolean {
    return this.reserved + bytes <= this.limit && this.reserveOverLimit(bytes);
  }

  /** Reserves `bytes` past the query's limit (never past the node pool); false when the pool is full. */
  reserveOverLimit(bytes: number): boolean {
    if (!this.pool.tryReserve(bytes)) return (this.nodeFull = true), false;
    this.reserved += bytes;
    if (this.reserved > this.peak) this.peak = this.reserved;
    this.listener?.(bytes);
    return true;
  }

  release(bytes: number): void {
    this.reserved -= bytes;
    this.pool.release(bytes);
    this.listener?.(-bytes);
  }

  /** The error for a reservation that could not be satisfied (and could not be spilled). */
  exceeded(detail?: string): SqlError {
    const message = this.nodeFull
      ? `Query exceeded per-node memory limit of ${formatBytes(this.pool.capacity)}`
      : `Query exceeded per-query memory limit of ${formatBytes(this.limit)}`;
    return new SqlError(SqlState.OUT_OF_MEMORY, message, { detail, hint: this.spill === null ? 'Raise lakegate.query_max_memory, or turn lakegate.spill_enabled on.' : 'Raise lakegate.query_max_memory or lakegate.max_spill_bytes.' });
  }

  operator(): OperatorMemory {
    return new OperatorMemory(this);
  }
}

/** What one operator holds; `close()` gives it all back. */
export class OperatorMemory {
  held = 0;
  constructor(readonly query: QueryMemory) {}

  /** Whether this operator may spill instead of failing. */
  get canSpill(): boolean {
    return this.query.spill !== null;
  }

  get spill(): SpillSpace {
    if (this.query.spill === null) throw this.query.exceeded();
    return this.query.spill;
  }

  /** Accounts `bytes` more; false when they do not fit (spill, then `shrink`). */
  tryGrow(bytes: number): boolean {
    if (!this.query.tryReserve(bytes)) return false;
    this.held += bytes;
    return true;
  }

  /** Accounts `bytes` more or fails the query with 53200. */
  grow(bytes: number): void {
    if (!this.tryGrow(bytes)) throw this.query.exceeded();
  }

  /**
   * For an operator that cannot spill but runs above ones that can (which may hold the whole
   * budget until they spill): accounts `bytes` even past the limit while this operator holds no
   * more than `share` of it; beyond that, 53200.
   */
  growAboveSpillers(bytes: number, share: number): void {
    if (this.tryGrow(bytes)) return;
    if (this.held + bytes > this.query.limit * share || !this.query.reserveOverLimit(bytes)) throw this.query.exceeded();
    this.held += bytes;
  }

  /** Gives back the share of what it holds that `rows` of the `remaining` rows it still holds stand for (passed downstream). */
  handOver(rows: number, remaining: number): void {
    this.shrink(remaining > 0 ? Math.ceil((this.held * rows) / remaining) : this.held);
  }

  shrink(bytes: number): void {
    const n = Math.min(bytes, this.held);
    this.held -= n;
    this.query.release(n);
  }

  close(): void {
    this.shrink(this.held);
  }
}

/** Memory for an operator of a task that runs without a query context (unit tests): unlimited. */
export const operatorMemory = (memory: QueryMemory | undefined): OperatorMemory =>
  (memory ?? new QueryMemory(Number.POSITIVE_INFINITY, null, new MemoryPool(Number.POSITIVE_INFINITY))).operator();
