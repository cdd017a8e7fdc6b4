/**
 * Direct TLS as PostgreSQL 17 does it (CHECKLIST-reliability.md b.1 items 9–11): a client may
 * open with a TLS handshake instead of SSLRequest; it must negotiate ALPN `postgresql`, and the
 * startup packet follows inside TLS. SSLRequest keeps working alongside.
 */
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../../engine/types/pg-type.js';
import type { Logger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { createFakeEngine } from '../testing/fake-engine.js';
import { encodeFrontend, WireClient, type WireJson } from '../testing/wire-client.js';

const engine = () => createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
const logged: string[] = [];
const log: Logger = { info: () => {}, warn: (m) => logged.push(m) };
const user = { user: 'alice', database: 'db' };
let server: RunningServer;
let plain: RunningServer;

beforeAll(async () => {
  server = await startServer({ engine: engine(), port: 0, log, tls: 'self-signed', authenticationTimeoutMs: 2000 });
  plain = await startServer({ engine: engine(), port: 0, log, tls: 'off', authenticationTimeoutMs: 2000 });
});
afterAll(async () => {
  await Promise.all([server.close(), plain.close()]);
});

const types = (ms: WireJson[]) => ms.map((m) => m.Type);

async function queryWorks(c: WireClient): Promise<void> {
  c.send({ Type: 'Query', String: 'select 1' });
  expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
}

/** Waits until the server side has closed `socket` (or it failed); resolves to the bytes it received. */
function closed(socket: TLSSocket): Promise<Buffer> {
  const got: Buffer[] = [];
  socket.on('data', (d: Buffer) => got.push(d));
  return new Promise((resolve) => {
    socket.once('close', () => resolve(Buffer.concat(got)));
    socket.once('error', () => socket.destroy());
  });
}

describe('direct TLS', () => {
  it('accepts a TLS handshake without SSLRequest when ALPN is postgresql, then the startup inside TLS', async () => {
    const c = await WireClient.connectDirectTls(server.port);
    expect(c.tls!.alpnProtocol).toBe('postgresql');
    expect((await c.startup(user)).at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'I' });
    await queryWorks(c);
    c.destroy();
  });

  it('accepts a ClientHello that arrives in pieces', async () => {
    const raw = netConnect({ port: server.port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve) => raw.once('connect', resolve));
    let first = true;
    // Between the TLS client and the socket: the first record's first byte goes alone, the rest 50 ms later.
    const link = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        if (!first) return raw.write(chunk, () => done());
        first = false;
        raw.write(chunk.subarray(0, 1));
        setTimeout(() => raw.write(chunk.subarray(1), () => done()), 50);
      },
    });
    raw.on('data', (d: Buffer) => link.push(d));
    raw.on('end', () => link.push(null));
    const secure = tlsConnect({ socket: link, rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    expect(secure.alpnProtocol).toBe('postgresql');
    secure.write(encodeFrontend({ Type: 'StartupMessage', Parameters: user }));
    const reply = await new Promise<Buffer>((resolve) => secure.once('data', resolve));
    expect(String.fromCharCode(reply[0]!)).toBe('R'); // AuthenticationOk
    secure.destroy();
    raw.destroy();
  });

  it('closes a direct TLS connection without ALPN, only logging why (as PostgreSQL)', async () => {
    logged.length = 0;
    const socket = tlsConnect({ port: server.port, host: '127.0.0.1', rejectUnauthorized: false });
    const received = closed(socket);
    await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
    socket.write(encodeFrontend({ Type: 'StartupMessage', Parameters: user }));
    expect((await received).length).toBe(0);
    expect(logged).toContain('closing connection: 08P01 received direct SSL connection request without ALPN protocol negotiation extension');
  });

  it('fails the handshake when the client offers only other ALPN protocols', async () => {
    await expect(WireClient.connectDirectTls(server.port, { ALPNProtocols: ['h2', 'http/1.1'] })).rejects.toThrow(/no.application.protocol|alert/i);
  });

  it('closes a direct TLS handshake silently when TLS is off', async () => {
    logged.length = 0;
    const socket = tlsConnect({ port: plain.port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
    const received = closed(socket);
    expect((await received).length).toBe(0);
    expect(logged).toContain('closing connection: 08P01 received direct SSL connection request, but SSL is not enabled');
  });

  it('rejects SSLRequest inside a direct TLS session with FATAL 0A000', async () => {
    const c = await WireClient.connectDirectTls(server.port);
    c.send(encodeFrontend({ Type: 'SSLRequest' }));
    expect(await c.untilClosed()).toMatchObject([
      { Type: 'ErrorResponse', Severity: 'FATAL', Code: '0A000', Message: 'unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0' },
    ]);
  });

  it('answers GSSENCRequest inside a direct TLS session like PostgreSQL: FATAL 0A000', async () => {
    const c = await WireClient.connectDirectTls(server.port);
    c.send(encodeFrontend({ Type: 'GSSEncRequest' }));
    expect(await c.untilClosed()).toMatchObject([{ Type: 'ErrorResponse', Severity: 'FATAL', Code: '0A000' }]);
  });
});

describe('SSLRequest next to direct TLS', () => {
  it('still upgrades on SSLRequest, with or without ALPN', async () => {
    for (const ALPNProtocols of [undefined, ['postgresql']]) {
      const c = await WireClient.connect(server.port);
      c.send({ Type: 'SSLRequest' });
      expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'S' });
      await c.startTls(ALPNProtocols ? { ALPNProtocols } : {});
      expect(c.tls!.alpnProtocol).toBe(ALPNProtocols ? 'postgresql' : false);
      await c.startup(user);
      await queryWorks(c);
      c.destroy();
    }
  });

  it('rejects a second SSLRequest inside TLS with FATAL 0A000', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'SSLRequest' });
    expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'S' });
    await c.startTls();
    c.send(encodeFrontend({ Type: 'SSLRequest' }));
    expect(await c.untilClosed()).toMatchObject([{ Type: 'ErrorResponse', Severity: 'FATAL', Code: '0A000' }]);
  });
});

describe('TLS versions', () => {
  it('refuses a client that offers only TLS 1.0/1.1, and accepts TLS 1.2 and 1.3', async () => {
    const attempt = (minVersion: 'TLSv1' | 'TLSv1.2' | 'TLSv1.3', maxVersion: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3') =>
      new Promise<string>((resolve) => {
        const raw = netConnect({ port: server.port, host: '127.0.0.1' });
        const socket = tlsConnect({
          socket: raw, rejectUnauthorized: false, ALPNProtocols: ['postgresql'], minVersion, maxVersion,
          // let this client offer the old versions at all (OpenSSL 3 refuses them at its default level)
          ciphers: 'DEFAULT@SECLEVEL=0',
        });
        socket.once('secureConnect', () => {
          resolve(socket.getProtocol() ?? 'unknown');
          socket.destroy();
        });
        socket.once('error', () => resolve('refused'));
      });
    expect(await attempt('TLSv1', 'TLSv1.1')).toBe('refused');
    expect(await attempt('TLSv1.2', 'TLSv1.2')).toBe('TLSv1.2');
    expect(await attempt('TLSv1.3', 'TLSv1.3')).toBe('TLSv1.3');
  });
});
