import { FrontendCode } from './codes.js';
import { fatalProtocolViolation } from './errors.js';

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH: the body after the length word (protocol code + parameters). */
export const MAX_STARTUP_PACKET_BODY = 10_000;
/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT: the largest length word accepted for Sync, Flush, Execute, Describe, Close, Terminate. */
export const SMALL_MESSAGE_LIMIT = 10_000;
/**
 * Default limit on the length word of Query, Parse, Bind, CopyData, FunctionCall and password
 * messages. PostgreSQL allows ~1 GiB; the gateway defaults to 64 MiB (`--max-message-bytes`).
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface FrameLimits {
  /** Largest length word accepted for Query, Parse, Bind, CopyData, FunctionCall and password messages. */
  readonly maxMessageBytes: number;
}

/** One framed regular message: its type byte and its body (without type byte and length word). */
export interface Frame {
  readonly code: number;
  readonly body: Buffer;
}

/** The length limit of each message type PostgreSQL 15 accepts after startup; undefined for an unknown type. */
function lengthLimit(code: number, limits: FrameLimits): number | undefined {
  switch (code) {
    case FrontendCode.Query:
    case FrontendCode.Parse:
    case FrontendCode.Bind:
    case FrontendCode.CopyData:
    case FrontendCode.FunctionCall:
    case FrontendCode.Password:
      return limits.maxMessageBytes;
    case FrontendCode.Sync:
    case FrontendCode.Flush:
    case FrontendCode.Execute:
    case FrontendCode.Describe:
    case FrontendCode.Close:
    case FrontendCode.Terminate:
    case FrontendCode.CopyDone:
    case FrontendCode.CopyFail:
      return SMALL_MESSAGE_LIMIT;
    default:
      return undefined;
  }
}

/**
 * Splits the client's byte stream into packets, merging partial frames. Pure: bytes in,
 * frames out. Every claimed length is validated before anything is allocated for it, and
 * only bytes that actually arrived are ever held.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly limits: FrameLimits) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Bytes received and not yet returned as a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The first unread byte without consuming it (0x16 starts a direct TLS handshake), or null when none arrived. */
  firstByte(): number | null {
    return this.buffered === 0 ? null : this.peekByte(0);
  }

  /** Removes and returns every unread byte (a direct TLS ClientHello, handed to the TLS layer). */
  takeAll(): Buffer {
    return this.take(this.buffered);
  }

  /**
   * The next startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest):
   * its body after the length word, or null while incomplete. An invalid length throws a
   * silent ConnectionFatal, as PostgreSQL only logs it.
   */
  nextStartupPacket(): Buffer | null {
    if (this.buffered < 4) return null;
    const length = this.peekUInt32(0);
    const body = length - 4;
    if (length < 4 || body < 4 || body > MAX_STARTUP_PACKET_BODY) {
      throw fatalProtocolViolation('invalid length of startup packet', { silent: true });
    }
    if (this.buffered < length) return null;
    this.skip(4);
    return this.take(body);
  }

  /**
   * The next regular message, or null while incomplete. An unknown type byte throws FATAL
   * "invalid frontend message type N"; a length below 4 or above the type's limit throws
   * (PostgreSQL logs "invalid message length" and closes; over the configured maximum the
   * client is told why).
   */
  nextMessage(): Frame | null {
    if (this.buffered < 1) return null;
    const code = this.peekByte(0);
    const limit = lengthLimit(code, this.limits);
    if (limit === undefined) throw fatalProtocolViolation(`invalid frontend message type ${code}`);
    if (this.buffered < 5) return null;
    const length = this.peekUInt32(1);
    if (length < 4) throw fatalProtocolViolation('invalid message length', { silent: true });
    if (length > limit) {
      if (limit === SMALL_MESSAGE_LIMIT) throw fatalProtocolViolation('invalid message length', { silent: true });
      throw fatalProtocolViolation(`message of ${length} bytes exceeds the maximum of ${limit} bytes`, {
        detail: 'The limit is set with --max-message-bytes.',
      });
    }
    if (this.buffered < length + 1) return null;
    this.skip(5);
    return { code, body: this.take(length - 4) };
  }

  private peekByte(at: number): number {
    for (const c of this.chunks) {
      if (at < c.length) return c[at]!;
      at -= c.length;
    }
    throw new RangeError('peek past buffered data');
  }

  private peekUInt32(at: number): number {
    return ((this.peekByte(at) << 24) | (this.peekByte(at + 1) << 16) | (this.peekByte(at + 2) << 8) | this.peekByte(at + 3)) >>> 0;
  }

  private skip(n: number): void {
    this.take(n);
  }

  /** Removes n buffered bytes (n ≤ buffered); zero-copy when they sit in one chunk. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first === undefined) return Buffer.alloc(0);
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const part = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, part);
      filled += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    return out;
  }
}
