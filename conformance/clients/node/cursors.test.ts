// DECLARE / FETCH / MOVE / CLOSE as Tableau and psqlODBC send them, through node-postgres; the
// same file runs against PostgreSQL itself (LAKEGATE_TARGET=postgres), so every expectation
// here is PostgreSQL's behaviour.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from './endpoint.js';

let client: pg.Client;
const rows = async (sql: string) => (await client.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => r.map(String));
const failure = (sql: string) => client.query(sql).then(() => undefined, (e: { code?: string }) => e.code);

beforeAll(async () => {
  client = new pg.Client(endpoint('lakegate-cursor-suite'));
  await client.connect();
});
afterAll(() => client?.end());

describe('cursors', () => {
  it('fetch and move through a cursor in a transaction', async () => {
    await client.query('BEGIN');
    const declared = await client.query('DECLARE c NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 10) AS s(g)');
    expect(declared.command).toBe('DECLARE');
    expect(await rows('FETCH 2 FROM c')).toEqual([['1'], ['2']]);
    const moved = await client.query('MOVE FORWARD 3 IN c');
    expect([moved.command, moved.rowCount]).toEqual(['MOVE', 3]);
    expect(await rows('FETCH NEXT FROM c')).toEqual([['6']]);
    const rest = await client.query('FETCH ALL FROM c');
    expect([rest.command, rest.rowCount]).toEqual(['FETCH', 4]);
    expect(await rows('FETCH 5 FROM c')).toEqual([]);
    expect((await client.query('CLOSE c')).command).toBe('CLOSE');
    await client.query('COMMIT');
  });

  it('ends cursors with their transaction unless WITH HOLD', async () => {
    await client.query('BEGIN');
    await client.query('DECLARE plain CURSOR FOR SELECT 1');
    await client.query('DECLARE held CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) AS s(g)');
    await client.query('COMMIT');
    expect(await failure('FETCH 1 FROM plain')).toBe('34000');
    expect(await rows('FETCH 2 FROM held')).toEqual([['1'], ['2']]);
    await client.query('CLOSE held');
  });

  it('answers misuse with PostgreSQL’s SQLSTATEs', async () => {
    expect(await failure('DECLARE outside CURSOR FOR SELECT 1')).toBe('25P01');
    await client.query('BEGIN');
    await client.query('DECLARE twice CURSOR FOR SELECT 1');
    expect(await failure('DECLARE twice CURSOR FOR SELECT 2')).toBe('42P03');
    await client.query('ROLLBACK');
    expect(await failure('CLOSE nosuch')).toBe('34000');
  });
});
