/**
 * The kafka connector: topics as tables, as Trino's Kafka connector shows them (see README.md).
 *
 * Metadata, offsets and writes go through kafkajs (an admin client per call, a producer per
 * INSERT). Scans read their partition's offset range with Kafka's Fetch request on a socket of
 * their own (wire/), so reading never joins a consumer group and never commits an offset.
 *
 *   getSplits:  admin → offsets per partition (low, last stable), fixed for the scan
 *               ∩ _partition_id / _partition_offset / _timestamp constraint → [start, end) per partition
 *   scan:       Fetch from the leader, offset ≥ start … < end → decode key and message → batches
 */
import kafkajs, { type Admin, type Message } from 'kafkajs';
import { BATCH_ROWS, type Batch } from '../../engine/execution/batch/batch.js';
import { datumAt, VectorBuilder, type Vector } from '../../engine/execution/batch/vector.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { normalizeJsonb, quoteJsonString } from '../../engine/types/jsonb.js';
import type {
  ColumnDomain, Connector, ConnectorOrigin, ConnectorSession, Json, PushdownConnector, RunsInWorkers, ScanRequest, Split, SplitRequest,
  StatisticsProvider, TableMetadata, TableStatistics, WritableConnector,
} from '../spi/index.js';
import { createCodec, type RowCodec } from './codecs/index.js';
import { columnSource, tableColumns, type ColumnSource, type InternalColumn } from './columns.js';
import type { KafkaConfig } from './config.js';
import { DescriptionFolder, type DescribedCodec, type TableDescription } from './descriptions.js';
import { kafkaFailure, kafkaProtocolError } from './errors.js';
import { chunks, offsetIntervals, partitionWanted, timestampBounds } from './splits.js';
import { readPartition, type PartitionRange } from './wire/partition-reader.js';
import type { KafkaRecord } from './wire/record-batch.js';

const { Kafka, logLevel, Partitioners, ConfigResourceTypes } = kafkajs;

const CLIENT_ID = 'lakegate';

/** What a table handle holds. */
interface KafkaHandle {
  readonly topic: string;
  readonly key: DescribedCodec | null;
  readonly message: DescribedCodec | null;
}

/** What a split holds: one partition's offsets [start, end) (PartitionRange). */
type KafkaSplit = PartitionRange;

/** The offsets of one partition when the scan was planned. */
interface PartitionOffsets {
  readonly partition: number;
  readonly low: number;
  readonly high: number;
  readonly leader: string;
}

/** A table the catalog shows: a described topic, or a topic as it is. */
interface TableSource {
  readonly schema: string;
  readonly table: string;
  readonly topic: string;
  readonly description?: TableDescription;
}

export interface KafkaConnectorOptions {
  readonly origin?: ConnectorOrigin;
}

export class KafkaConnector implements Connector, StatisticsProvider, WritableConnector, Pick<PushdownConnector, 'describeTable'>, Partial<RunsInWorkers> {
  readonly origin?: ConnectorOrigin;
  private readonly kafka: InstanceType<typeof Kafka>;
  private readonly descriptions: DescriptionFolder;

  constructor(readonly name: string, readonly config: KafkaConfig, options: KafkaConnectorOptions = {}) {
    if (options.origin) this.origin = options.origin;
    this.kafka = new Kafka({
      clientId: CLIENT_ID,
      brokers: [...config.nodes],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 30_000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    this.descriptions = new DescriptionFolder(config.descriptionDir, config.descriptionDirSet, config.defaultSchema);
  }

  async listSchemas(): Promise<string[]> {
    const schemas = new Set([this.config.defaultSchema, ...(await this.tables()).map((t) => t.schema)]);
    return [...schemas].sort();
  }

  async listTables(_s: ConnectorSession, schema: string): Promise<string[]> {
    return (await this.tables()).filter((t) => t.schema === schema).map((t) => t.table).sort();
  }

  async getTable(_s: ConnectorSession, schema: string, table: string): Promise<TableMetadata | undefined> {
    const sources = (await this.tables()).filter((t) => t.schema === schema);
    // an unquoted name arrives in lower case: a topic named in another case still matches when it is the only one
    const exact = sources.find((t) => t.table === table);
    const folded = sources.filter((t) => t.table.toLowerCase() === table.toLowerCase());
    const source = exact ?? (folded.length === 1 ? folded[0] : undefined);
    if (!source) return undefined;
    const key = source.description?.key;
    const message = source.description?.message;
    const handle: KafkaHandle = { topic: source.topic, key: key ?? null, message: message ?? null };
    return { schema, name: source.table, columns: tableColumns(key, message, this.config.hideInternalColumns), handle: handle as unknown as Json };
  }

  /** Row count: the messages the partitions hold now (compacted topics hold fewer). */
  async getStatistics(_s: ConnectorSession, table: TableMetadata): Promise<TableStatistics> {
    const { topic } = table.handle as unknown as KafkaHandle;
    const offsets = await this.withAdmin((admin) => admin.fetchTopicOffsets(topic));
    return { rowCount: offsets.reduce((n, p) => n + (Number(p.high) - Number(p.low)), 0) };
  }

  /** For EXPLAIN: the topic and how keys and messages are decoded (offset ranges are fixed when the query starts). */
  describeTable(table: TableMetadata): string {
    const { topic, key, message } = table.handle as unknown as KafkaHandle;
    const format = (c: DescribedCodec | null) => (c ? c.dataFormat : 'raw bytes');
    return `topic "${topic}", key ${format(key)}, message ${format(message)}; each partition read up to its end offset at query start`;
  }

  async getSplits(_s: ConnectorSession, table: TableMetadata, request: SplitRequest): Promise<Split[]> {
    const { topic } = table.handle as unknown as KafkaHandle;
    const domainsOf = (name: InternalColumn): ColumnDomain[] => {
      const index = table.columns.findIndex((c) => c.name === name);
      return (request.constraint?.domains ?? []).filter((d) => d.column === index);
    };
    const partitionDomains = domainsOf('_partition_id');
    const time = timestampBounds(domainsOf('_timestamp'));
    return this.withAdmin(async (admin) => {
      const offsets = (await partitionOffsets(admin, topic)).filter((p) => partitionWanted(partitionDomains, p.partition));
      const from = time.from !== undefined ? await offsetsForTime(admin, topic, time.from) : undefined;
      const to = time.to !== undefined && (this.config.timestampUpperBoundForcePushDown || (await logAppendTime(admin, topic))) ? await offsetsForTime(admin, topic, time.to) : undefined;
      const splits: Split[] = [];
      for (const p of offsets) {
        const low = Math.max(p.low, from?.get(p.partition) ?? p.low);
        const high = Math.min(p.high, to?.get(p.partition) ?? p.high);
        for (const interval of offsetIntervals(domainsOf('_partition_offset'), low, high)) {
          for (const [start, end] of chunks(interval, this.config.messagesPerSplit)) {
            const info: KafkaSplit = { topic, partition: p.partition, start, end, leader: p.leader };
            splits.push({ info: info as unknown as Json });
          }
        }
      }
      return splits;
    });
  }

  async *scan(_s: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    const handle = request.table.handle as unknown as KafkaHandle;
    const split = request.split.info as unknown as KafkaSplit;
    const columns = request.columns.map((i) => request.table.columns[i]!);
    const sources = columns.map((c) => columnSource(c.name, handle.key, handle.message));
    const wants = (kind: 'key' | 'message') => sources.some((s) => s.kind === kind || (s.kind === 'internal' && s.name === `_${kind}_corrupt`));
    const keyCodec = handle.key && wants('key') ? createCodec(handle.key) : undefined;
    const messageCodec = handle.message && wants('message') ? createCodec(handle.message) : undefined;
    const findLeader = async () => {
      const leaders = await this.withAdmin((admin) => leadersOf(admin, split.topic));
      const leader = leaders.get(split.partition);
      if (!leader) throw kafkaProtocolError(`partition ${split.partition} of topic "${split.topic}" has no leader`);
      return leader;
    };
    try {
      for await (const records of readPartition(split, CLIENT_ID, request.signal, findLeader)) {
        for (let at = 0; at < records.length && !request.signal.aborted; at += BATCH_ROWS) {
          const slice = records.slice(at, at + BATCH_ROWS);
          const builders = columns.map((c) => new VectorBuilder(c.type, slice.length));
          for (const record of slice) {
            const key = keyCodec ? decodePart(keyCodec, record.key, record, split) : undefined;
            const message = messageCodec ? decodePart(messageCodec, record.value, record, split) : undefined;
            sources.forEach((s, i) => builders[i]!.push(valueOf(s, record, split.partition, key, message)));
          }
          const vectors: Vector[] = builders.map((b) => b.finish());
          yield { length: slice.length, columns: vectors };
        }
      }
    } catch (e) {
      throw kafkaFailure(this.name, this.config.nodes.join(','), e);
    }
  }

  // ---- writes ---------------------------------------------------------------------------------

  async createSchema(): Promise<void> {
    throw readOnlyMetadata('CREATE SCHEMA');
  }

  async dropSchema(): Promise<void> {
    throw readOnlyMetadata('DROP SCHEMA');
  }

  async createTable(): Promise<void> {
    throw readOnlyMetadata('CREATE TABLE');
  }

  async dropTable(): Promise<void> {
    throw readOnlyMetadata('DROP TABLE');
  }

  /**
   * One message per row: key and message encoded by the description's codecs, or taken from
   * `_key` / `_message` (UTF-8 text) where the table has none; `_partition_id` and
   * `_timestamp` pick the partition and the message time when given.
   */
  async insert(_s: ConnectorSession, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
    const handle = table.handle as unknown as KafkaHandle;
    const keyCodec = handle.key ? createCodec(handle.key) : undefined;
    const messageCodec = handle.message ? createCodec(handle.message) : undefined;
    const sources = table.columns.map((c) => columnSource(c.name, handle.key, handle.message));
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    let count = 0;
    try {
      await producer.connect();
      for await (const batch of rows) {
        const messages: Message[] = [];
        for (let r = 0; r < batch.length; r++) {
          // fields the INSERT cannot name (hidden ones) stay undefined: the codec leaves them out or writes their default
          const keyValues: unknown[] = new Array<unknown>(handle.key?.fields.length ?? 0).fill(undefined);
          const messageValues: unknown[] = new Array<unknown>(handle.message?.fields.length ?? 0).fill(undefined);
          const internal = new Map<InternalColumn, unknown>();
          sources.forEach((s, i) => {
            const v = datumAt(batch.columns[i]!, r);
            if (s.kind === 'key') keyValues[s.field] = v;
            else if (s.kind === 'message') messageValues[s.field] = v;
            else if (v !== null) internal.set(s.name, v);
          });
          messages.push(messageOf(internal, keyCodec, keyValues, messageCodec, messageValues));
        }
        if (messages.length > 0) await producer.send({ topic: handle.topic, messages, acks: -1 });
        count += messages.length;
      }
    } catch (e) {
      throw kafkaFailure(this.name, this.config.nodes.join(','), e);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
    return count;
  }

  // ---- helpers --------------------------------------------------------------------------------

  /**
   * The catalog's tables: described topics, plus kafka.table-names or else every topic; a
   * table whose topic does not exist is left out.
   */
  private async tables(): Promise<TableSource[]> {
    const topics = await this.topics();
    const described = (await this.descriptions.load()).map((d) => ({ schema: d.schema, table: d.table, topic: d.topic, description: d }));
    const taken = new Set(described.map((d) => `${d.schema}\u0000${d.table}`));
    const plain = this.config.tableNames
      ? this.config.tableNames.map((n) => ({ schema: n.schema, table: n.table, topic: n.table }))
      : [...topics].map((topic) => ({ schema: this.config.defaultSchema, table: topic, topic }));
    return [...described, ...plain.filter((t) => !taken.has(`${t.schema}\u0000${t.table}`))].filter((t) => topics.has(t.topic));
  }

  /** The cluster's topics, internal ones (__consumer_offsets, …) left out. */
  private async topics(): Promise<Set<string>> {
    const names = await this.withAdmin((admin) => admin.listTopics());
    return new Set(names.filter((n) => !n.startsWith('__')));
  }

  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return await fn(admin);
    } catch (e) {
      throw kafkaFailure(this.name, this.config.nodes.join(','), e);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/**
 * Each partition's earliest and last stable offset, and its leader, now: the snapshot a scan
 * reads (kafkajs lists offsets read_committed, so the end is the last stable offset).
 */
async function partitionOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const [offsets, leaders] = await Promise.all([admin.fetchTopicOffsets(topic), leadersOf(admin, topic)]);
  return offsets.map((p) => {
    const leader = leaders.get(p.partition);
    if (!leader) throw kafkaProtocolError(`partition ${p.partition} of topic "${topic}" has no leader`);
    return { partition: p.partition, low: Number(p.low), high: Number(p.high), leader };
  }).sort((a, b) => a.partition - b.partition);
}

/** host:port of each partition's leader. */
async function leadersOf(admin: Admin, topic: string): Promise<Map<number, string>> {
  const [{ topics }, cluster] = await Promise.all([admin.fetchTopicMetadata({ topics: [topic] }), admin.describeCluster()]);
  const brokers = new Map(cluster.brokers.map((b) => [b.nodeId, b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`]));
  const out = new Map<number, string>();
  for (const p of topics[0]?.partitions ?? []) {
    const address = brokers.get(p.leader);
    if (address) out.set(p.partitionId, address);
  }
  return out;
}

/** Per partition, the first offset whose message time is at or after `ms` (the end offset when none is). */
async function offsetsForTime(admin: Admin, topic: string, ms: number): Promise<Map<number, number>> {
  const found = await admin.fetchTopicOffsetsByTimestamp(topic, ms);
  return new Map(found.map((p) => [p.partition, Number(p.offset)]));
}

/** Whether the topic stamps messages when the broker appends them (so time grows with the offset). */
async function logAppendTime(admin: Admin, topic: string): Promise<boolean> {
  const { resources } = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['message.timestamp.type'] }],
    includeSynonyms: false,
  });
  return resources[0]?.configEntries.find((e) => e.configName === 'message.timestamp.type')?.configValue === 'LogAppendTime';
}

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

interface DecodedPart {
  readonly values: readonly unknown[] | undefined;
}

/** A key or message decoded by its codec: values undefined when corrupt; an absent key or message (null) has every field NULL. */
function decodePart(codec: RowCodec, bytes: Uint8Array | null, record: KafkaRecord, split: KafkaSplit): DecodedPart {
  if (bytes === null) return { values: [] };
  try {
    return { values: codec.decode(bytes) };
  } catch (e) {
    if (e instanceof SqlError) throw new SqlError(e.code, `${e.message} (topic "${split.topic}", partition ${split.partition}, offset ${record.offset})`);
    throw e;
  }
}

function valueOf(s: ColumnSource, r: KafkaRecord, partition: number, key: DecodedPart | undefined, message: DecodedPart | undefined): unknown {
  switch (s.kind) {
    case 'key': return key?.values?.[s.field] ?? null;
    case 'message': return message?.values?.[s.field] ?? null;
  }
  switch (s.name) {
    case '_partition_id': return BigInt(partition);
    case '_partition_offset': return BigInt(r.offset);
    case '_message_corrupt': return message !== undefined && message.values === undefined;
    case '_message': return r.value === null ? null : utf8.decode(r.value);
    case '_headers': return headersJson(r.headers);
    case '_message_length': return r.value === null ? null : BigInt(r.value.length);
    case '_key_corrupt': return key !== undefined && key.values === undefined;
    case '_key': return r.key === null ? null : utf8.decode(r.key);
    case '_key_length': return r.key === null ? null : BigInt(r.key.length);
    case '_timestamp': return r.timestamp < 0 ? null : BigInt(r.timestamp) * 1000n;
  }
}

/** Headers as jsonb: each name → the array of its values (UTF-8 text; null for a null value). */
function headersJson(headers: KafkaRecord['headers']): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const list = byName.get(name) ?? [];
    list.push(value === null ? 'null' : quoteJsonString(utf8.decode(value)));
    byName.set(name, list);
  }
  return normalizeJsonb(`{${[...byName].map(([n, vs]) => `${quoteJsonString(n)}:[${vs.join(',')}]`).join(',')}}`);
}

/** Internal columns a row may set; the others are the broker's to fill. */
const WRITABLE_INTERNAL: ReadonlySet<InternalColumn> = new Set(['_key', '_message', '_partition_id', '_timestamp']);

function messageOf(internal: ReadonlyMap<InternalColumn, unknown>, keyCodec: RowCodec | undefined, keyValues: unknown[], messageCodec: RowCodec | undefined, messageValues: unknown[]): Message {
  for (const name of internal.keys()) {
    if (!WRITABLE_INTERNAL.has(name)) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `column "${name}" is set by Kafka and cannot be written`, { hint: 'Leave it out of the INSERT or set it to NULL.' });
  }
  const part = (codec: RowCodec | undefined, values: unknown[], text: InternalColumn): Buffer | null => {
    const given = internal.get(text);
    if (codec) {
      if (given !== undefined) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `column "${text}" cannot be written: the table's description encodes it from its columns`);
      return Buffer.from(codec.encode(values));
    }
    return given === undefined ? null : Buffer.from(utf8Encoder.encode(given as string));
  };
  const partition = internal.get('_partition_id') as bigint | undefined;
  const timestamp = internal.get('_timestamp') as bigint | undefined;
  return {
    key: part(keyCodec, keyValues, '_key'),
    value: part(messageCodec, messageValues, '_message'),
    ...(partition !== undefined ? { partition: Number(partition) } : {}),
    ...(timestamp !== undefined ? { timestamp: String(timestamp / 1000n) } : {}),
  };
}

const readOnlyMetadata = (what: string): SqlError =>
  new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `${what} is not supported by the kafka connector`, {
    hint: 'Create topics with Kafka\'s tools and map them with table description files (kafka.table-description-dir).',
  });
