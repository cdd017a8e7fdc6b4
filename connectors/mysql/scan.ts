/**
 * Streams one statement's rows as batches, without holding the result in memory: rows are
 * decoded into vectors as the driver parses them, and the socket is paused while finished
 * batches wait for the consumer. When the query is cancelled (the scan's signal aborts) or
 * the consumer stops early, the statement is stopped with KILL QUERY from a separate
 * connection and the streaming connection is closed, so nothing keeps running in the
 * server's process list.
 */
import { BATCH_ROWS, type Batch } from '../../engine/execution/batch/batch.js';
import { VectorBuilder } from '../../engine/execution/batch/vector.js';
import type { PgType } from '../../engine/types/pg-type.js';
import { bindable, type MySqlClient } from './client.js';
import { mysqlError } from './errors.js';
import { decoderFor } from './values.js';

/** Finished batches waiting for the consumer before the socket is paused. */
const QUEUED_BATCHES = 2;

/** An error the server sent for the statement: the connection itself is still usable. */
const serverError = (e: unknown): boolean => typeof (e as { errno?: unknown }).errno === 'number' && (e as { fatal?: boolean }).fatal !== true;

export async function* streamRows(client: MySqlClient, sql: string, params: readonly unknown[], types: readonly PgType[], signal: AbortSignal): AsyncGenerator<Batch> {
  if (signal.aborted) return;
  const values = bindable(params);
  const decoders = types.map(decoderFor);
  const conn = await client.acquire();
  if (signal.aborted) {
    // cancelled while waiting for a pooled connection: nothing ran on it
    conn.release();
    return;
  }
  const queue: Batch[] = [];
  let failure: { error: unknown } | undefined;
  let ended = false;
  let paused = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let cancelling: Promise<void> | undefined;
  const cancel = () => (cancelling ??= client.cancel(conn));
  const onAbort = () => {
    void cancel();
    notify();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  let builders = types.map((t) => new VectorBuilder(t, BATCH_ROWS));
  let n = 0;
  const emit = () => {
    queue.push({ length: n, columns: builders.map((b) => b.finish()) });
    builders = types.map((t) => new VectorBuilder(t, BATCH_ROWS));
    n = 0;
  };
  let reusable = false;
  try {
    const command = conn.execute({ sql, values, rowsAsArray: true });
    command.on('result', (row: unknown[]) => {
      if (failure || cancelling) return;
      try {
        for (let j = 0; j < decoders.length; j++) {
          const v = row[j];
          builders[j]!.push(v === null || v === undefined ? null : decoders[j]!(v as never));
        }
      } catch (e) {
        failure = { error: e };
        conn.pause();
        notify();
        return;
      }
      if (++n === BATCH_ROWS) {
        emit();
        if (queue.length >= QUEUED_BATCHES && !paused) {
          paused = true;
          conn.pause();
        }
        notify();
      }
    });
    command.on('error', (e: unknown) => {
      failure ??= { error: e };
      notify();
    });
    command.on('end', () => {
      ended = true;
      if (n > 0 && !failure) emit();
      notify();
    });
    for (;;) {
      if (signal.aborted) return;
      const batch = queue.shift();
      if (batch) {
        if (paused && queue.length < QUEUED_BATCHES) {
          paused = false;
          conn.resume();
        }
        yield batch;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    reusable = true;
  } catch (e) {
    if (signal.aborted) return;
    reusable = serverError(e) && ended;
    throw mysqlError(e);
  } finally {
    signal.removeEventListener('abort', onAbort);
    // the statement ran to its end (the consumer may have stopped early): nothing to stop
    if ((reusable || (ended && !failure)) && cancelling === undefined) {
      if (paused) conn.resume();
      conn.release();
    } else {
      await cancel();
    }
  }
}
