import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import { silentLogger } from '../server/log.js';
import { startServer } from '../server/server.js';
import { selectOneAs } from '../server/testing/sign-in.js';
import { createFakeEngine } from '../server/testing/fake-engine.js';
import { withUser } from './cli/add-user.js';
import { loadAuthSetup } from './config.js';
import { matchHba, parseHba } from './hba.js';
import { parsePasswordFile } from './password-file.js';
import { formatVerifier, makeVerifier, parseVerifier } from './scram/verifier.js';

const dir = mkdtempSync(join(tmpdir(), 'lakegate-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pg_hba rules', () => {
  const rules = parseHba(
    `# comment
local   all all                 trust
hostssl all "Mixed User" 10.0.0.0/8 scram-sha-256
hostnossl sales,hr all 192.168.1.5 reject
host    sameuser all ::1/128     trust
host    all all all              jwt   # tail comment`,
    'hba.conf',
  );
  const req = (r: Partial<{ tls: boolean; address: string; user: string; database: string }>) => ({ tls: false, address: '127.0.0.1', user: 'u', database: 'd', ...r });

  it('first match wins on type, database, user and address', () => {
    expect(rules).toHaveLength(4);
    expect(matchHba(rules, req({ tls: true, address: '10.1.2.3', user: 'Mixed User' }))?.method).toBe('scram-sha-256');
    expect(matchHba(rules, req({ tls: false, address: '10.1.2.3', user: 'Mixed User' }))?.method).toBe('jwt');
    expect(matchHba(rules, req({ address: '::ffff:192.168.1.5', database: 'hr' }))?.method).toBe('reject');
    expect(matchHba(rules, req({ tls: true, address: '192.168.1.5', database: 'hr' }))?.method).toBe('jwt');
    expect(matchHba(rules, req({ address: '::1', user: 'x', database: 'x' }))?.origin).toBe('hba.conf:5');
    expect(matchHba(rules.slice(0, 3), req({}))).toBeNull();
  });

  it('bad lines are refused with their line number', () => {
    expect(() => parseHba('host all all 10.0.0.0/33 trust', 'f')).toThrow('f:1: invalid CIDR mask');
    expect(() => parseHba('\nhost all all all md5', 'f')).toThrow('f:2: invalid authentication method "md5"');
    expect(() => parseHba('hostgssenc all all all trust', 'f')).toThrow(/invalid connection type/);
    expect(() => parseHba('host all +admins all trust', 'f')).toThrow(/groups/);
    expect(() => parseHba('host all all example.com trust', 'f')).toThrow(/hostnames/);
  });
});

describe('password file and CLI', () => {
  it('verifiers round-trip in PostgreSQL format', () => {
    const text = formatVerifier(makeVerifier('pw', 4096, Buffer.alloc(16, 1)));
    expect(text).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(parseVerifier(text)?.iterations).toBe(4096);
    expect(parseVerifier('md5abc')).toBeNull();
    expect(() => parsePasswordFile('alice:plaintext', 'p')).toThrow('p:1:');
  });

  it('withUser adds and replaces one line, keeping the rest', () => {
    const v1 = formatVerifier(makeVerifier('a'));
    const v2 = formatVerifier(makeVerifier('b'));
    let text = withUser('# users\n', 'alice', v1);
    text = withUser(text, 'bob', v1);
    text = withUser(text, 'alice', v2);
    expect(text).toBe(`# users\nalice:${v2}\nbob:${v1}\n`);
    expect(() => withUser('', 'a:b', v1)).toThrow();
  });
});

describe('loading the configuration', () => {
  it('nothing configured → no authenticator (zero-config trust) and no limiter', () => {
    expect(loadAuthSetup({})).toEqual({ authenticate: null, limiter: null });
  });

  it('a config file names the rules and passwords relative to itself, with limits', () => {
    writeFileSync(join(dir, 'passwords'), `alice:${formatVerifier(makeVerifier('pw'))}\n`);
    writeFileSync(join(dir, 'hba.conf'), 'host all all all scram-sha-256\n');
    writeFileSync(join(dir, 'auth.json'), JSON.stringify({ hba: 'hba.conf', passwords: 'passwords', maxConnections: 5, userConnectionLimits: { alice: 1 } }));
    const setup = loadAuthSetup({ configFile: join(dir, 'auth.json'), maxConnections: 7 });
    expect(setup.authenticate).toBeTypeOf('function');
    expect(setup.limiter).not.toBeNull();
    expect(readFileSync(join(dir, 'passwords'), 'utf8')).toContain('alice:');
  });

  it('a rule naming an unconfigured method stops startup', () => {
    writeFileSync(join(dir, 'jwt-hba.conf'), 'host all all all jwt\n');
    expect(() => loadAuthSetup({ hbaFile: join(dir, 'jwt-hba.conf') })).toThrow(/method "jwt" is not configured/);
    expect(() => loadAuthSetup({ passwordFile: join(dir, 'missing') })).toThrow(/ENOENT/);
  });
});

describe('"requireTls": true', () => {
  it('password sign-in on a host rule works over TLS only; trust rules are unchanged', async () => {
    writeFileSync(join(dir, 'tls-passwords'), `alice:${formatVerifier(makeVerifier('pw'))}\n`);
    writeFileSync(join(dir, 'tls-hba.conf'), 'host all bob 127.0.0.1/32 trust\nhost all all all scram-sha-256\n');
    writeFileSync(join(dir, 'tls-auth.json'), JSON.stringify({ hba: 'tls-hba.conf', passwords: 'tls-passwords', requireTls: true }));
    const setup = loadAuthSetup({ configFile: join(dir, 'tls-auth.json') });
    const server = await startServer({
      engine: createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } }),
      port: 0, log: silentLogger, tls: 'self-signed', authenticate: setup.authenticate!,
    });
    const signIn = (user: string, tls: boolean) => selectOneAs(server.port, user, 'pw', tls);
    try {
      await expect(signIn('alice', false)).rejects.toMatchObject({
        code: '28000', message: 'no pg_hba.conf entry for host "127.0.0.1", user "alice", database "d", no encryption',
      });
      expect(await signIn('alice', true)).toBe(1);
      expect(await signIn('bob', false)).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('refuses hostnossl password and token rules, and a value that is not a boolean', () => {
    writeFileSync(join(dir, 'nossl-hba.conf'), 'hostnossl all all all scram-sha-256\n');
    writeFileSync(join(dir, 'nossl-auth.json'), JSON.stringify({ hba: 'nossl-hba.conf', passwords: 'tls-passwords', requireTls: true }));
    expect(() => loadAuthSetup({ configFile: join(dir, 'nossl-auth.json') })).toThrow('nossl-hba.conf:1: hostnossl scram-sha-256 is not allowed with "requireTls": true');
    writeFileSync(join(dir, 'yes-auth.json'), JSON.stringify({ hba: 'tls-hba.conf', passwords: 'tls-passwords', requireTls: 'yes' }));
    expect(() => loadAuthSetup({ configFile: join(dir, 'yes-auth.json') })).toThrow('"requireTls" must be true or false');
  });
});
