/**
 * Connections to the upstream server: a bounded pool of sessions that all start with the same
 * pinned settings, leases of one session, and cancelling a running statement.
 *
 * Every session is opened with startup options (`-c name=value`), so the settings below are
 * the session defaults: they win over ALTER DATABASE/ROLE … SET, and RESET returns to them.
 * Results therefore never depend on server configuration, and since `search_path` is empty
 * only pg_catalog resolves unqualified names (all SQL Lakegate generates is schema-qualified).
 */
import { connect } from 'node:net';
import pg from 'pg';
import { SqlError, queryCanceled } from '../../engine/errors/index.js';
import type { PostgresqlConfig } from './config.js';
import { upstreamError } from './errors.js';
import { PortalReader, type Chunk } from './portal.js';

const PINNED_SETTINGS: readonly (readonly [string, string])[] = [
  ['client_encoding', 'UTF8'],
  ['standard_conforming_strings', 'on'],
  ['search_path', ''],
  ['DateStyle', 'ISO'],
  ['IntervalStyle', 'postgres'],
  ['TimeZone', 'UTC'],
  ['extra_float_digits', '3'],
  ['bytea_output', 'hex'],
  // Reads can never write upstream, whatever a native query says; writes open `BEGIN READ WRITE`.
  ['default_transaction_read_only', 'on'],
];

const STARTUP_OPTIONS = PINNED_SETTINGS.map(([name, value]) => `-c ${name}=${value}`).join(' ');

/** Every value comes back as the server's text (types.ts parses it); NULL stays null. */
const RAW_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

export type Row = (string | null)[];

export interface StatementResult {
  readonly rows: Row[];
  readonly fields: readonly pg.FieldDef[];
}

/** The error a scan or a wait ends with when `signal` aborted it. */
export const cancelled = (signal: AbortSignal): SqlError => (signal.reason instanceof SqlError ? signal.reason : queryCanceled('user'));

export class RemoteDatabase {
  private readonly pool: pg.Pool;

  constructor(readonly catalog: string, private readonly config: PostgresqlConfig) {
    this.pool = new pg.Pool({
      host: config.host,
      port: config.port,
      database: config.database,
      ...(config.user !== undefined ? { user: config.user } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.tls ? { ssl: tlsOptions(config.tls) } : {}),
      application_name: config.applicationName,
      options: STARTUP_OPTIONS,
      max: config.maxConnections,
      idleTimeoutMillis: config.idleTimeoutMs,
      connectionTimeoutMillis: config.connectTimeoutMs,
      allowExitOnIdle: true,
      keepAlive: true,
    });
    // An idle pooled session failed (server restart, network): the pool has already dropped it,
    // and the next lease opens a new one. Without a listener Node would throw the event.
    this.pool.on('error', () => undefined);
  }

  /** A session of the pool; waits for a free one (at most the connect timeout) unless `signal` aborts. */
  async acquire(signal?: AbortSignal): Promise<Lease> {
    if (signal?.aborted) throw cancelled(signal);
    const connecting = this.pool.connect();
    let onAbort: (() => void) | undefined;
    const aborted = signal && new Promise<never>((_, reject) => {
      onAbort = () => reject(cancelled(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return new Lease(this.catalog, this.config, await (aborted ? Promise.race([connecting, aborted]) : connecting));
    } catch (e) {
      if (signal?.aborted) {
        connecting.then((client) => client.release(), () => undefined);
        throw cancelled(signal);
      }
      throw upstreamError(this.catalog, e, 'connect');
    } finally {
      if (onAbort) signal!.removeEventListener('abort', onAbort);
    }
  }

  /** One autocommitted statement on a pooled session. */
  async query(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    const lease = await this.acquire();
    try {
      return (await lease.run(text, values)).rows;
    } finally {
      lease.release();
    }
  }

  /** One statement that changes the database (DDL), committed on its own. */
  async execute(text: string): Promise<void> {
    await this.transaction((lease) => lease.run(text));
  }

  /** Runs `work` in one read-write transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(work: (lease: Lease) => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      await lease.run('BEGIN READ WRITE');
      const result = await work(lease);
      await lease.run('COMMIT');
      lease.release();
      return result;
    } catch (e) {
      await lease.run('ROLLBACK').then(() => lease.release(), () => lease.abandon());
      throw e;
    }
  }

  /** Closes every pooled session (idle ones at once, leased ones when released). */
  close(): Promise<void> {
    return this.pool.end();
  }
}

/** One pooled session, used by one task at a time; released exactly once. */
export class Lease {
  private inFlight = 0;
  private broken = false;
  private released = false;

  // The pool listens for errors only on idle sessions: a leased session whose connection fails
  // between statements would otherwise throw the 'error' event. The next statement reports it.
  private readonly onConnectionError = () => {
    this.broken = true;
  };

  constructor(private readonly catalog: string, private readonly config: PostgresqlConfig, private readonly client: pg.PoolClient) {
    client.on('error', this.onConnectionError);
  }

  /**
   * One statement over the extended protocol (so `text` is exactly one statement, with
   * `values` bound as parameters), rows as arrays of server text.
   */
  async run(text: string, values: readonly unknown[] = []): Promise<StatementResult> {
    const query: pg.QueryArrayConfig & { readonly queryMode: 'extended' } = {
      text, values: [...values], rowMode: 'array', types: RAW_TEXT, queryMode: 'extended',
    };
    this.inFlight++;
    try {
      const result = await this.client.query<Row>(query);
      return { rows: result.rows, fields: result.fields };
    } catch (e) {
      if (!(e instanceof pg.DatabaseError)) this.broken = true;
      throw upstreamError(this.catalog, e, 'statement');
    } finally {
      this.inFlight--;
    }
  }

  /**
   * One statement read `rowsPerChunk` rows at a time from a portal (portal.ts). The session counts
   * as busy — `abandon` cancels it — until the server has answered the portal's Sync.
   */
  stream(text: string, values: readonly unknown[], rowsPerChunk: number): { next(): Promise<Chunk>; readonly finished: Promise<void> } {
    const reader = new PortalReader(text, values, rowsPerChunk);
    this.inFlight++;
    const finished = reader.finished.then(() => {
      this.inFlight--;
    });
    this.client.query(reader);
    return {
      next: () => reader.next().catch((e: unknown) => {
        if (!(e instanceof pg.DatabaseError)) this.broken = true;
        throw upstreamError(this.catalog, e, 'statement');
      }),
      finished,
    };
  }

  /**
   * Stops everything on this session and closes it: a running statement gets a CancelRequest
   * (so the server stops it, not just notices the closed socket later), then the connection is
   * destroyed. Safe to call at any time, also after release.
   */
  abandon(): void {
    if (this.released) return;
    // pg keeps the session's BackendKeyData on the client (not in its type declarations).
    const { processID, secretKey } = this.client as pg.PoolClient & { readonly processID: number | null; readonly secretKey: number | null };
    if (this.inFlight > 0 && processID !== null && secretKey !== null) sendCancelRequest(this.config.host, this.config.port, processID, secretKey);
    this.broken = true;
    this.release();
  }

  /** Returns the session to the pool (or closes it when it may be in an unknown state). */
  release(): void {
    if (this.released) return;
    this.released = true;
    // A session closed here may still report its socket's end: keep listening on it.
    if (!this.broken) this.client.removeListener('error', this.onConnectionError);
    this.client.release(this.broken);
  }
}

/** PostgreSQL's CancelRequest: a separate connection carrying the backend's PID and secret key. */
function sendCancelRequest(host: string, port: number, processID: number, secretKey: number): void {
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeUInt32BE(processID >>> 0, 8);
  packet.writeUInt32BE(secretKey >>> 0, 12);
  const socket = connect({ host, port });
  socket.setTimeout(5_000, () => socket.destroy());
  // Best effort: the session is closed right after, which ends it at the server in any case.
  socket.on('error', () => socket.destroy());
  socket.end(packet);
}

function tlsOptions(tls: NonNullable<PostgresqlConfig['tls']>): pg.ClientConfig['ssl'] {
  const ca = tls.ca !== undefined ? { ca: tls.ca } : {};
  switch (tls.mode) {
    case 'require': return { rejectUnauthorized: false };
    case 'verify-ca': return { ...ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full': return { ...ca, rejectUnauthorized: true };
  }
}
