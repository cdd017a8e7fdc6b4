import { describe, expect, it } from 'vitest';
import { ConnectionFatal } from './errors.js';
import { FrameReader, MAX_STARTUP_PACKET_BODY } from './frame-reader.js';

const limits = { maxMessageBytes: 1024 };
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const message = (code: string, body: Buffer | string = '') => {
  const b = Buffer.from(body);
  return Buffer.concat([Buffer.from(code), u32(b.length + 4), b]);
};

function fatal(fn: () => unknown): ConnectionFatal {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConnectionFatal) return err;
    throw err;
  }
  throw new Error('expected a ConnectionFatal');
}

describe('FrameReader startup packets', () => {
  it('returns the body once the whole packet arrived, across chunks', () => {
    const r = new FrameReader(limits);
    const packet = Buffer.concat([u32(8), u32(80877103)]);
    r.push(packet.subarray(0, 3));
    expect(r.nextStartupPacket()).toBeNull();
    r.push(packet.subarray(3, 6));
    expect(r.nextStartupPacket()).toBeNull();
    r.push(packet.subarray(6));
    expect(r.nextStartupPacket()).toEqual(u32(80877103));
    expect(r.bufferedBytes).toBe(0);
  });

  it.each([0x7fffffff, 0xffffffff, 4, 5, 7, MAX_STARTUP_PACKET_BODY + 5])('rejects length word %d silently', (len) => {
    const r = new FrameReader(limits);
    r.push(u32(len));
    const e = fatal(() => r.nextStartupPacket());
    expect(e.code).toBe('08P01');
    expect(e.silent).toBe(true);
  });

  it('accepts a 10 000-byte body', () => {
    const r = new FrameReader(limits);
    r.push(Buffer.concat([u32(MAX_STARTUP_PACKET_BODY + 4), Buffer.alloc(MAX_STARTUP_PACKET_BODY)]));
    expect(r.nextStartupPacket()?.length).toBe(MAX_STARTUP_PACKET_BODY);
  });
});

describe('FrameReader messages', () => {
  it('splits pipelined messages and merges partial frames', () => {
    const r = new FrameReader(limits);
    const bytes = Buffer.concat([message('Q', 'select 1\0'), message('S'), message('X')]);
    for (const b of bytes) r.push(Buffer.of(b));
    expect(r.nextMessage()).toEqual({ code: 0x51, body: Buffer.from('select 1\0') });
    expect(r.nextMessage()).toEqual({ code: 0x53, body: Buffer.alloc(0) });
    expect(r.nextMessage()).toEqual({ code: 0x58, body: Buffer.alloc(0) });
    expect(r.nextMessage()).toBeNull();
  });

  it('rejects an unknown type before reading a length', () => {
    const r = new FrameReader(limits);
    r.push(Buffer.from('z'));
    const e = fatal(() => r.nextMessage());
    expect(e.message).toBe('invalid frontend message type 122');
    expect(e.silent).toBe(false);
  });

  it('rejects a length below 4', () => {
    const r = new FrameReader(limits);
    r.push(Buffer.concat([Buffer.from('S'), u32(3)]));
    expect(fatal(() => r.nextMessage()).message).toBe('invalid message length');
  });

  it('rejects a small message over 10 000 bytes without waiting for the body', () => {
    const r = new FrameReader(limits);
    r.push(Buffer.concat([Buffer.from('S'), u32(10_001)]));
    expect(fatal(() => r.nextMessage()).silent).toBe(true);
  });

  it('rejects a Query over the configured maximum and tells the client', () => {
    const r = new FrameReader(limits);
    r.push(Buffer.concat([Buffer.from('Q'), u32(0x40000000)]));
    const e = fatal(() => r.nextMessage());
    expect(e.silent).toBe(false);
    expect(e.message).toBe('message of 1073741824 bytes exceeds the maximum of 1024 bytes');
  });

  it('holds only the bytes that arrived for a large declared length', () => {
    const r = new FrameReader({ maxMessageBytes: 1 << 30 });
    r.push(Buffer.concat([Buffer.from('Q'), u32(1 << 29), Buffer.alloc(100)]));
    expect(r.nextMessage()).toBeNull();
    expect(r.bufferedBytes).toBe(105);
  });
});

describe('direct TLS peek', () => {
  it('shows the first byte without consuming it, then hands over every buffered byte', () => {
    const r = new FrameReader(limits);
    expect(r.firstByte()).toBeNull();
    r.push(Buffer.of(0x16, 3, 1));
    r.push(Buffer.of(0, 5));
    expect(r.firstByte()).toBe(0x16);
    expect(r.bufferedBytes).toBe(5);
    expect([...r.takeAll()]).toEqual([0x16, 3, 1, 0, 5]);
    expect(r.bufferedBytes).toBe(0);
    expect(r.firstByte()).toBeNull();
  });
});
