/**
 * Test support: a fresh database on the test PostgreSQL server (scripts/services/postgres.sh,
 * port PG_TEST_PORT, trust authentication, user postgres), a connector for it, and a direct
 * session to it as the oracle.
 */
import pg from 'pg';
import { postgresqlConnectorFactory } from './index.js';
import type { PostgresqlConnector } from './connector.js';

export const PG_PORT = Number(process.env.PG_TEST_PORT ?? 54329);
export const PG_HOST = '127.0.0.1';

/** A database or application name of this test process (runs of the suite may share the server). */
export const uniqueName = (base: string): string => `${base}_${process.pid}`;

const rawText = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

/** A direct session; values come back as the server's text. */
export async function directClient(database: string, options = ''): Promise<pg.Client> {
  const client = new pg.Client({ host: PG_HOST, port: PG_PORT, user: 'postgres', database, types: rawText, ...(options ? { options } : {}) });
  await client.connect();
  return client;
}

/** Drops and re-creates `database` (extra CREATE DATABASE options allowed), returning a direct session to it. */
export async function freshDatabase(database: string, createOptions = ''): Promise<pg.Client> {
  const admin = await directClient('postgres');
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${database}" ${createOptions}`);
  } finally {
    await admin.end();
  }
  return directClient(database);
}

export async function dropDatabase(database: string): Promise<void> {
  const admin = await directClient('postgres');
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export function connectorFor(database: string, catalog = 'pg', properties: Record<string, string> = {}): PostgresqlConnector {
  return postgresqlConnectorFactory.create(catalog, {
    'connector.name': 'postgresql',
    'connection-url': `jdbc:postgresql://${PG_HOST}:${PG_PORT}/${database}`,
    'connection-user': 'postgres',
    ...properties,
  }) as PostgresqlConnector;
}

/** Rows of a direct query as text arrays (NULL as null). */
export async function oracleRows(client: pg.Client, sql: string, values: unknown[] = []): Promise<(string | null)[][]> {
  return (await client.query({ text: sql, values, rowMode: 'array' })).rows as (string | null)[][];
}

export const session = { user: 'tester', queryId: 'q1' };

/** Session options making PostgreSQL print values as the engine's defaults do (the oracle side of comparisons). */
export const ORACLE_OPTIONS = '-c DateStyle=ISO -c TimeZone=UTC -c extra_float_digits=1 -c IntervalStyle=postgres -c bytea_output=hex';

/** Ends a test file: closes the connector and the direct clients, then drops the database. */
export async function tearDown(database: string, connector: { close(): Promise<void> } | undefined, ...clients: (pg.Client | undefined)[]): Promise<void> {
  await connector?.close();
  for (const c of clients) await c?.end();
  await dropDatabase(database);
}
