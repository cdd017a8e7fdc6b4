import type { Socket } from 'node:net';
import { FrameReader, type Frame, type FrameLimits } from '../protocol/frame-reader.js';

/** Above this many buffered unread bytes the socket is paused until the session catches up. */
const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * The client's byte stream as a sequence of packets. The socket keeps being read while the
 * session executes (so a disconnect is noticed at once); reading pauses only when more than
 * HIGH_WATER_BYTES are waiting and resumes when the session needs more bytes.
 */
export class MessageInput {
  private readonly reader: FrameReader;
  private socket: Socket;
  private ended = false;
  private wake: (() => void) | null = null;
  /**
   * Called when a read has to wait for bytes (once per packet, however many chunks arrive);
   * the function it returns is called when the packet is complete or the stream ended.
   */
  onWait: (() => () => void) | null = null;

  private readonly onData = (chunk: Buffer) => {
    this.reader.push(chunk);
    if (this.reader.bufferedBytes > HIGH_WATER_BYTES) this.socket.pause();
    this.notify();
  };

  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };

  constructor(socket: Socket, limits: FrameLimits) {
    this.reader = new FrameReader(limits);
    this.socket = socket;
    this.listen();
  }

  /** Bytes received and not yet consumed. */
  get bufferedBytes(): number {
    return this.reader.bufferedBytes;
  }

  /** Reads from `socket` from now on (after a TLS upgrade wrapped the old one). */
  replaceSocket(socket: Socket): void {
    this.unlisten();
    this.socket = socket;
    this.listen();
  }

  /** Stops reading from the current socket, e.g. before a TLS upgrade takes it over. */
  detach(): void {
    this.unlisten();
  }

  /** The first unread byte, not consumed, once one arrived; null at end of stream. */
  peekByte(): Promise<number | null> {
    return this.next(() => this.reader.firstByte());
  }

  /** Removes and returns every unread byte. */
  takeBuffered(): Buffer {
    return this.reader.takeAll();
  }

  /** The next startup-phase packet body, or null at end of stream. */
  nextStartupPacket(): Promise<Buffer | null> {
    return this.next(() => this.reader.nextStartupPacket());
  }

  /** The next regular message, or null at end of stream. */
  nextMessage(): Promise<Frame | null> {
    return this.next(() => this.reader.nextMessage());
  }

  private async next<T>(read: () => T | null): Promise<T | null> {
    let waitEnded: (() => void) | undefined;
    try {
      for (;;) {
        const item = read();
        if (item !== null) {
          if (this.reader.bufferedBytes <= HIGH_WATER_BYTES) this.socket.resume();
          return item;
        }
        if (this.ended) return null;
        this.socket.resume();
        waitEnded ??= this.onWait?.();
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      waitEnded?.();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private listen(): void {
    this.socket.on('data', this.onData);
    this.socket.on('end', this.onEnd);
    this.socket.on('close', this.onEnd);
  }

  private unlisten(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
  }
}
