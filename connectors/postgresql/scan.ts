/**
 * Streaming a statement's rows as batches. The statement is read `fetchSize` rows at a time from
 * a portal (portal.ts), in the read-only implicit transaction every upstream session defaults to,
 * so memory holds at most two chunks whatever the table's size; the next chunk is already on its
 * way while the current rows are converted. The upstream server shows the statement itself in
 * pg_stat_activity while it runs.
 *
 * Ending early (the consumer stops, the query is cancelled or fails) cancels the statement at
 * the server (CancelRequest) and closes the session, so nothing keeps running in
 * pg_stat_activity; a scan read to its end returns the session to the pool.
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { BATCH_ROWS } from '../../engine/execution/batch/batch.js';
import { VectorBuilder } from '../../engine/execution/batch/vector.js';
import type { PgType } from '../../engine/types/pg-type.js';
import type { Chunk } from './portal.js';
import { cancelled, type RemoteDatabase, type Row } from './remote.js';
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
  let reader: ReturnType<typeof lease.stream> | undefined;
  try {
    reader = lease.stream(statement.sql, statement.params, options.fetchSize);
    const parsers = types.map(valueParser);
    let pending: Promise<Chunk> | undefined = reader.next();
    while (pending) {
      const { rows, last }: Chunk = await pending;
      pending = last ? undefined : reader.next();
      // Awaited below unless the scan ends first; its failure then must not go unhandled.
      pending?.catch(() => undefined);
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
    if (complete && !options.isolated) await reader!.finished.then(() => lease.release());
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
