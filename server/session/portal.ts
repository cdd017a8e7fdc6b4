import type { ColumnDescription, Execution, FormatSettings } from '../../engine/api.js';
import { queryCanceled, SqlError, SqlState } from '../../engine/errors/index.js';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { FormatCode } from '../protocol/codes.js';
import { CopyOutEncoder } from '../results/copy-out.js';
import { RowEncoder } from '../results/row-encoder.js';
import type { Output } from './output.js';

/** Why a running statement is interrupted: CancelRequest or disconnect, or statement_timeout. */
export type CancelReason = Parameters<typeof queryCanceled>[0];

/**
 * A bound statement being executed (PostgreSQL's portal). Rows are pulled batch by batch;
 * an Execute with a row limit sends at most that many, keeps the rest of the current batch
 * and answers PortalSuspended, and the next Execute resumes from there.
 */
export class Portal {
  private pending: { batch: Batch; offset: number } | null = null;
  private finished = false;

  /**
   * @param execution null for an empty statement (EmptyQueryResponse)
   * @param abort the controller whose signal the execution was started with
   */
  constructor(
    private readonly execution: Execution | null,
    readonly formats: readonly number[],
    private readonly abort: AbortController,
  ) {}

  /** Result columns, or null when the statement returns no rows. */
  get columns(): readonly ColumnDescription[] | null {
    return this.execution?.copyOut ? null : (this.execution?.columns ?? null);
  }

  /** Interrupts a running next() or a wait for the client to read: CancelRequest and disconnect ('user'), statement_timeout. */
  cancel(reason: CancelReason = 'user'): void {
    this.abort.abort(reason);
  }

  close(): void {
    this.execution?.close();
  }

  /**
   * Sends up to `maxRows` rows (0: all) as DataRows, then CommandComplete, or PortalSuspended
   * if the limit was reached. COPY TO STDOUT sends CopyOutResponse, CopyData…, CopyDone.
   */
  async run(maxRows: number, out: Output, settings: FormatSettings): Promise<void> {
    const execution = this.execution;
    if (execution === null) {
      out.writer.emptyQueryResponse();
      return;
    }
    try {
      if (execution.copyOut) await this.copyOut(execution, out, settings);
      else await this.sendRows(execution, maxRows, out, settings);
    } catch (err) {
      const canceled = this.abort.signal.aborted && (!(err instanceof SqlError) || err.code === SqlState.QUERY_CANCELED);
      throw canceled ? queryCanceled(this.abort.signal.reason as CancelReason) : err;
    }
  }

  /** Waits while the client is not reading; a cancel ends the wait and the statement. */
  private async yieldToClient(out: Output): Promise<void> {
    await out.yieldToClient(this.abort.signal);
    if (this.abort.signal.aborted) throw queryCanceled(this.abort.signal.reason as CancelReason);
  }

  private async sendRows(execution: Execution, maxRows: number, out: Output, settings: FormatSettings): Promise<void> {
    const encoder = new RowEncoder(execution.columns ?? [], this.formats, settings);
    let sent = 0;
    for (;;) {
      if (maxRows > 0 && sent === maxRows) {
        out.writer.portalSuspended();
        return;
      }
      const pending = await this.nextRows();
      if (pending === null) break;
      const count = Math.min(pending.batch.length - pending.offset, maxRows > 0 ? maxRows - sent : Infinity);
      encoder.writeRows(out.writer, pending.batch, pending.offset, count);
      sent += count;
      pending.offset += count;
      if (pending.offset === pending.batch.length) this.pending = null;
      await this.yieldToClient(out);
    }
    out.writer.commandComplete(execution.commandTag(sent));
  }

  private async copyOut(execution: Execution, out: Output, settings: FormatSettings): Promise<void> {
    const columns = execution.columns ?? [];
    const encoder = new CopyOutEncoder(execution.copyOut!, columns, settings);
    out.writer.copyOutResponse(FormatCode.Text, columns.map(() => FormatCode.Text));
    if (execution.copyOut!.header) out.writer.copyData(encoder.header());
    let rows = 0;
    for (let pending = await this.nextRows(); pending !== null; pending = await this.nextRows()) {
      for (let r = pending.offset; r < pending.batch.length; r++) out.writer.copyData(encoder.row(pending.batch, r));
      rows += pending.batch.length - pending.offset;
      this.pending = null;
      await this.yieldToClient(out);
    }
    out.writer.copyDone().commandComplete(execution.commandTag(rows));
  }

  /** The unsent rest of the current batch, or the next non-empty batch; null at the end. */
  private async nextRows(): Promise<{ batch: Batch; offset: number } | null> {
    while (this.pending === null && !this.finished) {
      const batch = await this.execution!.next();
      if (batch === null) this.finished = true;
      else if (batch.length > 0) this.pending = { batch, offset: 0 };
    }
    return this.pending;
  }
}
