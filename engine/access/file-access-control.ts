/**
 * An AccessControl backed by a rules file that is reloaded without a restart: at most once per
 * refresh period, a statement looks at the file's modification time, size and inode, and
 * reloads it when one changed. A file that is missing, unreadable or invalid denies everything
 * (and the reason is logged) until a good version appears: access is never widened by an error.
 */
import type { AccessControl, AccessRules } from './access-control.js';
import { FileRules } from './file-rules.js';
import { WatchedFile } from './watched-file.js';

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
  private loads = 0;
  private readonly file: WatchedFile;

  constructor(private readonly options: FileAccessControlOptions) {
    this.file = new WatchedFile(options.path, options.refreshMs ?? 1000, options.now ?? Date.now);
    this.refresh(true);
  }

  rules(): AccessRules {
    this.refresh(false);
    return this.current;
  }

  private refresh(force: boolean): void {
    const change = this.file.poll(force);
    if (change === undefined) return;
    if ('error' in change) return this.fail(`access control rules file ${this.options.path} cannot be read: ${change.error.message}`);
    try {
      this.current = new FileRules(++this.loads, change.text, this.options.log);
    } catch (e) {
      this.fail(`access control rules file ${this.options.path} is invalid, denying all access: ${(e as Error).message}`);
    }
  }

  private fail(message: string): void {
    this.options.log(message);
    this.current = denyAll(++this.loads);
  }
}
