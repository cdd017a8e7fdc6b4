/** Executions the session hands to the server: a pull-based stream of batches plus a tag. */
import type { ColumnDescription, CopyOutFormat, Execution } from '../api.js';
import { SqlError, queryCanceled } from '../errors/index.js';
import type { Batch } from '../execution/batch/batch.js';

/** The error to report once `signal` has aborted (cancel → 57014 user request). */
export function abortError(signal: AbortSignal): SqlError {
  const reason: unknown = signal.reason;
  return reason instanceof SqlError ? reason : queryCanceled('user');
}

export interface StreamExecutionOptions {
  readonly columns: readonly ColumnDescription[] | null;
  readonly batches: AsyncIterable<Batch>;
  readonly tag: (rows: number) => string;
  /** Aborting it stops every task of the statement. */
  readonly controller: AbortController;
  readonly copyOut?: CopyOutFormat;
  /** Runs once when the statement ends, however it ends. */
  readonly onEnd?: () => void;
}

export class StreamExecution implements Execution {
  readonly columns: readonly ColumnDescription[] | null;
  readonly copyOut: CopyOutFormat | undefined;
  private readonly iterator: AsyncIterator<Batch>;
  private ended = false;

  constructor(private readonly options: StreamExecutionOptions) {
    this.columns = options.columns;
    this.copyOut = options.copyOut;
    this.iterator = options.batches[Symbol.asyncIterator]();
  }

  async next(): Promise<Batch | null> {
    if (this.ended) return null;
    const signal = this.options.controller.signal;
    try {
      if (signal.aborted) throw abortError(signal);
      const r = await this.iterator.next();
      if (signal.aborted) throw abortError(signal);
      if (r.done) {
        this.end();
        return null;
      }
      return r.value;
    } catch (e) {
      const error = signal.aborted ? abortError(signal) : SqlError.from(e);
      this.close();
      throw error;
    }
  }

  commandTag(rows: number): string {
    return this.options.tag(rows);
  }

  close(): void {
    if (this.ended) return;
    this.end();
    this.options.controller.abort(new SqlError(queryCanceled('user').code, 'portal closed'));
    void this.iterator.return?.().catch(() => undefined);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.options.onEnd?.();
  }
}

/** An execution whose work is one async step producing at most one batch. */
export function singleStep(
  columns: readonly ColumnDescription[] | null,
  tag: string | ((rows: number) => string),
  step: () => Promise<Batch | null>,
  controller = new AbortController(),
): Execution {
  async function* batches(): AsyncIterable<Batch> {
    const b = await step();
    if (b) yield b;
  }
  return new StreamExecution({ columns, batches: batches(), tag: typeof tag === 'string' ? () => tag : tag, controller });
}
