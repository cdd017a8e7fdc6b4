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
   * client is not reading, so a slow client slows the query instead of filling memory.
   */
  async yieldToClient(): Promise<void> {
    if (this.writer.length >= WRITE_THRESHOLD_BYTES) this.flush();
    if (!this.socket.writableNeedDrain || this.closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
}
