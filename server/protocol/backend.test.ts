import { describe, expect, it } from 'vitest';
import { BackendWriter } from './backend.js';

const hex = (b: Buffer) => b.toString('hex');
const h = (s: string) => s.replace(/\s+/g, '');

describe('BackendWriter', () => {
  it('writes the startup sequence', () => {
    const w = new BackendWriter().authenticationOk().parameterStatus('a', 'b').backendKeyData(7, -1).readyForQuery('I');
    expect(hex(w.take())).toBe(h('52 00000008 00000000  53 00000008 6100 6200  4b 0000000c 00000007 ffffffff  5a 00000005 49'));
    expect(w.length).toBe(0);
  });

  it('writes RowDescription and DataRow (text, binary, NULL)', () => {
    const w = new BackendWriter()
      .rowDescription([{ name: 'x', tableOid: 0, columnNumber: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 1 }])
      .dataRow(['é', Uint8Array.of(0, 1), null]);
    expect(hex(w.take())).toBe(
      h('54 0000001a 0001 7800 00000000 0000 00000017 0004 ffffffff 0001') + h('44 00000016 0003 00000002 c3a9 00000002 0001 ffffffff'),
    );
  });

  it('writes ErrorResponse with S, V, C, M and the optional fields', () => {
    const w = new BackendWriter().errorResponse({ severity: 'ERROR', code: '42601', message: 'm', hint: 'h', position: 3 });
    const expected = Buffer.from('SERROR\0VERROR\0C42601\0Mm\0Hh\0P3\0\0');
    expect(hex(w.take())).toBe('45' + (expected.length + 4).toString(16).padStart(8, '0') + hex(expected));
  });

  it('writes the extended-protocol and COPY messages', () => {
    const w = new BackendWriter()
      .parseComplete()
      .bindComplete()
      .closeComplete()
      .noData()
      .portalSuspended()
      .emptyQueryResponse()
      .parameterDescription([23, 25])
      .commandComplete('SELECT 1')
      .copyOutResponse(0, [0, 0])
      .copyData('a\tb\n')
      .copyDone()
      .negotiateProtocolVersion(0, ['_pq_.x']);
    expect(hex(w.take())).toBe(
      h('31 00000004  32 00000004  33 00000004  6e 00000004  73 00000004  49 00000004') +
        h('74 0000000e 0002 00000017 00000019') +
        h('43 0000000d 53454c4543542031 00') +
        h('48 0000000b 00 0002 0000 0000') +
        h('64 00000008 6109620a') +
        h('63 00000004') +
        h('76 00000013 00030000 00000001 5f70715f2e7800'),
    );
  });

  it('grows past its initial capacity', () => {
    const big = 'x'.repeat(100_000);
    const out = new BackendWriter().dataRow([big]).take();
    expect(out.length).toBe(1 + 4 + 2 + 4 + 100_000);
    expect(out.readUInt32BE(1)).toBe(out.length - 1);
  });
});
