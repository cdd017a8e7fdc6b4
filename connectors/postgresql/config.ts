/**
 * Catalog properties of the postgresql connector (etc/catalog/NAME.properties, Trino's names
 * where Trino has one) and the connection settings derived from them.
 */
import { readFileSync } from 'node:fs';
import { SqlError, SqlState } from '../../engine/errors/index.js';

export interface TlsSettings {
  /** verify-full checks the certificate chain and the host name; verify-ca the chain only; require neither. */
  readonly mode: 'require' | 'verify-ca' | 'verify-full';
  /** PEM text of the trusted root certificates (sslrootcert), when given. */
  readonly ca?: string;
}

export interface PostgresqlConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
  readonly tls?: TlsSettings;
  readonly applicationName: string;
  /** Pooled connections at most (per process or worker thread). */
  readonly maxConnections: number;
  /** A pooled connection unused this long is closed. */
  readonly idleTimeoutMs: number;
  /** Connecting (and waiting for a free pooled connection) fails after this long. */
  readonly connectTimeoutMs: number;
  /** Rows one FETCH from a scan's cursor returns. */
  readonly fetchSize: number;
  /** Tables estimated to hold more rows than this are split for parallel reads. */
  readonly splitMinRows: number;
}

const DEFAULTS = {
  maxConnections: 8,
  idleTimeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  fetchSize: 16_384,
  splitMinRows: 100_000,
};

/** Properties this connector reads; any other name is rejected (a typo should not be ignored). */
const KNOWN = new Set([
  'connector.name', 'connection-url', 'connection-user', 'connection-password', 'postgresql.max-connections',
  'postgresql.idle-timeout', 'postgresql.connection-timeout', 'postgresql.fetch-size', 'postgresql.split-min-rows',
]);

/** URL query parameters understood (pgJDBC's names); others are rejected rather than silently ignored. */
const URL_PARAMETERS = new Set(['user', 'password', 'ssl', 'sslmode', 'sslrootcert', 'ApplicationName', 'connectTimeout']);

const invalid = (catalog: string, message: string) => new SqlError(SqlState.INVALID_PARAMETER_VALUE, `catalog "${catalog}": ${message}`);

export function parseConfig(catalog: string, properties: Readonly<Record<string, string>>): PostgresqlConfig {
  for (const name of Object.keys(properties)) {
    if (!KNOWN.has(name)) throw invalid(catalog, `unknown property "${name}" for connector postgresql`);
  }
  const url = properties['connection-url'];
  if (!url) throw invalid(catalog, 'the postgresql connector needs "connection-url" (jdbc:postgresql://host:port/database)');
  const fromUrl = parseConnectionUrl(catalog, url);
  const user = properties['connection-user'] ?? fromUrl.user;
  const password = properties['connection-password'] ?? fromUrl.password;
  const urlTimeout = fromUrl.connectTimeoutMs;
  return {
    ...fromUrl,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    maxConnections: positiveInteger(catalog, properties, 'postgresql.max-connections', DEFAULTS.maxConnections),
    idleTimeoutMs: duration(catalog, properties, 'postgresql.idle-timeout', DEFAULTS.idleTimeoutMs),
    connectTimeoutMs: duration(catalog, properties, 'postgresql.connection-timeout', urlTimeout ?? DEFAULTS.connectTimeoutMs),
    fetchSize: positiveInteger(catalog, properties, 'postgresql.fetch-size', DEFAULTS.fetchSize),
    splitMinRows: positiveInteger(catalog, properties, 'postgresql.split-min-rows', DEFAULTS.splitMinRows),
  };
}

type UrlSettings = Pick<PostgresqlConfig, 'host' | 'port' | 'database' | 'user' | 'password' | 'tls' | 'applicationName'> & { connectTimeoutMs?: number };

/**
 * `jdbc:postgresql://host[:port][/database][?user=…&password=…&sslmode=…]`, also without the
 * `jdbc:` prefix and as `postgres://user:password@host/database`.
 */
function parseConnectionUrl(catalog: string, text: string): UrlSettings {
  const m = /^(?:jdbc:)?(postgresql|postgres):\/\/(.*)$/s.exec(text.trim());
  if (!m) throw invalid(catalog, `connection-url must look like jdbc:postgresql://host:port/database, got "${text}"`);
  let url: URL;
  try {
    url = new URL(`postgresql://${m[2]}`);
  } catch {
    throw invalid(catalog, `connection-url "${text}" is not a valid URL`);
  }
  const authority = m[2]!.split(/[/?]/)[0]!;
  if (authority.slice(authority.lastIndexOf('@') + 1).includes(',')) {
    throw invalid(catalog, 'connection-url names several hosts; the postgresql connector connects to one');
  }
  const params = url.searchParams;
  for (const name of params.keys()) {
    if (!URL_PARAMETERS.has(name)) throw invalid(catalog, `connection-url parameter "${name}" is not supported (supported: ${[...URL_PARAMETERS].join(', ')})`);
  }
  const port = url.port === '' ? 5432 : Number(url.port);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const user = url.username ? decodeURIComponent(url.username) : params.get('user') ?? undefined;
  const password = url.password ? decodeURIComponent(url.password) : params.get('password') ?? undefined;
  const tls = tlsSettings(catalog, params);
  const timeout = params.get('connectTimeout');
  if (timeout !== null && !/^\d+$/.test(timeout)) throw invalid(catalog, `connectTimeout must be a number of seconds, got "${timeout}"`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port,
    database,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { tls } : {}),
    applicationName: params.get('ApplicationName') ?? 'lakegate',
    ...(timeout !== null && timeout !== '0' ? { connectTimeoutMs: Number(timeout) * 1000 } : {}),
  };
}

function tlsSettings(catalog: string, params: URLSearchParams): TlsSettings | undefined {
  const ssl = params.get('ssl');
  const mode = params.get('sslmode') ?? (ssl === 'true' ? 'verify-full' : 'disable');
  const rootCert = params.get('sslrootcert');
  const ca = rootCert === null ? undefined : readFileSync(rootCert, 'utf8');
  switch (mode) {
    case 'disable': return undefined;
    case 'require': case 'verify-ca': case 'verify-full': return { mode, ...(ca !== undefined ? { ca } : {}) };
    default:
      throw invalid(catalog, `sslmode "${mode}" is not supported (use disable, require, verify-ca or verify-full)`);
  }
}

function positiveInteger(catalog: string, p: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const v = p[name];
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw invalid(catalog, `${name} must be a positive integer, got "${v}"`);
  return Number(v);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Trino-style durations: "500ms", "30s", "10m", "1h" (a bare number is milliseconds). */
function duration(catalog: string, p: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const v = p[name];
  if (v === undefined) return fallback;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) throw invalid(catalog, `${name} must be a duration such as 30s or 10m, got "${v}"`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
}
