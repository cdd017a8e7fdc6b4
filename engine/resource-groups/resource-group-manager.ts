/**
 * Resource groups in one process (Trino's InternalResourceGroupManager, simplified): each query
 * counts against its leaf group and every ancestor, and so does the memory it reports holding
 * (the group's memory share). It runs at once when every group on its path has room — below
 * hardConcurrencyLimit, and below softMemoryLimit unless the group runs nothing — and nothing
 * waits in its leaf group; otherwise it waits in one first-in-first-out queue (while every group
 * on its path has fewer than maxQueued waiting), or is refused at once with 53000. When a query
 * ends or gives memory back, waiting queries start in arrival order as far as the limits allow.
 * Groups are created on first use (so `${USER}` groups exist per user) and forgotten when idle.
 */
import { SqlError, SqlState, queryCanceled } from '../errors/index.js';
import type { AdmissionControl, AdmissionGrant, AdmissionRequest, ResourceGroupStats } from './admission-control.js';
import { findGroup, selectGroup, type GroupSpec, type ResourceGroupsConfig, type SelectedLevel } from './config.js';

interface GroupState {
  /** The template path and the concrete name: a user name containing "." cannot alias another group. */
  readonly key: string;
  readonly name: string;
  readonly template: readonly string[];
  /** The limits in force: updated when the configuration changes. */
  spec: GroupSpec;
  running: number;
  queued: number;
  /** Bytes held by the running queries of the group and its sub-groups. */
  memoryBytes: number;
}

interface RunningQuery {
  readonly chain: readonly GroupState[];
  /** What it last reported holding. */
  bytes: number;
}

interface Waiting {
  readonly request: AdmissionRequest;
  readonly chain: readonly GroupState[];
  readonly resolve: (grant: AdmissionGrant) => void;
  readonly withdraw: () => void;
}

export class ResourceGroupManager implements AdmissionControl {
  private readonly groups = new Map<string, GroupState>();
  private readonly waiting: Waiting[] = [];
  private readonly runningQueries = new Map<string, RunningQuery>();
  private seen: ResourceGroupsConfig | null = null;

  /** `config` is asked at each admission and release (a file-backed source reloads behind it). */
  constructor(private readonly config: () => ResourceGroupsConfig) {}

  admit(request: AdmissionRequest, signal: AbortSignal): Promise<AdmissionGrant> {
    if (signal.aborted) return Promise.reject(cancelled(signal));
    const config = this.refresh();
    const levels = selectGroup(config, request);
    if (levels === null) {
      return Promise.reject(new SqlError(SqlState.INSUFFICIENT_RESOURCES, `query of user "${request.user}" matches no resource group selector`));
    }
    const chain = levels.map((level) => this.group(level));
    const leaf = chain[chain.length - 1]!;
    if (leaf.queued === 0 && chain.every(canRun)) return Promise.resolve(this.start(request, chain));
    const full = [...chain].reverse().find((g) => g.queued >= g.spec.maxQueued);
    if (full) {
      this.forgetIdle(chain);
      return Promise.reject(
        new SqlError(SqlState.INSUFFICIENT_RESOURCES, `too many queued queries for resource group "${full.name}"`, {
          detail: `Resource group "${full.name}" runs at most ${full.spec.hardConcurrencyLimit} and queues at most ${full.spec.maxQueued} queries.`,
          hint: 'Try again later.',
        }),
      );
    }
    return new Promise<AdmissionGrant>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        for (const g of chain) g.queued--;
        this.forgetIdle(chain);
        reject(cancelled(signal));
      };
      const entry: Waiting = { request, chain, resolve, withdraw: () => signal.removeEventListener('abort', onAbort) };
      for (const g of chain) g.queued++;
      this.waiting.push(entry);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  memoryReserved(queryId: string, bytes: number): void {
    const query = this.runningQueries.get(queryId);
    if (!query) return;
    const change = bytes - query.bytes;
    query.bytes = bytes;
    for (const g of query.chain) g.memoryBytes += change;
    if (change < 0 && this.waiting.length > 0) this.dispatch();
  }

  release(queryId: string): void {
    const query = this.runningQueries.get(queryId);
    if (!query) return;
    this.runningQueries.delete(queryId);
    for (const g of query.chain) {
      g.running--;
      g.memoryBytes -= query.bytes;
    }
    this.forgetIdle(query.chain);
    this.refresh();
    this.dispatch();
  }

  stats(): ResourceGroupStats[] {
    return [...this.groups.values()]
      .map((g) => ({
        group: g.name,
        running: g.running,
        queued: g.queued,
        hardConcurrencyLimit: g.spec.hardConcurrencyLimit,
        maxQueued: g.spec.maxQueued,
        memoryUsageBytes: g.memoryBytes,
        softMemoryLimitBytes: g.spec.memoryLimitBytes,
      }))
      .sort((a, b) => a.group.localeCompare(b.group));
  }

  /** The configuration now; when it changed, groups take the new limits and waiting queries get another chance. */
  private refresh(): ResourceGroupsConfig {
    const config = this.config();
    if (config !== this.seen) {
      this.seen = config;
      for (const g of this.groups.values()) g.spec = findGroup(config.rootGroups, g.template) ?? g.spec;
      this.dispatch();
    }
    return config;
  }

  private group(level: SelectedLevel): GroupState {
    const key = JSON.stringify([level.template, level.name]);
    let g = this.groups.get(key);
    if (!g) {
      g = { key, name: level.name, template: level.template, spec: level.spec, running: 0, queued: 0, memoryBytes: 0 };
      this.groups.set(key, g);
    }
    return g;
  }

  private start(request: AdmissionRequest, chain: readonly GroupState[]): AdmissionGrant {
    for (const g of chain) g.running++;
    this.runningQueries.set(request.queryId, { chain, bytes: 0 });
    return { queryId: request.queryId, group: chain[chain.length - 1]!.name };
  }

  /** Starts waiting queries, oldest first, while their groups have room. */
  private dispatch(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (!w.chain.every(canRun)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      w.withdraw();
      for (const g of w.chain) g.queued--;
      w.resolve(this.start(w.request, w.chain));
    }
  }

  private forgetIdle(chain: readonly GroupState[]): void {
    for (const g of chain) if (g.running === 0 && g.queued === 0) this.groups.delete(g.key);
  }
}

/**
 * Whether the group has room for one more query: it runs fewer than hardConcurrencyLimit, and its
 * running queries hold less than softMemoryLimit — unless it runs none, so that a limit smaller
 * than what one query needs lets queries run one at a time instead of never.
 */
const canRun = (g: GroupState) =>
  g.running < g.spec.hardConcurrencyLimit && (g.running === 0 || g.spec.memoryLimitBytes === null || g.memoryBytes < g.spec.memoryLimitBytes);

function cancelled(signal: AbortSignal): SqlError {
  const reason: unknown = signal.reason;
  return reason instanceof SqlError ? reason : queryCanceled('user');
}
