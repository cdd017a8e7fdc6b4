/** The tpch connector (see README.md). */
export { TpchConnector, createTpchConnector, tpchConnectorFactory } from './connector.js';
export { LISTED_SCHEMAS, schemaScaleFactor } from './scale.js';
export { TABLES } from './tables.js';
