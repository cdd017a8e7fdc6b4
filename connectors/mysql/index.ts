/** The mysql connector (MySQL and MariaDB; see README.md). */
import type { ConnectorFactory } from '../spi/index.js';
import { parseConfig } from './config.js';
import { MySqlConnector } from './connector.js';

export { MySqlConnector } from './connector.js';

/**
 * Catalog properties (Trino's names): `connection-url` (jdbc:mysql://host:port,
 * jdbc:mariadb://host:port or mysql://host:port), `connection-user`, `connection-password`,
 * `mysql.max-connections` (pool size, default 8), `mysql.min-rows-per-split` (default 100000),
 * `mysql.connect-timeout` (default 10s).
 */
export const mysqlConnectorFactory: ConnectorFactory = {
  name: 'mysql',
  create(catalogName, properties) {
    const config = parseConfig(catalogName, properties);
    const origin = { module: new URL('./index.js', import.meta.url).href, factoryExport: 'mysqlConnectorFactory', catalogName, properties };
    return new MySqlConnector(catalogName, config, { origin });
  },
};
