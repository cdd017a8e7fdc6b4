/**
 * A worker thread: re-creates connectors from their origin (module + factory + properties),
 * runs source tasks (sourceTaskOperators) and streams their batches back with credit-based
 * flow control. Cancel stops a task at its next checkpoint.
 */
import { parentPort } from 'node:worker_threads';
import type { Connector, ConnectorFactory, ConnectorOrigin } from '../../../connectors/spi/index.js';
import { CatalogManager } from '../../catalog/catalog-manager.js';
import { SqlError, featureNotSupported, queryCanceled } from '../../errors/index.js';
import { DynamicFilters } from '../../execution/dynamic-filters/dynamic-filters.js';
import type { TaskContext } from '../../execution/operators/exec-node.js';
import '../../functions/builtins.js';
import type { EvalContext } from '../../functions/registry.js';
import { sourceTaskOperators } from '../source-tasks.js';
import { INITIAL_CREDIT, type FromWorker, type TaskSession, type ToWorker } from './protocol.js';
import { decodeDatums, toWire } from './wire-batch.js';

interface RunningTask {
  readonly controller: AbortController;
  credit: number;
  wake: (() => void) | null;
}

const port = parentPort!;
const tasks = new Map<number, RunningTask>();
const connectors = new Map<string, Promise<Connector>>();
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

function connectorFor(origin: ConnectorOrigin): Promise<Connector> {
  const key = JSON.stringify(origin);
  let c = connectors.get(key);
  if (!c) {
    c = import(origin.module).then((m: Record<string, ConnectorFactory>) => m[origin.factoryExport]!.create(origin.catalogName, origin.properties));
    connectors.set(key, c);
  }
  return c;
}

function evalContext(s: TaskSession): EvalContext {
  const unavailable = () => {
    throw featureNotSupported('session functions in a worker task');
  };
  return {
    params: decodeDatums(s.params),
    initPlanValues: s.initPlanValues === null ? undefined : decodeDatums(s.initPlanValues),
    format: s.format,
    session: { user: s.user, database: s.database, currentSchema: s.currentSchema, backendPid: s.backendPid, getSetting: unavailable, setSetting: unavailable, signalBackend: unavailable },
    transactionStart: s.transactionStart,
    statementStart: s.statementStart,
  };
}

async function run(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const t: RunningTask = { controller: new AbortController(), credit: INITIAL_CREDIT, wake: null };
  tasks.set(m.taskId, t);
  const filters = new DynamicFilters();
  try {
    const connector = await connectorFor(m.origin);
    const ctx: TaskContext = {
      eval: evalContext(m.session),
      signal: t.controller.signal,
      catalogs: new CatalogManager(new Map([[m.origin.catalogName, connector]])),
      connectorSession: { user: m.session.user, queryId: m.session.queryId },
      scanConcurrency: 1,
      dynamicFilters: filters,
    };
    for await (const b of sourceTaskOperators(m.task).execute(ctx)) {
      while (t.credit === 0 && !t.controller.signal.aborted) await new Promise<void>((resolve) => (t.wake = resolve));
      if (t.controller.signal.aborted) break;
      t.credit--;
      const { batch, transfer } = toWire(b);
      send({ type: 'batch', taskId: m.taskId, batch }, transfer);
    }
    const stats = filters.stats.get(m.task.fragment.id);
    send({ type: 'done', taskId: m.taskId, rowsIn: stats?.rowsIn ?? 0, rowsOut: stats?.rowsOut ?? 0 });
  } catch (e) {
    if (t.controller.signal.aborted) send({ type: 'done', taskId: m.taskId, rowsIn: 0, rowsOut: 0 });
    else {
      const err = SqlError.from(e);
      send({ type: 'error', taskId: m.taskId, error: { code: err.code, message: err.message, detail: err.detail, hint: err.hint } });
    }
  } finally {
    tasks.delete(m.taskId);
  }
}

port.on('message', (m: ToWorker) => {
  const t = tasks.get(m.taskId);
  switch (m.type) {
    case 'start':
      void run(m);
      return;
    case 'credit':
      if (t) t.credit++;
      break;
    case 'cancel':
      t?.controller.abort(queryCanceled('user'));
      break;
  }
  const wake = t?.wake;
  if (t) t.wake = null;
  wake?.();
});
