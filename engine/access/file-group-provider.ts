/**
 * Groups of users from a file, in the format of Trino's file group provider: one group per
 * line, `group:user1,user2,…`; blank lines and `#` comments are ignored. Every identity gets the
 * groups the file gives its user, besides those its sign-in brought (JWT group claims), so rules
 * and resource groups can name groups for password and certificate users too.
 *
 * Reloaded without a restart (at most once per refresh period). A file that cannot be read or
 * parsed at startup stops the server; later, the last good mapping stays in force and the reason
 * is logged — dropping everyone's groups could widen access (a group's row filter would no
 * longer apply).
 */
import { WatchedFile } from './watched-file.js';

export interface GroupProvider {
  groupsOf(user: string): readonly string[];
}

export interface FileGroupProviderOptions {
  readonly path: string;
  /** How often the file is looked at, in ms; default 1000. */
  readonly refreshMs?: number;
  readonly log: (message: string) => void;
  /** The clock, for tests. */
  readonly now?: () => number;
}

const NAME = /^[^\s:,#]+$/;

/** user → groups; throws naming the line for anything that is not `group:user,…`. */
export function parseGroupFile(text: string, path: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const colon = line.indexOf(':');
    const group = line.slice(0, colon).trim();
    const users = line.slice(colon + 1).split(',').map((u) => u.trim()).filter((u) => u !== '');
    if (colon < 0 || !NAME.test(group) || !users.every((u) => NAME.test(u))) {
      throw new Error(`${path}:${i + 1}: expected "group:user1,user2,…"`);
    }
    for (const user of users) {
      const of = groups.get(user) ?? [];
      if (!of.includes(group)) of.push(group);
      groups.set(user, of);
    }
  });
  return groups;
}

export class FileGroupProvider implements GroupProvider {
  private readonly file: WatchedFile;
  private mapping: Map<string, string[]>;

  constructor(private readonly options: FileGroupProviderOptions) {
    this.file = new WatchedFile(options.path, options.refreshMs ?? 1000, options.now ?? Date.now);
    const first = this.file.poll(true);
    if (!first || 'error' in first) throw new Error(`group file ${options.path} cannot be read: ${first && 'error' in first ? first.error.message : 'missing'}`);
    this.mapping = parseGroupFile(first.text, options.path);
  }

  groupsOf(user: string): readonly string[] {
    const change = this.file.poll();
    if (change !== undefined) {
      try {
        if ('error' in change) throw change.error;
        this.mapping = parseGroupFile(change.text, this.options.path);
      } catch (e) {
        this.options.log(`group file ${this.options.path} cannot be used, keeping the last good groups: ${(e as Error).message}`);
      }
    }
    return this.mapping.get(user) ?? [];
  }
}
