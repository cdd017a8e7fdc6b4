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

export interface SystemSessionInfo {
  /** The database name the client connected with (current_database()). */
  readonly database: string;
  /** The session's search_path, "$user" expanded. */
  readonly searchPath: readonly string[];
  readonly settings: () => readonly SettingRow[];
  /** What the session's identity may see (access control); absent: everything. */
  readonly visibility?: CatalogVisibility;
}

type WithInfo = ConnectorSession & { readonly lakegateSystem?: SystemSessionInfo };

export function withSystemInfo(session: ConnectorSession, info: SystemSessionInfo): ConnectorSession {
  const s: WithInfo = { ...session, lakegateSystem: info };
  return s;
}

export const systemInfoOf = (session: ConnectorSession): SystemSessionInfo | undefined => (session as WithInfo).lakegateSystem;
