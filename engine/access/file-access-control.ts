/**
 * An AccessControl backed by a rules file that is reloaded without a restart: at most once per
 * refresh period, a statement looks at the file's modification time, size and inode, and
 * reloads it when one changed. A file that is missing, unreadable or invalid denies everything
 * (and the reason is logged) until a good version appears: access is never widened by an error.
 */
import { readFileSync, statSync } from 'node:fs';
import type { AccessControl, AccessRules } from './access-control.js';
import { FileRules } from './file-rules.js';

export interface FileAccessControlOptions {
  readonly path: string;
  /** How often the file is looked at, in ms (Trino's security.refresh-period); default 1000. */
  readonly refreshMs?: number;
  /** Where load failures are reported (the server log); never the client. */
  readonly log: (message: string) => void;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/** Denies everything; in force while the rules file cannot be used. */
export function denyAll(version: number): AccessRules {
  return {
    version,
    catalogAccess: () => 'none',
    isSchemaOwner: () => false,
    tableAccess: () => ({ privileges: new Set(), columns: new Map() }),
    canImpersonate: () => false,
    canExecute: () => false,
    reportInvalid: () => undefined,
  };
}

export class FileAccessControl implements AccessControl {
  private current: AccessRules = denyAll(0);
  private stamp: string | null = null;
  private checkedAt = -Infinity;
  private loads = 0;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(private readonly options: FileAccessControlOptions) {
    this.refreshMs = options.refreshMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.refresh();
  }

  rules(): AccessRules {
    if (this.now() - this.checkedAt >= this.refreshMs) this.refresh();
    return this.current;
  }

  private refresh(): void {
    this.checkedAt = this.now();
    let stamp: string;
    try {
      const st = statSync(this.options.path);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (e) {
      stamp = 'missing';
      if (this.stamp !== stamp) this.fail(`access control rules file ${this.options.path} cannot be read: ${(e as Error).message}`, stamp);
      return;
    }
    if (stamp === this.stamp) return;
    try {
      this.current = new FileRules(++this.loads, readFileSync(this.options.path, 'utf8'), this.options.log);
      this.stamp = stamp;
    } catch (e) {
      this.fail(`access control rules file ${this.options.path} is invalid, denying all access: ${(e as Error).message}`, stamp);
    }
  }

  private fail(message: string, stamp: string): void {
    this.options.log(message);
    this.current = denyAll(++this.loads);
    this.stamp = stamp;
  }
}
