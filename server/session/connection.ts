import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Engine, EngineSession } from '../../engine/api.js';
import { parseMs } from '../../engine/session/settings.js';
import { queryCanceled, SqlError, SqlState } from '../../engine/errors/index.js';
import type { Logger } from '../log.js';
import { ALPN_PROTOCOL, type ServerTls } from '../tls/tls-context.js';
import { EncryptionResponse, FrontendCode, StartupCode, TLS_HANDSHAKE_RECORD } from '../protocol/codes.js';
import { ConnectionFatal, fatalProtocolViolation } from '../protocol/errors.js';
import type { FrameLimits } from '../protocol/frame-reader.js';
import { decodeMessage, decodeStartupPacket, PROTOCOL_MINOR, unsupportedProtocol, type FrontendMessage, type StartupPacket } from '../protocol/frontend.js';
import type { ErrorFields } from '../protocol/backend.js';
import type { AuthExchange, Authenticator, Principal, StartupInfo } from '../../auth/authenticator.js';
import type { CancelKey, CancelRegistry } from './cancel-registry.js';
import { CommandProcessor } from './commands.js';
import { MessageInput } from './input.js';
import { Output } from './output.js';

export interface ConnectionOptions {
  readonly engine: Engine;
  readonly authenticate: Authenticator;
  /** Takes a connection slot for the signed-in user (throws 53300 when none is free); returns its release. */
  readonly admit?: (user: string) => () => void;
  readonly cancelRegistry: CancelRegistry;
  /** TLS for SSLRequest and direct TLS, or null to answer 'N' (and close a direct TLS handshake). */
  readonly tls: ServerTls | null;
  readonly limits: FrameLimits;
  /** PostgreSQL's authentication_timeout: the whole startup phase must finish within it. */
  readonly authenticationTimeoutMs: number;
  readonly isShuttingDown: () => boolean;
  readonly log: Logger;
}

/** Messages of the extended protocol: after an error in one of them, input is skipped until Sync. */
const EXTENDED_CODES: ReadonlySet<number> = new Set([
  FrontendCode.Parse,
  FrontendCode.Bind,
  FrontendCode.Describe,
  FrontendCode.Execute,
  FrontendCode.Close,
  FrontendCode.Flush,
]);

/** Messages that start statement_timeout in the extended protocol (PostgreSQL's start_xact_command). */
const STATEMENT_CODES: ReadonlySet<number> = new Set([FrontendCode.Parse, FrontendCode.Bind, FrontendCode.Describe, FrontendCode.Execute]);

/** Messages that begin a transaction when none is open (an implicit one): transaction_timeout starts. */
const TRANSACTION_CODES: ReadonlySet<number> = new Set([...STATEMENT_CODES, FrontendCode.Query]);

/** How long a closing socket may take to flush its last bytes before it is destroyed. */
const CLOSE_GRACE_MS = 2000;

const isFatal = (err: unknown): boolean => err instanceof SqlError && (err.severity === 'FATAL' || err.severity === 'PANIC');

function errorFields(e: SqlError): ErrorFields {
  return { severity: e.severity, code: e.code, message: e.message, detail: e.detail, hint: e.hint, position: e.position };
}

/** The same error, ending the connection (an engine refusal at startup becomes FATAL). */
const asFatal = (e: SqlError) => (isFatal(e) ? e : new ConnectionFatal(e.code, e.message, { detail: e.detail, hint: e.hint }));

/**
 * One client connection: startup (encryption negotiation, CancelRequest, protocol version),
 * authentication, the engine session, then the message loop. Never throws: whatever the
 * client sends, the worst outcome is this connection closing.
 */
export class Connection {
  private socket: Socket;
  private readonly input: MessageInput;
  private readonly output: Output;
  private session: EngineSession | null = null;
  private commands: CommandProcessor | null = null;
  private cancelKey: CancelKey | null = null;
  private releaseSlot: (() => void) | null = null;
  private closed = false;
  /** After an error in an extended-protocol message (or statement_timeout), input is skipped until Sync. */
  private skipUntilSync = false;
  /** A message is being executed, as opposed to waiting on the client between messages. */
  private dispatching = false;
  /**
   * statement_timeout in the extended protocol, as in PostgreSQL: from the first Parse, Bind,
   * Describe or Execute until an Execute completes or Sync. (Query: the engine times each statement.)
   */
  private statementTimer: NodeJS.Timeout | null = null;
  /** statement_timeout fired while a message was executing: reported after it, unless it failed anyway. */
  private statementTimedOut = false;
  /** transaction_timeout: from the first statement message of a transaction until ReadyForQuery outside one. */
  private transactionTimer: NodeJS.Timeout | null = null;

  constructor(
    socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.socket = socket;
    this.input = new MessageInput(socket, options.limits);
    this.output = new Output(socket);
    this.watch(socket);
  }

  /** Serves the connection until it ends. */
  async serve(): Promise<void> {
    const timer = setTimeout(() => {
      this.options.log.warn('closing connection: authentication timeout');
      this.socket.destroy();
    }, this.options.authenticationTimeoutMs);
    try {
      const started = await this.startup();
      clearTimeout(timer);
      if (started) await this.messageLoop();
    } catch (err) {
      this.fail(err);
    } finally {
      clearTimeout(timer);
      this.cleanup();
    }
  }

  /** Ends the connection from the server side with a FATAL error (e.g. 57P01 at shutdown). */
  terminate(error: SqlError): void {
    this.fail(error);
  }

  private async startup(): Promise<boolean> {
    const packet = await this.negotiate();
    if (packet === null) return false;
    if (packet.kind === 'CancelRequest') {
      this.options.cancelRegistry.cancel(packet.processId, packet.secretKey);
      return false;
    }
    const { writer } = this.output;
    if (packet.minor > PROTOCOL_MINOR || packet.protocolOptions.length > 0) {
      writer.negotiateProtocolVersion(PROTOCOL_MINOR, packet.protocolOptions);
    }
    // PostgreSQL cuts user and database names to NAMEDATALEN - 1 bytes before using them
    const user = packet.parameters.has('user') ? truncateName(packet.parameters.get('user')!) : undefined;
    if (!user) {
      throw new ConnectionFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, 'no PostgreSQL user name specified in startup packet');
    }
    if (this.options.isShuttingDown()) throw new ConnectionFatal(SqlState.CANNOT_CONNECT_NOW, 'the database system is shutting down');
    const parameters = new Map(packet.parameters);
    parameters.delete('user');
    parameters.delete('database');
    const startup: StartupInfo = { user, database: truncateName(packet.parameters.get('database') || user), parameters };

    let principal: Principal;
    try {
      principal = await this.options.authenticate(startup, this.authExchange());
    } catch (err) {
      throw asFatal(SqlError.from(err));
    }
    if (this.options.admit) this.releaseSlot = this.options.admit(principal.user);
    writer.authenticationOk();
    // The key comes first: its process id is the session's pg_backend_pid().
    this.cancelKey = this.options.cancelRegistry.register({ cancel: () => this.commands?.cancel() });
    const address = this.socket.remoteAddress;
    try {
      this.session = this.options.engine.openSession({
        user: principal.user,
        groups: principal.groups,
        database: startup.database,
        startupParameters: Object.fromEntries(parameters),
        onParameterStatus: (name, value) => writer.parameterStatus(name, value),
        onNotice: (n) => writer.noticeResponse({ severity: n.severity, code: n.code, message: n.message, detail: n.detail, hint: n.hint }),
        onDeallocate: (name) => this.commands?.deallocate(name),
        backendPid: this.cancelKey.processId,
        // pg_cancel_backend / pg_terminate_backend run inside another statement's evaluation: act after it.
        onCancelRequest: () => setImmediate(() => this.commands?.cancel()),
        onTerminate: () => setImmediate(() => this.terminate(new ConnectionFatal(SqlState.ADMIN_SHUTDOWN, 'terminating connection due to administrator command'))),
        ...(address !== undefined ? { client: { address, port: this.socket.remotePort ?? 0 } } : {}),
      });
    } catch (err) {
      throw asFatal(SqlError.from(err));
    }
    const commands = new CommandProcessor(this.session, this.output);
    this.commands = commands;
    for (const [name, value] of this.session.reportedParameters()) writer.parameterStatus(name, value);
    writer.backendKeyData(this.cancelKey.processId, this.cancelKey.secretKey);
    commands.readyForQuery();
    return true;
  }

  /**
   * Reads startup packets until a StartupMessage or CancelRequest, answering SSLRequest
   * ('S' + TLS when configured, else 'N') and GSSENCRequest ('N'). Bytes the client sent
   * before seeing the answer were not encrypted (CVE-2021-23214): FATAL 08P01. A first byte
   * 0x16 is a direct TLS handshake (PostgreSQL 17); the packets then follow inside TLS.
   */
  private async negotiate(): Promise<Extract<StartupPacket, { kind: 'StartupMessage' | 'CancelRequest' }> | null> {
    let sslDone = false;
    let gssDone = false;
    if ((await this.input.peekByte()) === TLS_HANDSHAKE_RECORD) {
      await this.directTls();
      sslDone = gssDone = true;
    }
    for (;;) {
      const body = await this.input.nextStartupPacket();
      if (body === null) {
        if (this.input.bufferedBytes > 0) this.options.log.warn('incomplete startup packet');
        return null;
      }
      const packet = decodeStartupPacket(body);
      if (packet.kind === 'StartupMessage' || packet.kind === 'CancelRequest') return packet;
      if (packet.kind === 'SSLRequest' && !sslDone) {
        const tls = this.options.tls;
        if (tls) await this.upgradeToTls(tls);
        else this.output.writeRaw(Buffer.of(EncryptionResponse.Refuse));
        this.rejectBufferedPlaintext('received unencrypted data after SSL request');
        sslDone = true;
        gssDone ||= tls !== null;
      } else if (packet.kind === 'GSSENCRequest' && !gssDone) {
        this.output.writeRaw(Buffer.of(EncryptionResponse.Refuse));
        this.rejectBufferedPlaintext('received unencrypted data after GSSAPI encryption request');
        gssDone = true;
      } else {
        throw unsupportedProtocol(packet.kind === 'SSLRequest' ? StartupCode.SSLRequest : StartupCode.GSSENCRequest);
      }
    }
  }

  private rejectBufferedPlaintext(message: string): void {
    if (this.input.bufferedBytes > 0) {
      throw fatalProtocolViolation(message, {
        detail: 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
      });
    }
  }

  /**
   * Direct TLS: the bytes already read are the start of the ClientHello and go to the TLS layer.
   * As in PostgreSQL, a client that does not negotiate ALPN `postgresql` is closed (only
   * logged: it expects TLS records, not an ErrorResponse), and so is one when TLS is off.
   */
  private async directTls(): Promise<void> {
    const tls = this.options.tls;
    if (!tls) throw fatalProtocolViolation('received direct SSL connection request, but SSL is not enabled', { silent: true });
    const secure = await this.upgradeToTls(tls, this.input.takeBuffered());
    if (secure.alpnProtocol !== ALPN_PROTOCOL) {
      throw fatalProtocolViolation('received direct SSL connection request without ALPN protocol negotiation extension', { silent: true });
    }
  }

  /**
   * Wraps the socket in TLS: after answering 'S' to SSLRequest, or with the ClientHello bytes
   * already received (direct TLS). With a client CA, a certificate is asked for; one that is
   * presented but does not verify closes the connection, as PostgreSQL fails such a handshake.
   */
  private async upgradeToTls(tls: ServerTls, clientHello?: Buffer): Promise<TLSSocket> {
    this.input.detach();
    if (!clientHello) this.output.writeRaw(Buffer.of(EncryptionResponse.Accept));
    let secure: TLSSocket;
    try {
      secure = await tls.handshake(this.socket, clientHello);
    } catch (err) {
      throw new ConnectionFatal(SqlState.CONNECTION_FAILURE, `TLS handshake failed: ${(err as Error).message}`, { silent: true });
    }
    this.socket = secure;
    this.watch(secure);
    this.input.replaceSocket(secure);
    this.output.replaceSocket(secure);
    if (tls.verifiesClientCertificates && !secure.authorized && Object.keys(secure.getPeerCertificate()).length > 0) {
      throw new ConnectionFatal(SqlState.CONNECTION_FAILURE, `could not accept SSL connection: client certificate: ${String(secure.authorizationError)}`, { silent: true });
    }
    return secure;
  }

  private authExchange(): AuthExchange {
    return {
      socket: this.socket,
      request: (code, payload) => {
        this.output.writer.authentication(code, payload);
        this.output.flush();
      },
      receive: async (kind = 'password') => {
        const frame = await this.input.nextMessage();
        if (frame === null) throw new ConnectionFatal(SqlState.CONNECTION_FAILURE, 'connection closed during authentication', { silent: true });
        if (frame.code !== FrontendCode.Password) {
          throw fatalProtocolViolation(`expected ${kind} response, got message type ${frame.code}`);
        }
        return frame.body;
      },
    };
  }

  private async messageLoop(): Promise<void> {
    // Whenever the session waits on the client (for its next message, inside an unsynced pipeline
    // too, or for it to read output the socket cannot take) PostgreSQL's idle timeouts run.
    this.input.onWait = this.output.onWait = () => this.idleTimer();
    for (;;) {
      const frame = await this.input.nextMessage();
      if (frame === null || this.closed) return;
      const code = frame.code;
      if (code === FrontendCode.Terminate) return;
      if (code === FrontendCode.Sync) this.skipUntilSync = false;
      else if (this.skipUntilSync) continue;
      if (STATEMENT_CODES.has(code)) this.startStatementTimer();
      if (TRANSACTION_CODES.has(code)) this.startTransactionTimer();
      let failed = false;
      this.dispatching = true;
      try {
        await this.dispatch(decodeMessage(frame));
      } catch (err) {
        if (isFatal(err)) throw err;
        failed = true;
        this.reportError(err);
        this.skipUntilSync = EXTENDED_CODES.has(code);
      } finally {
        this.dispatching = false;
      }
      if (this.closed) return;
      if (this.statementTimedOut) {
        this.statementTimedOut = false;
        if (!failed) this.reportStatementTimeout();
      }
      // PostgreSQL disables statement_timeout whenever an Execute completes; the next message starts it afresh
      if (code === FrontendCode.Execute) this.stopStatementTimer();
      // SET transaction_timeout inside a transaction block applies to it at once
      if (this.session!.transactionStatus !== 'I') this.startTransactionTimer();
      if (code === FrontendCode.Query || code === FrontendCode.FunctionCall || code === FrontendCode.Sync) this.readyForQuery();
      // A pipelining client that never reads must not make output pile up here.
      await this.output.yieldToClient();
    }
  }

  /** ReadyForQuery: the pipeline is synced; outside a transaction block transaction_timeout stops. */
  private readyForQuery(): void {
    this.stopStatementTimer();
    this.commands!.readyForQuery();
    if (this.session!.transactionStatus === 'I') this.stopTransactionTimer();
  }

  private settingMs(name: string): number {
    return parseMs(this.session!.setting(name) ?? '0');
  }

  /** Arms the idle timeout that applies now (inside a transaction or not); returns its disarm. */
  private idleTimer(): () => void {
    const inTransaction = this.session!.transactionStatus !== 'I';
    const ms = this.settingMs(inTransaction ? 'idle_in_transaction_session_timeout' : 'idle_session_timeout');
    if (ms <= 0) return () => undefined;
    const timer = setTimeout(() => this.fail(inTransaction
      ? new ConnectionFatal(SqlState.IDLE_IN_TRANSACTION_SESSION_TIMEOUT, 'terminating connection due to idle-in-transaction timeout')
      : new ConnectionFatal(SqlState.IDLE_SESSION_TIMEOUT, 'terminating connection due to idle-session timeout')), ms);
    return () => clearTimeout(timer);
  }

  private startStatementTimer(): void {
    if (this.statementTimer) return;
    const ms = this.settingMs('statement_timeout');
    if (ms > 0) this.statementTimer = setTimeout(() => this.onStatementTimeout(), ms);
  }

  private stopStatementTimer(): void {
    if (this.statementTimer) clearTimeout(this.statementTimer);
    this.statementTimer = null;
  }

  /**
   * statement_timeout fired. A running statement is canceled (also while it waits for the client
   * to read) and the message loop reports it; between messages (the client sends no more of the
   * pipeline, or does not read) it is reported at once. Either way the rest is skipped until Sync.
   */
  private onStatementTimeout(): void {
    this.statementTimer = null;
    if (this.dispatching) {
      this.statementTimedOut = true;
      this.commands!.cancel('timeout');
    } else {
      this.reportStatementTimeout();
    }
  }

  private reportStatementTimeout(): void {
    this.reportError(queryCanceled('timeout'));
    this.skipUntilSync = true;
  }

  private startTransactionTimer(): void {
    if (this.transactionTimer) return;
    const ms = this.settingMs('transaction_timeout');
    if (ms <= 0) return;
    this.transactionTimer = setTimeout(
      () => this.fail(new ConnectionFatal(SqlState.TRANSACTION_TIMEOUT, 'terminating connection due to transaction timeout')),
      ms,
    );
  }

  private stopTransactionTimer(): void {
    if (this.transactionTimer) clearTimeout(this.transactionTimer);
    this.transactionTimer = null;
  }

  private async dispatch(msg: FrontendMessage): Promise<void> {
    const commands = this.commands!;
    switch (msg.type) {
      case 'Query':
        return commands.query(msg.sql);
      case 'Parse':
        return commands.parse(msg);
      case 'Bind':
        return commands.bind(msg);
      case 'Describe':
        return commands.describe(msg);
      case 'Execute':
        return commands.execute(msg);
      case 'Close':
        return commands.close(msg);
      case 'Sync':
        return; // the message loop answers ReadyForQuery
      case 'Flush':
        return this.output.flush();
      case 'CopyData':
      case 'CopyDone':
      case 'CopyFail':
        return; // outside COPY FROM STDIN these are ignored, as PostgreSQL does
      case 'FunctionCall':
        throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'fast-path function calls are not supported');
      case 'Password':
        throw fatalProtocolViolation(`invalid frontend message type ${FrontendCode.Password}`);
      case 'Terminate':
        return;
      default:
        return msg satisfies never;
    }
  }

  private reportError(err: unknown): void {
    const e = SqlError.from(err);
    if (e.code === SqlState.INTERNAL_ERROR) this.options.log.warn(`internal error: ${e.stack ?? e.message}`);
    // the statement ended: PostgreSQL disables statement_timeout on an error
    this.stopStatementTimer();
    this.session?.noteError();
    this.output.writer.errorResponse(errorFields(e));
    // PostgreSQL flushes an ErrorResponse at once, also in the middle of a pipeline
    this.output.flush();
  }

  /** Ends the connection after a fatal error: tells the client (unless PostgreSQL would only log it) and closes. */
  private fail(err: unknown): void {
    if (this.closed) return;
    const e = err instanceof SqlError ? asFatal(err) : new ConnectionFatal(SqlState.INTERNAL_ERROR, String(err));
    if (!(err instanceof SqlError)) this.options.log.warn(`connection failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (e instanceof ConnectionFatal && e.silent) this.options.log.warn(`closing connection: ${e.code} ${e.message}`);
    else {
      this.output.writer.errorResponse(errorFields(e));
      this.output.flush();
    }
    this.close();
  }

  private watch(socket: Socket): void {
    socket.on('error', (err) => this.options.log.info(`connection error: ${err.message}`));
    socket.on('close', () => this.close());
  }

  /** Stops everything running for this connection and closes the socket (after flushing what was written). */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopStatementTimer();
    this.stopTransactionTimer();
    this.commands?.closeAll();
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.destroySoon();
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    socket.once('close', () => clearTimeout(timer));
  }

  private cleanup(): void {
    this.close();
    this.cancelKey?.release();
    this.releaseSlot?.();
    this.releaseSlot = null;
    try {
      this.session?.close();
    } catch (err) {
      this.options.log.warn(`closing session failed: ${String(err)}`);
    }
  }
}

/** PostgreSQL's longest name in bytes (NAMEDATALEN - 1). */
const MAX_NAME_BYTES = 63;

/** A name cut to MAX_NAME_BYTES of UTF-8 without splitting a character, as PostgreSQL truncates startup names. */
export function truncateName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  let out = '';
  let bytes = 0;
  for (const ch of name) {
    bytes += Buffer.byteLength(ch);
    if (bytes > MAX_NAME_BYTES) break;
    out += ch;
  }
  return out;
}
