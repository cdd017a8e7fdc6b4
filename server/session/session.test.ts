import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { T } from '../../engine/types/pg-type.js';
import { silentLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { createFakeEngine, type FakeStatement } from '../testing/fake-engine.js';
import { WireClient, type WireJson } from '../testing/wire-client.js';

const twoColumns = [
  { name: 'n', type: T.int4 },
  { name: 's', type: T.text },
];
const fiveRows = [[1, 'a'], [2, 'b'], [3, null], [4, 'd'], [5, 'e']];
const manyRows = Array.from({ length: 200_000 }, (_, i) => [i, 'x'.repeat(200)]);

const statements: Record<string, FakeStatement> = {
  'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] },
  'select 2': { columns: [{ name: '?column?', type: T.int4 }], rows: [[2]] },
  'select five': { columns: twoColumns, rows: fiveRows },
  'select typed': {
    columns: [
      { name: 'i', type: T.int4 },
      { name: 'b', type: T.int8 },
      { name: 't', type: T.text },
      { name: 'o', type: T.bool },
      { name: 'f', type: T.float8 },
    ],
    rows: [[1, 2n, 'a', true, 1.5]],
  },
  'select $1, $2': {
    columns: [
      { name: 'a', type: T.int4 },
      { name: 'b', type: T.text },
    ],
    paramTypes: [T.int4, T.text],
    rows: (p) => [[p[0], p[1]]],
  },
  'select fail': { columns: twoColumns, rows: fiveRows, failAfterFirstBatch: new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero') },
  'select sleep': { columns: [{ name: 's', type: T.int4 }], blockUntilAborted: true },
  'select many': {
    columns: twoColumns,
    batchRows: 1000,
    rows: manyRows,
  },
  'copy text': {
    columns: twoColumns,
    rows: [[1, 'a\tb\\c\nd'], [2, null]],
    tag: 'COPY 2',
    copyOut: { format: 'text', delimiter: '\t', null: '\\N', header: false, quote: '"', escape: '"', forceQuote: [] },
  },
  'copy csv': {
    columns: twoColumns,
    rows: [[1, 'a,b'], [2, ''], [3, null], [4, 'say "hi"']],
    tag: 'COPY 4',
    copyOut: { format: 'csv', delimiter: ',', null: '', header: true, quote: '"', escape: '"', forceQuote: [] },
  },
};

const engine = createFakeEngine(statements);
let server: RunningServer;
const user = { user: 'alice', database: 'db' };

beforeAll(async () => {
  server = await startServer({ engine, port: 0, log: silentLogger, tls: 'self-signed' });
});
afterAll(async () => {
  await server.close();
});

async function session(): Promise<WireClient> {
  const c = await WireClient.connect(server.port);
  await c.startup(user);
  return c;
}
const types = (ms: WireJson[]) => ms.map((m) => m.Type);
/** A regular message with a correct length word around the given body. */
function frame(type: string, ...body: Buffer[]): Buffer {
  const b = Buffer.concat(body);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(b.length + 4, 1);
  return Buffer.concat([header, b]);
}
/** Waits until the fake session has started executing `sql`. */
const executing = (sql: string) => expect.poll(() => engine.sessions.at(-1)!.executions.includes(sql)).toBe(true);

describe('startup', () => {
  it('answers with AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery', async () => {
    const c = await WireClient.connect(server.port);
    const msgs = await c.startup(user);
    expect(types(msgs)).toEqual(['AuthenticationOk', ...Array(5).fill('ParameterStatus'), 'BackendKeyData', 'ReadyForQuery']);
    expect(msgs.at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'I' });
    c.destroy();
  });

  it('negotiates the protocol version for 3.2 and _pq_ options, then continues', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'StartupMessage', ProtocolVersion: (3 << 16) | 2, Parameters: { ...user, '_pq_.foo': 'x' } });
    const msgs = await c.until('ReadyForQuery');
    expect(msgs[0]).toEqual({ Type: 'NegotiateProtocolVersion', NewestMinorProtocol: 0, UnrecognizedOptions: ['_pq_.foo'] });
    expect(msgs[1]!.Type).toBe('AuthenticationOk');
    c.destroy();
  });

  it('rejects a missing user with FATAL 28000', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'StartupMessage', Parameters: { database: 'x' } });
    expect(await c.untilClosed()).toMatchObject([{ Type: 'ErrorResponse', Severity: 'FATAL', Code: '28000', Message: 'no PostgreSQL user name specified in startup packet' }]);
  });

  it('turns an engine refusal into FATAL after AuthenticationOk', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'StartupMessage', Parameters: { user: 'u', database: 'missing' } });
    expect(await c.untilClosed()).toMatchObject([{ Type: 'AuthenticationOk' }, { Type: 'ErrorResponse', Severity: 'FATAL', Code: '3D000' }]);
  });

  it('passes startup parameters to the engine and defaults the database to the user', async () => {
    const c = await WireClient.connect(server.port);
    await c.startup({ user: 'bob', application_name: 'app' });
    const s = engine.sessions.at(-1)!;
    expect(s.options).toMatchObject({ user: 'bob', database: 'bob', startupParameters: { application_name: 'app' } });
    c.destroy();
  });

  it('cuts user and database names to 63 bytes, as PostgreSQL does, without splitting a character', async () => {
    const c = await WireClient.connect(server.port);
    await c.startup({ user: 'u'.repeat(4_000), database: `${'d'.repeat(62)}é${'x'.repeat(4_000)}` });
    expect(engine.sessions.at(-1)!.options).toMatchObject({ user: 'u'.repeat(63), database: 'd'.repeat(62) });
    c.destroy();
  });

  it('upgrades to TLS on SSLRequest', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'SSLRequest' });
    expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'S' });
    await c.startTls();
    await c.startup(user);
    c.send({ Type: 'Query', String: 'select 1' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    c.destroy();
  });

  it('rejects plaintext sent together with SSLRequest after the handshake (CVE-2021-23214)', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'SSLRequest' }, { Type: 'StartupMessage', Parameters: user });
    expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'S' });
    await c.startTls();
    expect(await c.untilClosed()).toMatchObject([
      { Type: 'ErrorResponse', Severity: 'FATAL', Code: '08P01', Message: 'received unencrypted data after SSL request' },
    ]);
  });

  it('works with node-postgres over TLS and in plain text', async () => {
    for (const ssl of [false, { rejectUnauthorized: false }]) {
      const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'd', ssl });
      await client.connect();
      const r = await client.query('select five');
      expect(r.rows).toEqual([
        { n: 1, s: 'a' }, { n: 2, s: 'b' }, { n: 3, s: null }, { n: 4, s: 'd' }, { n: 5, s: 'e' },
      ]);
      const p = await client.query('select $1, $2', [7, 'x']);
      expect(p.rows).toEqual([{ a: 7, b: 'x' }]);
      await client.end();
    }
  });
});

describe('simple query', () => {
  it('runs several statements with one ReadyForQuery', async () => {
    const c = await session();
    c.send({ Type: 'Query', String: 'select 1; select 2' });
    const msgs = await c.until('ReadyForQuery');
    expect(msgs).toEqual([
      { Type: 'RowDescription', Fields: [{ Name: '?column?', TableOID: 0, TableAttributeNumber: 0, DataTypeOID: 23, DataTypeSize: 4, TypeModifier: -1, Format: 0 }] },
      { Type: 'DataRow', Values: [{ text: '1' }] },
      { Type: 'CommandComplete', CommandTag: 'SELECT 1' },
      { Type: 'RowDescription', Fields: [{ Name: '?column?', TableOID: 0, TableAttributeNumber: 0, DataTypeOID: 23, DataTypeSize: 4, TypeModifier: -1, Format: 0 }] },
      { Type: 'DataRow', Values: [{ text: '2' }] },
      { Type: 'CommandComplete', CommandTag: 'SELECT 1' },
      { Type: 'ReadyForQuery', TxStatus: 'I' },
    ]);
    c.destroy();
  });

  it('answers an empty query with EmptyQueryResponse', async () => {
    const c = await session();
    c.send({ Type: 'Query', String: ' ; ' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['EmptyQueryResponse', 'ReadyForQuery']);
    c.destroy();
  });

  it('stops at the first error, after the rows already sent', async () => {
    const c = await session();
    c.send({ Type: 'Query', String: 'select 1; select fail; select 2' });
    const msgs = await c.until('ReadyForQuery');
    expect(types(msgs)).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'RowDescription', 'DataRow', 'DataRow', 'ErrorResponse', 'ReadyForQuery']);
    expect(msgs[6]).toMatchObject({ Severity: 'ERROR', SeverityUnlocalized: 'ERROR', Code: '22012', Message: 'division by zero' });
    c.destroy();
  });

  it('reports the syntax error position and tracks the transaction status I/T/E', async () => {
    const c = await session();
    c.send({ Type: 'Query', String: 'begin' });
    expect((await c.until('ReadyForQuery')).at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'T' });
    c.send({ Type: 'Query', String: 'syntax error' });
    const err = await c.until('ReadyForQuery');
    expect(err).toMatchObject([{ Type: 'ErrorResponse', Code: '42601', Position: '1' }, { Type: 'ReadyForQuery', TxStatus: 'E' }]);
    c.send({ Type: 'Query', String: 'select 1' });
    expect(await c.until('ReadyForQuery')).toMatchObject([{ Code: '25P02' }, { TxStatus: 'E' }]);
    c.send({ Type: 'Query', String: 'rollback' });
    expect(await c.until('ReadyForQuery')).toEqual([
      { Type: 'CommandComplete', CommandTag: 'ROLLBACK' },
      { Type: 'ReadyForQuery', TxStatus: 'I' },
    ]);
    c.destroy();
  });

  it('rejects invalid UTF-8 with 22021 and trailing garbage with 08P01, and goes on', async () => {
    const c = await session();
    c.send(frame('Q', Buffer.from("select '"), Buffer.of(0xc3, 0x28), Buffer.from("'\0")));
    expect(await c.until('ReadyForQuery')).toMatchObject([
      { Type: 'ErrorResponse', Code: '22021', Message: 'invalid byte sequence for encoding "UTF8": 0xc3 0x28' },
      { TxStatus: 'I' },
    ]);
    c.send(frame('Q', Buffer.from('select 1\0xx\0')));
    expect(await c.until('ReadyForQuery')).toMatchObject([{ Code: '08P01', Message: 'invalid message format' }, { TxStatus: 'I' }]);
    c.send({ Type: 'Query', String: 'select 1' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    c.destroy();
  });

  it('ignores CopyData, CopyDone and CopyFail outside COPY', async () => {
    const c = await session();
    c.send({ Type: 'CopyData', Data: 'x' }, { Type: 'CopyDone' }, { Type: 'CopyFail', Message: 'no' }, { Type: 'Query', String: 'select 1' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    c.destroy();
  });
});

describe('extended protocol', () => {
  it('runs named and unnamed statements and portals with text and binary results', async () => {
    const c = await session();
    c.send(
      { Type: 'Parse', Name: 's1', Query: 'select typed' },
      { Type: 'Bind', DestinationPortal: 'p1', PreparedStatement: 's1', ResultFormatCodes: [1] },
      { Type: 'Describe', ObjectType: 'P', Name: 'p1' },
      { Type: 'Execute', Portal: 'p1' },
      { Type: 'Parse', Query: 'select $1, $2' },
      { Type: 'Describe', ObjectType: 'S', Name: '' },
      { Type: 'Bind', ParameterFormatCodes: [1, 0], Parameters: [{ binary: '0000002a' }, 'hi'], ResultFormatCodes: [0, 1] },
      { Type: 'Execute' },
      { Type: 'Sync' },
    );
    const msgs = await c.until('ReadyForQuery');
    expect(types(msgs)).toEqual([
      'ParseComplete', 'BindComplete', 'RowDescription', 'DataRow', 'CommandComplete',
      'ParseComplete', 'ParameterDescription', 'RowDescription', 'BindComplete', 'DataRow', 'CommandComplete', 'ReadyForQuery',
    ]);
    expect((msgs[2]!.Fields as { Format: number }[]).map((f) => f.Format)).toEqual([1, 1, 1, 1, 1]);
    expect(msgs[3]).toEqual({
      Type: 'DataRow',
      Values: [{ binary: '00000001' }, { binary: '0000000000000002' }, { text: 'a' }, { binary: '01' }, { binary: '3ff8000000000000' }],
    });
    expect(msgs[6]).toEqual({ Type: 'ParameterDescription', ParameterOIDs: [23, 25] });
    expect(msgs[9]).toEqual({ Type: 'DataRow', Values: [{ text: '42' }, { text: 'hi' }] });
    c.destroy();
  });

  it('suspends at the row limit and resumes', async () => {
    const c = await session();
    c.send(
      { Type: 'Parse', Query: 'select five' },
      { Type: 'Bind' },
      { Type: 'Execute', MaxRows: 3 },
      { Type: 'Execute', MaxRows: 1 },
      { Type: 'Execute', MaxRows: 0 },
      { Type: 'Sync' },
    );
    const msgs = await c.until('ReadyForQuery');
    expect(types(msgs)).toEqual([
      'ParseComplete', 'BindComplete', 'DataRow', 'DataRow', 'DataRow', 'PortalSuspended', 'DataRow', 'PortalSuspended', 'DataRow', 'CommandComplete', 'ReadyForQuery',
    ]);
    expect(msgs.filter((m) => m.Type === 'DataRow').map((m) => (m.Values as { text: string }[])[0]!.text)).toEqual(['1', '2', '3', '4', '5']);
    expect(msgs[9]).toEqual({ Type: 'CommandComplete', CommandTag: 'SELECT 1' });
    c.destroy();
  });

  it('skips messages after an error until Sync', async () => {
    const c = await session();
    c.send(
      { Type: 'Parse', Name: 'a', Query: 'select 1' },
      { Type: 'Bind', DestinationPortal: '', PreparedStatement: 'nope' },
      { Type: 'Execute' },
      { Type: 'Parse', Name: 'b', Query: 'select 1' },
      { Type: 'Sync' },
      { Type: 'Describe', ObjectType: 'S', Name: 'b' },
      { Type: 'Sync' },
    );
    const first = await c.until('ReadyForQuery');
    expect(first).toMatchObject([{ Type: 'ParseComplete' }, { Type: 'ErrorResponse', Code: '26000', Message: 'prepared statement "nope" does not exist' }, { Type: 'ReadyForQuery', TxStatus: 'I' }]);
    expect(await c.until('ReadyForQuery')).toMatchObject([{ Code: '26000' }, { Type: 'ReadyForQuery' }]);
    c.destroy();
  });

  it.each([
    ['Describe of an unknown statement', [{ Type: 'Describe', ObjectType: 'S', Name: 'x' }], '26000', 'prepared statement "x" does not exist'],
    ['Describe of an unknown portal', [{ Type: 'Describe', ObjectType: 'P', Name: 'x' }], '34000', 'portal "x" does not exist'],
    ['Execute of an unknown portal', [{ Type: 'Execute', Portal: 'x' }], '34000', 'portal "x" does not exist'],
    ['a duplicate statement', [{ Type: 'Parse', Name: 'd', Query: 'select 1' }, { Type: 'Parse', Name: 'd', Query: 'select 1' }], '42P05', 'prepared statement "d" already exists'],
    ['two commands in one Parse', [{ Type: 'Parse', Query: 'select 1; select 2' }], '42601', 'cannot insert multiple commands into a prepared statement'],
    ['a parameter count mismatch', [{ Type: 'Parse', Query: 'select $1, $2' }, { Type: 'Bind', Parameters: ['1'] }], '08P01', 'bind message supplies 1 parameters, but prepared statement "" requires 2'],
    ['a bad format code', [{ Type: 'Parse', Query: 'select 1' }, { Type: 'Bind', ResultFormatCodes: [7] }], '22023', 'unsupported format code: 7'],
    ['a result format count mismatch', [{ Type: 'Parse', Query: 'select 1' }, { Type: 'Bind', ResultFormatCodes: [0, 0] }], '08P01', 'bind message has 2 result formats but query has 1 columns'],
    ['a malformed Bind', [{ Type: 'Raw', Hex: '42 0000000e 0000 0000 0001 fffffffe' }], '08P01', 'insufficient data left in message'],
  ] as [string, WireJson[], string, string][])('reports %s and stays usable', async (_, messages, code, message) => {
    const c = await session();
    c.send(...messages, { Type: 'Sync' });
    const msgs = await c.until('ReadyForQuery');
    expect(msgs.find((m) => m.Type === 'ErrorResponse')).toMatchObject({ Severity: 'ERROR', Code: code, Message: message });
    c.send({ Type: 'Query', String: 'select 1' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    c.destroy();
  });

  it('handles Close and Flush', async () => {
    const c = await session();
    c.send({ Type: 'Parse', Name: 'x', Query: 'select 1' }, { Type: 'Close', ObjectType: 'S', Name: 'x' }, { Type: 'Close', ObjectType: 'P', Name: 'none' }, { Type: 'Flush' });
    expect(types([(await c.receive())!, (await c.receive())!, (await c.receive())!])).toEqual(['ParseComplete', 'CloseComplete', 'CloseComplete']);
    c.send({ Type: 'Describe', ObjectType: 'S', Name: 'x' }, { Type: 'Sync' });
    expect(await c.until('ReadyForQuery')).toMatchObject([{ Code: '26000' }, { TxStatus: 'I' }]);
    c.destroy();
  });
});

describe('COPY TO STDOUT', () => {
  it('writes the text format with escapes', async () => {
    const c = await session();
    c.send({ Type: 'Query', String: 'copy text' });
    expect(await c.until('ReadyForQuery')).toEqual([
      { Type: 'CopyOutResponse', OverallFormat: 0, ColumnFormatCodes: [0, 0] },
      { Type: 'CopyData', Data: '1\ta\\tb\\\\c\\nd\n' },
      { Type: 'CopyData', Data: '2\t\\N\n' },
      { Type: 'CopyDone' },
      { Type: 'CommandComplete', CommandTag: 'COPY 2' },
      { Type: 'ReadyForQuery', TxStatus: 'I' },
    ]);
    c.destroy();
  });

  it('writes CSV with a header and quoting', async () => {
    const c = await session();
    c.send({ Type: 'Query', String: 'copy csv' });
    const data = (await c.until('ReadyForQuery')).filter((m) => m.Type === 'CopyData').map((m) => m.Data);
    expect(data).toEqual(['n,s\n', '1,"a,b"\n', '2,""\n', '3,\n', '4,"say ""hi"""\n']);
    c.destroy();
  });
});

describe('cancel, disconnect, backpressure, shutdown', () => {
  it('cancels the running statement of the session whose key matches', async () => {
    const c = await WireClient.connect(server.port);
    const startup = await c.startup(user);
    const key = startup.find((m) => m.Type === 'BackendKeyData')!;
    c.send({ Type: 'Query', String: 'select sleep' });
    await executing('select sleep');
    const wrong = await WireClient.connect(server.port);
    wrong.send({ Type: 'CancelRequest', ProcessID: key.ProcessID, SecretKey: (key.SecretKey as number) ^ 1 });
    expect(await wrong.untilClosed()).toEqual([]);
    const cancel = await WireClient.connect(server.port);
    cancel.send({ Type: 'CancelRequest', ProcessID: key.ProcessID, SecretKey: key.SecretKey });
    expect(await cancel.untilClosed()).toEqual([]);
    expect(await c.until('ReadyForQuery')).toMatchObject([
      { Type: 'RowDescription' },
      { Type: 'ErrorResponse', Code: '57014', Message: 'canceling statement due to user request' },
      { Type: 'ReadyForQuery', TxStatus: 'I' },
    ]);
    c.destroy();
  });

  it('aborts the running statement and closes the session when the client disconnects', async () => {
    const c = await session();
    const s = engine.sessions.at(-1)!;
    c.send({ Type: 'Query', String: 'select sleep' });
    await executing('select sleep');
    c.destroy();
    await expect.poll(() => s.closed).toBe(true);
  });

  it('stops pulling batches while the client does not read', async () => {
    const c = await session();
    const s = engine.sessions.at(-1)!;
    c.pause();
    c.send({ Type: 'Query', String: 'select many' });
    await new Promise((r) => setTimeout(r, 500));
    expect(s.batchesPulled).toBeGreaterThan(0);
    expect(s.batchesPulled).toBeLessThan(manyRows.length / 1000 / 2);
    c.resume();
    const msgs = await c.until('ReadyForQuery', 30_000);
    expect(msgs.length).toBe(1 + manyRows.length + 2);
    expect(s.batchesPulled).toBe(manyRows.length / 1000);
    c.destroy();
  });

  it('serves the health endpoint and shuts down with 57P03 / 57P01', async () => {
    const own = await startServer({ engine, port: 0, httpPort: 0, log: silentLogger, shutdownGraceMs: 300 });
    expect(own.httpPort).toBeNull();
    const withHttp = await startServer({ engine, port: 0, httpPort: 17081, log: silentLogger, shutdownGraceMs: 300 });
    const res = await fetch(`http://127.0.0.1:${withHttp.httpPort}/health`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
    const idle = await WireClient.connect(withHttp.port);
    await idle.startup(user);
    const closing = withHttp.close();
    const late = await WireClient.connect(withHttp.port);
    late.send({ Type: 'StartupMessage', Parameters: user });
    expect(await late.untilClosed()).toMatchObject([{ Type: 'ErrorResponse', Severity: 'FATAL', Code: '57P03', Message: 'the database system is shutting down' }]);
    expect(await idle.untilClosed()).toMatchObject([{ Type: 'ErrorResponse', Severity: 'FATAL', Code: '57P01', Message: 'terminating connection due to administrator command' }]);
    await closing;
    await own.close();
  });
});
