// Reading topics from the test broker (scripts/services/kafka.sh; KAFKA_TEST_PORT): tables,
// internal columns, the raw / csv / json / avro decoders and compressed batches.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avsc from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import type { Connector } from '../spi/index.js';
import { kafkaConnectorFactory } from './index.js';
import { createTopics, produce, TEST_BROKERS, uniqueName } from './testing.js';

const session = { user: 'tester', queryId: 'read-test' };
const names = {
  plain: uniqueName('plain'),
  mixed: uniqueName('Mixed_Case'),
  json: uniqueName('orders_json'),
  csv: uniqueName('orders_csv'),
  raw: uniqueName('orders_raw'),
  avro: uniqueName('orders_avro'),
};
const compressed = ['gzip', 'snappy', 'lz4', 'zstd'].map((codec) => ({ codec, topic: uniqueName(`z_${codec}`) }));
const avroSchema = {
  type: 'record', name: 'order', fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: { type: 'record', name: 'customer', fields: [{ name: 'name', type: 'string' }] } },
    { name: 'total', type: ['null', 'double'], default: null },
  ],
};

const jsonMessages = [
  JSON.stringify({ id: 1, customer: { name: 'Ada' }, total: 12.5, placed: '2024-03-01T10:00:00' }),
  '{"id": 9223372036854775807, "customer": {}, "total": null, "placed": "2024-03-02T11:30:00.5"}',
  '{"id": 3, "customer": ', // not JSON: a corrupt row
];
const compressedMessage = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(i % 50) });

let dir: string;
let hidden: Connector;
let visible: Connector;
let listed: Connector;
let s: TestSession;
let v: TestSession;

beforeAll(async () => {
  await createTopics([
    { topic: names.plain, numPartitions: 2 },
    { topic: names.mixed, numPartitions: 1 },
    ...[names.json, names.csv, names.raw, names.avro].map((topic) => ({ topic, numPartitions: 1 })),
    ...compressed.map(({ codec, topic }) => ({ topic, numPartitions: 1, configEntries: [{ name: 'compression.type', value: codec }] })),
  ]);
  await produce(names.plain, [
    { key: 'k0', value: 'hello', partition: 0, timestamp: '1700000000000', headers: { trace: 'abc', tag: ['x', 'y'] } },
    { key: null, value: 'no key', partition: 0, timestamp: '1700000001000' },
    { key: 'gone', value: null, partition: 1, timestamp: '1700000002000' },
  ]);
  await produce(names.json, jsonMessages.map((value) => ({ value })));
  await produce(names.csv, [{ value: '1,"Smith, J",true,2.5' }, { value: '2,,false,' }, { value: '3,"open' }]);
  const raw = (id: bigint, qty: number, code: string) => {
    const key = Buffer.alloc(8);
    key.writeBigInt64BE(id);
    const value = Buffer.alloc(8);
    value.writeInt32BE(qty, 0);
    value.write(code, 4, 'utf8');
    return { key, value };
  };
  await produce(names.raw, [raw(-1n, 7, 'ABCD'), raw(2n ** 40n, -3, 'WXYZ')]);
  const type = avsc.Type.forSchema(avroSchema as avsc.Schema, { wrapUnions: false });
  const container = await new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    const encoder = new avsc.streams.BlockEncoder(type);
    encoder.on('data', (c: Buffer) => chunks.push(c));
    encoder.on('end', () => resolve(Buffer.concat(chunks)));
    encoder.end({ id: 1, customer: { name: 'Ada' }, total: 1.5 });
  });
  await produce(names.avro, [{ value: container }, { value: type.toBuffer({ id: 2, customer: { name: 'Bo' }, total: null }) }, { value: Buffer.from([0xff]) }]);
  for (const { topic } of compressed) {
    await produce(topic, Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: compressedMessage(i) })));
  }

  dir = mkdtempSync(join(tmpdir(), 'kafka-read-'));
  const describe = (file: string, doc: unknown) => writeFileSync(join(dir, file), JSON.stringify(doc));
  describe('json.json', {
    tableName: 'orders_json', schemaName: 'shop', topicName: names.json,
    message: {
      dataFormat: 'json',
      fields: [
        { name: 'id', type: 'BIGINT', mapping: 'id' },
        { name: 'customer', type: 'VARCHAR', mapping: 'customer/name' },
        { name: 'total', type: 'DOUBLE', mapping: 'total' },
        { name: 'placed', type: 'TIMESTAMP', mapping: 'placed', dataFormat: 'iso8601' },
        { name: 'raw_id', type: 'VARCHAR', mapping: 'id', hidden: true },
      ],
    },
  });
  describe('csv.json', {
    tableName: 'orders_csv', schemaName: 'shop', topicName: names.csv,
    message: { dataFormat: 'csv', fields: [{ name: 'id', type: 'BIGINT', mapping: 0 }, { name: 'customer', type: 'VARCHAR', mapping: 1 }, { name: 'paid', type: 'BOOLEAN', mapping: 2 }, { name: 'total', type: 'DOUBLE', mapping: 3 }] },
  });
  describe('raw.json', {
    tableName: 'orders_raw', schemaName: 'shop', topicName: names.raw,
    key: { dataFormat: 'raw', fields: [{ name: 'id', type: 'BIGINT', dataFormat: 'LONG' }] },
    message: { dataFormat: 'raw', fields: [{ name: 'qty', type: 'INTEGER', dataFormat: 'INT', mapping: '0' }, { name: 'code', type: 'VARCHAR', mapping: '4:8' }] },
  });
  writeFileSync(join(dir, 'order.avsc'), JSON.stringify(avroSchema));
  describe('avro.json', {
    tableName: 'orders_avro', schemaName: 'shop', topicName: names.avro,
    message: { dataFormat: 'avro', dataSchema: 'order.avsc', fields: [{ name: 'id', type: 'BIGINT', mapping: 'id' }, { name: 'customer', type: 'VARCHAR', mapping: 'customer/name' }, { name: 'total', type: 'DOUBLE', mapping: 'total' }] },
  });
  describe('bad-value.json', {
    tableName: 'bad_value', schemaName: 'shop', topicName: names.csv,
    message: { dataFormat: 'csv', fields: [{ name: 'name_as_number', type: 'BIGINT', mapping: 1 }] },
  });
  describe('zip.json', {
    tableName: 'zipped', topicName: compressed[0]!.topic,
    message: { dataFormat: 'json', fields: [{ name: 'i', type: 'INTEGER', mapping: 'i' }] },
  });

  const properties = { 'kafka.nodes': TEST_BROKERS, 'kafka.table-description-dir': dir };
  hidden = kafkaConnectorFactory.create('kafka', properties);
  visible = kafkaConnectorFactory.create('kafka', { ...properties, 'kafka.hide-internal-columns': 'false' });
  listed = kafkaConnectorFactory.create('kafka', { 'kafka.nodes': TEST_BROKERS, 'kafka.table-names': `${names.plain},archive.${names.json},missing_topic` });
  s = openTestSession(new Map([['kafka', hidden]]));
  v = openTestSession(new Map([['kafka', visible]]));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = async (t: TestSession, sql: string) => (await t.query(sql)).rows;
const failure = (t: TestSession, sql: string) => t.query(sql).then(() => undefined, (e: SqlError) => ({ code: e.code, message: e.message }));

describe('kafka: topics as tables', () => {
  it('shows every topic as a table of the default schema, internal topics left out, and described tables in their schemas', async () => {
    expect(await hidden.listSchemas(session)).toEqual(['default', 'shop']);
    const tables = await hidden.listTables(session, 'default');
    expect(tables).toEqual(expect.arrayContaining([names.plain, names.json, 'zipped']));
    expect(tables.some((t) => t.startsWith('__'))).toBe(false);
    expect(await hidden.listTables(session, 'shop')).toEqual(['bad_value', 'orders_avro', 'orders_csv', 'orders_json', 'orders_raw']);
  });

  it('with kafka.table-names, shows only the named tables whose topics exist', async () => {
    expect(await listed.listSchemas(session)).toEqual(['archive', 'default']);
    expect(await listed.listTables(session, 'default')).toEqual([names.plain]);
    expect(await listed.getTable(session, 'archive', names.json)).toMatchObject({ schema: 'archive', name: names.json });
    expect(await listed.getTable(session, 'default', 'missing_topic')).toBeUndefined();
    expect(await listed.getTable(session, 'default', names.csv)).toBeUndefined();
  });

  it('treats a topic that does not exist as a table that does not exist; finds a topic named in upper case by its unquoted name', async () => {
    expect(await hidden.getTable(session, 'default', names.mixed.toLowerCase())).toMatchObject({ name: names.mixed });
    expect(await rows(s, `SELECT count(*) FROM kafka.default.${names.mixed}`)).toEqual([['0']]);
    expect(await hidden.getTable(session, 'default', 'no_such_topic')).toBeUndefined();
    expect(await failure(s, 'SELECT * FROM kafka.default.no_such_topic')).toMatchObject({ code: '42P01' });
  });

  it('hides the internal columns (kafka.hide-internal-columns=true) but reads them by name', async () => {
    const table = (await hidden.getTable(session, 'shop', 'orders_json'))!;
    expect(table.columns.filter((c) => !c.hidden).map((c) => c.name)).toEqual(['id', 'customer', 'total', 'placed']);
    expect(table.columns.filter((c) => c.hidden).map((c) => c.name)).toEqual([
      'raw_id', '_partition_id', '_partition_offset', '_message_corrupt', '_message', '_headers', '_message_length', '_key_corrupt', '_key', '_key_length', '_timestamp',
    ]);
    const r = await s.query('SELECT * FROM kafka.shop.orders_json ORDER BY _partition_offset');
    expect(r.columns).toEqual(['id', 'customer', 'total', 'placed']);
    expect(await rows(s, `SELECT _partition_id, _partition_offset, _key, _message_length, raw_id FROM kafka.shop.orders_json WHERE _partition_offset = 0`))
      .toEqual([['0', '0', null, String(jsonMessages[0]!.length), '1']]);
  });

  it('shows the internal columns with kafka.hide-internal-columns=false: partition, offset, key, message, lengths, headers, time', async () => {
    const r = await v.query(`SELECT * FROM kafka.default.${names.plain} ORDER BY _partition_id, _partition_offset`);
    expect(r.columns).toEqual(['_partition_id', '_partition_offset', '_message_corrupt', '_message', '_headers', '_message_length', '_key_corrupt', '_key', '_key_length', '_timestamp']);
    expect(r.rows).toEqual([
      ['0', '0', 'f', 'hello', '{"tag": ["x", "y"], "trace": ["abc"]}', '5', 'f', 'k0', '2', '2023-11-14 22:13:20'],
      ['0', '1', 'f', 'no key', '{}', '6', 'f', null, null, '2023-11-14 22:13:21'],
      ['1', '0', 'f', null, '{}', null, 'f', 'gone', '4', '2023-11-14 22:13:22'],
    ]);
    expect(await rows(v, `SELECT _headers -> 'trace' ->> 0 FROM kafka.default.${names.plain} WHERE _key = 'k0'`)).toEqual([['abc']]);
  });
});

describe('kafka: decoders', () => {
  it('json: fields at paths, 64-bit integers exact, missing values NULL, a document that is not JSON a corrupt row', async () => {
    expect(await rows(s, 'SELECT id, customer, total, placed, _message_corrupt FROM kafka.shop.orders_json ORDER BY _partition_offset')).toEqual([
      ['1', 'Ada', '12.5', '2024-03-01 10:00:00', 'f'],
      ['9223372036854775807', null, null, '2024-03-02 11:30:00.5', 'f'],
      [null, null, null, null, 't'],
    ]);
  });

  it('csv: fields by index, empty values NULL, an open quote a corrupt row', async () => {
    expect(await rows(s, 'SELECT id, customer, paid, total, _message_corrupt FROM kafka.shop.orders_csv ORDER BY _partition_offset')).toEqual([
      ['1', 'Smith, J', 't', '2.5', 'f'],
      ['2', null, 'f', null, 'f'],
      [null, null, null, null, 't'],
    ]);
  });

  it('raw: big-endian numbers and text at byte offsets of the key and the message', async () => {
    expect(await rows(s, 'SELECT id, qty, code, _key_length FROM kafka.shop.orders_raw ORDER BY _partition_offset')).toEqual([
      ['-1', '7', 'ABCD', '8'],
      ['1099511627776', '-3', 'WXYZ', '8'],
    ]);
  });

  it('avro: object containers (writer schema resolved) and bare records; bytes that are not Avro a corrupt row', async () => {
    expect(await rows(s, 'SELECT id, customer, total, _message_corrupt FROM kafka.shop.orders_avro ORDER BY _partition_offset')).toEqual([
      ['1', 'Ada', '1.5', 'f'],
      ['2', 'Bo', null, 'f'],
      [null, null, null, 't'],
    ]);
  });

  it('fails with 22P02 on a value its column type cannot hold, naming the column and the message', async () => {
    const f = await failure(s, 'SELECT name_as_number FROM kafka.shop.bad_value');
    expect(f?.code).toBe('22P02');
    expect(f?.message).toMatch(/could not parse value 'Smith, J' as bigint for column "name_as_number" \(topic "orders_csv_\w+", partition 0, offset 0\)/);
    // rows whose value is fine still read when the bad ones are filtered out first
    expect(await rows(s, "SELECT count(*) FROM kafka.shop.bad_value WHERE _partition_offset = 1")).toEqual([['1']]);
  });

  it('reads batches the broker compressed with gzip, snappy, lz4 and zstd', async () => {
    const length = Array.from({ length: 500 }, (_, i) => compressedMessage(i).length).reduce((a, b) => a + b, 0);
    for (const { topic } of compressed) {
      expect(await rows(s, `SELECT count(*), sum(length(_message)), min(_key), max(_partition_offset) FROM kafka.default.${topic}`)).toEqual([['500', String(length), 'k0', '499']]);
    }
    expect(await rows(s, 'SELECT sum(i) FROM kafka.default.zipped')).toEqual([[String((499 * 500) / 2)]]);
  });
});
