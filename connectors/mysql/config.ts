/** Catalog properties of the mysql connector (Trino's names, see README.md). */
import { SqlError, SqlState } from '../../engine/errors/index.js';

export interface MySqlConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Pooled connections at most (`mysql.max-connections`). */
  readonly maxConnections: number;
  /** A table is split by primary-key ranges only when it has at least this many rows per split (`mysql.min-rows-per-split`). */
  readonly minRowsPerSplit: number;
  /** Milliseconds to wait for a TCP connection and handshake (`mysql.connect-timeout`, e.g. `10s`). */
  readonly connectTimeoutMs: number;
}

const DEFAULT_PORT = 3306;
const DEFAULT_MAX_CONNECTIONS = 8;
const DEFAULT_MIN_ROWS_PER_SPLIT = 100_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const KNOWN = new Set([
  'connector.name', 'connection-url', 'connection-user', 'connection-password',
  'mysql.max-connections', 'mysql.min-rows-per-split', 'mysql.connect-timeout',
]);

const invalid = (catalog: string, message: string) =>
  new SqlError(SqlState.INVALID_PARAMETER_VALUE, `catalog "${catalog}": ${message}`);

/**
 * Reads the properties: `connection-url` is `jdbc:mysql://host[:port][/…]`,
 * `jdbc:mariadb://…` or `mysql://…` (a database or parameters in the URL are not used: the
 * catalog sees every database the user may see); user and password come from their own properties.
 */
export function parseConfig(catalog: string, properties: Readonly<Record<string, string>>): MySqlConfig {
  for (const name of Object.keys(properties)) {
    if (!KNOWN.has(name)) throw invalid(catalog, `unknown property "${name}" for the mysql connector`);
  }
  const url = properties['connection-url'];
  if (!url) throw invalid(catalog, 'the mysql connector needs a "connection-url" property (jdbc:mysql://host:port)');
  const m = /^(?:jdbc:)?(?:mysql|mariadb):\/\/(\[[0-9a-fA-F:.]+\]|[^/:?#\s]+)(?::(\d{1,5}))?(?:[/?#].*)?$/.exec(url);
  if (!m) throw invalid(catalog, `connection-url "${url}" is not jdbc:mysql://host[:port], jdbc:mariadb://host[:port] or mysql://host[:port]`);
  const port = m[2] === undefined ? DEFAULT_PORT : Number(m[2]);
  if (port < 1 || port > 65535) throw invalid(catalog, `connection-url "${url}" has port ${port} out of range`);
  return {
    host: m[1]!.replace(/^\[(.*)\]$/, '$1'),
    port,
    user: properties['connection-user'] ?? '',
    password: properties['connection-password'] ?? '',
    maxConnections: positiveInteger(catalog, properties, 'mysql.max-connections', DEFAULT_MAX_CONNECTIONS),
    minRowsPerSplit: positiveInteger(catalog, properties, 'mysql.min-rows-per-split', DEFAULT_MIN_ROWS_PER_SPLIT),
    connectTimeoutMs: duration(catalog, properties, 'mysql.connect-timeout', DEFAULT_CONNECT_TIMEOUT_MS),
  };
}

function positiveInteger(catalog: string, p: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const text = p[name];
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < 1) throw invalid(catalog, `${name} must be a positive integer, not "${text}"`);
  return Number(text);
}

/** Airlift durations as Trino writes them: `500ms`, `10s`, `2m`. */
function duration(catalog: string, p: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const text = p[name];
  if (text === undefined) return fallback;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(text);
  if (!m) throw invalid(catalog, `${name} must be a duration such as 10s or 500ms, not "${text}"`);
  const ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
  if (ms < 1 || ms > 3_600_000) throw invalid(catalog, `${name} must be between 1ms and 60m, not "${text}"`);
  return Math.round(ms);
}
