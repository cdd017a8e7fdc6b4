import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { memoryByteSource } from '../lib/parquet/byte-source.js';
import { byteRanges, readLineRange } from './formats/text-ranges.js';
import { lakeConnectorFactory } from './index.js';

let root: string;
let s: TestSession;

const write = (path: string, content: string | Uint8Array) => {
  const abs = join(root, path);
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, content);
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lake-text-'));
  write('files/people.csv', 'id,name,born,score,active\n1,Ann,1990-04-01,3.5,true\n2,"Bob, Jr.",,4,false\n3,"multi\nline ""quoted""",2001-12-31,,\n');
  write('files/codes.tsv.gz', gzipSync('code\tlabel\n007\tbond\n042\tanswer\n'));
  write('files/events.ndjson', '{"id": 1, "at": "2024-01-02T03:04:05Z", "tags": ["a"], "ok": true}\n\n{"id": 2, "at": "2024-02-03T04:05:06Z", "meta": {"k": 1}, "ok": null, "ratio": 0.5}\n');
  write('strict/bad/.lakegate-table.json', JSON.stringify({ format: 'csv', columns: [{ name: 'n', type: 'integer' }] }));
  write('strict/bad/data.csv', 'n\n1\nnot a number\n');
  write('sales/orders/region=eu/year=2023/part-0.csv', 'id,amount\n1,10.50\n2,20.25\n');
  write('sales/orders/region=eu/year=2024/part-0.csv', 'id,amount\n3,5.00\n');
  write('sales/orders/region=us/year=2024/part-0.csv', 'id,amount\n4,7.75\n5,1.25\n');
  write('sales/orders/region=__HIVE_DEFAULT_PARTITION__/year=2024/part-0.csv', 'id,amount\n6,0.01\n');
  write('sales/orders/_SUCCESS', '');
  write('typed/items/.lakegate-table.json', JSON.stringify({ format: 'csv', columns: [{ name: 'sku', type: 'text' }, { name: 'price', type: 'numeric(8,2)' }], csv: { delimiter: ';', header: false } }));
  write('typed/items/data', 'A-1;1.5\nB-2;20\n');
  s = openTestSession(new Map([['lake', lakeConnectorFactory.create('lake', { root })]]), 'tester', 'lake');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rows = async (sql: string) => (await s.query(sql)).rows;

describe('lake: CSV and JSON files as tables', () => {
  it('lists schemas and tables, single files named without extensions', async () => {
    expect(await rows("select table_schema, table_name from information_schema.tables where table_catalog = 'lake' and table_schema in ('files', 'sales', 'typed') order by 1, 2")).toEqual([
      ['files', 'codes'], ['files', 'events'], ['files', 'people'], ['sales', 'orders'], ['typed', 'items'],
    ]);
  });

  it('reads CSV with a header, quoting, NULLs and inferred types', async () => {
    const r = await s.query('select * from files.people order by id');
    expect(r.columns).toEqual(['id', 'name', 'born', 'score', 'active']);
    expect(r.rows).toEqual([
      ['1', 'Ann', '1990-04-01', '3.5', 't'],
      ['2', 'Bob, Jr.', null, '4', 'f'],
      ['3', 'multi\nline "quoted"', '2001-12-31', null, null],
    ]);
    expect(await rows("select pg_typeof(id)::text, pg_typeof(born)::text, pg_typeof(score)::text, pg_typeof(active)::text from files.people limit 1")).toEqual([
      ['integer', 'date', 'numeric', 'boolean'],
    ]);
  });

  it('reads gzip-compressed TSV and keeps codes with leading zeros as text', async () => {
    expect(await rows('select code, label from files.codes order by code')).toEqual([['007', 'bond'], ['042', 'answer']]);
  });

  it('reads newline-delimited JSON: nested values as json, ISO timestamps as timestamptz', async () => {
    expect(await rows("select id, (at at time zone 'UTC')::text, tags::text, meta->>'k', ok, ratio from files.events order by id")).toEqual([
      ['1', '2024-01-02 03:04:05', '["a"]', null, 't', null],
      ['2', '2024-02-03 04:05:06', null, '1', null, '0.5'],
    ]);
  });

  it('turns Hive partition folders into columns; NULL partitions from __HIVE_DEFAULT_PARTITION__', async () => {
    expect(await rows('select region, year, count(*), sum(amount) from sales.orders group by 1, 2 order by 1 nulls first, 2')).toEqual([
      [null, '2024', '1', '0.01'], ['eu', '2023', '2', '30.75'], ['eu', '2024', '1', '5.00'], ['us', '2024', '2', '9.00'],
    ]);
    expect(await rows("select id from sales.orders where region = 'us' and year >= 2024 order by id")).toEqual([['4'], ['5']]);
    expect(await rows('select count(*) from sales.orders where region is null')).toEqual([['1']]);
  });

  it('skips partitions the filters rule out', async () => {
    const plan = (await rows("explain analyze select id from sales.orders where region = 'eu' and year = 2024")).map((r) => r[0]).join('\n');
    expect(plan).toMatch(/TableScan lake\.sales\.orders.*tasks=1 files=1 bytes=\d+/);
  });

  it('takes column types and CSV options from the table settings file', async () => {
    expect(await rows('select sku, price, pg_typeof(price)::text from typed.items order by sku')).toEqual([
      ['A-1', '1.50', 'numeric'], ['B-2', '20.00', 'numeric'],
    ]);
  });

  it('reports a bad value with its file, row and column', async () => {
    const e = (await s.query('select * from strict.bad').catch((x: unknown) => x)) as SqlError;
    expect(e).toBeInstanceOf(SqlError);
    expect(e.code).toBe('22P02');
    expect(e.detail).toMatch(/data\.csv", row 3, column "n"/);
  });
});

describe('line ranges', () => {
  it('reads every line exactly once whatever the range boundaries', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)}`).join('\n') + '\n';
    const bytes = new TextEncoder().encode(text);
    const source = memoryByteSource(bytes);
    for (const target of [1, 7, 64, 1000, bytes.length]) {
      const parts: string[] = [];
      for (const r of byteRanges(bytes.length, target)) parts.push(new TextDecoder().decode(await readLineRange(source, r.start, r.end)));
      expect(parts.join('')).toBe(text);
    }
  });
});
