/**
 * The engine: parse → bind → logical plan → optimize → fragments → operators over columnar
 * batches. The server talks to it only through `Engine`/`EngineSession` (api.ts); it finds
 * data sources only through the connector SPI.
 */
import { type Connector, isClosable } from '../connectors/spi/index.js';
import { type AccessControl, allowAll } from './access/access-control.js';
import type { Engine, EngineSession, SessionOptions } from './api.js';
import { CatalogManager } from './catalog/catalog-manager.js';
import './functions/builtins.js';
import { Session } from './session/session.js';
import { SessionActivity } from './session/activity.js';
import type { AdmissionControl } from './resource-groups/admission-control.js';
import type { GroupProvider } from './access/file-group-provider.js';
import { shutdownWorkerPool } from './scheduler/worker/worker-pool.js';

export interface EngineOptions {
  readonly catalogs: ReadonlyMap<string, Connector>;
  /** Who may see and do what (engine/access); absent: everything is allowed. */
  readonly accessControl?: AccessControl;
  /** Resource groups that admit queries and DML (engine/resource-groups); absent: no limits. */
  readonly admission?: AdmissionControl;
  /** Groups of users besides those their sign-in brings (engine/access/file-group-provider.ts). */
  readonly groupProvider?: GroupProvider;
}

export function createEngine(options: EngineOptions): Engine {
  const catalogs = new CatalogManager(options.catalogs);
  const activity = new SessionActivity();
  return {
    openSession(sessionOptions: SessionOptions): EngineSession {
      return new Session(catalogs, sessionOptions, options.accessControl ?? allowAll, options.admission ?? null, activity, options.groupProvider ?? null);
    },
    async close() {
      await shutdownWorkerPool();
      // connection pools of remote sources: their sessions end instead of timing out upstream
      await Promise.all([...options.catalogs.values()].filter(isClosable).map((c) => c.close().catch(() => undefined)));
    },
  };
}

export type * from './api.js';
export type { AccessControl } from './access/access-control.js';
export { FileAccessControl } from './access/file-access-control.js';
export { FileGroupProvider } from './access/file-group-provider.js';
export type * from './resource-groups/admission-control.js';
export { FileResourceGroups } from './resource-groups/file-resource-groups.js';
export { ResourceGroupManager } from './resource-groups/resource-group-manager.js';
