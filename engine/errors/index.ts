export { SqlState, conditionNames } from './sqlstate.js';
export * from './sql-error.js';
