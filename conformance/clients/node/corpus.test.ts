// The SQL real clients send (../shared/corpus: psql's backslash commands, pgJDBC's DatabaseMetaData
// and connection setup), replayed in order on one connection to the target and one to the test
// PostgreSQL: every statement must succeed on both, with the same result columns (names and type
// OIDs) as PostgreSQL's. psql.sql goes over the simple query protocol, as psql sends it; pgjdbc.sql
// over the extended protocol (unnamed statement) as pgJDBC sends it, except the block that is one
// simple-query string of two statements. pgJDBC's autosave statements (SAVEPOINT, RELEASE, ROLLBACK
// TO) run inside a transaction that is rolled back afterwards, as pgJDBC sends them.
//   LAKEGATE_HOST/LAKEGATE_PORT/LAKEGATE_USER/LAKEGATE_DB   the target (default 127.0.0.1:7432)
//   PG_WIRE_URL      the test PostgreSQL (default postgresql://postgres@127.0.0.1:54329/postgres)
//   CORPUS_DIR       the corpus (default ../shared/corpus beside the checkout)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from './endpoint.js';

const corpusDir = process.env.CORPUS_DIR ?? fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
const target: pg.ClientConfig = endpoint('lakegate-corpus-suite');
const oracle: pg.ClientConfig = {
  connectionString: process.env.PG_WIRE_URL ?? 'postgresql://postgres@127.0.0.1:54329/postgres',
  connectionTimeoutMillis: 10_000,
};

interface Block { readonly source: string; readonly sql: string }

/** Blocks are separated by `-- next` lines; each names its origin in a `-- source:` line. */
function blocks(file: string): Block[] {
  return readFileSync(corpusDir + file, 'utf8')
    .split(/^-- next$/m)
    .map((text) => ({
      source: /^-- source: (.*)$/m.exec(text)?.[1] ?? '(no source line)',
      sql: text.split('\n').filter((line) => !line.startsWith('--')).join('\n').trim(),
    }))
    .filter((b) => b.sql !== '');
}

type Shape = { name: string; type: number }[][];

async function shape(client: pg.Client, sql: string, extended: boolean): Promise<Shape> {
  // every column as text: only the row descriptions are compared
  const types = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;
  const result = await client.query({ text: sql, types, ...(extended ? { queryMode: 'extended' as const } : {}) });
  const results: pg.QueryResult[] = Array.isArray(result) ? result : [result];
  return results.map((r) => (r.fields ?? []).map((f) => ({ name: f.name, type: f.dataTypeID })));
}

for (const [file, protocol] of [['psql.sql', 'simple'], ['pgjdbc.sql', 'extended']] as const) {
  describe(`corpus ${file}`, () => {
    const gateway = new pg.Client(target);
    const postgres = new pg.Client(oracle);
    beforeAll(async () => { await Promise.all([gateway.connect(), postgres.connect()]); });
    afterAll(async () => { await Promise.all([gateway.end(), postgres.end()]); });

    for (const [i, block] of blocks(file).entries()) {
      // one simple-query string of several statements cannot go over the extended protocol
      const extended = protocol === 'extended' && !/;\s*\S/.test(block.sql.replace(/;\s*$/, ''));
      // pgJDBC sends its autosave statements inside a transaction, after the savepoint for RELEASE / ROLLBACK TO
      const savepoint = /^(SAVEPOINT|RELEASE|ROLLBACK TO)\b.*?(\w+)$/i.exec(block.sql);
      const run = async (client: pg.Client) => {
        if (!savepoint) return shape(client, block.sql, extended);
        await client.query('BEGIN');
        if (savepoint[1]!.toUpperCase() !== 'SAVEPOINT') await client.query(`SAVEPOINT ${savepoint[2]!}`);
        try {
          return await shape(client, block.sql, extended);
        } finally {
          await client.query('ROLLBACK');
        }
      };
      it(`#${i + 1} ${block.source}`, async () => {
        const want = await run(postgres);
        const got = await run(gateway);
        expect(got).toEqual(want);
      });
    }
  });
}
