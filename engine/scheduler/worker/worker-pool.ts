/**
 * The node's worker threads, shared by all queries. Workers start lazily, when a query's
 * source tasks first need them, up to the largest lakegate.worker_threads any query asked
 * for; a query uses at most its own setting's worth. Idle workers do not keep the process
 * alive; `shutdownWorkerPool()` stops them all (server shutdown, tests).
 */
import { Worker } from 'node:worker_threads';
import { runsInWorkers, type ConnectorOrigin } from '../../../connectors/spi/index.js';
import { SqlError, SqlState } from '../../errors/index.js';
import type { Batch } from '../../execution/batch/batch.js';
import type { TaskContext } from '../../execution/operators/exec-node.js';
import { scalarById } from '../../functions/registry.js';
import type { LogicalPlan } from '../../plan/plan.js';
import { sourceChainScan } from '../fragment.js';
import type { SourceTask, TaskExecutor } from '../source-tasks.js';
import type { FromWorker, TaskSession, ToWorker } from './protocol.js';
import { encodeDatums, fromWire } from './wire-batch.js';

/** Running from TypeScript sources (vitest): workers load them through ts-hooks.mjs. */
const fromSources = import.meta.url.endsWith('.ts');

function startWorker(): Worker {
  const main = new URL(fromSources ? './worker-main.ts' : './worker-main.js', import.meta.url);
  return fromSources ? new Worker(new URL('./bootstrap.mjs', import.meta.url), { workerData: { entry: main.href } }) : new Worker(main);
}

type Handler = (m: FromWorker) => void;

/** One worker thread and the tasks it runs; referenced (keeps the process alive) only while busy. */
class WorkerSlot {
  readonly worker = startWorker();
  readonly tasks = new Map<number, Handler>();

  constructor(onExit: (slot: WorkerSlot) => void) {
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => this.tasks.get(m.taskId)?.(m));
    this.worker.on('error', (e) => this.failAll(`worker thread failed: ${e.message}`));
    this.worker.on('exit', () => {
      this.failAll('worker thread exited');
      onExit(this);
    });
  }

  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  add(taskId: number, handler: Handler): void {
    this.tasks.set(taskId, handler);
    if (this.tasks.size === 1) this.worker.ref();
  }

  remove(taskId: number): void {
    if (this.tasks.delete(taskId) && this.tasks.size === 0) this.worker.unref();
  }

  private failAll(message: string): void {
    for (const [taskId, handler] of this.tasks) handler({ type: 'error', taskId, error: { code: SqlState.INTERNAL_ERROR, message } });
  }
}

/**
 * Functions that need the session — its settings, the other sessions, or the statement's driver
 * that waits what pg_sleep asks for: fragments calling them stay in-process.
 */
const SESSION_FUNCTIONS = new Set(['current_setting', 'set_config', 'pg_sleep', 'pg_cancel_backend', 'pg_terminate_backend']);

function callsSessionFunctions(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  const n = node as { kind?: unknown; fn?: unknown };
  if (n.kind === 'call' && typeof n.fn === 'string' && SESSION_FUNCTIONS.has(scalarById(n.fn)?.name ?? '')) return true;
  return Object.values(node).some(callsSessionFunctions);
}

function taskSession(ctx: TaskContext): TaskSession {
  const e = ctx.eval;
  return {
    user: ctx.connectorSession.user,
    queryId: ctx.connectorSession.queryId,
    database: e.session.database,
    currentSchema: e.session.currentSchema,
    backendPid: e.session.backendPid,
    format: e.format,
    params: encodeDatums(e.params),
    initPlanValues: e.initPlanValues ? encodeDatums(e.initPlanValues) : null,
    transactionStart: e.transactionStart,
    statementStart: e.statementStart,
  };
}

export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private nextTaskId = 1;

  /** Tasks started in workers that have not confirmed they stopped. */
  get runningTasks(): number {
    return this.slots.reduce((n, s) => n + s.tasks.size, 0);
  }

  get threads(): number {
    return this.slots.length;
  }

  /** An executor using at most `threads` of the pool's workers; undefined for 0 (all in-process). */
  executor(threads: number): TaskExecutor | undefined {
    if (threads <= 0) return undefined;
    return {
      run: (task, ctx) => {
        const connector = ctx.catalogs.connector(sourceChainScan(task.fragment.root)!.catalog);
        if (!runsInWorkers(connector) || callsSessionFunctions(task.fragment.root as LogicalPlan)) return undefined;
        return this.stream(this.pick(threads), task, ctx, connector.origin);
      },
    };
  }

  async shutdown(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** The least busy of the first `limit` workers, starting one if fewer are running. */
  private pick(limit: number): WorkerSlot {
    const usable = this.slots.slice(0, limit);
    const idle = usable.find((s) => s.tasks.size === 0);
    if (idle) return idle;
    if (usable.length < limit) {
      const slot = new WorkerSlot((s) => this.drop(s));
      this.slots.push(slot);
      return slot;
    }
    return usable.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
  }

  private drop(slot: WorkerSlot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private async *stream(slot: WorkerSlot, task: SourceTask, ctx: TaskContext, origin: ConnectorOrigin): AsyncIterable<Batch> {
    const taskId = this.nextTaskId++;
    const inbox: FromWorker[] = [];
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    let finished = false;
    slot.add(taskId, (m) => {
      finished ||= m.type !== 'batch';
      inbox.push(m);
      notify();
    });
    ctx.signal.addEventListener('abort', notify);
    try {
      slot.post({ type: 'start', taskId, task, origin, session: taskSession(ctx) });
      for (;;) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const m = inbox.shift();
        if (m === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (m.type === 'batch') {
          yield fromWire(m.batch, task.fragment.root.schema);
          slot.post({ type: 'credit', taskId });
        } else if (m.type === 'done') {
          if (task.filters.length > 0) ctx.dynamicFilters?.record(task.fragment.id, m.rowsIn, m.rowsOut);
          return;
        } else {
          throw new SqlError(m.error.code, m.error.message, { detail: m.error.detail, hint: m.error.hint });
        }
      }
    } finally {
      ctx.signal.removeEventListener('abort', notify);
      if (finished) slot.remove(taskId);
      else {
        // Stopped early: the task counts as running until the worker confirms it has stopped.
        slot.add(taskId, (m) => m.type !== 'batch' && slot.remove(taskId));
        slot.post({ type: 'cancel', taskId });
      }
    }
  }
}

/** The node's pool. */
export const workerPool = new WorkerPool();

export const shutdownWorkerPool = (): Promise<void> => workerPool.shutdown();
