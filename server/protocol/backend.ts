import { BackendCode } from './codes.js';

/** One column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly columnNumber: number;
  readonly typeOid: number;
  /** pg_type.typlen (-1 variable, -2 C string). */
  readonly typeSize: number;
  readonly typeModifier: number;
  /** 0 text, 1 binary. */
  readonly format: number;
}

/** The fields of an ErrorResponse or NoticeResponse; PostgreSQL always sends S, V, C and M. */
export interface ErrorFields {
  /** Severity, e.g. ERROR, FATAL, NOTICE (sent as both S and the non-localized V). */
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly detail?: string | undefined;
  readonly hint?: string | undefined;
  /** 1-based character position in the query text. */
  readonly position?: number | undefined;
}

/** A value of a DataRow: text (written as UTF-8), bytes, or null for NULL. */
export type RowValue = string | Uint8Array | null;

/** The buffer starts empty and grows from this size (small buffers come from Node's shared pool). */
const MIN_CAPACITY = 256;
/** Output up to this size is copied out and the buffer kept; a larger buffer is handed over and replaced by one of this size. */
const INITIAL_CAPACITY = 16 * 1024;
/** Strings up to this length are tried as ASCII first. */
const SHORT_STRING = 64;

/**
 * Serializes backend messages into one growing buffer, so a whole batch of messages
 * becomes a single socket write. Pure: no sockets, `take()` hands the bytes over. The buffer
 * grows from nothing, so a connection in its startup phase or an idle session holds only what
 * it wrote (a few hundred bytes).
 */
export class BackendWriter {
  private buf = Buffer.alloc(0);
  private pos = 0;
  /** Where the length word of the message being written sits. */
  private start = 0;

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos;
  }

  /** The serialized messages so far; the writer starts over empty. */
  take(): Buffer {
    let out: Buffer;
    if (this.pos <= INITIAL_CAPACITY) {
      out = Buffer.from(this.buf.subarray(0, this.pos));
    } else {
      out = this.buf.subarray(0, this.pos);
      this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
    }
    this.pos = 0;
    return out;
  }

  /** An Authentication message: request code (0 = AuthenticationOk, 10 = SASL, …) and its payload. */
  authentication(code: number, payload: Uint8Array = new Uint8Array(0)): this {
    return this.begin(BackendCode.Authentication).int32(code).bytes(payload).end();
  }

  authenticationOk(): this {
    return this.authentication(0);
  }

  parameterStatus(name: string, value: string): this {
    return this.begin(BackendCode.ParameterStatus).cstring(name).cstring(value).end();
  }

  backendKeyData(processId: number, secretKey: number): this {
    return this.begin(BackendCode.BackendKeyData).int32(processId).int32(secretKey).end();
  }

  readyForQuery(status: 'I' | 'T' | 'E'): this {
    return this.begin(BackendCode.ReadyForQuery).byte(status.charCodeAt(0)).end();
  }

  negotiateProtocolVersion(newestMinor: number, unrecognizedOptions: readonly string[]): this {
    this.begin(BackendCode.NegotiateProtocolVersion).int32((3 << 16) | newestMinor).int32(unrecognizedOptions.length);
    for (const o of unrecognizedOptions) this.cstring(o);
    return this.end();
  }

  rowDescription(fields: readonly FieldDescription[]): this {
    this.begin(BackendCode.RowDescription).int16(fields.length);
    for (const f of fields) {
      this.cstring(f.name).int32(f.tableOid).int16(f.columnNumber).int32(f.typeOid).int16(f.typeSize).int32(f.typeModifier).int16(f.format);
    }
    return this.end();
  }

  parameterDescription(typeOids: readonly number[]): this {
    this.begin(BackendCode.ParameterDescription).int16(typeOids.length);
    for (const oid of typeOids) this.int32(oid);
    return this.end();
  }

  dataRow(values: readonly RowValue[]): this {
    this.begin(BackendCode.DataRow).int16(values.length);
    for (const v of values) {
      if (v === null) this.int32(-1);
      else if (typeof v === 'string') this.lengthPrefixedString(v);
      else this.int32(v.length).bytes(v);
    }
    return this.end();
  }

  commandComplete(tag: string): this {
    return this.begin(BackendCode.CommandComplete).cstring(tag).end();
  }

  emptyQueryResponse(): this {
    return this.empty(BackendCode.EmptyQueryResponse);
  }

  errorResponse(fields: ErrorFields): this {
    return this.errorFields(BackendCode.ErrorResponse, fields);
  }

  noticeResponse(fields: ErrorFields): this {
    return this.errorFields(BackendCode.NoticeResponse, fields);
  }

  parseComplete(): this {
    return this.empty(BackendCode.ParseComplete);
  }

  bindComplete(): this {
    return this.empty(BackendCode.BindComplete);
  }

  closeComplete(): this {
    return this.empty(BackendCode.CloseComplete);
  }

  noData(): this {
    return this.empty(BackendCode.NoData);
  }

  portalSuspended(): this {
    return this.empty(BackendCode.PortalSuspended);
  }

  /** CopyOutResponse; `columnFormats` has one code per column (0 text). */
  copyOutResponse(overallFormat: number, columnFormats: readonly number[]): this {
    this.begin(BackendCode.CopyOutResponse).byte(overallFormat).int16(columnFormats.length);
    for (const f of columnFormats) this.int16(f);
    return this.end();
  }

  /** CopyData carrying the UTF-8 bytes of `text` (one COPY row). */
  copyData(text: string): this {
    this.begin(BackendCode.CopyData);
    this.ensure(Buffer.byteLength(text));
    this.pos += this.buf.write(text, this.pos, 'utf8');
    return this.end();
  }

  copyDone(): this {
    return this.empty(BackendCode.CopyDone);
  }

  private errorFields(code: BackendCode, f: ErrorFields): this {
    this.begin(code);
    this.field('S', f.severity).field('V', f.severity).field('C', f.code).field('M', f.message);
    if (f.detail !== undefined) this.field('D', f.detail);
    if (f.hint !== undefined) this.field('H', f.hint);
    if (f.position !== undefined) this.field('P', String(f.position));
    return this.byte(0).end();
  }

  private field(type: string, value: string): this {
    return this.byte(type.charCodeAt(0)).cstring(value);
  }

  private empty(code: BackendCode): this {
    return this.begin(code).end();
  }

  private begin(code: BackendCode): this {
    this.ensure(5);
    this.buf[this.pos] = code;
    this.start = this.pos + 1;
    this.pos += 5;
    return this;
  }

  private end(): this {
    this.buf.writeUInt32BE(this.pos - this.start, this.start);
    return this;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = Math.max(this.buf.length * 2, MIN_CAPACITY);
    while (cap < this.pos + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private byte(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  private int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  private int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
    return this;
  }

  private bytes(v: Uint8Array): this {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** A C string; an embedded NUL would corrupt the frame, so it is cut there as PostgreSQL's C strings are. */
  private cstring(s: string): this {
    const cut = s.indexOf('\0');
    const text = cut < 0 ? s : s.slice(0, cut);
    this.ensure(Buffer.byteLength(text) + 1);
    this.pos += this.buf.write(text, this.pos, 'utf8');
    this.buf[this.pos++] = 0;
    return this;
  }

  private lengthPrefixedString(s: string): this {
    // Short ASCII values (most result fields) are copied by hand: cheaper than two calls into
    // the runtime (byteLength, then write) per value.
    if (s.length <= SHORT_STRING) {
      this.ensure(4 + s.length);
      const buf = this.buf;
      const at = this.pos + 4;
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      if (i === s.length) {
        buf.writeInt32BE(s.length, this.pos);
        this.pos = at + s.length;
        return this;
      }
    }
    const n = Buffer.byteLength(s);
    this.ensure(4 + n);
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4;
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }
}
