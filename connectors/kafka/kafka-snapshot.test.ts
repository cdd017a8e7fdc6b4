// Snapshots, splits and their pruning, cancellation and connection errors, against the test
// broker (scripts/services/kafka.sh; KAFKA_TEST_PORT).
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../../engine/errors/index.js';
import { shutdownWorkerPool, workerPool } from '../../engine/scheduler/worker/worker-pool.js';
import { T, type PgType } from '../../engine/types/pg-type.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import type { ColumnDomain, Connector, ConnectorFactory, Constraint, RunsInWorkers, ScanRequest, Split, TableMetadata, ValueRange } from '../spi/index.js';
import { hasStatistics, runsInWorkers } from '../spi/index.js';
import { kafkaConnectorFactory } from './index.js';
import { createTopics, produce, TEST_BROKERS, testKafka, uniqueName, withAdmin } from './testing.js';

const session = { user: 'tester', queryId: 'snapshot-test' };
let c: Connector;
let s: TestSession;

beforeAll(() => {
  c = kafkaConnectorFactory.create('kafka', { 'kafka.nodes': TEST_BROKERS });
  s = openTestSession(new Map([['kafka', c]]));
});

const rows = async (sql: string) => (await s.query(sql)).rows;
const compare = (a: unknown, b: unknown) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
const domain = (table: TableMetadata, column: string, ranges: ValueRange[], type: PgType = T.int8): ColumnDomain => ({
  column: table.columns.findIndex((x) => x.name === column), compareAs: type, compare, widen: (x) => x, ranges, nullAllowed: false,
});
const between = (low: bigint, high: bigint): ValueRange => ({ low: { value: low, inclusive: true }, high: { value: high, inclusive: false } });
const splitsOf = async (table: TableMetadata, constraint?: Constraint) =>
  (await c.getSplits(session, table, { desiredSplits: 4, ...(constraint ? { constraint } : {}) })).map((x) => x.info as { partition: number; start: number; end: number });

describe('kafka: a query reads a snapshot', () => {
  it('returns identical rows for the same offset-pinned query while a producer keeps writing, and leaves consumer group offsets alone', async () => {
    const topic = uniqueName('snap');
    await createTopics([{ topic, numPartitions: 3 }]);
    await produce(topic, Array.from({ length: 300 }, (_, i) => ({ partition: i % 3, value: `m${i}` })));
    // a consumer group of someone else's, with committed offsets the gateway must not touch
    const group = uniqueName('watchers');
    const committed = await withAdmin(async (admin) => {
      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '10' }, { partition: 1, offset: '20' }, { partition: 2, offset: '30' }] });
      return { offsets: await admin.fetchOffsets({ groupId: group, topics: [topic] }), groups: (await admin.listGroups()).groups.map((g) => g.groupId).sort() };
    });
    expect(committed.offsets[0]!.partitions.map((p) => p.offset).sort()).toEqual(['10', '20', '30']);

    const producer = testKafka().producer();
    await producer.connect();
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await producer.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `late${written}` })) });
        written += 3;
        await sleep(2);
      }
    })();
    try {
      const pinned = `SELECT _partition_id, _partition_offset, _message FROM kafka.default.${topic} WHERE _partition_offset < 100 ORDER BY 1, 2`;
      const count = `SELECT count(*) FROM kafka.default.${topic}`;
      const first = await rows(pinned);
      const countBefore = Number((await rows(count))[0]![0]);
      await sleep(200);
      const second = await rows(pinned);
      const countAfter = Number((await rows(count))[0]![0]);
      expect(first).toHaveLength(300);
      expect(first.slice(0, 2)).toEqual([['0', '0', 'm0'], ['0', '1', 'm3']]);
      expect(second).toEqual(first);
      // the producer was writing all along: an unpinned query sees more each time
      expect(countBefore).toBeGreaterThan(300);
      expect(countAfter).toBeGreaterThan(countBefore);
    } finally {
      writing = false;
      await writer;
      await producer.disconnect();
    }
    expect(written).toBeGreaterThan(0);
    await withAdmin(async (admin) => {
      expect(await admin.fetchOffsets({ groupId: group, topics: [topic] })).toEqual(committed.offsets);
      // reading joined no consumer group at all
      expect((await admin.listGroups()).groups.map((g) => g.groupId).sort()).toEqual(committed.groups);
    });
  });

  it('fixes each partition\'s end offset when the splits are made: later messages are not read', async () => {
    const topic = uniqueName('fixed');
    await createTopics([{ topic, numPartitions: 2 }]);
    await produce(topic, Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `v${i}` })));
    const table = (await c.getTable(session, 'default', topic))!;
    const splits = await c.getSplits(session, table, { desiredSplits: 2 });
    expect(splits.map((x) => x.info)).toEqual([
      expect.objectContaining({ topic, partition: 0, start: 0, end: 5 }),
      expect.objectContaining({ topic, partition: 1, start: 0, end: 5 }),
    ]);
    await produce(topic, Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `later${i}` })));
    const offset = table.columns.findIndex((x) => x.name === '_partition_offset');
    let read = 0;
    for (const split of splits) for await (const b of c.scan(session, scanOf(table, split, [offset]))) read += b.length;
    expect(read).toBe(10);
    expect(hasStatistics(c) && (await c.getStatistics(session, table)).rowCount).toBe(20);
  });

  it('is re-created from its origin (as a worker thread does), and the copy reads a split that went through JSON', async () => {
    const topic = uniqueName('copied');
    await createTopics([{ topic, numPartitions: 1 }]);
    await produce(topic, [{ value: 'one' }, { value: 'two' }]);
    expect(runsInWorkers(c)).toBe(true);
    const origin = (c as Connector & RunsInWorkers).origin;
    expect(origin).toMatchObject({ factoryExport: 'kafkaConnectorFactory', catalogName: 'kafka', properties: { 'kafka.nodes': TEST_BROKERS } });
    const module = (await import(origin.module.replace(/\.js$/, '.ts'))) as Record<string, ConnectorFactory>;
    const copy = module[origin.factoryExport]!.create(origin.catalogName, origin.properties);
    const table = JSON.parse(JSON.stringify((await c.getTable(session, 'default', topic))!)) as TableMetadata;
    const [split] = JSON.parse(JSON.stringify(await c.getSplits(session, table, { desiredSplits: 1 }))) as Split[];
    const messages: unknown[] = [];
    for await (const b of copy.scan(session, scanOf(table, split!, [table.columns.findIndex((x) => x.name === '_message')]))) messages.push(...(b.columns[0]!.data as unknown[]));
    expect(messages).toEqual(['one', 'two']);
  });

  it('returns the same rows with its scans in worker threads', async () => {
    const topic = uniqueName('threads');
    await createTopics([{ topic, numPartitions: 4 }]);
    await produce(topic, Array.from({ length: 4000 }, (_, n) => ({ partition: n % 4, key: `k${n % 7}`, value: `v${n}` })));
    const sql = `SELECT _key, count(*), count(DISTINCT _message), sum(_partition_offset) FROM kafka.default.${topic} GROUP BY 1 ORDER BY 1`;
    await s.query('SET lakegate.worker_threads = 0');
    const local = await rows(sql);
    await s.query('SET lakegate.worker_threads = 2');
    try {
      expect(await rows(sql)).toEqual(local);
      expect(workerPool.threads).toBeGreaterThan(0);
    } finally {
      await s.query('SET lakegate.worker_threads = 0');
      await shutdownWorkerPool();
    }
    expect(local).toHaveLength(7);
  });
});

const scanOf = (table: TableMetadata, split: Split, columns: number[], signal = new AbortController().signal): ScanRequest => ({ table, split, columns, signal });

describe('kafka: predicates narrow the splits', () => {
  const topic = uniqueName('pruned');
  const base = 1_700_000_000_000;
  let table: TableMetadata;

  beforeAll(async () => {
    await createTopics([{ topic, numPartitions: 4 }]);
    // partition p, offset i: message time base + i seconds
    await produce(topic, Array.from({ length: 4 * 50 }, (_, n) => ({ partition: n % 4, value: `v${n}`, timestamp: String(base + Math.floor(n / 4) * 1000) })));
    table = (await c.getTable(session, 'default', topic))!;
  });

  it('reads only the partitions _partition_id allows', async () => {
    const only = (ranges: ValueRange[]) => splitsOf(table, { domains: [domain(table, '_partition_id', ranges)] });
    expect((await only([between(1n, 2n)])).map((x) => x.partition)).toEqual([1]);
    expect((await only([between(0n, 1n), between(3n, 9n)])).map((x) => x.partition)).toEqual([0, 3]);
    expect(await only([])).toEqual([]);
  });

  it('intersects the offset range with _partition_offset, comparing as the domain\'s type', async () => {
    expect(await splitsOf(table, { domains: [domain(table, '_partition_offset', [between(10n, 20n)])] })).toEqual([0, 1, 2, 3].map((partition) => ({ partition, start: 10, end: 20, topic, leader: expect.any(String) })));
    // _partition_offset > 47.5 compared as numeric: offsets 48 and 49
    const numeric: ColumnDomain = {
      ...domain(table, '_partition_offset', [{ low: { value: 47.5, inclusive: false } }], T.numeric),
      widen: (x) => Number(x), compare: (a, b) => (a as number) - (b as number),
    };
    expect((await splitsOf(table, { domains: [numeric] })).map((x) => [x.start, x.end])).toEqual([[48, 50], [48, 50], [48, 50], [48, 50]]);
  });

  it('starts each partition at the first message at or after the lower _timestamp bound; the upper bound only when forced or LogAppendTime', async () => {
    const at = (seconds: number) => BigInt(base + seconds * 1000) * 1000n;
    const window: Constraint = { domains: [domain(table, '_timestamp', [{ low: { value: at(30), inclusive: true }, high: { value: at(35), inclusive: false } }], T.timestamp)] };
    expect((await splitsOf(table, window)).map((x) => [x.start, x.end])).toEqual([[30, 50], [30, 50], [30, 50], [30, 50]]);
    const forced = kafkaConnectorFactory.create('kafka', { 'kafka.nodes': TEST_BROKERS, 'kafka.timestamp-upper-bound-force-push-down-enabled': 'true' });
    const t = (await forced.getTable(session, 'default', topic))!;
    expect((await forced.getSplits(session, t, { desiredSplits: 1, constraint: window })).map((x) => [(x.info as { start: number }).start, (x.info as { end: number }).end]))
      .toEqual([[30, 35], [30, 35], [30, 35], [30, 35]]);
    expect(await rows(`SELECT count(*) FROM kafka.default.${topic} WHERE _timestamp >= timestamp '2023-11-14 22:13:50' AND _timestamp < timestamp '2023-11-14 22:13:55'`)).toEqual([['20']]);
  });

  it('shows the pruning in EXPLAIN ANALYZE: one task per split read', async () => {
    const tasks = async (where: string) => {
      const plan = (await rows(`EXPLAIN ANALYZE SELECT count(*) FROM kafka.default.${topic} WHERE ${where}`)).map((r) => r[0]).join('\n');
      // a scan with no split never ran: no "actual" figures
      const scan = /TableScan kafka\.default\.\S+ .*/.exec(plan)![0];
      return Number(/tasks=(\d+)/.exec(scan)?.[1] ?? 0);
    };
    expect(await tasks('true')).toBe(4);
    expect(await tasks('_partition_id IN (1, 2)')).toBe(2);
    expect(await tasks('_partition_id = 3 AND _partition_offset BETWEEN 5 AND 7')).toBe(1);
    expect(await tasks('_partition_offset >= 1000')).toBe(0);
    expect(await rows(`SELECT _partition_id, _partition_offset, _message FROM kafka.default.${topic} WHERE _partition_id = 3 AND _partition_offset BETWEEN 5 AND 6 ORDER BY 2`))
      .toEqual([['3', '5', 'v23'], ['3', '6', 'v27']]);
  });

  it('cuts a partition into splits of kafka.messages-per-split', async () => {
    const small = kafkaConnectorFactory.create('kafka', { 'kafka.nodes': TEST_BROKERS, 'kafka.messages-per-split': '20' });
    const t = (await small.getTable(session, 'default', topic))!;
    const splits = (await small.getSplits(session, t, { desiredSplits: 1 })).map((x) => x.info as { partition: number; start: number; end: number });
    expect(splits.filter((x) => x.partition === 0).map((x) => [x.start, x.end])).toEqual([[0, 20], [20, 40], [40, 50]]);
  });
});

describe('kafka: cancellation and failures', () => {
  let silent: Server;
  const sockets: { socket: Socket; closed: boolean }[] = [];

  beforeAll(async () => {
    // a "broker" that accepts connections, reads the requests and never answers
    silent = createServer((socket) => {
      const entry = { socket, closed: false };
      sockets.push(entry);
      socket.on('close', () => (entry.closed = true));
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => {
    for (const { socket } of sockets) socket.destroy();
    silent.close(() => resolve());
  }));

  it('stops a scan when the query is cancelled: no more batches, the socket closed at once', async () => {
    const topic = uniqueName('cancel');
    await createTopics([{ topic, numPartitions: 1 }]);
    for (let b = 0; b < 10; b++) await produce(topic, Array.from({ length: 2000 }, (_, i) => ({ value: `${b}-${i}-${'p'.repeat(200)}` })));
    const table = (await c.getTable(session, 'default', topic))!;
    const [split] = await c.getSplits(session, table, { desiredSplits: 1 });
    const abort = new AbortController();
    const it = c.scan(session, scanOf(table, split!, [table.columns.findIndex((x) => x.name === '_message')], abort.signal))[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    abort.abort();
    const started = performance.now();
    expect((await it.next()).done).toBe(true);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('closes a fetch that is waiting on the broker when the query is cancelled', async () => {
    const topic = uniqueName('hang');
    await createTopics([{ topic, numPartitions: 1 }]);
    await produce(topic, [{ value: 'x' }]);
    const table = (await c.getTable(session, 'default', topic))!;
    const port = (silent.address() as { port: number }).port;
    const split: Split = { info: { topic, partition: 0, start: 0, end: 1, leader: `127.0.0.1:${port}` } };
    const abort = new AbortController();
    const reading = (async () => {
      let n = 0;
      for await (const b of c.scan(session, scanOf(table, split, [0], abort.signal))) n += b.length;
      return n;
    })();
    await sleep(200);
    expect(sockets).toHaveLength(1);
    const started = performance.now();
    abort.abort();
    expect(await reading).toBe(0);
    expect(performance.now() - started).toBeLessThan(100);
    await sleep(20);
    expect(sockets[0]!.closed).toBe(true);
  });

  it('reports an unreachable broker as HV00N with a message a person can act on', async () => {
    const gone = openTestSession(new Map([['kafka', kafkaConnectorFactory.create('kafka', { 'kafka.nodes': '127.0.0.1:1' })]]));
    const failure = await gone.query('SELECT * FROM kafka.default.anything').then(() => undefined, (e: SqlError) => e);
    expect(failure).toMatchObject({ code: 'HV00N', hint: 'Check that the brokers in kafka.nodes are running and reachable from the gateway.' });
    expect(failure!.message).toMatch(/^cannot reach Kafka at 127\.0\.0\.1:1 \(catalog "kafka"\): .*ECONNREFUSED/);
  });

  it('rejects catalog properties it does not know or cannot use', () => {
    expect(() => kafkaConnectorFactory.create('k', {})).toThrow(/needs kafka\.nodes/);
    expect(() => kafkaConnectorFactory.create('k', { 'kafka.nodes': 'a:1', 'kafka.security-protocol': 'SSL' })).toThrow(/unknown property "kafka\.security-protocol"/);
    expect(() => kafkaConnectorFactory.create('k', { 'kafka.nodes': 'a:1', 'kafka.hide-internal-columns': 'maybe' })).toThrow(/true or false/);
  });
});
