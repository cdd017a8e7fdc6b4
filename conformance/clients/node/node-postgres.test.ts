// node-postgres (pg) against the gateway: extended protocol with parameters,
// named statements, binary results, error codes, transactions.
//   LAKEGATE_HOST/LAKEGATE_PORT (127.0.0.1:7432), LAKEGATE_USER/LAKEGATE_DB (lakegate)
//   LAKEGATE_TARGET=gateway (default) | postgres  -- postgres skips what needs the tpch catalog
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from './endpoint.js';

const target = process.env.LAKEGATE_TARGET ?? 'gateway';
const onGateway = target !== 'postgres';
const config: pg.ClientConfig = endpoint('lakegate-node-suite');

type Parser = (value: string | Buffer) => unknown;
// every column as the server's text bytes, so results compare exactly
const rawText = { getTypeParser: () => ((v: string) => v) as Parser } as unknown as pg.CustomTypesConfig;

// Decode binary results into PostgreSQL's text output, so a binary row can be
// compared byte for byte with the text row of the same query.
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const pad = (n: number | bigint, w = 2) => String(n).padStart(w, '0');
function ymd(days: number): string {
  const d = new Date(PG_EPOCH_MS + days * 86_400_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
function numericToText(b: Buffer): string {
  const ndigits = b.readInt16BE(0), weight = b.readInt16BE(2), sign = b.readUInt16BE(4), dscale = b.readInt16BE(6);
  if (sign === 0xc000) return 'NaN';
  const digits: number[] = [];
  for (let i = 0; i < ndigits; i++) digits.push(b.readInt16BE(8 + 2 * i));
  let int = '';
  for (let i = 0; i <= weight; i++) int += i === 0 ? String(digits[i] ?? 0) : pad(digits[i] ?? 0, 4);
  if (int === '') int = '0';
  let frac = '';
  for (let i = weight + 1; frac.length < dscale; i++) frac += pad(i < 0 ? 0 : (digits[i] ?? 0), 4);
  frac = frac.slice(0, dscale);
  return (sign === 0x4000 ? '-' : '') + int + (dscale > 0 ? '.' + frac : '');
}
const binaryDecoders: Record<number, (b: Buffer) => string> = {
  16: (b) => (b[0] ? 't' : 'f'),
  20: (b) => b.readBigInt64BE(0).toString(),
  21: (b) => String(b.readInt16BE(0)),
  23: (b) => String(b.readInt32BE(0)),
  25: (b) => b.toString('utf8'),
  1043: (b) => b.toString('utf8'),
  1042: (b) => b.toString('utf8'),
  701: (b) => String(b.readDoubleBE(0)),
  1700: numericToText,
  1082: (b) => ymd(b.readInt32BE(0)),
  1114: (b) => {
    const us = b.readBigInt64BE(0);
    const dayUs = 86_400_000_000n;
    let days = us / dayUs, rem = us % dayUs;
    if (rem < 0n) { rem += dayUs; days -= 1n; }
    const secs = rem / 1_000_000n, micros = rem % 1_000_000n;
    const frac = micros === 0n ? '' : '.' + pad(micros, 6).replace(/0+$/, '');
    return `${ymd(Number(days))} ${pad(secs / 3600n)}:${pad((secs / 60n) % 60n)}:${pad(secs % 60n)}${frac}`;
  },
};

// pg-protocol 1.x decodes every DataRow field as a UTF-8 string, even in binary
// format, so bytes >= 0x80 are mangled before a type parser sees them (its
// Parser throws 'Binary mode not supported yet' for mode: 'binary').  To check
// the server's binary encoding exactly we tap the socket while the query runs
// (pg still sends Bind with binary result formats) and parse the DataRows.
function splitDataRows(bytes: Buffer): (Buffer | null)[][] {
  const rows: (Buffer | null)[][] = [];
  let off = 0;
  while (off + 5 <= bytes.length) {
    const type = bytes[off], len = bytes.readInt32BE(off + 1);
    if (off + 1 + len > bytes.length) break;
    if (type === 0x44 /* 'D' */) {
      const n = bytes.readInt16BE(off + 5);
      let p = off + 7;
      const fields: (Buffer | null)[] = [];
      for (let i = 0; i < n; i++) {
        const flen = bytes.readInt32BE(p);
        p += 4;
        if (flen === -1) fields.push(null);
        else { fields.push(bytes.subarray(p, p + flen)); p += flen; }
      }
      rows.push(fields);
    }
    off += 1 + len;
  }
  return rows;
}
async function queryBinary(c: pg.Client, text: string, values: unknown[]) {
  const stream = (c as unknown as { connection: { stream: NodeJS.EventEmitter } }).connection.stream;
  const chunks: Buffer[] = [];
  const tap = (b: Buffer) => chunks.push(Buffer.from(b));
  stream.on('data', tap);
  let result: pg.QueryResult;
  try {
    result = await c.query(binaryQuery(text, values, rawText));
  } finally {
    stream.off('data', tap);
  }
  const raw = splitDataRows(Buffer.concat(chunks));
  const rows = raw.map((fields) => {
    const row: Record<string, string | null> = {};
    result.fields.forEach((f, i) => {
      const v = fields[i];
      const dec = binaryDecoders[f.dataTypeID];
      row[f.name] = v == null ? null : dec ? dec(v) : `<no decoder for oid ${f.dataTypeID}>`;
    });
    return row;
  });
  return { fields: result.fields, rows };
}

// pg supports `binary: true` on a query config (all result columns in binary
// format), but @types/pg does not declare it
function binaryQuery(text: string, values: unknown[], types?: pg.CustomTypesConfig): pg.QueryConfig {
  const config = { text, values, binary: true, ...(types ? { types } : {}) };
  return config as pg.QueryConfig;
}

const PARAM_SQL =
  'select $1::int4 + 1 as i, $2::text as t, $3::numeric(10,2) as n, $4::int8 as b, $5::float8 as f, ' +
  '$6::bool as o, $7::date as d, $8::timestamp as ts';
const VALUES = [41, 'héllo, wörld', '12.345', '9007199254740993', 3.25, true, '2024-02-29', '2024-02-29 13:45:56.123456'];
const LITERAL_SQL =
  "select 41::int4 + 1 as i, 'héllo, wörld'::text as t, 12.345::numeric(10,2) as n, 9007199254740993::int8 as b, " +
  "3.25::float8 as f, true::bool as o, '2024-02-29'::date as d, '2024-02-29 13:45:56.123456'::timestamp as ts";
const EXPECTED_TEXT = {
  i: '42', t: 'héllo, wörld', n: '12.35', b: '9007199254740993', f: '3.25', o: 't', d: '2024-02-29', ts: '2024-02-29 13:45:56.123456',
};

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client(config);
  await client.connect();
});
afterAll(async () => {
  await client?.end();
});

describe('node-postgres', () => {
  it('simple query (text) returns the expected values', async () => {
    const r = await client.query({ text: LITERAL_SQL, types: rawText });
    expect(r.rows).toEqual([EXPECTED_TEXT]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([23, 25, 1700, 20, 701, 16, 1082, 1114]);
  });

  it('parameterized query run 10 times gives the text-mode result every time', async () => {
    const simple = await client.query({ text: LITERAL_SQL, types: rawText });
    for (let i = 0; i < 10; i++) {
      const r = await client.query({ text: PARAM_SQL, values: VALUES, types: rawText });
      expect(r.rows, `execution ${i + 1}`).toEqual(simple.rows);
      expect(r.fields.map((f) => f.dataTypeID)).toEqual(simple.fields.map((f) => f.dataTypeID));
    }
  });

  it('parameterized query with default type parsers', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await client.query(PARAM_SQL, VALUES);
      const row = r.rows[0];
      expect(row.i).toBe(42);
      expect(row.t).toBe('héllo, wörld');
      expect(row.n).toBe('12.35');
      expect(row.b).toBe('9007199254740993');
      expect(row.f).toBe(3.25);
      expect(row.o).toBe(true);
      expect(row.d).toBeInstanceOf(Date);
      expect(row.ts).toBeInstanceOf(Date);
    }
  });

  it('NULL parameters round-trip', async () => {
    const r = await client.query({ text: 'select $1::int4 as a, $2::text as b', values: [null, null], types: rawText });
    expect(r.rows).toEqual([{ a: null, b: null }]);
  });

  it('named statement is prepared once and reused with different values', async () => {
    const text = 'select $1::int4 * 2 as doubled, upper($2::text) as up';
    for (let i = 0; i < 10; i++) {
      const r = await client.query({ name: 'q1', text, values: [i, `v${i}`], types: rawText });
      expect(r.rows).toEqual([{ doubled: String(i * 2), up: `V${i}` }]);
    }
  });

  it('binary result mode decodes to the same values as text mode', async () => {
    const text = await client.query({ text: PARAM_SQL, values: VALUES, types: rawText });
    for (let i = 0; i < 10; i++) {
      const bin = await queryBinary(client, PARAM_SQL, VALUES);
      expect(bin.fields.every((f) => f.format === 'binary'), 'all columns in binary format').toBe(true);
      expect(bin.rows, `binary execution ${i + 1}`).toEqual(text.rows);
    }
  });

  it('binary result mode with pg default binary parsers', async () => {
    // values chosen so every binary byte is < 0x80 (see queryBinary above)
    const r = await client.query(
      binaryQuery('select $1::int4 as i, $2::int8 as b, $3::float8 as f, $4::bool as o, $5::text as t', [7, '100', 2, false, 'x']),
    );
    expect(r.fields.map((f) => f.format)).toEqual(['binary', 'binary', 'binary', 'binary', 'binary']);
    expect(r.rows[0]).toEqual({ i: 7, b: '100', f: 2, o: false, t: 'x' });
  });

  it('numeric edge values survive binary transfer', async () => {
    const vals = ['0.00', '-1.50', '12345678.90', '0.01', '100000.00'];
    for (const v of vals) {
      const t = await client.query({ text: 'select $1::numeric(10,2) as n', values: [v], types: rawText });
      const b = await queryBinary(client, 'select $1::numeric(10,2) as n', [v]);
      expect(t.rows[0].n).toBe(v);
      expect(b.rows[0].n).toBe(v);
    }
  });

  it('errors carry the SQLSTATE in .code and the connection stays usable', async () => {
    await expect(client.query('select 1/0')).rejects.toMatchObject({ code: '22012', severity: 'ERROR' });
    await expect(client.query('select * from no_such_table_lakegate')).rejects.toMatchObject({ code: '42P01' });
    await expect(client.query({ text: 'select $1::int4', values: ['not a number'] })).rejects.toMatchObject({ code: '22P02' });
    await expect(client.query('selec 1')).rejects.toMatchObject({ code: '42601' });
    const r = await client.query('select 1 as one');
    expect(r.rows).toEqual([{ one: 1 }]);
  });

  it('transaction: BEGIN, error aborts it (25P02), ROLLBACK recovers', async () => {
    await client.query('BEGIN');
    const r = await client.query('select 2 as two');
    expect(r.rows).toEqual([{ two: 2 }]);
    await expect(client.query('select 1/0')).rejects.toMatchObject({ code: '22012' });
    await expect(client.query('select 1')).rejects.toMatchObject({ code: '25P02' });
    const rb = await client.query('ROLLBACK');
    expect(rb.command).toBe('ROLLBACK');
    const after = await client.query('select 3 as three');
    expect(after.rows).toEqual([{ three: 3 }]);
  });

  it('transaction: BEGIN/COMMIT command tags', async () => {
    const b = await client.query('BEGIN');
    expect(b.command).toBe('BEGIN');
    await client.query({ text: 'select $1::int4 as x', values: [1] });
    const c = await client.query('COMMIT');
    expect(c.command).toBe('COMMIT');
  });

  it.skipIf(!onGateway)('tpch: count(*) of tpch.tiny.lineitem is 60175', async () => {
    const r = await client.query({ text: 'select count(*) from tpch.tiny.lineitem', types: rawText });
    expect(r.rows[0].count).toBe('60175');
  });

  it.skipIf(!onGateway)('tpch: parameterized query 10 times equals the simple-query result', async () => {
    const simple = await client.query({
      text: 'select count(*) as c, sum(l_quantity) as q from tpch.tiny.lineitem where l_orderkey <= 1000',
      types: rawText,
    });
    for (let i = 0; i < 10; i++) {
      const r = await client.query({
        text: 'select count(*) as c, sum(l_quantity) as q from tpch.tiny.lineitem where l_orderkey <= $1',
        values: [1000],
        types: rawText,
      });
      expect(r.rows, `execution ${i + 1}`).toEqual(simple.rows);
    }
  });

  it.skipIf(!onGateway)('tpch: binary rows of tpch.tiny.orders equal text rows', async () => {
    const text = 'select o_orderkey, o_custkey, o_totalprice, o_orderdate, o_orderstatus from tpch.tiny.orders where o_orderkey <= $1 order by o_orderkey';
    const t = await client.query({ text, values: [200], types: rawText });
    const b = await queryBinary(client, text, [200]);
    expect(t.rows.length).toBeGreaterThan(0);
    expect(b.rows).toEqual(t.rows);
  });
});
