/**
 * Streaming a statement's rows as batches. The statement runs as a server-side cursor in a
 * read-only transaction and is read `fetchSize` rows per FETCH, so memory holds at most two
 * fetches whatever the table's size; the next FETCH is already on its way while the current
 * rows are converted.
 *
 * Ending early (the consumer stops, the query is cancelled or fails) cancels the statement at
 * the server (CancelRequest) and closes the session, so nothing keeps running in
 * pg_stat_activity; a scan read to its end rolls back and returns the session to the pool.
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { BATCH_ROWS } from '../../engine/execution/batch/batch.js';
import { VectorBuilder } from '../../engine/execution/batch/vector.js';
import type { PgType } from '../../engine/types/pg-type.js';
import { cancelled, type RemoteDatabase, type Row, type StatementResult } from './remote.js';
import { valueParser } from './types.js';

export interface CursorOptions {
  readonly fetchSize: number;
  /** Close the session afterwards instead of pooling it (native queries may leave session state behind). */
  readonly isolated: boolean;
}

export async function* cursorBatches(
  remote: RemoteDatabase, statement: { sql: string; params: readonly unknown[] }, types: readonly PgType[], signal: AbortSignal, options: CursorOptions,
): AsyncIterable<Batch> {
  const lease = await remote.acquire(signal);
  const onAbort = () => lease.abandon();
  signal.addEventListener('abort', onAbort, { once: true });
  let complete = false;
  try {
    await lease.run('BEGIN READ ONLY');
    await lease.run(`DECLARE lakegate_scan NO SCROLL CURSOR FOR ${statement.sql}`, statement.params);
    const fetch = (): Promise<StatementResult> => {
      const next = lease.run(`FETCH FORWARD ${options.fetchSize} FROM lakegate_scan`);
      // Awaited below unless the scan ends first; its failure then must not go unhandled.
      next.catch(() => undefined);
      return next;
    };
    const parsers = types.map(valueParser);
    let pending: Promise<StatementResult> | undefined = fetch();
    while (pending) {
      const { rows }: StatementResult = await pending;
      pending = rows.length === options.fetchSize ? fetch() : undefined;
      for (let start = 0; start < rows.length; start += BATCH_ROWS) {
        if (signal.aborted) throw cancelled(signal);
        yield toBatch(rows, start, Math.min(rows.length, start + BATCH_ROWS), types, parsers);
      }
    }
    complete = true;
  } catch (e) {
    throw signal.aborted ? cancelled(signal) : e;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (complete && !options.isolated) await lease.run('ROLLBACK').then(() => lease.release(), () => lease.abandon());
    else lease.abandon();
  }
}

function toBatch(rows: readonly Row[], start: number, end: number, types: readonly PgType[], parsers: readonly ((text: string) => unknown)[]): Batch {
  const columns = types.map((type, j) => {
    const builder = new VectorBuilder(type, end - start);
    const parse = parsers[j]!;
    for (let i = start; i < end; i++) {
      const text = rows[i]![j];
      builder.push(text === null || text === undefined ? null : parse(text));
    }
    return builder.finish();
  });
  return { length: end - start, columns };
}
