/**
 * The engine's open sessions, for pg_stat_activity: each session adds itself when it opens and
 * leaves when it closes; a row is read from the session when the view is scanned.
 */
import type { ActivityRow } from '../catalog/system/session-info.js';

export interface ActivitySource {
  readonly backendPid: number;
  activity(): ActivityRow;
  /** Cancels the running statement (pg_cancel_backend) or ends the session (pg_terminate_backend); false when it cannot. */
  signal(kind: 'cancel' | 'terminate'): boolean;
}

export class SessionActivity {
  private readonly sessions = new Set<ActivitySource>();
  private nextPid = 1;

  add(session: ActivitySource): () => void {
    this.sessions.add(session);
    return () => this.sessions.delete(session);
  }

  /** A process id for a session the server opened without one (in-process use, tests). */
  allocatePid(): number {
    return this.nextPid++;
  }

  /** The open session with this process id. */
  find(pid: number): ActivitySource | undefined {
    for (const s of this.sessions) if (s.backendPid === pid) return s;
    return undefined;
  }

  rows(): ActivityRow[] {
    return [...this.sessions].map((s) => s.activity()).sort((a, b) => (a.backendStart < b.backendStart ? -1 : a.backendStart > b.backendStart ? 1 : a.pid - b.pid));
  }
}
