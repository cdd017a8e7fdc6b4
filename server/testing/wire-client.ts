/**
 * A raw PostgreSQL wire client for tests: frontend messages from JSON (the field names of
 * pgproto3, as CockroachDB's pgtest uses them), backend messages decoded to JSON. It sends
 * exactly what it is told, malformed bytes included, and never interprets the conversation.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

export type WireJson = { readonly Type: string } & Record<string, unknown>;

class Encoder {
  private parts: Buffer[] = [];
  byte(c: string): this {
    this.parts.push(Buffer.from(c, 'latin1'));
    return this;
  }
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n | 0);
    this.parts.push(b);
    return this;
  }
  cstring(s: string): this {
    this.parts.push(Buffer.from(s + '\0'));
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  /** The message: `type` byte (none for startup packets) + length word + body. */
  frame(type?: string): Buffer {
    const body = Buffer.concat(this.parts);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length + 4);
    return Buffer.concat(type === undefined ? [len, body] : [Buffer.from(type, 'latin1'), len, body]);
  }
}

const str = (m: Record<string, unknown>, k: string) => String(m[k] ?? '');
const nums = (m: Record<string, unknown>, k: string) => (m[k] as number[] | undefined) ?? [];

/** Bind parameter: a string (text bytes), {"binary": hex} or null. */
function paramBytes(p: unknown): Buffer | null {
  if (p === null) return null;
  if (typeof p === 'string') return Buffer.from(p);
  return Buffer.from(String((p as { binary: string }).binary), 'hex');
}

/** Serializes one frontend message given as JSON, e.g. {"Type":"Query","String":"select 1"}. */
export function encodeFrontend(m: WireJson): Buffer {
  const e = new Encoder();
  switch (m.Type) {
    case 'StartupMessage': {
      e.int32(Number(m.ProtocolVersion ?? 196608));
      for (const [k, v] of Object.entries((m.Parameters as Record<string, string>) ?? {})) e.cstring(k).cstring(v);
      return e.bytes(Uint8Array.of(0)).frame();
    }
    case 'SSLRequest':
      return e.int32(80877103).frame();
    case 'GSSEncRequest':
      return e.int32(80877104).frame();
    case 'CancelRequest':
      return e.int32(80877102).int32(Number(m.ProcessID)).int32(Number(m.SecretKey)).frame();
    case 'Query':
      return e.cstring(str(m, 'String')).frame('Q');
    case 'Parse': {
      e.cstring(str(m, 'Name')).cstring(str(m, 'Query')).int16(nums(m, 'ParameterOIDs').length);
      for (const oid of nums(m, 'ParameterOIDs')) e.int32(oid);
      return e.frame('P');
    }
    case 'Bind': {
      const formats = nums(m, 'ParameterFormatCodes');
      const params = (m.Parameters as unknown[] | undefined) ?? [];
      const results = nums(m, 'ResultFormatCodes');
      e.cstring(str(m, 'DestinationPortal')).cstring(str(m, 'PreparedStatement')).int16(formats.length);
      for (const f of formats) e.int16(f);
      e.int16(params.length);
      for (const p of params) {
        const b = paramBytes(p);
        if (b === null) e.int32(-1);
        else e.int32(b.length).bytes(b);
      }
      e.int16(results.length);
      for (const f of results) e.int16(f);
      return e.frame('B');
    }
    case 'Describe':
      return e.byte(str(m, 'ObjectType')).cstring(str(m, 'Name')).frame('D');
    case 'Execute':
      return e.cstring(str(m, 'Portal')).int32(Number(m.MaxRows ?? 0)).frame('E');
    case 'Close':
      return e.byte(str(m, 'ObjectType')).cstring(str(m, 'Name')).frame('C');
    case 'Sync':
      return e.frame('S');
    case 'Flush':
      return e.frame('H');
    case 'Terminate':
      return e.frame('X');
    case 'CopyData':
      return e.bytes(Buffer.from(str(m, 'Data'))).frame('d');
    case 'CopyDone':
      return e.frame('c');
    case 'CopyFail':
      return e.cstring(str(m, 'Message')).frame('f');
    case 'Raw':
      return Buffer.from(str(m, 'Hex').replace(/\s+/g, ''), 'hex');
    default:
      throw new Error(`unknown frontend message type ${m.Type}`);
  }
}

const ERROR_FIELDS: Readonly<Record<string, string>> = {
  S: 'Severity', V: 'SeverityUnlocalized', C: 'Code', M: 'Message', D: 'Detail', H: 'Hint', P: 'Position',
  p: 'InternalPosition', q: 'InternalQuery', W: 'Where', s: 'SchemaName', t: 'TableName', c: 'ColumnName',
  d: 'DataTypeName', n: 'ConstraintName', F: 'File', L: 'Line', R: 'Routine',
};

class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  int16 = () => ((this.at += 2), this.b.readInt16BE(this.at - 2));
  int32 = () => ((this.at += 4), this.b.readInt32BE(this.at - 4));
  byte = () => this.b[this.at++]!;
  cstring = () => {
    const end = this.b.indexOf(0, this.at);
    const s = this.b.toString('utf8', this.at, end);
    this.at = end + 1;
    return s;
  };
  bytes = (n: number) => ((this.at += n), this.b.subarray(this.at - n, this.at));
}

/** A value as pgtest shows it: {"text": …} when it is printable UTF-8, else {"binary": hex}. */
function rowValue(b: Buffer): Record<string, string> {
  const s = b.toString('utf8');
  return Buffer.from(s).equals(b) && !/[\x00-\x08\x0e-\x1f]/.test(s) ? { text: s } : { binary: b.toString('hex') };
}

/** Decodes one backend message body to JSON. */
export function decodeBackend(code: string, body: Buffer): WireJson {
  const r = new Reader(body);
  switch (code) {
    case 'R': {
      const c = r.int32();
      return c === 0 ? { Type: 'AuthenticationOk' } : { Type: 'Authentication', Code: c, Payload: body.subarray(4).toString('hex') };
    }
    case 'S':
      return { Type: 'ParameterStatus', Name: r.cstring(), Value: r.cstring() };
    case 'K':
      return { Type: 'BackendKeyData', ProcessID: r.int32(), SecretKey: r.int32() };
    case 'Z':
      return { Type: 'ReadyForQuery', TxStatus: String.fromCharCode(r.byte()) };
    case 'T': {
      const n = r.int16();
      const Fields = Array.from({ length: n }, () => ({
        Name: r.cstring(), TableOID: r.int32() >>> 0, TableAttributeNumber: r.int16(), DataTypeOID: r.int32() >>> 0,
        DataTypeSize: r.int16(), TypeModifier: r.int32(), Format: r.int16(),
      }));
      return { Type: 'RowDescription', Fields };
    }
    case 'D': {
      const n = r.int16();
      const Values = Array.from({ length: n }, () => {
        const len = r.int32();
        return len === -1 ? null : rowValue(r.bytes(len));
      });
      return { Type: 'DataRow', Values };
    }
    case 'C':
      return { Type: 'CommandComplete', CommandTag: r.cstring() };
    case 'E':
    case 'N': {
      const msg: Record<string, unknown> = { Type: code === 'E' ? 'ErrorResponse' : 'NoticeResponse' };
      for (let f = r.byte(); f !== 0 && f !== undefined; f = r.byte()) {
        const key = String.fromCharCode(f);
        msg[ERROR_FIELDS[key] ?? key] = r.cstring();
      }
      return msg as WireJson;
    }
    case 't': {
      const n = r.int16();
      return { Type: 'ParameterDescription', ParameterOIDs: Array.from({ length: n }, () => r.int32() >>> 0) };
    }
    case 'H': {
      const OverallFormat = r.byte();
      const n = r.int16();
      return { Type: 'CopyOutResponse', OverallFormat, ColumnFormatCodes: Array.from({ length: n }, () => r.int16()) };
    }
    case 'd':
      return { Type: 'CopyData', Data: body.toString('utf8') };
    case 'v': {
      const NewestMinorProtocol = r.int32() & 0xffff;
      const n = r.int32();
      return { Type: 'NegotiateProtocolVersion', NewestMinorProtocol, UnrecognizedOptions: Array.from({ length: n }, () => r.cstring()) };
    }
    default: {
      const simple: Record<string, string> = {
        I: 'EmptyQueryResponse', '1': 'ParseComplete', '2': 'BindComplete', '3': 'CloseComplete', n: 'NoData', s: 'PortalSuspended', c: 'CopyDone',
      };
      return { Type: simple[code] ?? `Unknown(${code})` };
    }
  }
}

/** A connection speaking raw protocol. */
export class WireClient {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private ended = false;
  /** Single-byte answers still expected (SSLRequest / GSSENCRequest). */
  private singleByteAnswers = 0;

  private constructor(private socket: Socket) {
    this.listen(socket);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<WireClient> {
    const socket = connect({ port, host, noDelay: true });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new WireClient(socket);
  }

  /**
   * Connects with a TLS handshake straight away (direct TLS, PostgreSQL 17): no SSLRequest,
   * ALPN `postgresql` unless `options` say otherwise. Rejects when the handshake fails.
   */
  static async connectDirectTls(port: number, options: ConnectionOptions = {}): Promise<WireClient> {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['postgresql'], ...options });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    return new WireClient(socket);
  }

  /** The TLS session, when the connection is encrypted (ALPN, peer certificate). */
  get tls(): TLSSocket | null {
    return 'encrypted' in this.socket ? (this.socket as TLSSocket) : null;
  }

  /** Sends messages (JSON) or raw bytes. */
  send(...messages: (WireJson | Buffer)[]): void {
    for (const m of messages) {
      if (!Buffer.isBuffer(m) && (m.Type === 'SSLRequest' || m.Type === 'GSSEncRequest')) this.singleByteAnswers++;
    }
    this.socket.write(Buffer.concat(messages.map((m) => (Buffer.isBuffer(m) ? m : encodeFrontend(m)))));
  }

  /** Continues the conversation inside TLS (after the server answered 'S'); `options` add e.g. a client certificate. */
  async startTls(options: ConnectionOptions = {}): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    const secure = tlsConnect({ socket: raw, rejectUnauthorized: false, ...options });
    this.socket = secure;
    this.listen(secure);
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
  }

  /** The next backend message, or null when the server closed the connection. */
  async receive(timeoutMs = 5000): Promise<WireJson | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.singleByteAnswers > 0 && this.buffer.length >= 1) {
        this.singleByteAnswers--;
        const answer = String.fromCharCode(this.buffer[0]!);
        this.buffer = this.buffer.subarray(1);
        return { Type: 'EncryptionResponse', Response: answer };
      }
      if (this.buffer.length >= 5) {
        const len = this.buffer.readUInt32BE(1);
        if (this.buffer.length >= len + 1) {
          const code = String.fromCharCode(this.buffer[0]!);
          const body = this.buffer.subarray(5, len + 1);
          this.buffer = this.buffer.subarray(len + 1);
          return decodeBackend(code, body);
        }
      }
      if (this.ended) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a backend message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Messages up to and including the next one of `type`; throws if the connection closes first. */
  async until(type: string, timeoutMs = 5000): Promise<WireJson[]> {
    const out: WireJson[] = [];
    for (;;) {
      const m = await this.receive(timeoutMs);
      if (m === null) throw new Error(`connection closed before ${type}; got ${JSON.stringify(out)}`);
      out.push(m);
      if (m.Type === type) return out;
    }
  }

  /** Every message until the server closes the connection. */
  async untilClosed(timeoutMs = 5000): Promise<WireJson[]> {
    const out: WireJson[] = [];
    for (let m = await this.receive(timeoutMs); m !== null; m = await this.receive(timeoutMs)) out.push(m);
    return out;
  }

  /** Startup as `user` (trust) and wait for ReadyForQuery; returns the startup messages. */
  async startup(parameters: Record<string, string>): Promise<WireJson[]> {
    this.send({ Type: 'StartupMessage', Parameters: parameters });
    return this.until('ReadyForQuery');
  }

  /** Stops reading from the socket (the server's writes back up), until resume(). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Half-closes the write side (FIN). */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    const ended = () => {
      this.ended = true;
      this.wake();
    };
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', ended);
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}

/**
 * Sends PostgreSQL's CancelRequest for a node-postgres client's session, as libpq's PQcancel
 * does, and waits until the server closes the cancel connection.
 */
export async function cancelPgClient(port: number, client: object): Promise<void> {
  const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
  const c = await WireClient.connect(port);
  c.send({ Type: 'CancelRequest', ProcessID: processID, SecretKey: secretKey });
  await c.untilClosed();
  c.destroy();
}
