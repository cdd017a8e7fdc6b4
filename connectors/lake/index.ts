/** The lake connector (see README.md). */
import { resolve } from 'node:path';
import type { ConnectorFactory } from '../spi/index.js';
import { LakeConnector } from './connector.js';
import { LocalFileStore } from '../lib/storage/local-store.js';
import { S3FileStore } from '../lib/storage/s3-store.js';
import type { FileStore } from '../lib/storage/file-store.js';

export { LakeConnector } from './connector.js';

/**
 * Catalog properties: `root` (a folder, or s3://bucket/prefix) and, for S3, `s3.endpoint`,
 * `s3.region`, `s3.path-style-access`, `s3.aws-access-key`, `s3.aws-secret-key` (Trino's
 * names; without keys the standard AWS credential chain is used).
 */
export const lakeConnectorFactory: ConnectorFactory = {
  name: 'lake',
  create(catalogName, properties) {
    const root = properties.root;
    if (!root) throw new Error(`catalog "${catalogName}": the lake connector needs a "root" property (a folder or s3://bucket/prefix)`);
    const origin = { module: new URL('./index.js', import.meta.url).href, factoryExport: 'lakeConnectorFactory', catalogName, properties };
    return new LakeConnector(catalogName, storeFor(root, properties), { origin });
  },
};

function storeFor(root: string, p: Readonly<Record<string, string>>): FileStore {
  if (!/^s3a?:\/\//.test(root)) return new LocalFileStore(resolve(root));
  const flag = p['s3.path-style-access'];
  return new S3FileStore(root, {
    ...(p['s3.endpoint'] ? { endpoint: p['s3.endpoint'] } : {}),
    ...(p['s3.region'] ? { region: p['s3.region'] } : {}),
    ...(flag !== undefined ? { pathStyle: flag === 'true' } : {}),
    ...(p['s3.aws-access-key'] ? { accessKey: p['s3.aws-access-key'] } : {}),
    ...(p['s3.aws-secret-key'] ? { secretKey: p['s3.aws-secret-key'] } : {}),
  });
}
