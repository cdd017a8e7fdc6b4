// The lake connector on a real S3-compatible store (scripts/services/s3.sh): CREATE TABLE AS
// writes Parquet objects through multipart uploads, queries read them back with ranged GETs,
// partitions and row groups are pruned, and an object overwritten after planning fails the
// scan instead of mixing versions.
//   S3_TEST_ENDPOINT, S3_TEST_ACCESS_KEY, S3_TEST_SECRET_KEY, S3_TEST_BUCKET, S3_TEST_REGION
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lakeConnectorFactory } from '../../connectors/lake/index.js';
import type { Connector } from '../../connectors/spi/index.js';
import { tpchConnectorFactory } from '../../connectors/tpch/index.js';
import { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';

const endpoint = process.env.S3_TEST_ENDPOINT ?? 'http://127.0.0.1:9000';
const bucket = process.env.S3_TEST_BUCKET ?? 'lake';
const region = process.env.S3_TEST_REGION ?? 'us-east-1';
const accessKey = process.env.S3_TEST_ACCESS_KEY ?? 'lakegate';
const secretKey = process.env.S3_TEST_SECRET_KEY ?? 'lakegate-secret';
const prefix = `lake-tests/${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

const properties = {
  root: `s3://${bucket}/${prefix}`, 's3.endpoint': endpoint, 's3.region': region, 's3.path-style-access': 'true',
  's3.aws-access-key': accessKey, 's3.aws-secret-key': secretKey,
};
let lake: Connector;
let s: TestSession;

beforeAll(async () => {
  lake = lakeConnectorFactory.create('lake', properties);
  s = openTestSession(new Map([['lake', lake], ['tpch', tpchConnectorFactory.create('tpch', {})]]), 'tester', 'lake');
  await s.query('create schema tpch');
});
afterAll(async () => {
  await s.query('drop schema if exists tpch cascade');
});

const rows = async (sql: string) => (await s.query(sql)).rows;

describe('lake catalog on S3', () => {
  it('writes TPC-H tables as Parquet objects and answers queries as the generator does', async () => {
    for (const t of ['nation', 'region', 'orders', 'lineitem', 'customer']) {
      const r = await s.query(`create table tpch.${t} as select * from tpch.tiny.${t}`);
      expect(r.tag).toBe(`SELECT ${(await rows(`select count(*) from tpch.tiny.${t}`))[0]![0]}`);
    }
    const q3 = (schema: string) => `select l_orderkey, sum(l_extendedprice * (1 - l_discount)) as revenue, o_orderdate, o_shippriority
      from ${schema}.customer, ${schema}.orders, ${schema}.lineitem
      where c_mktsegment = 'BUILDING' and c_custkey = o_custkey and l_orderkey = o_orderkey
        and o_orderdate < date '1995-03-15' and l_shipdate > date '1995-03-15'
      group by l_orderkey, o_orderdate, o_shippriority order by revenue desc, o_orderdate limit 10`;
    expect(await rows(q3('tpch'))).toEqual(await rows(q3('tpch.tiny')));
    expect(await rows("select table_name from information_schema.tables where table_catalog = 'lake' and table_schema = 'tpch' order by 1")).toEqual([
      ['customer'], ['lineitem'], ['nation'], ['orders'], ['region'],
    ]);
  });

  it('shows files and bytes read in EXPLAIN ANALYZE', async () => {
    const plan = (await rows('explain analyze select count(*) from tpch.lineitem')).map((r) => r[0]).join('\n');
    expect(plan).toMatch(/TableScan lake\.tpch\.lineitem.*files=1 bytes=\d+/);
  });

  it('fails a scan whose object was overwritten after planning (55000), never mixing versions', async () => {
    const session = { user: 'tester', queryId: 'q' };
    const table = (await lake.getTable(session, 'tpch', 'nation'))!;
    const [split] = await lake.getSplits(session, table, { desiredSplits: 1 });
    const path = split!.source!.name;
    const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } });
    // overwrite with different bytes (a copy of another table's file)
    const [otherSplit] = await lake.getSplits(session, (await lake.getTable(session, 'tpch', 'region'))!, { desiredSplits: 1 });
    const other = await fetchObject(client, `${prefix}/${otherSplit!.source!.name}`);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${path}`, Body: other }));
    const scan = async () => {
      for await (const b of lake.scan(session, { table, columns: [0], split: split!, signal: new AbortController().signal })) void b;
    };
    const e = await scan().then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(SqlError);
    expect((e as SqlError).code).toBe('55000');
    // a new query plans against the new object
    expect(await rows('select count(*) from tpch.nation')).toEqual([['5']]);
  });

  it('inserts into and drops tables on the store', async () => {
    await s.query('create table tpch.small (k int, v text)');
    await s.query("insert into tpch.small values (1, 'one'), (2, 'two')");
    await s.query("insert into tpch.small values (3, 'three')");
    expect(await rows('select k, v from tpch.small order by k')).toEqual([['1', 'one'], ['2', 'two'], ['3', 'three']]);
    await s.query('drop table tpch.small');
    expect(await rows("select count(*) from information_schema.tables where table_schema = 'tpch' and table_name = 'small'")).toEqual([['0']]);
  });
});

async function fetchObject(client: S3Client, key: string): Promise<Uint8Array> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToByteArray();
}
