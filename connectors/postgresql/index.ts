/** The postgresql connector (see README.md). */
import type { ConnectorFactory } from '../spi/index.js';
import { parseConfig } from './config.js';
import { PostgresqlConnector } from './connector.js';

export { PostgresqlConnector } from './connector.js';

/**
 * Catalog properties (Trino's names): `connection-url` (jdbc:postgresql://host:port/database),
 * `connection-user`, `connection-password`, and `postgresql.max-connections`,
 * `postgresql.idle-timeout`, `postgresql.connection-timeout`, `postgresql.fetch-size`,
 * `postgresql.split-min-rows` (README.md).
 */
export const postgresqlConnectorFactory: ConnectorFactory = {
  name: 'postgresql',
  create(catalogName, properties) {
    const origin = { module: new URL('./index.js', import.meta.url).href, factoryExport: 'postgresqlConnectorFactory', catalogName, properties };
    return new PostgresqlConnector(catalogName, parseConfig(catalogName, properties), { origin });
  },
};
