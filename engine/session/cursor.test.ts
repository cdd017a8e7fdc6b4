import { describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../connectors/registry.js';
import { openTestSession } from '../testing/run-sql.js';

const open = () => openTestSession(createDefaultCatalogs(), 'tester', 'tpch');
const query = 'select n_nationkey, n_name from tiny.nation order by n_nationkey';

describe('DECLARE / FETCH / MOVE / CLOSE', () => {
  it('fetches forward in a transaction block with the query\'s columns and PostgreSQL\'s tags', async () => {
    const s = open();
    await s.query('begin');
    expect((await s.query(`declare c no scroll cursor for ${query}`)).tag).toBe('DECLARE CURSOR');
    const first = await s.query('fetch 2 from c');
    expect(first).toMatchObject({ columns: ['n_nationkey', 'n_name'], tag: 'FETCH 2' });
    expect(first.rows.map((r) => r[0])).toEqual(['0', '1']);
    expect((await s.query('fetch c')).rows.map((r) => r[0])).toEqual(['2']);
    expect(await s.query('move forward 3 in c')).toMatchObject({ rows: [], tag: 'MOVE 3' });
    expect((await s.query('fetch next from c')).rows.map((r) => r[0])).toEqual(['6']);
    const rest = await s.query('fetch all in c');
    expect(rest.tag).toBe('FETCH 18');
    expect(rest.rows[17]![0]).toBe('24');
    expect((await s.query('fetch forward all from c')).tag).toBe('FETCH 0');
    expect((await s.query('close c')).tag).toBe('CLOSE CURSOR');
    await expect(s.query('fetch c')).rejects.toMatchObject({ code: '34000', message: 'cursor "c" does not exist' });
    await s.query('rollback');
  });

  it('needs a transaction block without HOLD and closes at its end', async () => {
    const s = open();
    await expect(s.query(`declare c cursor for ${query}`)).rejects.toMatchObject({ code: '25P01', message: 'DECLARE CURSOR can only be used in transaction blocks' });
    await s.query('begin');
    await s.query(`declare c cursor for ${query}`);
    await expect(s.query(`declare c cursor for ${query}`)).rejects.toMatchObject({ code: '42P03', message: 'cursor "c" already exists' });
    await s.query('rollback');
    await s.query('begin');
    await s.query(`declare c cursor for ${query}`);
    await s.query('commit');
    await expect(s.query('fetch c')).rejects.toMatchObject({ code: '34000' });
    await expect(s.query('close nope')).rejects.toMatchObject({ code: '34000' });
  });

  it('keeps WITH HOLD cursors across COMMIT; CLOSE ALL closes them', async () => {
    const s = open();
    await s.query(`declare h cursor with hold for ${query}`);
    await s.query('begin');
    await s.query(`declare h2 cursor with hold for ${query}`);
    await s.query('fetch 1 from h2');
    await s.query('commit');
    expect((await s.query('fetch 2 from h')).rows.map((r) => r[0])).toEqual(['0', '1']);
    expect((await s.query('fetch 1 from h2')).rows.map((r) => r[0])).toEqual(['1']);
    await s.query('begin');
    await s.query(`declare h3 cursor with hold for ${query}`);
    await s.query('rollback');
    await expect(s.query('fetch h3')).rejects.toMatchObject({ code: '34000' });
    expect((await s.query('fetch h')).rows.map((r) => r[0])).toEqual(['2']);
    expect((await s.query('close all')).tag).toBe('CLOSE CURSOR');
    await expect(s.query('fetch h')).rejects.toMatchObject({ code: '34000' });
  });

  it('refuses what it cannot do: backward fetches, SCROLL and BINARY', async () => {
    const s = open();
    await s.query('begin');
    await s.query(`declare c cursor for ${query}`);
    await expect(s.query('fetch backward 1 from c')).rejects.toMatchObject({ code: '0A000' });
    await expect(s.query(`declare d scroll cursor for ${query}`)).rejects.toMatchObject({ code: '0A000' });
    await expect(s.query(`declare d binary cursor for ${query}`)).rejects.toMatchObject({ code: '0A000' });
  });
});
