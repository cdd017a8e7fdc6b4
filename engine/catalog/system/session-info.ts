/**
 * Session facts the system catalog needs beyond the SPI's ConnectorSession (the database name,
 * settings for pg_settings). The engine session attaches them; connectors never see them.
 */
import type { ConnectorSession } from '../../../connectors/spi/index.js';
import type { CatalogVisibility } from './visibility.js';

export interface SettingRow {
  readonly name: string;
  readonly setting: string;
  readonly readOnly: boolean;
  readonly bootVal: string;
}

/** One open session of this gateway, as pg_stat_activity shows it (µs since 1970 UTC for times). */
export interface ActivityRow {
  /** The process id the server sent in BackendKeyData (pg_backend_pid()). */
  readonly pid: number;
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  /** The client's address and port; null for a session not opened over TCP. */
  readonly clientAddr: string | null;
  readonly clientPort: number | null;
  readonly backendStart: bigint;
  readonly xactStart: bigint | null;
  readonly queryStart: bigint | null;
  readonly stateChange: bigint | null;
  /** 'active', 'idle', 'idle in transaction' or 'idle in transaction (aborted)'. */
  readonly state: string;
  /** The running statement, or the last one when idle. */
  readonly query: string;
}

export interface SystemSessionInfo {
  /** The database name the client connected with (current_database()). */
  readonly database: string;
  /** The session's search_path, "$user" expanded. */
  readonly searchPath: readonly string[];
  readonly settings: () => readonly SettingRow[];
  /** Every open session of the engine (pg_stat_activity); absent: none known. */
  readonly activity?: () => readonly ActivityRow[];
  /** What the session's identity may see (access control); absent: everything. */
  readonly visibility?: CatalogVisibility;
}

type WithInfo = ConnectorSession & { readonly lakegateSystem?: SystemSessionInfo };

export function withSystemInfo(session: ConnectorSession, info: SystemSessionInfo): ConnectorSession {
  const s: WithInfo = { ...session, lakegateSystem: info };
  return s;
}

export const systemInfoOf = (session: ConnectorSession): SystemSessionInfo | undefined => (session as WithInfo).lakegateSystem;
