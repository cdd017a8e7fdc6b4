/**
 * Identity flows through (ARCHITECTURE.md §3.8): the groups claim of a JWT reaches the engine's
 * access rules. Over the wire with node-postgres, an analyst's token sees only EU rows and masked
 * e-mails; an admin's token sees everything; errors carry 42501 and no filter text.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../connectors/spi/index.js';
import { MemoryConnector } from '../connectors/memory/memory-connector.js';
import { FileAccessControl, createEngine } from '../engine/index.js';
import { silentLogger } from '../server/log.js';
import { startServer, type RunningServer } from '../server/server.js';
import { hbaAuthenticator } from './hba-authenticator.js';
import { parseHba } from './hba.js';
import { parseJwtSettings } from './jwt-config.js';
import { jwtAuthenticator } from './methods/jwt.js';

const RULES = {
  catalogs: [{ group: 'admins', allow: 'all' }, { group: 'analyst', catalog: 'memory', allow: 'read-only' }],
  schemas: [{ group: 'admins', owner: true }],
  tables: [
    { group: 'admins', privileges: ['SELECT', 'INSERT', 'OWNERSHIP'] },
    { group: 'analyst', table: 'customers', privileges: ['SELECT'], filter: "region = 'EU'", columns: [{ name: 'email', mask: "'***'" }] },
  ],
};

let dir: string;
let server: RunningServer;
let key: CryptoKey;

const token = (user: string, groups: string[]) =>
  new SignJWT({ groups }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://idp.test').setAudience('lakegate')
    .setSubject(user).setIssuedAt().setExpirationTime('5m').sign(key);

async function query(user: string, groups: string[], sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user, password: await token(user, groups), database: 'memory' });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lakegate-authz-'));
  writeFileSync(join(dir, 'rules.json'), JSON.stringify(RULES));
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = { ...(await exportJWK(pair.privateKey)), kid: 'k1', alg: 'RS256' };
  const settings = parseJwtSettings({ issuer: 'https://idp.test', audience: 'lakegate', keys: [publicJwk], algorithms: ['RS256'], allowPlaintext: true });
  const catalogs = new Map<string, Connector>([['memory', new MemoryConnector()]]);
  server = await startServer({
    engine: createEngine({ catalogs, accessControl: new FileAccessControl({ path: join(dir, 'rules.json'), log: () => undefined }) }),
    port: 0,
    log: silentLogger,
    authenticate: hbaAuthenticator(parseHba('host all all all jwt'), { jwt: jwtAuthenticator({ settings, log: () => undefined }) }),
  });
  await query('root', ['admins'], "create table customers (id int, region text, email text); insert into customers values (1, 'EU', 'a@x'), (2, 'US', 'b@x')");
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('groups from the token decide what a user sees', () => {
  it('an analyst sees EU rows with masked e-mails; an admin sees all rows', async () => {
    expect(await query('ann', ['analyst'], 'select * from customers order by id')).toEqual([{ id: 1, region: 'EU', email: '***' }]);
    expect(await query('ann', ['analyst'], 'select region, count(*)::int as n from customers group by region')).toEqual([{ region: 'EU', n: 1 }]);
    expect(await query('root', ['admins'], 'select email from customers order by id')).toEqual([{ email: 'a@x' }, { email: 'b@x' }]);
  });

  it('a user without a matching group gets 42501', async () => {
    const e = await query('eve', ['guests'], 'select * from customers').then(() => null, (x: unknown) => x as { code: string; message: string });
    expect(e).toMatchObject({ code: '42501', message: 'permission denied for table customers' });
  });
});
