// The row codecs and table description files on their own (no broker).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../engine/errors/index.js';
import { createCodec, type FieldSpec } from './codecs/index.js';
import { parseCsvLine } from './codecs/csv.js';
import { parseDescription } from './descriptions.js';
import { declaredType } from './types.js';

const field = (name: string, type: string, more: Partial<FieldSpec> = {}): FieldSpec => ({ name, ...declaredType(type), ...more });
const bytes = (s: string) => new TextEncoder().encode(s);
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as SqlError).code;
  }
};

describe('kafka: types', () => {
  it('maps Trino type names onto PostgreSQL types, and takes PostgreSQL names too', () => {
    const name = (t: string) => declaredType(t).type.name;
    expect(['BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'DOUBLE', 'REAL', 'BOOLEAN', 'VARCHAR', 'VARBINARY', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE'].map(name))
      .toEqual(['int8', 'int4', 'int2', 'int2', 'float8', 'float4', 'bool', 'text', 'bytea', 'date', 'time', 'timestamp', 'timestamptz']);
    expect(declaredType('varchar(6)').type).toMatchObject({ name: 'varchar', typmod: 10 });
    expect(declaredType('TIMESTAMP(3) WITH TIME ZONE').type).toMatchObject({ name: 'timestamptz', typmod: 3 });
    expect(declaredType('TINYINT').tinyint).toBe(true);
    expect(name('double precision')).toBe('float8');
    expect(codeOf(() => declaredType('MAP(VARCHAR, BIGINT)'))).toBe('F0000');
  });
});

describe('kafka: raw format', () => {
  const codec = createCodec({
    dataFormat: 'raw',
    fields: [
      field('id', 'BIGINT', { dataFormat: 'LONG', mapping: '0' }),
      field('qty', 'INTEGER', { dataFormat: 'INT', mapping: '8' }),
      field('small', 'SMALLINT', { dataFormat: 'SHORT', mapping: '12' }),
      field('tiny', 'TINYINT', { dataFormat: 'BYTE', mapping: '14' }),
      field('flag', 'BOOLEAN', { dataFormat: 'BYTE', mapping: '15' }),
      field('price', 'DOUBLE', { dataFormat: 'DOUBLE', mapping: '16:24' }),
      field('ratio', 'REAL', { dataFormat: 'FLOAT', mapping: '24' }),
      field('code', 'VARCHAR(4)', { mapping: '28:32' }),
    ],
  });

  it('reads big-endian numbers and text at byte offsets, and writes them back', () => {
    const values = [9007199254740993n, -5, 300, -7, true, 2.5, 0.5, 'abcd'];
    const encoded = codec.encode(values);
    expect(encoded.length).toBe(32);
    expect(new DataView(encoded.buffer).getBigInt64(0)).toBe(9007199254740993n);
    expect(codec.decode(encoded)).toEqual(values);
  });

  it('fails with 22P02 on a message shorter than a field, with 22026 on text of another width', () => {
    expect(codeOf(() => codec.decode(new Uint8Array(10)))).toBe('22P02');
    expect(codeOf(() => codec.encode([1n, 1, 1, 1, true, 1, 1, 'abc']))).toBe('22026');
    expect(codeOf(() => codec.encode([1n, 1, 1, 1000, true, 1, 1, 'abcd']))).toBe('22003');
    expect(codeOf(() => codec.encode([null, 1, 1, 1, true, 1, 1, 'abcd']))).toBe('22004');
  });

  it('reads text to the end of the message, and an empty range as NULL', () => {
    const rest = createCodec({ dataFormat: 'raw', fields: [field('head', 'TINYINT'), field('tail', 'VARCHAR', { mapping: '1' })] });
    expect(rest.decode(bytes('\u0005hello'))).toEqual([5, 'hello']);
    expect(rest.decode(bytes('\u0005'))).toEqual([5, null]);
  });

  it('rejects dataFormats that do not suit the type (F0000)', () => {
    expect(codeOf(() => createCodec({ dataFormat: 'raw', fields: [field('x', 'INTEGER', { dataFormat: 'LONG' })] }))).toBe('F0000');
    expect(codeOf(() => createCodec({ dataFormat: 'raw', fields: [field('x', 'BIGINT', { dataFormat: 'LONG', mapping: '0:4' })] }))).toBe('F0000');
    expect(codeOf(() => createCodec({ dataFormat: 'raw', fields: [field('x', 'DATE')] }))).toBe('F0000');
  });
});

describe('kafka: csv format', () => {
  const codec = createCodec({
    dataFormat: 'csv',
    fields: [field('id', 'BIGINT', { mapping: '0' }), field('name', 'VARCHAR', { mapping: '1' }), field('ok', 'BOOLEAN', { mapping: '2' }), field('score', 'DOUBLE', { mapping: '3' }), field('extra', 'INTEGER', { mapping: '7' })],
  });

  it('parses RFC 4180 lines', () => {
    expect(parseCsvLine('a,"b,c","d ""e""",\n')).toEqual(['a', 'b,c', 'd "e"', '']);
    expect(parseCsvLine('"open')).toBeUndefined();
    expect(parseCsvLine('"a"b')).toBeUndefined();
  });

  it('reads fields by index: empty or missing values are NULL, booleans are "true" or not', () => {
    expect(codec.decode(bytes(' 42 ,"Smith, J",TRUE,1.5e2'))).toEqual([42n, 'Smith, J', true, 150, null]);
    expect(codec.decode(bytes(',x,no,'))).toEqual([null, 'x', false, null, null]);
    expect(codec.decode(bytes('"unterminated'))).toBeUndefined();
    expect(codeOf(() => codec.decode(bytes('4x,a,true,1')))).toBe('22P02');
  });

  it('writes a line with quotes only where needed', () => {
    expect(new TextDecoder().decode(codec.encode([7n, 'a "b", c', false, 0.25, null]))).toBe('7,"a ""b"", c",false,0.25,,,,');
    expect(codec.decode(codec.encode([7n, 'a "b", c', false, 0.25, 3]))).toEqual([7n, 'a "b", c', false, 0.25, 3]);
  });
});

describe('kafka: json format', () => {
  const codec = createCodec({
    dataFormat: 'json',
    fields: [
      field('id', 'BIGINT', { mapping: 'id' }),
      field('city', 'VARCHAR', { mapping: 'customer/address/city' }),
      field('first_sku', 'VARCHAR', { mapping: 'items/0/sku' }),
      field('total', 'DOUBLE', { mapping: 'total' }),
      field('paid', 'BOOLEAN', { mapping: 'paid' }),
      field('tags', 'VARCHAR', { mapping: 'tags' }),
      field('at', 'TIMESTAMP', { mapping: 'at', dataFormat: 'iso8601' }),
    ],
  });

  it('reads values at slash paths; 64-bit integers stay exact; objects read as their JSON text', () => {
    const doc = '{"id": 9223372036854775807, "customer": {"address": {"city": "Oslo"}}, "items": [{"sku": "A1"}], "total": "12.5", "paid": 1, "tags": ["x", {"y": 2}], "at": "2024-03-01T10:15:30.250+02:00"}';
    expect(codec.decode(bytes(doc))).toEqual([9223372036854775807n, 'Oslo', 'A1', 12.5, true, '["x",{"y":2}]', 1709288130250000n]);
  });

  it('reads a missing path or null as NULL, bytes that are not JSON as a corrupt row, a wrong value as 22P02', () => {
    expect(codec.decode(bytes('{"id": null}'))).toEqual([null, null, null, null, null, null, null]);
    expect(codec.decode(bytes('{"id": 1'))).toBeUndefined();
    expect(codeOf(() => codec.decode(bytes('{"id": "abc"}')))).toBe('22P02');
    expect(codeOf(() => codec.decode(bytes('{"id": 1.5}')))).toBe('22P02');
    expect(codeOf(() => codec.decode(bytes('{"total": {"a": 1}}')))).toBe('22P02');
  });

  it('writes nested objects at the paths and reads them back', () => {
    const values = [-12n, 'Bergen', 'B2', 3.25, false, 'plain', 1700000000123000n];
    const text = new TextDecoder().decode(codec.encode(values));
    expect(JSON.parse(text)).toMatchObject({ id: -12, customer: { address: { city: 'Bergen' } }, total: 3.25, at: '2023-11-14T22:13:20.123' });
    const reread = codec.decode(bytes(text))!;
    expect(reread.filter((_, i) => i !== 2)).toEqual(values.filter((_, i) => i !== 2));
  });

  it('reads and writes every date and time format', () => {
    const time = (type: string, dataFormat: string, formatHint?: string) => createCodec({
      dataFormat: 'json', fields: [field('v', type, { mapping: 'v', dataFormat, ...(formatHint ? { formatHint } : {}) })],
    });
    const read = (type: string, dataFormat: string, v: unknown, hint?: string) => time(type, dataFormat, hint).decode(bytes(JSON.stringify({ v })))![0];
    expect(read('DATE', 'iso8601', '2024-02-29')).toBe(19782);
    expect(read('TIME', 'iso8601', '10:15:30.5')).toBe(36930500000n);
    expect(read('TIME', 'milliseconds-since-epoch', 1500)).toBe(1500000n);
    expect(read('TIMESTAMP', 'seconds-since-epoch', '86400')).toBe(86400000000n);
    expect(read('TIMESTAMP WITH TIME ZONE', 'iso8601', '1970-01-01T02:00:00+02:00')).toBe(0n);
    expect(read('TIMESTAMP', 'rfc2822', 'Thu Jan 01 01:00:00 +0100 1970')).toBe(0n);
    expect(read('TIMESTAMP', 'custom-date-time', '15/07/2020 13:45', 'dd/MM/yyyy HH:mm')).toBe(1594820700000000n);
    expect(read('DATE', 'custom-date-time', 'Jul 15, 2020', 'MMM dd, yyyy')).toBe(18458);
    expect(codeOf(() => read('TIMESTAMP WITH TIME ZONE', 'iso8601', '2020-01-01T00:00:00'))).toBe('22P02');
    expect(codeOf(() => read('DATE', 'iso8601', '2021-02-29'))).toBe('22P02');
    const written = (type: string, dataFormat: string, datum: unknown, hint?: string) => JSON.parse(new TextDecoder().decode(time(type, dataFormat, hint).encode([datum]))).v;
    expect(written('TIMESTAMP', 'rfc2822', 1594820700000000n)).toBe('Wed Jul 15 13:45:00 +0000 2020');
    expect(written('TIMESTAMP', 'custom-date-time', 1594820700000000n, "yyyy-MM-dd'T'hh:mm a")).toBe('2020-07-15T01:45 PM');
    expect(written('TIMESTAMP', 'milliseconds-since-epoch', 1594820700000000n)).toBe(1594820700000);
    expect(written('DATE', 'iso8601', 18458)).toBe('2020-07-15');
  });

  it('rejects a date or time column without a dataFormat, and formats on other types (F0000)', () => {
    expect(codeOf(() => createCodec({ dataFormat: 'json', fields: [field('d', 'DATE', { mapping: 'd' })] }))).toBe('F0000');
    expect(codeOf(() => createCodec({ dataFormat: 'json', fields: [field('d', 'BIGINT', { mapping: 'd', dataFormat: 'iso8601' })] }))).toBe('F0000');
    expect(codeOf(() => createCodec({ dataFormat: 'json', fields: [field('d', 'DATE', { mapping: 'd', dataFormat: 'rfc2822' })] }))).toBe('F0000');
    expect(codeOf(() => createCodec({ dataFormat: 'json', fields: [field('d', 'DATE', { mapping: 'd', dataFormat: 'custom-date-time', formatHint: 'yyyy-ww' })] }))).toBe('F0000');
  });
});

describe('kafka: avro format', () => {
  const schema = {
    type: 'record', name: 'order', fields: [
      { name: 'id', type: 'long' },
      { name: 'customer', type: { type: 'record', name: 'customer', fields: [{ name: 'name', type: 'string' }, { name: 'vip', type: 'boolean', default: false }] } },
      { name: 'total', type: ['null', 'double'], default: null },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'blob', type: 'bytes', default: '' },
    ],
  };
  const codec = createCodec({
    dataFormat: 'avro', schema: JSON.stringify(schema),
    fields: [field('id', 'BIGINT', { mapping: 'id' }), field('name', 'VARCHAR', { mapping: 'customer/name' }), field('total', 'DOUBLE', { mapping: 'total' }), field('missing', 'BIGINT', { mapping: 'nope' })],
  });

  const writer = createCodec({
    dataFormat: 'avro', schema: JSON.stringify(schema),
    fields: [field('id', 'BIGINT', { mapping: 'id' }), field('name', 'VARCHAR', { mapping: 'customer/name' }), field('total', 'DOUBLE', { mapping: 'total' })],
  });

  it('writes an object container with the schema and reads it back; fields it does not map get their defaults', () => {
    const encoded = writer.encode([9007199254740993n, 'Ada', 12.5]);
    expect([...encoded.subarray(0, 4)]).toEqual([0x4f, 0x62, 0x6a, 0x01]);
    expect(codec.decode(encoded)).toEqual([9007199254740993n, 'Ada', 12.5, null]);
    expect(codeOf(() => codec.encode([1n, 'Ada', 12.5, 5n]))).toBe('F0000');
    // an integer column of another width writes into a long
    const narrow = createCodec({ dataFormat: 'avro', schema: JSON.stringify(schema), fields: [field('id', 'INTEGER', { mapping: 'id' }), field('name', 'VARCHAR', { mapping: 'customer/name' })] });
    expect(codec.decode(narrow.encode([5, 'Ed']))).toEqual([5n, 'Ed', null, null]);
  });

  it('reads bare binary records in the reader schema, and containers written with an older schema', () => {
    const type = avsc.Type.forSchema(schema as avsc.Schema, { wrapUnions: false });
    const bare = type.toBuffer({ id: 7, customer: { name: 'Bo', vip: true }, total: null, note: 'n', blob: Buffer.from('x') });
    expect(codec.decode(bare)).toEqual([7n, 'Bo', null, null]);
    const old = { type: 'record', name: 'order', fields: [{ name: 'id', type: 'long' }, { name: 'customer', type: { type: 'record', name: 'customer', fields: [{ name: 'name', type: 'string' }] } }] };
    const chunks: Buffer[] = [];
    const encoder = new avsc.streams.BlockEncoder(avsc.Type.forSchema(old as avsc.Schema));
    encoder.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((resolve) => encoder.on('end', resolve));
    encoder.end({ id: 3, customer: { name: 'Cy' } });
    return ended.then(() => expect(codec.decode(Buffer.concat(chunks))).toEqual([3n, 'Cy', null, null]));
  });

  it('marks bytes that are not Avro as a corrupt row, and fails with 22P02 on another Avro type', () => {
    expect(codec.decode(bytes('\u0001'))).toBeUndefined();
    const wrong = createCodec({ dataFormat: 'avro', schema: JSON.stringify(schema), fields: [field('n', 'BIGINT', { mapping: 'customer/name' })] });
    expect(codeOf(() => wrong.decode(writer.encode([1n, 'Al', null])))).toBe('22P02');
  });
});

describe('kafka: table description files', () => {
  it('reads a Trino description, with the Avro schema from a file next to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-desc-'));
    writeFileSync(join(dir, 'order.avsc'), JSON.stringify({ type: 'record', name: 'o', fields: [{ name: 'id', type: 'long' }] }));
    const file = join(dir, 'orders.json');
    const d = await parseDescription(file, JSON.stringify({
      tableName: 'orders', topicName: 'orders.v1',
      key: { dataFormat: 'raw', fields: [{ name: 'kid', type: 'BIGINT', dataFormat: 'LONG', hidden: 'true' }] },
      message: { dataFormat: 'avro', dataSchema: 'order.avsc', fields: [{ name: 'id', type: 'BIGINT', mapping: 'id', comment: 'the id' }] },
    }), 'default');
    expect(d).toMatchObject({ schema: 'default', table: 'orders', topic: 'orders.v1', key: { dataFormat: 'raw', fields: [{ name: 'kid', hidden: true }] } });
    expect(JSON.parse(d.message!.schema!)).toMatchObject({ name: 'o' });
  });

  it('fails with F0000 naming the file and the problem', async () => {
    const bad = async (doc: unknown) => parseDescription('/x/t.json', JSON.stringify(doc), 'default').then(() => undefined, (e: SqlError) => `${e.code} ${e.message}`);
    expect(await bad({ topicName: 't' })).toMatch(/^F0000 invalid Kafka table description \/x\/t.json: tableName is required/);
    expect(await bad({ tableName: 't', topicName: 't', message: { dataFormat: 'xml', fields: [] } })).toMatch(/^F0000 .*dataFormat "xml"/);
    expect(await bad({ tableName: 't', topicName: 't', message: { dataFormat: 'json', fields: [{ name: '_key', type: 'VARCHAR', mapping: 'k' }] } })).toMatch(/internal column/);
    expect(await bad({ tableName: 't', topicName: 't', message: { dataFormat: 'csv', fields: [{ name: 'a', type: 'VARCHAR' }] } })).toMatch(/message: column "a": the csv format needs a mapping/);
    expect(await bad({ tableName: 't', topicName: 't', message: { dataFormat: 'avro', fields: [] } })).toMatch(/needs a dataSchema/);
  });
});
