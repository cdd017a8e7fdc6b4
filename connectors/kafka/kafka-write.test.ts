// INSERT into topics of the test broker (scripts/services/kafka.sh; KAFKA_TEST_PORT), read back
// through the same tables; DDL the connector does not do.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { kafkaConnectorFactory } from './index.js';
import { createTopics, TEST_BROKERS, uniqueName } from './testing.js';

const topics = { json: uniqueName('w_json'), csv: uniqueName('w_csv'), raw: uniqueName('w_raw'), avro: uniqueName('w_avro'), plain: uniqueName('w_plain') };
let dir: string;
let s: TestSession;
let v: TestSession;

beforeAll(async () => {
  await createTopics([...Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })), { topic: `${topics.plain}_3`, numPartitions: 3 }]);
  dir = mkdtempSync(join(tmpdir(), 'kafka-write-'));
  const describe = (name: string, doc: unknown) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(doc));
  describe('json', {
    tableName: 'orders_json', topicName: topics.json,
    key: { dataFormat: 'json', fields: [{ name: 'order_key', type: 'BIGINT', mapping: 'id' }] },
    message: {
      dataFormat: 'json',
      fields: [
        { name: 'id', type: 'BIGINT', mapping: 'id' },
        { name: 'customer', type: 'VARCHAR', mapping: 'customer/name' },
        { name: 'total', type: 'DOUBLE', mapping: 'total' },
        { name: 'placed', type: 'TIMESTAMP', mapping: 'placed', dataFormat: 'iso8601' },
        { name: 'day', type: 'DATE', mapping: 'day', dataFormat: 'custom-date-time', formatHint: 'dd.MM.yyyy' },
      ],
    },
  });
  describe('csv', {
    tableName: 'orders_csv', topicName: topics.csv,
    message: { dataFormat: 'csv', fields: [{ name: 'id', type: 'INTEGER', mapping: '0' }, { name: 'note', type: 'VARCHAR', mapping: '1' }, { name: 'ok', type: 'BOOLEAN', mapping: '2' }] },
  });
  describe('raw', {
    tableName: 'orders_raw', topicName: topics.raw,
    key: { dataFormat: 'raw', fields: [{ name: 'id', type: 'BIGINT', dataFormat: 'LONG', mapping: '0' }] },
    message: { dataFormat: 'raw', fields: [{ name: 'qty', type: 'SMALLINT', dataFormat: 'SHORT', mapping: '0' }, { name: 'price', type: 'DOUBLE', dataFormat: 'DOUBLE', mapping: '2' }, { name: 'code', type: 'VARCHAR(3)', mapping: '10:13' }] },
  });
  describe('avro', {
    tableName: 'orders_avro', topicName: topics.avro,
    message: {
      dataFormat: 'avro',
      dataSchema: { type: 'record', name: 'o', fields: [{ name: 'id', type: 'long' }, { name: 'who', type: ['null', 'string'], default: null }, { name: 'source', type: 'string', default: 'gateway' }] },
      fields: [{ name: 'id', type: 'BIGINT', mapping: 'id' }, { name: 'who', type: 'VARCHAR', mapping: 'who' }, { name: 'source', type: 'VARCHAR', mapping: 'source', hidden: true }],
    },
  });
  const properties = { 'kafka.nodes': TEST_BROKERS, 'kafka.table-description-dir': dir };
  s = openTestSession(new Map([['kafka', kafkaConnectorFactory.create('kafka', properties)]]));
  v = openTestSession(new Map([['kafka', kafkaConnectorFactory.create('kafka', { ...properties, 'kafka.hide-internal-columns': 'false' })]]));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = async (t: TestSession, sql: string) => (await t.query(sql)).rows;
const failure = (t: TestSession, sql: string) => t.query(sql).then(() => undefined, (e: SqlError) => ({ code: e.code, message: e.message }));

describe('kafka: INSERT', () => {
  it('json: one message per row, key and message encoded by the description, read back the same', async () => {
    const r = await s.query(`INSERT INTO kafka.default.orders_json (order_key, id, customer, total, placed, day)
      VALUES (1, 1, 'Ada', 12.5, timestamp '2024-03-01 10:00:00.25', date '2024-03-01'), (2, 2, NULL, NULL, NULL, NULL)`);
    expect(r.tag).toBe('INSERT 0 2');
    expect(await rows(s, 'SELECT order_key, id, customer, total, placed, day FROM kafka.default.orders_json ORDER BY id')).toEqual([
      ['1', '1', 'Ada', '12.5', '2024-03-01 10:00:00.25', '2024-03-01'],
      ['2', '2', null, null, null, null],
    ]);
    expect(await rows(s, 'SELECT _key, _message FROM kafka.default.orders_json ORDER BY id')).toEqual([
      ['{"id":1}', '{"id":1,"customer":{"name":"Ada"},"total":12.5,"placed":"2024-03-01T10:00:00.25","day":"01.03.2024"}'],
      ['{"id":2}', '{"id":2,"customer":{"name":null},"total":null,"placed":null,"day":null}'],
    ]);
  });

  it('csv and raw: rows from a SELECT over another table', async () => {
    expect((await s.query("INSERT INTO kafka.default.orders_csv SELECT id::int, 'row, \"' || customer || '\"', total > 10 FROM kafka.default.orders_json WHERE customer IS NOT NULL")).tag).toBe('INSERT 0 1');
    expect(await rows(s, 'SELECT id, note, ok, _message FROM kafka.default.orders_csv')).toEqual([['1', 'row, "Ada"', 't', '1,"row, ""Ada""",true']]);
    expect((await s.query("INSERT INTO kafka.default.orders_raw VALUES (-5, 300, 2.5, 'abc'), (9007199254740993, -1, -0.125, 'xyz')")).tag).toBe('INSERT 0 2');
    expect(await rows(s, 'SELECT id, qty, price, code, _key_length, _message_length FROM kafka.default.orders_raw ORDER BY _partition_offset')).toEqual([
      ['-5', '300', '2.5', 'abc', '8', '13'],
      ['9007199254740993', '-1', '-0.125', 'xyz', '8', '13'],
    ]);
    expect((await failure(s, "INSERT INTO kafka.default.orders_raw VALUES (1, 1, 1, 'ab')"))?.code).toBe('22026');
  });

  it('avro: an object container per message, unmapped and hidden fields from the schema defaults', async () => {
    expect((await s.query("INSERT INTO kafka.default.orders_avro VALUES (7, 'Bo'), (8, NULL)")).tag).toBe('INSERT 0 2');
    expect(await rows(s, 'SELECT id, who, source, substr(_message, 1, 3) FROM kafka.default.orders_avro ORDER BY id')).toEqual([['7', 'Bo', 'gateway', 'Obj'], ['8', null, 'gateway', 'Obj']]);
    expect(await failure(s, "INSERT INTO kafka.default.orders_avro VALUES (NULL, 'Cy')")).toMatchObject({ code: '23502', message: 'null value in column "id": its Avro type long is not nullable' });
  });

  it('a topic without a description: _key and _message as UTF-8 text, _partition_id and _timestamp chosen by the row', async () => {
    // internal columns take part in INSERT only where they are visible (kafka.hide-internal-columns=false)
    expect((await failure(s, `INSERT INTO kafka.default.${topics.plain} (_key, _message) VALUES ('k', 'v')`))?.code).toBe('42703');
    const table = `kafka.default.${topics.plain}_3`;
    expect((await v.query(`INSERT INTO ${table} (_key, _message, _partition_id, _timestamp) VALUES ('a', 'first', 2, timestamp '2024-01-02 03:04:05.678'), (NULL, 'second', 1, NULL), ('c', NULL, 2, NULL)`)).tag).toBe('INSERT 0 3');
    expect(await rows(v, `SELECT _partition_id, _partition_offset, _key, _message, _timestamp FROM ${table} ORDER BY 1, 2`)).toEqual([
      ['1', '0', null, 'second', expect.any(String)],
      ['2', '0', 'a', 'first', '2024-01-02 03:04:05.678'],
      ['2', '1', 'c', null, expect.any(String)],
    ]);
    expect((await failure(v, `INSERT INTO ${table} (_message, _partition_offset) VALUES ('x', 5)`))).toMatchObject({ code: '0A000', message: 'column "_partition_offset" is set by Kafka and cannot be written' });
    expect((await failure(v, "INSERT INTO kafka.default.orders_csv (id, _message) VALUES (1, 'x')"))?.code).toBe('0A000');
  });

  it('cannot write a listed table whose topic does not exist (42P01)', async () => {
    const missing = openTestSession(new Map([['kafka', kafkaConnectorFactory.create('kafka', { 'kafka.nodes': TEST_BROKERS, 'kafka.table-names': 'not_a_topic', 'kafka.hide-internal-columns': 'false' })]]));
    expect((await failure(missing, "INSERT INTO kafka.default.not_a_topic (_message) VALUES ('x')"))?.code).toBe('42P01');
  });

  it('does not create or drop topics: CREATE / DROP are 0A000', async () => {
    expect(await failure(s, 'CREATE TABLE kafka.default.new_topic (a int)')).toMatchObject({ code: '0A000', message: 'CREATE TABLE is not supported by the kafka connector' });
    expect((await failure(s, 'DROP TABLE kafka.default.orders_csv'))?.code).toBe('0A000');
    const inKafka = openTestSession(new Map([['kafka', kafkaConnectorFactory.create('kafka', { 'kafka.nodes': TEST_BROKERS })]]), 'tester', 'kafka');
    expect((await failure(inKafka, 'CREATE SCHEMA other'))?.code).toBe('0A000');
  });
});
