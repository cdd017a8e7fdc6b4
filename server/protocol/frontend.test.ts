import { describe, expect, it } from 'vitest';
import { SqlError } from '../../engine/errors/index.js';
import { ConnectionFatal } from './errors.js';
import { decodeMessage, decodeStartupPacket } from './frontend.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function thrown(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error('expected a SqlError');
}

describe('decodeStartupPacket', () => {
  it('decodes a StartupMessage (protocol 3.0, user, database)', () => {
    // 00030000 "user\0bob\0database\0db\0\0"
    const body = hex('00030000 7573657200 626f6200 646174616261736500 646200 00');
    expect(decodeStartupPacket(body)).toEqual({
      kind: 'StartupMessage',
      minor: 0,
      parameters: new Map([['user', 'bob'], ['database', 'db']]),
      protocolOptions: [],
    });
  });

  it('separates _pq_ options and keeps the minor version', () => {
    const body = Buffer.concat([hex('00030002'), Buffer.from('user\0u\0_pq_.foo\0x\0\0')]);
    const p = decodeStartupPacket(body);
    expect(p).toMatchObject({ kind: 'StartupMessage', minor: 2, protocolOptions: ['_pq_.foo'] });
  });

  it('decodes SSLRequest, GSSENCRequest and CancelRequest', () => {
    expect(decodeStartupPacket(hex('04d2162f'))).toEqual({ kind: 'SSLRequest' });
    expect(decodeStartupPacket(hex('04d21630'))).toEqual({ kind: 'GSSENCRequest' });
    expect(decodeStartupPacket(hex('04d2162e 0000007b fffffffe'))).toEqual({ kind: 'CancelRequest', processId: 123, secretKey: -2 });
  });

  it('closes silently on a CancelRequest of the wrong length', () => {
    const e = thrown(() => decodeStartupPacket(hex('04d2162e 0000007b')));
    expect(e).toBeInstanceOf(ConnectionFatal);
    expect((e as ConnectionFatal).silent).toBe(true);
  });

  it.each([
    ['00020000', '2.0'],
    ['00040000', '4.0'],
  ])('rejects protocol %s with FATAL 0A000', (code, v) => {
    const e = thrown(() => decodeStartupPacket(Buffer.concat([hex(code), Buffer.from('user\0u\0\0')])));
    expect(e.code).toBe('0A000');
    expect(e.severity).toBe('FATAL');
    expect(e.message).toBe(`unsupported frontend protocol ${v}: server supports 3.0 to 3.0`);
  });

  it.each([
    ['no final terminator', 'user\0u\0'],
    ['terminator before the end', 'user\0u\0\0x'],
    ['missing value', 'user\0'],
  ])('rejects a bad layout (%s)', (_, params) => {
    const e = thrown(() => decodeStartupPacket(Buffer.concat([hex('00030000'), Buffer.from(params)])));
    expect(e.code).toBe('08P01');
    expect(e.message).toBe('invalid startup packet layout: expected terminator as last byte');
  });
});

describe('decodeMessage', () => {
  const Q = 0x51;
  it('decodes Query', () => {
    expect(decodeMessage({ code: Q, body: Buffer.from('select 1\0') })).toEqual({ type: 'Query', sql: 'select 1' });
  });

  it('rejects an embedded NUL / trailing garbage with "invalid message format"', () => {
    const e = thrown(() => decodeMessage({ code: Q, body: Buffer.from('select 1\0x\0') }));
    expect([e.code, e.message, e.severity]).toEqual(['08P01', 'invalid message format', 'ERROR']);
  });

  it('rejects a Query without terminator', () => {
    expect(thrown(() => decodeMessage({ code: Q, body: Buffer.from('select 1') })).message).toBe('invalid string in message');
  });

  it('rejects invalid UTF-8 with 22021 naming the bytes as PostgreSQL does', () => {
    const e = thrown(() => decodeMessage({ code: Q, body: Buffer.concat([Buffer.from("select '"), hex('c328'), Buffer.from("'\0")]) }));
    expect([e.code, e.message]).toEqual(['22021', 'invalid byte sequence for encoding "UTF8": 0xc3 0x28']);
    expect(thrown(() => decodeMessage({ code: Q, body: hex('ff00') })).message).toBe('invalid byte sequence for encoding "UTF8": 0xff');
    expect(thrown(() => decodeMessage({ code: Q, body: hex('eda080 00') })).message).toBe('invalid byte sequence for encoding "UTF8": 0xed 0xa0 0x80');
  });

  it('decodes Parse with parameter types', () => {
    const body = Buffer.concat([Buffer.from('s1\0select $1\0'), hex('0001 00000017')]);
    expect(decodeMessage({ code: 0x50, body })).toEqual({ type: 'Parse', name: 's1', sql: 'select $1', paramTypeOids: [23] });
  });

  it('decodes Bind with formats, a NULL and a value', () => {
    const body = Buffer.concat([Buffer.from('p\0s\0'), hex('0001 0001  0002 ffffffff 00000002 3432  0001 0001')]);
    expect(decodeMessage({ code: 0x42, body })).toEqual({
      type: 'Bind',
      portal: 'p',
      statement: 's',
      paramFormats: [1],
      params: [null, Buffer.from('42')],
      resultFormats: [1],
    });
  });

  it.each([
    ['a parameter length of -2', '0000 0001 fffffffe 0000'],
    ['a parameter longer than the message', '0000 0001 00001000 41 0000'],
    ['a count larger than the message', '0000 ffff 0000'],
    ['a missing result-format count', '0000 0000'],
  ])('rejects a Bind with %s as 08P01', (_, tail) => {
    const e = thrown(() => decodeMessage({ code: 0x42, body: Buffer.concat([Buffer.from('\0\0'), hex(tail)]) }));
    expect([e.code, e.message, e.severity]).toEqual(['08P01', 'insufficient data left in message', 'ERROR']);
  });

  it('decodes Describe, Execute, Close, Sync', () => {
    expect(decodeMessage({ code: 0x44, body: Buffer.from('Sname\0') })).toEqual({ type: 'Describe', target: 'S', name: 'name' });
    expect(decodeMessage({ code: 0x45, body: Buffer.concat([Buffer.from('\0'), hex('00000002')]) })).toEqual({ type: 'Execute', portal: '', maxRows: 2 });
    expect(decodeMessage({ code: 0x43, body: Buffer.from('P\0') })).toEqual({ type: 'Close', target: 'P', name: '' });
    expect(decodeMessage({ code: 0x53, body: Buffer.alloc(0) })).toEqual({ type: 'Sync' });
  });

  it('rejects an unknown Describe subtype', () => {
    expect(thrown(() => decodeMessage({ code: 0x44, body: Buffer.from('Xa\0') })).message).toBe('invalid DESCRIBE message subtype 88');
  });
});
