/** The shared SQL generator for SQL sources (PostgreSQL, MySQL): dialects, handle nodes, statements, pushdown. */
export { type SqlDialect, standardCall } from './dialect.js';
export { type SqlColumn, type SqlNode, nativeQueryNode, nodeTypes, splittableTable, tableNode } from './nodes.js';
export { type SqlHandle, describeStatement, nodeOf, scanStatement, sqlPushdown } from './pushdown.js';
export { constraintConjuncts, MAX_IN_LIST } from './constraint.js';
