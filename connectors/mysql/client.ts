/**
 * Pooled connections to one MySQL/MariaDB server, each pinned to the same session settings
 * before first use, so results never depend on the server's configuration:
 *
 * - `sql_mode` = SESSION_SQL_MODE: NO_BACKSLASH_ESCAPES (a backslash is an ordinary character
 *   in string literals), no ANSI_QUOTES (identifiers are quoted with backticks, "…" is never
 *   used), strict (bad values fail instead of being truncated), no zero dates, and without
 *   PIPES_AS_CONCAT (the generator writes CONCAT);
 * - `NAMES utf8mb4 COLLATE utf8mb4_bin` (also the handshake character set), `time_zone`
 *   '+00:00', English messages, no auto-IS-NULL, no select limit, full sort keys.
 *
 * Every value reaches the server as a bound parameter of a prepared statement (`execute`):
 * nothing is interpolated by the driver (`query` is used only for statements without values),
 * and `bindable` rejects objects and arrays, which mysql2 would otherwise expand into SQL
 * (CVE-2021-27959). `multipleStatements` stays off.
 */
import { createConnection, createPool, type Connection, type FieldPacket, type Pool, type PoolConnection, type PoolOptions } from 'mysql2';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type { MySqlConfig } from './config.js';
import { mysqlError } from './errors.js';

const SESSION_SQL_MODE = 'NO_BACKSLASH_ESCAPES,ONLY_FULL_GROUP_BY,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/** The statements that pin a new connection's session (no values: run with `query`). */
const PIN_SESSION = [
  'SET NAMES utf8mb4 COLLATE utf8mb4_bin',
  `SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = '+00:00', lc_messages = 'en_US', sql_auto_is_null = 0, `
    + 'sql_select_limit = 18446744073709551615, sql_big_selects = 1, max_sort_length = 8388608, autocommit = 1',
];

/** Driver options that make every value arrive in an exact form (see values.ts). */
const DRIVER_OPTIONS: PoolOptions = {
  charset: 'UTF8MB4_BIN',
  timezone: 'Z',
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  dateStrings: true,
  jsonStrings: true,
  multipleStatements: false,
  // scans prepare one statement each; a small per-connection cache keeps the server's
  // max_prepared_stmt_count (16382 for all clients together) far away
  maxPreparedStatements: 32,
  enableKeepAlive: true,
};

/** A value the driver may bind: NULL, text, or bytes. */
type Bindable = string | Buffer | null;

/**
 * The values as the driver may bind them: strings, Buffers and NULL pass, finite numbers and
 * bigints become their decimal text, anything else (objects, arrays, booleans) is refused.
 */
export function bindable(values: readonly unknown[]): Bindable[] {
  return values.map((v, i) => {
    if (v === null || typeof v === 'string' || Buffer.isBuffer(v)) return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'bigint') return String(v);
    throw new SqlError(SqlState.INTERNAL_ERROR, `refusing to bind parameter ${i + 1} of JavaScript type ${Array.isArray(v) ? 'array' : typeof v} for MySQL`);
  });
}

interface ResultSet {
  readonly rows: unknown[][];
}

export class MySqlClient {
  private readonly pool: Pool;
  private readonly pinned = new WeakSet<PoolConnection>();
  private mariaDb: Promise<boolean> | undefined;

  constructor(private readonly config: MySqlConfig) {
    this.pool = createPool({
      ...DRIVER_OPTIONS,
      ...this.connectionOptions(),
      connectionLimit: config.maxConnections,
      maxIdle: config.maxConnections,
      idleTimeout: 60_000,
      waitForConnections: true,
      queueLimit: 0,
    });
  }

  private connectionOptions() {
    const c = this.config;
    return { host: c.host, port: c.port, user: c.user, password: c.password, connectTimeout: c.connectTimeoutMs };
  }

  /** A pooled connection with the pinned session; give it back with `release()`, or `destroy()` it when broken. */
  async acquire(): Promise<PoolConnection> {
    const conn = await new Promise<PoolConnection>((resolve, reject) => this.pool.getConnection((e, c) => (e ? reject(mysqlError(e)) : resolve(c))));
    if (!this.pinned.has(conn)) {
      // failures reach the statement that was running; without a listener a broken idle
      // connection would be an uncaught 'error' event
      conn.on('error', () => {});
      try {
        for (const sql of PIN_SESSION) await plainQuery(conn, sql);
      } catch (e) {
        conn.destroy();
        throw e;
      }
      this.pinned.add(conn);
    }
    return conn;
  }

  /** Runs `fn` on a pooled connection; the connection is dropped when the driver reports it broken. */
  async with<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      const result = await fn(conn);
      conn.release();
      return result;
    } catch (e) {
      const driverError = (e instanceof SqlError ? e.cause : e) as { fatal?: boolean } | undefined;
      if (driverError?.fatal === true) conn.destroy();
      else conn.release();
      throw e;
    }
  }

  /** One prepared statement with bound values, all rows as arrays. */
  query(sql: string, values: readonly unknown[] = []): Promise<ResultSet> {
    return this.with((conn) => execute(conn, sql, values));
  }

  /** Whether the server is MariaDB (its JSON columns are LONGTEXT with a check). */
  isMariaDb(): Promise<boolean> {
    this.mariaDb ??= this.query('SELECT VERSION()').then(({ rows }) => /mariadb/i.test(String(rows[0]?.[0])));
    this.mariaDb.catch(() => (this.mariaDb = undefined));
    return this.mariaDb;
  }

  /**
   * Stops the statement running on `conn` with KILL QUERY from a separate, unpooled connection
   * (the pool may be exhausted by the very scans being cancelled), then closes `conn`.
   */
  async cancel(conn: PoolConnection): Promise<void> {
    const threadId = conn.threadId;
    try {
      if (Number.isSafeInteger(threadId) && threadId > 0) {
        const killer = createConnection({ ...DRIVER_OPTIONS, ...this.connectionOptions() });
        killer.on('error', () => {});
        try {
          await plainQuery(killer, `KILL QUERY ${threadId}`);
        } finally {
          killer.destroy();
        }
      }
    } catch {
      // best effort: closing the connection below also ends the statement once the server notices
    } finally {
      // a paused connection would leave the server blocked writing rows: read (and drop) them
      // until the killed statement ends, then close
      conn.resume();
      conn.destroy();
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.pool.end(() => resolve()));
  }
}

/** A statement without values (session settings, DDL with quoted identifiers, transactions). */
export function plainQuery(conn: Connection | PoolConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => conn.query(sql, (e) => (e ? reject(mysqlError(e)) : resolve())));
}

/** A prepared statement with bound values. */
export function execute(conn: PoolConnection, sql: string, values: readonly unknown[]): Promise<ResultSet> {
  const params = bindable(values);
  return new Promise((resolve, reject) => {
    conn.execute({ sql, values: params, rowsAsArray: true }, (e, rows) => {
      if (e) reject(mysqlError(e));
      else resolve({ rows: Array.isArray(rows) ? (rows as unknown[][]) : [] });
    });
  });
}

/** The result columns of a statement, from preparing it (the statement is not run). */
export function describeColumns(conn: PoolConnection, sql: string): Promise<FieldPacket[]> {
  return new Promise((resolve, reject) => {
    conn.prepare(sql, (e, statement) => {
      if (e) return reject(mysqlError(e));
      // typed without its columns in mysql2's declarations; the runtime object has them
      const columns = [...(statement as unknown as { columns: FieldPacket[] }).columns];
      conn.unprepare(sql);
      resolve(columns);
    });
  });
}
