// One statement across every kind of source, checked against PostgreSQL over copies of the
// same rows: three months of orders as Parquet on the S3 store (lake catalog), live inventory
// in PostgreSQL, products in MariaDB and events from a Kafka topic. Also: what each SQL source
// is sent (only matching rows and groups come back) and that cancelling reaches the sources.
//   PG_TEST_PORT, MYSQL_TEST_PORT, KAFKA_TEST_PORT, S3_TEST_* (scripts/test-all.sh federation)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopics, produce, TEST_BROKERS } from '../../connectors/kafka/testing.js';
import { connectorFactories } from '../../connectors/registry.js';
import type { Connector } from '../../connectors/spi/index.js';
import { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';

const pgPort = Number(process.env.PG_TEST_PORT ?? 54329);
const mysqlPort = Number(process.env.MYSQL_TEST_PORT ?? 33069);
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const sourceDb = `origin_src_${run}`;
const oracleDb = `origin_oracle_${run}`;
const shopDb = `shop_${run}`;
const topic = `events-${run}`;

const pgAdmin = () => new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: 'postgres' });
const pgTo = (database: string) => new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database });
const mysqlConnect = () => mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'lakegate', password: 'lakegate', multipleStatements: false });

/** Deterministic data: a small LCG so every run and both sides see the same rows. */
function* random(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x / 2147483648;
  }
}
const rnd = random(42);
const pick = (n: number) => Math.floor(rnd.next().value! * n);
const categories = ['books', 'garden', 'kitchen', 'toys', 'tools'];
const products = Array.from({ length: 60 }, (_v, i) => ({
  id: i + 1, name: `product ${i + 1}${i % 7 === 0 ? " o'reilly" : ''}`, category: categories[i % 5]!, price: `${5 + pick(9000) / 100}`,
}));
const inventory = products.flatMap((p) => ['east', 'west', 'north'].slice(0, 1 + (p.id % 3)).map((w) => ({ product: p.id, warehouse: w, onHand: pick(500) })));
const day = (d: number) => new Date(Date.UTC(2026, 4, 1) + d * 86_400_000).toISOString().slice(0, 10);
const orders = Array.from({ length: 4000 }, (_v, i) => ({
  id: 100_000 + i, product: 1 + pick(65), quantity: 1 + pick(5), amount: `${pick(100_000) / 100}`, date: day(pick(150)), customer: `c${pick(300)}`,
}));
const eventKinds = ['view', 'cart', 'return'];
const events = Array.from({ length: 1500 }, (_v, i) => ({
  event_id: i + 1, product_id: 1 + pick(70), kind: eventKinds[pick(3)]!, at: `${day(pick(150))}T12:00:00`,
}));

const federated = (t: { orders: string; products: string; inventory: string; events: string }) => `
  WITH returns AS (SELECT product_id, count(*) AS n FROM ${t.events} WHERE kind = 'return' GROUP BY product_id),
       stock AS (SELECT product_id, sum(on_hand) AS on_hand FROM ${t.inventory} GROUP BY product_id)
  SELECT p.category, count(*) AS orders, sum(o.amount) AS revenue, sum(o.quantity * p.price) AS list_value,
         sum(s.on_hand) AS stock_units, sum(coalesce(r.n, 0)) AS returns, min(p.name) AS first_name
  FROM ${t.orders} o
  JOIN ${t.products} p ON p.product_id = o.product_id
  JOIN stock s ON s.product_id = o.product_id
  LEFT JOIN returns r ON r.product_id = o.product_id
  WHERE o.order_date >= date '2026-06-01' AND o.order_date < date '2026-09-01' AND p.price > 20
  GROUP BY p.category
  ORDER BY p.category`;

let s: TestSession;
let catalogs: Map<string, Connector>;
let oracle: pg.Client;
let source: pg.Client;

async function insertRows(client: pg.Client, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const values = chunk.map((_r, k) => `(${columns.map((_c, j) => `$${k * columns.length + j + 1}`).join(', ')})`).join(', ');
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, chunk.flat());
  }
}

beforeAll(async () => {
  const admin = pgAdmin();
  await admin.connect();
  await admin.query(`CREATE DATABASE ${sourceDb}`);
  await admin.query(`CREATE DATABASE ${oracleDb}`);
  await admin.end();
  source = pgTo(sourceDb);
  oracle = pgTo(oracleDb);
  await source.connect();
  await oracle.connect();

  // the live sources
  await source.query('CREATE TABLE public.inventory (product_id int NOT NULL, warehouse text NOT NULL, on_hand int NOT NULL, PRIMARY KEY (product_id, warehouse))');
  await insertRows(source, 'public.inventory', ['product_id', 'warehouse', 'on_hand'], inventory.map((r) => [r.product, r.warehouse, r.onHand]));
  await source.query('CREATE TABLE public.big AS SELECT g AS id, g % 10 AS bucket, md5(g::text) AS payload FROM generate_series(1, 200000) g');
  await source.query('ALTER TABLE public.big ADD PRIMARY KEY (id)');
  await source.query('ANALYZE');
  const my = await mysqlConnect();
  await my.query(`CREATE DATABASE \`${shopDb}\``);
  await my.query(`CREATE TABLE \`${shopDb}\`.products (product_id int PRIMARY KEY, name varchar(50) NOT NULL, category varchar(20) NOT NULL, price decimal(10,2) NOT NULL)`);
  for (const p of products) await my.execute(`INSERT INTO \`${shopDb}\`.products VALUES (?, ?, ?, ?)`, [p.id, p.name, p.category, p.price]);
  await my.end();
  await createTopics([{ topic, numPartitions: 3 }]);
  await produce(topic, events.map((e) => ({ key: String(e.product_id), value: JSON.stringify(e) })));
  const descriptions = mkdtempSync(join(tmpdir(), 'lakegate-kafka-'));
  writeFileSync(join(descriptions, 'events.json'), JSON.stringify({
    tableName: 'events', schemaName: 'default', topicName: topic,
    message: {
      dataFormat: 'json',
      fields: [
        { name: 'event_id', type: 'BIGINT', mapping: 'event_id' },
        { name: 'product_id', type: 'INTEGER', mapping: 'product_id' },
        { name: 'kind', type: 'VARCHAR', mapping: 'kind' },
        { name: 'at', type: 'TIMESTAMP', mapping: 'at', dataFormat: 'iso8601' },
      ],
    },
  }));

  // the copies PostgreSQL answers from
  await oracle.query('CREATE TABLE products (product_id int PRIMARY KEY, name varchar(50) NOT NULL, category varchar(20) NOT NULL, price numeric(10,2) NOT NULL)');
  await insertRows(oracle, 'products', ['product_id', 'name', 'category', 'price'], products.map((p) => [p.id, p.name, p.category, p.price]));
  await oracle.query('CREATE TABLE inventory (product_id int NOT NULL, warehouse text NOT NULL, on_hand int NOT NULL)');
  await insertRows(oracle, 'inventory', ['product_id', 'warehouse', 'on_hand'], inventory.map((r) => [r.product, r.warehouse, r.onHand]));
  await oracle.query('CREATE TABLE orders (order_id bigint NOT NULL, product_id int NOT NULL, quantity int NOT NULL, amount numeric(12,2) NOT NULL, order_date date NOT NULL, customer text NOT NULL)');
  await insertRows(oracle, 'orders', ['order_id', 'product_id', 'quantity', 'amount', 'order_date', 'customer'], orders.map((o) => [o.id, o.product, o.quantity, o.amount, o.date, o.customer]));
  await oracle.query('CREATE TABLE events (event_id bigint, product_id int, kind text, at timestamp)');
  await insertRows(oracle, 'events', ['event_id', 'product_id', 'kind', 'at'], events.map((e) => [e.event_id, e.product_id, e.kind, e.at]));

  const factory = (name: string) => connectorFactories.get(name)!;
  catalogs = new Map<string, Connector>([
    ['pg', factory('postgresql').create('pg', { 'connection-url': `jdbc:postgresql://127.0.0.1:${pgPort}/${sourceDb}`, 'connection-user': 'postgres' })],
    ['copies', factory('postgresql').create('copies', { 'connection-url': `jdbc:postgresql://127.0.0.1:${pgPort}/${oracleDb}`, 'connection-user': 'postgres' })],
    ['my', factory('mysql').create('my', { 'connection-url': `jdbc:mysql://127.0.0.1:${mysqlPort}`, 'connection-user': 'lakegate', 'connection-password': 'lakegate' })],
    ['kafka', factory('kafka').create('kafka', { 'kafka.nodes': TEST_BROKERS, 'kafka.table-description-dir': descriptions })],
    ['lake', factory('lake').create('lake', {
      root: `s3://${process.env.S3_TEST_BUCKET ?? 'lake'}/federation-tests/${run}`, 's3.endpoint': process.env.S3_TEST_ENDPOINT ?? 'http://127.0.0.1:9000',
      's3.region': process.env.S3_TEST_REGION ?? 'us-east-1', 's3.path-style-access': 'true',
      's3.aws-access-key': process.env.S3_TEST_ACCESS_KEY ?? 'lakegate', 's3.aws-secret-key': process.env.S3_TEST_SECRET_KEY ?? 'lakegate-secret',
    })],
  ]);
  s = openTestSession(catalogs, 'analyst', 'lake');
  await s.query('CREATE SCHEMA sales');
  // three months and a half of orders, as Parquet objects on the S3 store, partitioned by month
  await s.query(`CREATE TABLE lake.sales.orders WITH (partitioned_by = 'month') AS
    SELECT order_id, product_id, quantity, amount, order_date, customer, to_char(order_date, 'YYYY-MM') AS month FROM copies.public.orders`);
});

afterAll(async () => {
  await s?.query('DROP SCHEMA IF EXISTS sales CASCADE').catch(() => undefined);
  await source?.end();
  await oracle?.end();
  const admin = pgAdmin();
  await admin.connect();
  for (const db of [sourceDb, oracleDb]) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.end();
  const my = await mysqlConnect();
  await my.query(`DROP DATABASE IF EXISTS \`${shopDb}\``);
  await my.end();
});

const text = (rows: Record<string, unknown>[]) => rows.map((r) => Object.values(r).map((v) => (v === null ? null : String(v))));

describe('one statement across the lake, PostgreSQL, MariaDB and Kafka', () => {
  it('returns the rows PostgreSQL returns over copies of the same data', async () => {
    const got = await s.query(federated({ orders: 'lake.sales.orders', products: `my.${shopDb}.products`, inventory: 'pg.public.inventory', events: 'kafka.default.events' }));
    const want = await oracle.query(federated({ orders: 'orders', products: 'products', inventory: 'inventory', events: 'events' }));
    expect(got.rows.length).toBe(5);
    expect(got.rows).toEqual(text(want.rows));
  });

  it('shows in EXPLAIN what each SQL source is asked', async () => {
    const plan = (await s.query(`EXPLAIN ${federated({ orders: 'lake.sales.orders', products: `my.${shopDb}.products`, inventory: 'pg.public.inventory', events: 'kafka.default.events' })}`)).rows.map((r) => r[0]).join('\n');
    expect(plan).toMatch(/Source Query: SELECT .*FROM "public"\."inventory".*GROUP BY/);
    expect(plan).toMatch(/Source Query: SELECT .*FROM `[^`]+`\.`products` WHERE .*price/);
    expect(plan).toMatch(/Source Query: topic "events-\w+", key raw bytes, message json/);
  });
});

/** Rows the TableScan of `table` produced, from EXPLAIN ANALYZE. */
async function scannedRows(sql: string, table: string): Promise<number> {
  const plan = (await s.query(`EXPLAIN ANALYZE ${sql}`)).rows.map((r) => r[0]).join('\n');
  const m = new RegExp(`TableScan ${table.replaceAll('.', '\\.')}[^\\n]*\\(actual[^\\n]*rows=(\\d+)`).exec(plan);
  if (!m) throw new Error(`no TableScan ${table} in:\n${plan}`);
  return Number(m[1]);
}

describe('what PostgreSQL sends back', () => {
  it('a point lookup transfers the matching row, not the table', async () => {
    expect((await s.query('SELECT payload FROM pg.public.big WHERE id = 42')).rows).toEqual([[(await source.query("SELECT md5('42') AS m")).rows[0].m]]);
    expect(await scannedRows('SELECT payload FROM pg.public.big WHERE id = 42', 'pg.public.big')).toBe(1);
  });

  it('a grouped count transfers the groups', async () => {
    const got = await s.query('SELECT bucket, count(*) FROM pg.public.big GROUP BY bucket ORDER BY bucket');
    expect(got.rows).toEqual(Array.from({ length: 10 }, (_v, i) => [String(i), '20000']));
    expect(await scannedRows('SELECT bucket, count(*) FROM pg.public.big GROUP BY bucket', 'pg.public.big')).toBe(10);
  });

  it("a join sends the small side's keys into the large side's query", async () => {
    await s.query('CREATE TABLE sales.wanted AS SELECT * FROM (VALUES (5), (500), (50000), (900000)) v(id)');
    const sql = 'SELECT b.id, b.bucket FROM pg.public.big b JOIN sales.wanted w ON b.id = w.id ORDER BY b.id';
    expect((await s.query(sql)).rows).toEqual([['5', '5'], ['500', '0'], ['50000', '0']]);
    expect(await scannedRows(sql, 'pg.public.big')).toBe(3);
  });

  it('a parameter reaches the source as a bound value', async () => {
    const prepared = await s.query('SELECT count(*) FROM pg.public.big WHERE id < $1', ['1000']);
    expect(prepared.rows).toEqual([['999']]);
  });
});

describe('cancelling a federated query', () => {
  const sleeping = async (check: () => Promise<number>) => {
    const deadline = Date.now() + 5000;
    let n = await check();
    while (n > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      n = await check();
    }
    return n;
  };

  it('statement_timeout stops the PostgreSQL statement', async () => {
    await s.query("SET statement_timeout = '1s'");
    try {
      const err = await s.query("SELECT * FROM pg.system.query('SELECT 1 AS slept FROM pg_sleep(60)') CROSS JOIN lake.sales.orders").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).code).toBe('57014');
    } finally {
      await s.query('RESET statement_timeout');
    }
    const left = await sleeping(async () => (await source.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()")).rows[0].n as number);
    expect(left).toBe(0);
  });

  it('statement_timeout stops the MariaDB statement', async () => {
    await s.query("SET statement_timeout = '1s'");
    try {
      const err = await s.query("SELECT * FROM my.system.query('SELECT SLEEP(60) AS slept') CROSS JOIN pg.public.inventory").catch((e: unknown) => e);
      expect((err as SqlError).code).toBe('57014');
    } finally {
      await s.query('RESET statement_timeout');
    }
    const my = await mysqlConnect();
    try {
      const left = await sleeping(async () => {
        const [rows] = await my.query("SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT%SLEEP(60)%' AND ID <> CONNECTION_ID()");
        return Number((rows as { n: number }[])[0]!.n);
      });
      expect(left).toBe(0);
    } finally {
      await my.end();
    }
  });
});
