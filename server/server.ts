import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { Engine } from '../engine/api.js';
import { SqlState } from '../engine/errors/index.js';
import { startHealthServer } from './http/health.js';
import { consoleLogger, type Logger } from './log.js';
import { ConnectionFatal } from './protocol/errors.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './protocol/frame-reader.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { ConnectionLimiter } from '../auth/connection-limits.js';
import { trustAuthenticator } from '../auth/methods/trust.js';
import { CancelRegistry } from './session/cancel-registry.js';
import { Connection } from './session/connection.js';
import { createTlsContext, reloadTlsContext, type TlsSetting } from './tls/tls-context.js';

export interface ServerOptions {
  readonly engine: Engine;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 7432; 0 picks a free port. */
  readonly port?: number;
  /** Default 'off'. */
  readonly tls?: TlsSetting;
  /** PEM file of the CA that signs client certificates (PostgreSQL's ssl_ca_file): clients are asked for one. */
  readonly tlsClientCaFile?: string;
  /** Largest Query/Parse/Bind/CopyData message (length word), default 64 MiB. */
  readonly maxMessageBytes?: number;
  /** Startup and authentication must finish within this (PostgreSQL's authentication_timeout), default 60 s. */
  readonly authenticationTimeoutMs?: number;
  /** Default: trust (everyone is who they say). */
  readonly authenticate?: Authenticator;
  /** Global and per-user connection slots, taken after authentication (53300 when full); default: none. */
  readonly connectionLimiter?: ConnectionLimiter | null;
  /** On close(), how long sessions may go on before they get FATAL 57P01; default 3 s. */
  readonly shutdownGraceMs?: number;
  /** Port of the HTTP health endpoint (on the same host); absent or 0: no HTTP endpoint. */
  readonly httpPort?: number;
  readonly log?: Logger;
}

export interface RunningServer {
  /** The PostgreSQL wire port actually bound. */
  readonly port: number;
  /** The HTTP port actually bound, or null. */
  readonly httpPort: number | null;
  /** Number of open client connections. */
  connectionCount(): number;
  /**
   * Reads the TLS certificate, key and client CA files again for new connections (SIGHUP); open
   * connections keep theirs. Rejects, keeping the old ones, when they cannot be used.
   */
  reloadTls(): Promise<void>;
  /**
   * Graceful shutdown: new sessions get FATAL 57P03 at once; open sessions may finish during
   * the grace period, then get FATAL 57P01; then the listeners close.
   */
  close(): Promise<void>;
}

/** Starts the PostgreSQL wire listener (and the HTTP health endpoint when asked). */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? consoleLogger;
  const host = options.host ?? '127.0.0.1';
  const tls = await createTlsContext(options.tls ?? 'off', log, options.tlsClientCaFile);
  const cancelRegistry = new CancelRegistry();
  const connections = new Set<Connection>();
  let shuttingDown = false;
  let allClosed: (() => void) | null = null;

  const connectionOptions = {
    engine: options.engine,
    authenticate: options.authenticate ?? trustAuthenticator,
    admit: options.connectionLimiter ? (user: string) => options.connectionLimiter!.acquire(user) : undefined,
    cancelRegistry,
    tls,
    limits: { maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES },
    authenticationTimeoutMs: options.authenticationTimeoutMs ?? 60_000,
    isShuttingDown: () => shuttingDown,
    log,
  };

  const server = createServer({ noDelay: true, keepAlive: true }, (socket: Socket) => {
    const connection = new Connection(socket, connectionOptions);
    connections.add(connection);
    void connection.serve().finally(() => {
      connections.delete(connection);
      if (connections.size === 0) allClosed?.();
    });
  });
  server.on('error', (err) => log.warn(`listener error: ${err.message}`));
  server.listen(options.port ?? 7432, host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 7432);
  const http = options.httpPort ? await startHealthServer(host, options.httpPort) : null;

  let closing: Promise<void> | null = null;
  const close = async () => {
    shuttingDown = true;
    if (connections.size > 0) {
      const drained = new Promise<void>((resolve) => (allClosed = resolve));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.shutdownGraceMs ?? 3000)));
      await Promise.race([drained, grace]);
      clearTimeout(timer);
      const admin = new ConnectionFatal(SqlState.ADMIN_SHUTDOWN, 'terminating connection due to administrator command');
      for (const c of connections) c.terminate(admin);
      // Terminated sockets are destroyed within a couple of seconds even if the client never reads.
      if (connections.size > 0) await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    }
    http?.server.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => server.close(() => resolve())),
      http ? new Promise<void>((resolve) => http.server.close(() => resolve())) : undefined,
    ]);
    await options.engine.close();
  };

  return {
    port,
    httpPort: http?.port ?? null,
    connectionCount: () => connections.size,
    reloadTls: async () => {
      if (tls) await reloadTlsContext(tls, options.tls ?? 'off', options.tlsClientCaFile);
    },
    close: () => (closing ??= close()),
  };
}
