/**
 * The REST catalog client against a small in-test server that answers as the Iceberg REST
 * specification says (config with a prefix override, OAuth2 client credentials, paged
 * listings, LoadTableResult with vended config, error bodies).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestCatalog } from './rest-catalog.js';

const METADATA = {
  'format-version': 2, 'table-uuid': 'u', location: 's3://bucket/wh/sales/orders', 'last-sequence-number': 1, 'last-updated-ms': 1,
  'last-column-id': 1, 'current-schema-id': 0,
  schemas: [{ type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] }],
  'default-spec-id': 0, 'partition-specs': [{ 'spec-id': 0, fields: [] }], 'last-partition-id': 999, properties: {},
  'current-snapshot-id': '9007199254740993',
  snapshots: [{ 'snapshot-id': '9007199254740993', 'sequence-number': 1, 'timestamp-ms': 5, 'manifest-list': 's3://bucket/m.avro', summary: { operation: 'append' } }],
};

let server: Server;
let uri: string;
const seen: { method: string; url: string; auth?: string }[] = [];
let tokensIssued = 0;

async function body(req: IncomingMessage): Promise<string> {
  let out = '';
  for await (const chunk of req) out += chunk;
  return out;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const url = req.url ?? '';
    seen.push({ method: req.method ?? '', url, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    const json = (status: number, value: unknown, raw?: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(raw ?? JSON.stringify(value));
    };
    if (url === '/v1/oauth/tokens') {
      const form = new URLSearchParams(await body(req));
      if (form.get('client_id') !== 'me' || form.get('client_secret') !== 'secret') return json(401, { error: 'invalid_client', error_description: 'bad secret' });
      return json(200, { access_token: `tok${++tokensIssued}`, token_type: 'bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== `Bearer tok${tokensIssued}`) return json(401, { error: { message: 'not signed in', type: 'NotAuthorizedException', code: 401 } });
    if (url.startsWith('/v1/config')) return json(200, { defaults: { 's3.region': 'eu-west-1' }, overrides: { prefix: 'wh1' } });
    if (url === '/v1/wh1/namespaces') return json(200, { namespaces: [['sales']], 'next-page-token': 'p2' });
    if (url === '/v1/wh1/namespaces?pageToken=p2') return json(200, { namespaces: [['ops', 'daily']] });
    if (url === '/v1/wh1/namespaces/sales/tables') return json(200, { identifiers: [{ namespace: ['sales'], name: 'orders' }] });
    if (url === '/v1/wh1/namespaces/sales/tables/orders') {
      const text = JSON.stringify({ 'metadata-location': 's3://bucket/wh/sales/orders/metadata/v1.metadata.json', metadata: METADATA, config: { 's3.access-key-id': 'AK', 's3.secret-access-key': 'SK' } })
        .replace('"9007199254740993"', '9007199254740993').replace('"9007199254740993"', '9007199254740993');
      return json(200, null, text);
    }
    return json(404, { error: { message: `no such thing: ${url}`, type: 'NoSuchTableException', code: 404 } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('REST catalog client', () => {
  it('signs in with client credentials, takes the prefix from /v1/config and follows pages', async () => {
    const c = new RestCatalog({ uri, credential: 'me:secret', storage: { 's3.endpoint': 'http://s3' } });
    expect(await c.listNamespaces()).toEqual(['sales', 'ops.daily']);
    expect(await c.listTables('sales')).toEqual(['orders']);
    expect(seen.filter((s) => s.url !== '/v1/oauth/tokens').every((s) => s.auth === 'Bearer tok1')).toBe(true);
  });

  it('loads a table: metadata with exact 64-bit snapshot ids, and vended storage settings', async () => {
    const c = new RestCatalog({ uri, credential: 'me:secret', storage: { 's3.endpoint': 'http://s3' } });
    const t = (await c.loadTable('sales', 'orders'))!;
    expect(t.metadataLocation).toBe('s3://bucket/wh/sales/orders/metadata/v1.metadata.json');
    expect(t.metadata.currentSnapshotId).toBe('9007199254740993');
    expect(t.storage).toEqual({ 's3.region': 'eu-west-1', 's3.endpoint': 'http://s3', 's3.access-key-id': 'AK', 's3.secret-access-key': 'SK' });
    expect(await c.loadTable('sales', 'missing')).toBeUndefined();
  });

  it('gets a new token when the server rejects the old one', async () => {
    const c = new RestCatalog({ uri, credential: 'me:secret', storage: {} });
    expect(await c.listTables('sales')).toEqual(['orders']);
    tokensIssued++; // the server now accepts only the next token it issues: the client's is stale
    const before = seen.filter((s) => s.url === '/v1/oauth/tokens').length;
    expect(await c.listTables('sales')).toEqual(['orders']);
    expect(seen.filter((s) => s.url === '/v1/oauth/tokens').length).toBe(before + 1);
  });

  it('maps failures to SQLSTATEs', async () => {
    await expect(new RestCatalog({ uri, credential: 'me:wrong', storage: {} }).listNamespaces()).rejects.toMatchObject({ code: '28000', message: expect.stringContaining('bad secret') });
    await expect(new RestCatalog({ uri, token: 'nope', storage: {} }).listNamespaces()).rejects.toMatchObject({ code: '28000', message: expect.stringContaining('not signed in') });
    await expect(new RestCatalog({ uri: 'http://127.0.0.1:1', storage: {} }).listNamespaces()).rejects.toMatchObject({ code: 'HV00N', message: expect.stringContaining('cannot reach the Iceberg REST catalog') });
  });
});
