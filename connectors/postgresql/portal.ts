/**
 * A statement's rows read in chunks from the unnamed portal of the extended protocol:
 * Parse/Bind/Describe/Execute(n)/Flush, then one more Execute(n)/Flush per chunk, and a Sync once
 * the portal is complete (or failed). The statement runs in the implicit transaction that lasts
 * until that Sync, with one snapshot, and the server keeps reporting the statement itself — not a
 * FETCH — as the session's query in pg_stat_activity while it is read and after it has finished.
 *
 * This is a `pg` Submittable: the client hands it the connection when the session is free and
 * routes the server's replies to its handlers until ReadyForQuery.
 */
import type pg from 'pg';
import type { Row } from './remote.js';

/** The parts of pg's (undeclared) Connection a portal reader writes with. */
interface ProtocolWriter {
  parse(message: { text: string }): void;
  bind(message: { values: readonly (string | Buffer | null)[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string; rows: number }): void;
  flush(): void;
  sync(): void;
}

export interface Chunk {
  readonly rows: Row[];
  /** No rows follow this chunk. */
  readonly last: boolean;
}

interface Waiter {
  resolve(chunk: Chunk): void;
  reject(error: unknown): void;
}

export class PortalReader implements pg.Submittable {
  private connection: ProtocolWriter | undefined;
  private rows: Row[] = [];
  private waiter: Waiter | undefined;
  /** A chunk that arrived before anyone asked for it (only the first can). */
  private arrived: Chunk | undefined;
  private failure: { error: unknown } | undefined;
  /** An Execute is out and its chunk has not arrived. */
  private executing = false;
  private complete = false;
  private resolveFinished!: () => void;
  /** Settles when the session is free again (ReadyForQuery, or the connection failed). */
  readonly finished = new Promise<void>((resolve) => {
    this.resolveFinished = resolve;
  });

  constructor(private readonly text: string, private readonly values: readonly unknown[], private readonly rowsPerChunk: number) {}

  submit(connection: unknown): void {
    const writer = connection as ProtocolWriter;
    this.connection = writer;
    writer.parse({ text: this.text });
    writer.bind({ values: this.values.map(wireValue) });
    writer.describe({ type: 'P', name: '' });
    writer.execute({ portal: '', rows: this.rowsPerChunk });
    writer.flush();
    this.executing = true;
  }

  /**
   * The next chunk. The first is requested at submit; each later call asks the server for one
   * more, so at most one chunk is being produced while the caller converts the previous one.
   */
  next(): Promise<Chunk> {
    if (this.arrived) {
      const chunk = this.arrived;
      this.arrived = undefined;
      return Promise.resolve(chunk);
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.complete) return Promise.resolve({ rows: [], last: true });
    if (!this.executing && this.connection) {
      this.connection.execute({ portal: '', rows: this.rowsPerChunk });
      this.connection.flush();
      this.executing = true;
    }
    return new Promise<Chunk>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  handleRowDescription(): void {}

  handleDataRow(message: { fields: Row }): void {
    this.rows.push(message.fields);
  }

  handlePortalSuspended(): void {
    this.deliver(false);
  }

  handleCommandComplete(): void {
    this.connection!.sync();
    this.deliver(true);
  }

  handleEmptyQuery(): void {
    this.handleCommandComplete();
  }

  handleError(error: unknown): void {
    // A server error leaves the protocol waiting for Sync; any other error means the connection is gone.
    const fromServer = typeof error === 'object' && error !== null && 'severity' in error;
    if (fromServer && this.connection) this.connection.sync();
    else this.resolveFinished();
    this.failure = { error };
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  handleReadyForQuery(): void {
    this.resolveFinished();
  }

  private deliver(last: boolean): void {
    this.executing = false;
    this.complete = last;
    const chunk = { rows: this.rows, last };
    this.rows = [];
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter.resolve(chunk);
    else this.arrived = chunk;
  }
}

/** Parameters go out in text format, as pg sends them. */
function wireValue(value: unknown): string | Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return String(value);
}
