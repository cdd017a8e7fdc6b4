export { MemoryConnector, memoryConnectorFactory } from './memory-connector.js';
