/**
 * A statement that runs in a resource group (docs/security.md "Resource groups"): its first
 * next() asks for admission and waits while the query is queued; a full queue fails it at once
 * (53000). Cancel, statement_timeout, close and disconnect all abort the statement's signal,
 * which takes it out of the queue (57014). `end()` gives the slot back when the statement ends.
 */
import type { Execution } from '../api.js';
import type { Batch } from '../execution/batch/batch.js';
import { queryCanceled } from '../errors/index.js';
import type { AdmissionControl, AdmissionGrant, AdmissionRequest } from '../resource-groups/admission-control.js';

export interface AdmittedExecutionOptions {
  readonly control: AdmissionControl;
  readonly request: AdmissionRequest;
  /** The statement's signal: aborting it withdraws a queued query. */
  readonly signal: AbortSignal;
  /** Called once admitted, before the statement does any work. */
  readonly onGrant: (grant: AdmissionGrant) => void;
}

export class AdmittedExecution implements Execution {
  readonly columns: Execution['columns'];
  readonly copyOut: Execution['copyOut'];
  private admission: Promise<void> | null = null;
  private granted = false;
  private ended = false;

  /** `execution` must not start work before its first next() (every PlannedStatement.start is lazy). */
  constructor(
    private readonly execution: Execution,
    private readonly options: AdmittedExecutionOptions,
  ) {
    this.columns = execution.columns;
    this.copyOut = execution.copyOut;
  }

  async next(): Promise<Batch | null> {
    if (!this.granted) await (this.admission ??= this.admit());
    return this.execution.next();
  }

  commandTag(rows: number): string {
    return this.execution.commandTag(rows);
  }

  close(): void {
    this.execution.close();
    this.end();
  }

  /** The statement ended (finished, failed or closed): gives its slot back. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.granted) this.options.control.release(this.options.request.queryId);
  }

  private async admit(): Promise<void> {
    const { control, request, signal } = this.options;
    let grant: AdmissionGrant;
    try {
      grant = await control.admit(request, signal);
    } catch (e) {
      this.execution.close();
      throw e;
    }
    if (this.ended) {
      control.release(request.queryId);
      throw queryCanceled('user');
    }
    this.granted = true;
    this.options.onGrant(grant);
  }
}
