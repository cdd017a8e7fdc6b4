/** The iceberg connector (see README.md). */
import { resolve } from 'node:path';
import type { ConnectorFactory } from '../spi/index.js';
import type { IcebergCatalog } from './catalog/catalog.js';
import { HadoopCatalog } from './catalog/hadoop-catalog.js';
import { RestCatalog } from './catalog/rest-catalog.js';
import { IcebergConnector } from './connector.js';

export { IcebergConnector } from './connector.js';

/** Catalog storage properties in Trino's names (s3.endpoint, s3.region, s3.path-style-access, s3.aws-access-key, s3.aws-secret-key). */
function storageOf(p: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(p).filter(([k]) => k.startsWith('s3.')));
}

function catalogOf(catalogName: string, p: Readonly<Record<string, string>>): IcebergCatalog {
  const type = (p['iceberg.catalog.type'] ?? '').toLowerCase();
  const fail = (what: string) => new Error(`catalog "${catalogName}": ${what}`);
  switch (type) {
    case 'rest': {
      const uri = p['iceberg.rest-catalog.uri'];
      if (!uri) throw fail('iceberg.catalog.type=rest needs iceberg.rest-catalog.uri');
      const opt = (key: string, name: string) => (p[key] !== undefined ? { [name]: p[key] } : {});
      return new RestCatalog({
        uri,
        ...opt('iceberg.rest-catalog.warehouse', 'warehouse'),
        ...opt('iceberg.rest-catalog.prefix', 'prefix'),
        ...opt('iceberg.rest-catalog.oauth2.credential', 'credential'),
        ...opt('iceberg.rest-catalog.oauth2.token', 'token'),
        ...opt('iceberg.rest-catalog.oauth2.server-uri', 'oauth2ServerUri'),
        ...opt('iceberg.rest-catalog.oauth2.scope', 'scope'),
        storage: storageOf(p),
      });
    }
    case 'hadoop': {
      const warehouse = p['iceberg.catalog.warehouse'];
      if (!warehouse) throw fail('iceberg.catalog.type=hadoop needs iceberg.catalog.warehouse (a folder or s3://bucket/prefix)');
      return new HadoopCatalog(/^[a-z][a-z0-9+.-]*:\/\//i.test(warehouse) ? warehouse : resolve(warehouse), storageOf(p));
    }
    default:
      throw fail(`iceberg.catalog.type must be rest or hadoop (got "${p['iceberg.catalog.type'] ?? ''}")`);
  }
}

/**
 * Catalog properties: `iceberg.catalog.type=rest` (iceberg.rest-catalog.uri, .warehouse, .prefix,
 * .oauth2.credential, .oauth2.token, .oauth2.server-uri, .oauth2.scope) or `hadoop`
 * (iceberg.catalog.warehouse), plus S3 settings in Trino's names.
 */
export const icebergConnectorFactory: ConnectorFactory = {
  name: 'iceberg',
  create(catalogName, properties) {
    const origin = { module: new URL('./index.js', import.meta.url).href, factoryExport: 'icebergConnectorFactory', catalogName, properties };
    return new IcebergConnector(catalogName, catalogOf(catalogName, properties), { origin });
  },
};
