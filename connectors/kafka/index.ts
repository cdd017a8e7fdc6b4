/** The kafka connector (see README.md). */
import type { ConnectorFactory } from '../spi/index.js';
import { kafkaConfig } from './config.js';
import { KafkaConnector } from './connector.js';

export { KafkaConnector } from './connector.js';

/**
 * Catalog properties (Trino's names): `kafka.nodes` (required), `kafka.default-schema`,
 * `kafka.table-names`, `kafka.table-description-dir`, `kafka.hide-internal-columns`,
 * `kafka.messages-per-split`, `kafka.timestamp-upper-bound-force-push-down-enabled`.
 * Workers re-create the connector from the same properties.
 */
export const kafkaConnectorFactory: ConnectorFactory = {
  name: 'kafka',
  create(catalogName, properties) {
    const origin = { module: new URL('./index.js', import.meta.url).href, factoryExport: 'kafkaConnectorFactory', catalogName, properties };
    return new KafkaConnector(catalogName, kafkaConfig(catalogName, properties), { origin });
  },
};
