/**
 * A configuration file reloaded without a restart (the access-control rules, the resource
 * groups): looked at most once per refresh period, and reported as changed when its
 * modification time, size or inode differ from the last look.
 */
import { readFileSync, statSync } from 'node:fs';

/** What a look found: the file's new text, or why it cannot be read. */
export type FileChange = { readonly text: string } | { readonly error: Error };

export class WatchedFile {
  private stamp: string | null = null;
  private checkedAt = -Infinity;

  constructor(readonly path: string, private readonly refreshMs: number, private readonly now: () => number) {}

  /** The change since the last look, or undefined when there is none or the refresh period has not passed (`force`: look now). */
  poll(force = false): FileChange | undefined {
    if (!force && this.now() - this.checkedAt < this.refreshMs) return undefined;
    this.checkedAt = this.now();
    let stamp: string;
    try {
      const st = statSync(this.path);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (e) {
      if (this.stamp === 'missing') return undefined;
      this.stamp = 'missing';
      return { error: e as Error };
    }
    if (stamp === this.stamp) return undefined;
    this.stamp = stamp;
    try {
      return { text: readFileSync(this.path, 'utf8') };
    } catch (e) {
      return { error: e as Error };
    }
  }
}
