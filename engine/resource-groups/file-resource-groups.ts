/**
 * The resource groups file, reloaded without a restart: at most once per refresh period an
 * admission or a query's end looks at the file's modification time, size and inode, and reloads
 * it when one changed. At startup the file must be valid (the error stops the server). Later, a
 * file that is missing or invalid is logged and the last good configuration stays in force:
 * limits never disappear because of a bad edit.
 */
import { WatchedFile } from '../access/watched-file.js';
import { parseResourceGroups, type ResourceGroupsConfig } from './config.js';

export interface FileResourceGroupsOptions {
  readonly path: string;
  /** How often the file is looked at, in ms; default 1000. */
  readonly refreshMs?: number;
  /** Where reload failures are reported (the server log). */
  readonly log: (message: string) => void;
  /** The clock, for tests. */
  readonly now?: () => number;
}

export class FileResourceGroups {
  private current: ResourceGroupsConfig;
  private readonly file: WatchedFile;

  /** Throws when the file cannot be read or is invalid, naming the file. */
  constructor(private readonly options: FileResourceGroupsOptions) {
    this.file = new WatchedFile(options.path, options.refreshMs ?? 1000, options.now ?? Date.now);
    const first = this.file.poll(true)!;
    try {
      if ('error' in first) throw first.error;
      this.current = parseResourceGroups(first.text);
    } catch (e) {
      throw new Error(`resource groups file ${options.path}: ${(e as Error).message}`);
    }
  }

  /** The configuration in force (reloaded first when the refresh period has passed and the file changed). */
  config(): ResourceGroupsConfig {
    const change = this.file.poll();
    if (change !== undefined && 'error' in change) {
      this.options.log(`resource groups file ${this.options.path} cannot be read, keeping the last good configuration: ${change.error.message}`);
    } else if (change !== undefined) {
      try {
        this.current = parseResourceGroups(change.text);
      } catch (e) {
        this.options.log(`resource groups file ${this.options.path} is invalid, keeping the last good configuration: ${(e as Error).message}`);
      }
    }
    return this.current;
  }
}
