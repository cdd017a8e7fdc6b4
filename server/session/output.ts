import type { Socket } from 'node:net';
import { BackendWriter } from '../protocol/backend.js';

/** Serialized output is written to the socket once it reaches this size (or at a flush point). */
const WRITE_THRESHOLD_BYTES = 64 * 1024;

/**
 * Backend messages on their way to the socket. Messages accumulate in one BackendWriter and
 * go out as one write at flush points (ReadyForQuery, Flush, a full buffer); while the
 * socket's buffer is full, producers wait for 'drain' before making more rows.
 */
export class Output {
  readonly writer = new BackendWriter();
  /** Called when a wait for the client to read begins; the function it returns is called when the wait ends. */
  onWait: (() => () => void) | null = null;

  constructor(private socket: Socket) {}

  replaceSocket(socket: Socket): void {
    this.socket = socket;
  }

  get closed(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }

  /** Writes everything serialized so far. */
  flush(): void {
    if (this.writer.length === 0) return;
    const bytes = this.writer.take();
    if (!this.closed) this.socket.write(bytes);
  }

  /** Writes raw bytes outside any message (the 'S'/'N' answer to SSLRequest/GSSENCRequest). */
  writeRaw(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /**
   * Called between batches: writes when enough output has accumulated, then waits while the
   * client is not reading, so a slow client slows the query instead of filling memory. The
   * wait also ends when `signal` aborts (cancel, statement_timeout).
   */
  async yieldToClient(signal?: AbortSignal): Promise<void> {
    if (this.writer.length >= WRITE_THRESHOLD_BYTES) this.flush();
    if (!this.socket.writableNeedDrain || this.closed || signal?.aborted) return;
    const socket = this.socket;
    const waitEnded = this.onWait?.();
    await new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
      signal?.addEventListener('abort', done);
    });
    waitEnded?.();
  }
}
