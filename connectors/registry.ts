/**
 * Every connector this build knows, by `connector.name`, and the catalogs the gateway mounts:
 * the embedded default plus any catalog files (etc/catalog/NAME.properties, as Trino reads
 * them). The only module that imports concrete connectors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { icebergConnectorFactory } from './iceberg/index.js';
import { kafkaConnectorFactory } from './kafka/index.js';
import { lakeConnectorFactory } from './lake/index.js';
import { memoryConnectorFactory } from './memory/index.js';
import { mysqlConnectorFactory } from './mysql/index.js';
import { postgresqlConnectorFactory } from './postgresql/index.js';
import type { Connector, ConnectorFactory } from './spi/index.js';
import { tpchConnectorFactory } from './tpch/index.js';

export const connectorFactories: ReadonlyMap<string, ConnectorFactory> = new Map(
  [
    tpchConnectorFactory, memoryConnectorFactory, lakeConnectorFactory, icebergConnectorFactory,
    postgresqlConnectorFactory, mysqlConnectorFactory, kafkaConnectorFactory,
  ].map((f) => [f.name, f]),
);

export interface CatalogOptions {
  /** Folder of the `lake` catalog (default: ./data/lake). */
  readonly lakeRoot?: string;
  /** Folder of NAME.properties catalog files; each adds or replaces catalog NAME. */
  readonly catalogDir?: string;
}

/** The embedded default — `tpch` (generated TPC-H data), `memory` (writable), `lake` (a local folder) — and configured catalogs. */
export function createDefaultCatalogs(options: CatalogOptions = {}): Map<string, Connector> {
  const catalogs = new Map<string, Connector>([
    ['tpch', tpchConnectorFactory.create('tpch', {})],
    ['memory', memoryConnectorFactory.create('memory', {})],
    ['lake', lakeConnectorFactory.create('lake', { root: options.lakeRoot ?? 'data/lake' })],
  ]);
  if (options.catalogDir) {
    for (const file of readdirSync(options.catalogDir).filter((f) => f.endsWith('.properties')).sort()) {
      const name = file.slice(0, -'.properties'.length);
      const properties = parseProperties(readFileSync(join(options.catalogDir, file), 'utf8'));
      const factory = connectorFactories.get(properties['connector.name'] ?? '');
      if (!factory) throw new Error(`${file}: unknown connector.name "${properties['connector.name'] ?? ''}" (known: ${[...connectorFactories.keys()].join(', ')})`);
      catalogs.set(name, factory.create(name, properties));
    }
  }
  return catalogs;
}

/** Java-style .properties (key=value or key: value, # and ! comments); ${ENV:NAME} reads an environment variable. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) throw new Error(`not a property line: ${line}`);
    out[m[1]!] = m[2]!.replace(/\$\{ENV:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => {
      const value = process.env[v];
      if (value === undefined) throw new Error(`environment variable ${v} (named in property ${m[1]}) is not set`);
      return value;
    });
  }
  return out;
}
