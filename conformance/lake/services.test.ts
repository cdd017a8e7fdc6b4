// Smoke test of the lake test services (scripts/services/s3.sh and
// iceberg-rest.sh): the S3 store through @aws-sdk/client-s3, the Iceberg REST
// catalog through its HTTP API, and pyiceberg writing rows through the catalog
// into the store and reading them back (pyiceberg_roundtrip.py).
//   S3_TEST_ENDPOINT (http://127.0.0.1:9000), S3_TEST_ACCESS_KEY, S3_TEST_SECRET_KEY,
//   S3_TEST_BUCKET (lake), S3_TEST_REGION (us-east-1), ICEBERG_REST_URI (http://127.0.0.1:8181)
//   VENV: the venv with pyiceberg (scripts/test-all.sh makes .tmp/venv); else python3
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';

const endpoint = process.env.S3_TEST_ENDPOINT ?? 'http://127.0.0.1:9000';
const bucket = process.env.S3_TEST_BUCKET ?? 'lake';
const region = process.env.S3_TEST_REGION ?? 'us-east-1';
const credentials = {
  accessKeyId: process.env.S3_TEST_ACCESS_KEY ?? 'lakegate',
  secretAccessKey: process.env.S3_TEST_SECRET_KEY ?? 'lakegate-secret',
};
const catalogUri = (process.env.ICEBERG_REST_URI ?? 'http://127.0.0.1:8181').replace(/\/$/, '');
const python = process.env.LAKE_PYTHON ?? (process.env.VENV ? `${process.env.VENV}/bin/python` : 'python3');

const s3 = new S3Client({ endpoint, region, credentials, forcePathStyle: true });
const run = `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const prefix = `smoke/${run}/`;

async function errorOf(p: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

/** s3://bucket/key -> key (in the test bucket) */
function keyOf(uri: string): string {
  const m = /^s3a?:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m || m[1] !== bucket) throw new Error(`not in s3://${bucket}: ${uri}`);
  return m[2];
}

async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${catalogUri}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe('S3 store', () => {
  afterAll(async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    for (const o of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
  });

  it('puts, gets (whole and ranged), lists, and changes the ETag on overwrite', async () => {
    const key = `${prefix}a.txt`;
    const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'hello world 0123456789' }));
    expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const whole = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await whole.Body!.transformToString()).toBe('hello world 0123456789');
    expect(whole.ETag).toBe(first.ETag);

    const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=6-10' }));
    expect(ranged.$metadata.httpStatusCode).toBe(206);
    expect(ranged.ContentRange).toBe('bytes 6-10/22');
    expect(await ranged.Body!.transformToString()).toBe('world');

    const second = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'changed' }));
    expect(second.ETag).not.toBe(first.ETag);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: first.ETag }));
    expect(head.ContentLength).toBe(7);

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}b/c.txt`, Body: 'c' }));
    const page1 = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
    expect(page1.Contents?.map((o) => o.Key)).toEqual([key]);
    expect(page1.IsTruncated).toBe(true);
    const page2 = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: page1.NextContinuationToken }),
    );
    expect(page2.Contents?.map((o) => o.Key)).toEqual([`${prefix}b/c.txt`]);
    const dirs = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/' }));
    expect(dirs.CommonPrefixes?.map((p) => p.Prefix)).toEqual([`${prefix}b/`]);
    expect(dirs.Contents?.map((o) => [o.Key, o.Size, o.ETag])).toEqual([[key, 7, second.ETag]]);
  });

  it('completes a multipart upload and serves suffix ranges of it', async () => {
    const key = `${prefix}multi.bin`;
    const part1 = Buffer.alloc(5 * 1024 * 1024, 'x');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: part1 }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: 'tail-bytes' }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket, Key: key, UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
      }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(part1.length + 10);
    const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=-10' }));
    expect(await tail.Body!.transformToString()).toBe('tail-bytes');
  });

  it('deletes, and refuses a wrong secret', async () => {
    const key = `${prefix}gone.txt`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect((await errorOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).name).toBe('NoSuchKey');

    const wrong = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { ...credentials, secretAccessKey: 'wrong' } });
    const e = await errorOf(wrong.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 })));
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.name).toBe('SignatureDoesNotMatch');
  });
});

describe('Iceberg REST catalog', () => {
  const ns = `smoke_${run}`;
  const schema = {
    type: 'struct',
    'schema-id': 0,
    fields: [
      { id: 1, name: 'id', type: 'long', required: true },
      { id: 2, name: 'name', type: 'string', required: false },
    ],
  };

  it('serves /v1/config with the storage settings', async () => {
    const { status, json } = await rest('GET', '/v1/config');
    expect(status).toBe(200);
    expect(json.defaults['s3.endpoint']).toBe(endpoint);
    expect(json.defaults['s3.path-style-access']).toBe('true');
  });

  it('creates a namespace and a table, loads it back, and purges it', async () => {
    const created = await rest('POST', '/v1/namespaces', { namespace: [ns], properties: { owner: 'lakegate' } });
    expect(created.status).toBe(200);
    expect((await rest('POST', '/v1/namespaces', { namespace: [ns] })).status).toBe(409);
    const listed = await rest('GET', '/v1/namespaces');
    expect(listed.json.namespaces).toContainEqual([ns]);

    const table = await rest('POST', `/v1/namespaces/${ns}/tables`, { name: 'events', schema });
    expect(table.status).toBe(200);
    const metadataLocation: string = table.json['metadata-location'];
    expect(metadataLocation).toMatch(new RegExp(`^s3://${bucket}/warehouse/`));

    // the metadata file is in the S3 store, written by the catalog
    const metaObject = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(metadataLocation) }));
    const metadata = JSON.parse(await metaObject.Body!.transformToString());
    expect(metadata['table-uuid']).toBe(table.json.metadata['table-uuid']);

    const loaded = await rest('GET', `/v1/namespaces/${ns}/tables/events`);
    expect(loaded.status).toBe(200);
    expect(loaded.json['metadata-location']).toBe(metadataLocation);
    expect(loaded.json.metadata.schemas[0].fields.map((f: { name: string }) => f.name)).toEqual(['id', 'name']);
    expect(loaded.json.config['s3.endpoint']).toBe(endpoint);

    expect((await rest('GET', `/v1/namespaces/${ns}/tables/missing`)).status).toBe(404);
    expect((await rest('DELETE', `/v1/namespaces/${ns}/tables/events?purgeRequested=true`)).status).toBe(204);
    expect((await errorOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(metadataLocation) })))).$metadata.httpStatusCode).toBe(404);
    expect((await rest('DELETE', `/v1/namespaces/${ns}`)).status).toBe(204);
  });

  it('pyiceberg writes rows through the catalog into S3 and reads them back', async () => {
    const pyNs = `py_${run}`;
    const script = fileURLToPath(new URL('./pyiceberg_roundtrip.py', import.meta.url));
    const out = spawnSync(python, [script, pyNs], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ICEBERG_REST_URI: catalogUri, S3_TEST_ENDPOINT: endpoint },
    });
    expect(out.error).toBeUndefined();
    expect(out.status, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout.trim().split('\n').pop()!);
    expect(result.rows).toEqual([
      { id: 1, name: 'ada', score: 1.5 },
      { id: 2, name: 'grace', score: null },
      { id: 3, name: null, score: -2.25 },
      { id: 4, name: 'edsger', score: 0 },
    ]);
    expect(result.snapshots).toBe(2);
    expect(result.data_files).toHaveLength(2);
    for (const f of result.data_files as string[]) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(f) }));
      expect(head.ContentLength).toBeGreaterThan(0);
      // a parquet file: ends with the magic PAR1
      const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(f), Range: 'bytes=-4' }));
      expect(await tail.Body!.transformToString()).toBe('PAR1');
    }
    // the catalog sees pyiceberg's commits
    const loaded = await rest('GET', `/v1/namespaces/${pyNs}/tables/rows`);
    expect(loaded.json['metadata-location']).toBe(result.metadata_location);
    expect(loaded.json.metadata.snapshots).toHaveLength(2);
    await rest('DELETE', `/v1/namespaces/${pyNs}/tables/rows?purgeRequested=true`);
    await rest('DELETE', `/v1/namespaces/${pyNs}`);
  });
});
