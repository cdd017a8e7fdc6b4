/** The catalog properties (etc/catalog/NAME.properties, Trino's names; see README.md). */
import { resolve } from 'node:path';

export interface TableName {
  readonly schema: string;
  readonly table: string;
}

export interface KafkaConfig {
  readonly catalog: string;
  /** `kafka.nodes`: bootstrap brokers as host:port. */
  readonly nodes: readonly string[];
  readonly defaultSchema: string;
  /** `kafka.table-names`; undefined: every topic is a table of the default schema. */
  readonly tableNames: readonly TableName[] | undefined;
  /** `kafka.table-description-dir`, absolute. */
  readonly descriptionDir: string;
  /** Whether `kafka.table-description-dir` was set (a missing default folder is no error). */
  readonly descriptionDirSet: boolean;
  readonly hideInternalColumns: boolean;
  readonly messagesPerSplit: number;
  readonly timestampUpperBoundForcePushDown: boolean;
}

const KNOWN = new Set([
  'connector.name', 'kafka.nodes', 'kafka.default-schema', 'kafka.table-names', 'kafka.table-description-dir',
  'kafka.hide-internal-columns', 'kafka.messages-per-split', 'kafka.timestamp-upper-bound-force-push-down-enabled',
]);

export function kafkaConfig(catalog: string, p: Readonly<Record<string, string>>): KafkaConfig {
  const fail = (what: string) => new Error(`catalog "${catalog}": ${what}`);
  for (const key of Object.keys(p)) {
    if (!KNOWN.has(key)) throw fail(`unknown property "${key}" for the kafka connector (known: ${[...KNOWN].filter((k) => k !== 'connector.name').join(', ')})`);
  }
  const nodes = (p['kafka.nodes'] ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (nodes.length === 0) throw fail('the kafka connector needs kafka.nodes (host:port of one or more brokers)');
  for (const n of nodes) if (!/^[^\s:]+:\d+$|^\[[^\]]+\]:\d+$/.test(n)) throw fail(`kafka.nodes entry "${n}" is not host:port`);
  const defaultSchema = p['kafka.default-schema']?.trim() || 'default';
  const names = p['kafka.table-names'];
  const tableNames = names === undefined || names.trim() === '' ? undefined : names.split(',').map((n) => n.trim()).filter((n) => n !== '').map((n) => {
    const dot = n.indexOf('.');
    return dot < 0 ? { schema: defaultSchema, table: n } : { schema: n.slice(0, dot), table: n.slice(dot + 1) };
  });
  const flag = (key: string, fallback: boolean): boolean => {
    const v = p[key]?.trim().toLowerCase();
    if (v === undefined || v === '') return fallback;
    if (v !== 'true' && v !== 'false') throw fail(`${key} must be true or false, not "${p[key]}"`);
    return v === 'true';
  };
  const perSplit = Number(p['kafka.messages-per-split'] ?? 100_000);
  if (!Number.isInteger(perSplit) || perSplit < 1) throw fail(`kafka.messages-per-split must be a positive integer, not "${p['kafka.messages-per-split']}"`);
  return {
    catalog,
    nodes,
    defaultSchema,
    tableNames,
    descriptionDir: resolve(p['kafka.table-description-dir'] ?? 'etc/kafka'),
    descriptionDirSet: p['kafka.table-description-dir'] !== undefined,
    hideInternalColumns: flag('kafka.hide-internal-columns', true),
    messagesPerSplit: perSplit,
    timestampUpperBoundForcePushDown: flag('kafka.timestamp-upper-bound-force-push-down-enabled', false),
  };
}
