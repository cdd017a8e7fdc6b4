/**
 * Every connector this build knows, by `connector.name`, and the catalogs the gateway mounts
 * when started with no configuration. The only module that imports concrete connectors.
 */
import { memoryConnectorFactory } from './memory/index.js';
import type { Connector, ConnectorFactory } from './spi/index.js';
import { tpchConnectorFactory } from './tpch/index.js';

export const connectorFactories: ReadonlyMap<string, ConnectorFactory> = new Map(
  [tpchConnectorFactory, memoryConnectorFactory].map((f) => [f.name, f]),
);

/** The embedded default: `tpch` (generated TPC-H data) and `memory` (writable). */
export function createDefaultCatalogs(): Map<string, Connector> {
  return new Map([
    ['tpch', tpchConnectorFactory.create('tpch', {})],
    ['memory', memoryConnectorFactory.create('memory', {})],
  ]);
}
