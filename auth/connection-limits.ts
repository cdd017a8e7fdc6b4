/**
 * Connection slots: a global max_connections and per-user limits (PostgreSQL's rolconnlimit),
 * taken after authentication (so connections that never sign in hold no slot) and given back
 * when the connection ends. `reserved` slots of the global limit are kept for `reservedUsers`
 * (PostgreSQL's superuser_reserved_connections).
 */
import { SqlState } from '../engine/errors/index.js';
import { authFatal } from './errors.js';

export interface ConnectionLimitSettings {
  /** Global limit on signed-in connections; absent: unlimited. */
  readonly maxConnections?: number;
  readonly reservedConnections?: number;
  readonly reservedUsers?: readonly string[];
  /** Per-user limits by user name. */
  readonly perUser?: Readonly<Record<string, number>>;
  /** Limit for users not in `perUser`; absent: unlimited. */
  readonly defaultPerUser?: number;
}

export class ConnectionLimiter {
  private total = 0;
  private readonly byUser = new Map<string, number>();

  constructor(private readonly settings: ConnectionLimitSettings) {}

  /** Takes a slot for the user or throws FATAL 53300; the returned function gives it back (once). */
  acquire(user: string): () => void {
    const s = this.settings;
    const reservedFor = s.reservedUsers?.includes(user) ?? false;
    if (s.maxConnections !== undefined) {
      const open = s.maxConnections - (reservedFor ? 0 : (s.reservedConnections ?? 0));
      if (this.total >= open) {
        throw authFatal(
          SqlState.TOO_MANY_CONNECTIONS,
          this.total >= s.maxConnections ? 'sorry, too many clients already' : 'remaining connection slots are reserved for administrators',
        );
      }
    }
    const limit = s.perUser?.[user] ?? s.defaultPerUser;
    const mine = this.byUser.get(user) ?? 0;
    if (limit !== undefined && mine >= limit) throw authFatal(SqlState.TOO_MANY_CONNECTIONS, `too many connections for role "${user}"`);
    this.total++;
    this.byUser.set(user, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.byUser.get(user) ?? 1) - 1;
      if (n === 0) this.byUser.delete(user);
      else this.byUser.set(user, n);
    };
  }

  /** Signed-in connections now: the total and per user. */
  counts(): { total: number; byUser: Record<string, number> } {
    return { total: this.total, byUser: Object.fromEntries(this.byUser) };
  }
}

/** Validates the limits part of a configuration. */
export function parseConnectionLimits(o: Record<string, unknown>): ConnectionLimitSettings | null {
  const count = (key: string, v: unknown) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`"${key}" must be a non-negative integer`);
    return v;
  };
  const perUser: Record<string, number> = {};
  const rawPer = o.userConnectionLimits;
  if (rawPer !== undefined) {
    if (typeof rawPer !== 'object' || rawPer === null || Array.isArray(rawPer)) throw new Error('"userConnectionLimits" must map user names to limits');
    for (const [u, n] of Object.entries(rawPer)) perUser[u] = count(`userConnectionLimits.${u}`, n)!;
  }
  const reservedUsers = o.reservedUsers;
  if (reservedUsers !== undefined && !(Array.isArray(reservedUsers) && reservedUsers.every((u) => typeof u === 'string'))) {
    throw new Error('"reservedUsers" must be an array of user names');
  }
  const settings: ConnectionLimitSettings = {
    maxConnections: count('maxConnections', o.maxConnections),
    reservedConnections: count('reservedConnections', o.reservedConnections),
    reservedUsers: reservedUsers as string[] | undefined,
    perUser,
    defaultPerUser: count('defaultUserConnectionLimit', o.defaultUserConnectionLimit),
  };
  const any = settings.maxConnections !== undefined || settings.defaultPerUser !== undefined || Object.keys(perUser).length > 0;
  return any ? settings : null;
}
