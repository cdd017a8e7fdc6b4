import { SqlState } from '../../engine/errors/index.js';
import { FrontendCode, StartupCode } from './codes.js';
import { ConnectionFatal, fatalProtocolViolation, invalidMessage } from './errors.js';
import type { Frame } from './frame-reader.js';
import { decodeUtf8 } from './utf8.js';

/** The highest protocol minor version the gateway speaks (3.0, like PostgreSQL 15). */
export const PROTOCOL_MINOR = 0;

export type StartupPacket =
  | { readonly kind: 'SSLRequest' }
  | { readonly kind: 'GSSENCRequest' }
  | { readonly kind: 'CancelRequest'; readonly processId: number; readonly secretKey: number }
  | {
      readonly kind: 'StartupMessage';
      readonly minor: number;
      /** Every name/value pair except `_pq_.*` protocol options, in packet order (later duplicates win). */
      readonly parameters: ReadonlyMap<string, string>;
      /** `_pq_.*` options the client asked for; none is supported. */
      readonly protocolOptions: readonly string[];
    };

/** FATAL 0A000 for a protocol version (or a repeated encryption request) the server does not speak. */
export const unsupportedProtocol = (code: number) =>
  new ConnectionFatal(
    SqlState.FEATURE_NOT_SUPPORTED,
    `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0 to 3.${PROTOCOL_MINOR}`,
  );

/**
 * Decodes a startup-phase packet body (after the length word). Layout errors follow
 * PostgreSQL's ProcessStartupPacket: a CancelRequest of the wrong length closes silently,
 * an unsupported major version is FATAL 0A000, a bad parameter list FATAL 08P01.
 */
export function decodeStartupPacket(body: Buffer): StartupPacket {
  const code = body.readUInt32BE(0);
  switch (code) {
    case StartupCode.SSLRequest:
      return { kind: 'SSLRequest' };
    case StartupCode.GSSENCRequest:
      return { kind: 'GSSENCRequest' };
    case StartupCode.CancelRequest:
      if (body.length !== 12) throw fatalProtocolViolation('invalid length of startup packet', { silent: true });
      return { kind: 'CancelRequest', processId: body.readInt32BE(4), secretKey: body.readInt32BE(8) };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) throw unsupportedProtocol(code);
  const parameters = new Map<string, string>();
  const protocolOptions: string[] = [];
  let offset = 4;
  while (offset < body.length && body[offset] !== 0) {
    const nameEnd = body.indexOf(0, offset);
    if (nameEnd < 0 || nameEnd + 1 >= body.length) break;
    const valueEnd = body.indexOf(0, nameEnd + 1);
    if (valueEnd < 0) break;
    const name = body.toString('utf8', offset, nameEnd);
    if (name.startsWith('_pq_.')) protocolOptions.push(name);
    else parameters.set(name, body.toString('utf8', nameEnd + 1, valueEnd));
    offset = valueEnd + 1;
  }
  if (offset !== body.length - 1) {
    throw fatalProtocolViolation('invalid startup packet layout: expected terminator as last byte');
  }
  return { kind: 'StartupMessage', minor, parameters, protocolOptions };
}

export type FrontendMessage =
  | { readonly type: 'Query'; readonly sql: string }
  | { readonly type: 'Parse'; readonly name: string; readonly sql: string; readonly paramTypeOids: readonly number[] }
  | {
      readonly type: 'Bind';
      readonly portal: string;
      readonly statement: string;
      readonly paramFormats: readonly number[];
      /** Raw parameter bytes (null for NULL); decoded by the session once the types are known. */
      readonly params: readonly (Buffer | null)[];
      readonly resultFormats: readonly number[];
    }
  | { readonly type: 'Describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'Execute'; readonly portal: string; readonly maxRows: number }
  | { readonly type: 'Close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'Sync' }
  | { readonly type: 'Flush' }
  | { readonly type: 'Terminate' }
  | { readonly type: 'CopyData'; readonly data: Buffer }
  | { readonly type: 'CopyDone' }
  | { readonly type: 'CopyFail'; readonly message: string }
  | { readonly type: 'FunctionCall' }
  | { readonly type: 'Password'; readonly body: Buffer };

/** Reads a message body the way PostgreSQL's pq_getmsg* functions do, with the same errors. */
class BodyReader {
  private offset = 0;

  constructor(private readonly body: Buffer) {}

  get remaining(): number {
    return this.body.length - this.offset;
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  /** An unsigned 16-bit count (PostgreSQL reads counts with pq_getmsgint(msg, 2)). */
  uint16(): number {
    this.need(2);
    const v = this.body.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  byte(): number {
    this.need(1);
    return this.body[this.offset++]!;
  }

  /** A NUL-terminated string, validated as UTF-8. */
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw invalidMessage('invalid string in message');
    const s = decodeUtf8(this.body.subarray(this.offset, end));
    this.offset = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    if (n < 0) throw invalidMessage('insufficient data left in message');
    this.need(n);
    const b = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  /** The rest of the body. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** PostgreSQL's pq_getmsgend: the body must be fully consumed. */
  end(): void {
    if (this.offset !== this.body.length) throw invalidMessage('invalid message format');
  }

  private need(n: number): void {
    if (n > this.body.length - this.offset) throw invalidMessage('insufficient data left in message');
  }
}

function int16Array(r: BodyReader, count: number): number[] {
  if (count * 2 > r.remaining) throw invalidMessage('insufficient data left in message');
  return Array.from({ length: count }, () => r.int16());
}

function readOids(r: BodyReader): number[] {
  const count = r.uint16();
  if (count * 4 > r.remaining) throw invalidMessage('insufficient data left in message');
  return Array.from({ length: count }, () => r.int32() >>> 0);
}

function decodeBind(r: BodyReader): FrontendMessage {
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats = int16Array(r, r.uint16());
  const paramCount = r.uint16();
  if (paramCount * 4 > r.remaining) throw invalidMessage('insufficient data left in message');
  const params: (Buffer | null)[] = [];
  for (let i = 0; i < paramCount; i++) {
    const len = r.int32();
    params.push(len === -1 ? null : r.bytes(len));
  }
  const resultFormats = int16Array(r, r.uint16());
  return { type: 'Bind', portal, statement, paramFormats, params, resultFormats };
}

function target(byte: number, what: 'DESCRIBE' | 'CLOSE'): 'S' | 'P' {
  if (byte === 0x53) return 'S';
  if (byte === 0x50) return 'P';
  throw invalidMessage(`invalid ${what} message subtype ${byte}`);
}

/**
 * Decodes the body of a framed message. A malformed body throws ERROR 08P01 (the frame
 * boundary is intact, so the session goes on), invalid UTF-8 in a string ERROR 22021.
 */
export function decodeMessage(frame: Frame): FrontendMessage {
  const r = new BodyReader(frame.body);
  let msg: FrontendMessage;
  switch (frame.code) {
    case FrontendCode.Query:
      msg = { type: 'Query', sql: r.cstring() };
      break;
    case FrontendCode.Parse: {
      const name = r.cstring();
      const sql = r.cstring();
      msg = { type: 'Parse', name, sql, paramTypeOids: readOids(r) };
      break;
    }
    case FrontendCode.Bind:
      msg = decodeBind(r);
      break;
    case FrontendCode.Describe: {
      const t = target(r.byte(), 'DESCRIBE');
      msg = { type: 'Describe', target: t, name: r.cstring() };
      break;
    }
    case FrontendCode.Execute: {
      const portal = r.cstring();
      msg = { type: 'Execute', portal, maxRows: r.int32() };
      break;
    }
    case FrontendCode.Close: {
      const t = target(r.byte(), 'CLOSE');
      msg = { type: 'Close', target: t, name: r.cstring() };
      break;
    }
    case FrontendCode.Sync:
      msg = { type: 'Sync' };
      break;
    case FrontendCode.Flush:
      msg = { type: 'Flush' };
      break;
    case FrontendCode.Terminate:
      msg = { type: 'Terminate' };
      break;
    case FrontendCode.CopyData:
      msg = { type: 'CopyData', data: r.rest() };
      break;
    case FrontendCode.CopyDone:
      msg = { type: 'CopyDone' };
      break;
    case FrontendCode.CopyFail:
      msg = { type: 'CopyFail', message: r.cstring() };
      break;
    case FrontendCode.FunctionCall:
      return { type: 'FunctionCall' };
    case FrontendCode.Password:
      return { type: 'Password', body: r.rest() };
    default:
      throw fatalProtocolViolation(`invalid frontend message type ${frame.code}`);
  }
  r.end();
  return msg;
}
