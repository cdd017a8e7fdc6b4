// TPC-H data for the benchmark, made once per scale factor:
//   gateway (tpch catalog) --COPY ... TO STDOUT (csv)--> bench/data/sf<N>/csv/<t>.csv (temporary)
//   DuckDB: CSV -> bench/data/sf<N>/lake/sf<N>/<t>/data.parquet (TPC-H types, default row groups)
//   PostgreSQL 15: DuckDB writes CSV from the Parquet files (unless the gateway's are still
//   there), COPY FROM STDIN, primary keys, foreign-key-column indexes, ANALYZE
// bench/data/sf<N>/marker.json records the row counts; data present is reused.
import { createReadStream, createWriteStream, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { DATA, ROOT, ensureDir, ident, log, schemaOf } from './common.mjs';

export function duckdbPackageVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/@duckdb/node-api/package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}
import { connect, startGateway, startPostgres } from './services.mjs';

const { to: copyTo, from: copyFrom } = copyStreams;

/** Largest first. */
export const TABLES = ['lineitem', 'orders', 'partsupp', 'part', 'customer', 'supplier', 'nation', 'region'];

/** The TPC-H column types, as the gateway's tpch connector serves them (the differential DDL). */
export const DDL_FILE = join(ROOT, 'conformance/differential/tpch-ddl.sql');
export const PG_KEYS_FILE = join(ROOT, 'conformance/differential/tpch-keys.sql');
export const PG_INDEXES_FILE = join(ROOT, 'bench/sql/postgres-indexes.sql');

/** { table: [{ name, type (PostgreSQL), duck (DuckDB type), isChar }] } from the DDL file. */
export function tableColumns() {
  const text = readFileSync(DDL_FILE, 'utf8').replace(/--.*$/gm, '');
  const out = {};
  for (const m of text.matchAll(/create table (\w+)\s*\(([\s\S]*?)\);/gi)) {
    out[m[1]] = m[2]
      .split(/,\s*\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const [, name, type] = /^(\w+)\s+(.+?)\s+not null$/i.exec(l) ?? [];
        if (!name) throw new Error(`cannot read column "${l}" of ${m[1]}`);
        const t = type.toLowerCase();
        const duck = t === 'int4' ? 'INTEGER' : t === 'int8' ? 'BIGINT' : t.startsWith('numeric') ? t.replace('numeric', 'DECIMAL').toUpperCase() : t === 'date' ? 'DATE' : 'VARCHAR';
        return { name, type: t, duck, isChar: t.startsWith('char') };
      });
  }
  for (const t of TABLES) if (!out[t]) throw new Error(`${DDL_FILE} has no table ${t}`);
  return out;
}

export const scaleDir = (sf) => join(DATA, `sf${sf}`);
export const lakeRoot = (sf) => join(scaleDir(sf), 'lake');
export const parquetPath = (sf, table) => join(lakeRoot(sf), schemaOf(sf), table, 'data.parquet');
const markerPath = (sf) => join(scaleDir(sf), 'marker.json');

export function readMarker(sf) {
  try {
    return JSON.parse(readFileSync(markerPath(sf), 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when every Parquet file of the scale is there and the marker has its row counts. */
export function parquetReady(sf) {
  const m = readMarker(sf);
  return !!m?.rows && TABLES.every((t) => m.rows[t] !== undefined && existsSync(parquetPath(sf, t)));
}

async function duck() {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  return { db, con: await db.connect() };
}

const sqlString = (s) => `'${s.replace(/'/g, "''")}'`;

/** Streams one table out of the gateway as CSV into `file`; resolves the row count. */
async function copyOut(gw, sf, table, file) {
  const c = await connect({ port: gw.port, database: 'tpch' });
  try {
    const stream = c.query(copyTo(`COPY (SELECT * FROM tpch.${ident(schemaOf(sf))}.${table}) TO STDOUT WITH (FORMAT csv)`));
    await pipeline(stream, createWriteStream(file));
    return stream.rowCount;
  } finally {
    await c.end();
  }
}

/** DuckDB: CSV (as the gateway wrote it) -> Parquet with the TPC-H types. */
async function csvToParquet(con, cols, csv, parquet) {
  ensureDir(join(parquet, '..'));
  const columns = `{${cols.map((c) => `'${c.name}': '${c.isChar ? 'VARCHAR' : c.duck}'`).join(', ')}}`;
  // char(n) values arrive blank-padded (PostgreSQL's bpchar output); Parquet has no char type
  const select = cols.map((c) => (c.isChar ? `rtrim(${c.name}, ' ') AS ${c.name}` : c.name)).join(', ');
  await con.run(
    `COPY (SELECT ${select} FROM read_csv(${sqlString(csv)}, header = false, delim = ',', quote = '"', escape = '"', ` +
      `columns = ${columns}, auto_detect = false, null_padding = false)) TO ${sqlString(parquet)} (FORMAT parquet)`,
  );
  const r = await con.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(parquet)})`);
  return Number(r.getRows()[0][0]);
}

/** DuckDB: Parquet -> CSV (to load PostgreSQL when the gateway's CSV is gone). */
async function parquetToCsv(con, parquet, csv) {
  await con.run(`COPY (SELECT * FROM read_parquet(${sqlString(parquet)})) TO ${sqlString(csv)} (FORMAT csv, HEADER false)`);
}

/**
 * Makes the Parquet files of scale `sf` if they are not there (starting a gateway for it).
 * Returns the marker ({ rows: {table: n}, ... }). The CSV files are removed afterwards.
 */
export async function ensureParquet(sf) {
  if (parquetReady(sf)) return readMarker(sf);
  const dir = ensureDir(scaleDir(sf));
  const csvDir = ensureDir(join(dir, 'csv'));
  log(`generating TPC-H SF ${sf}: gateway COPY -> CSV -> Parquet (DuckDB) in ${dir}`);
  const gw = await startGateway();
  const cols = tableColumns();
  const { con } = await duck();
  const rows = {};
  const timing = {};
  try {
    for (const t of TABLES) {
      const csv = join(csvDir, `${t}.csv`);
      const t0 = performance.now();
      const n = await copyOut(gw, sf, t, csv);
      const t1 = performance.now();
      const p = await csvToParquet(con, cols[t], csv, parquetPath(sf, t));
      const t2 = performance.now();
      if (p !== n) throw new Error(`${t}: COPY gave ${n} rows, the Parquet file has ${p}`);
      rows[t] = n;
      timing[t] = { copyMs: Math.round(t1 - t0), parquetMs: Math.round(t2 - t1), parquetBytes: statSync(parquetPath(sf, t)).size };
      log(`  ${t}: ${n} rows, COPY ${((t1 - t0) / 1000).toFixed(1)} s, Parquet ${((t2 - t1) / 1000).toFixed(1)} s (${(timing[t].parquetBytes / 1e6).toFixed(1)} MB)`);
    }
  } finally {
    await gw.stop();
  }
  const marker = { scale: sf, schema: schemaOf(sf), rows, timing, generatedAt: new Date().toISOString(), duckdbNodeApi: duckdbPackageVersion() };
  writeFileSync(markerPath(sf), JSON.stringify(marker, null, 2) + '\n');
  dropCsv(sf);
  return marker;
}

function statements(path, perLine) {
  const text = readFileSync(path, 'utf8').replace(/--.*$/gm, '');
  return (perLine ? text.split('\n') : text.split(';')).map((s) => s.trim()).filter(Boolean);
}

/**
 * Loads scale `sf` into the benchmark PostgreSQL (schema "sf<N>" of database bench) unless
 * a bench_loaded table there already has the marker's row counts. `pgsvc` from startPostgres.
 */
export async function ensurePostgres(sf, pgsvc) {
  const marker = await ensureParquet(sf);
  const schema = ident(schemaOf(sf));
  const c = await connect({ port: pgsvc.port, database: pgsvc.database, user: pgsvc.user });
  try {
    const have = await c
      .query(`select rows from ${schema}.bench_loaded`)
      .then((r) => r.rows[0]?.rows)
      .catch(() => undefined);
    if (have && JSON.stringify(JSON.parse(have)) === JSON.stringify(marker.rows)) return marker;
    log(`loading SF ${sf} into PostgreSQL (schema ${schema})`);
    const t0 = performance.now();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.query(`create schema ${schema}`);
    await c.query(`set search_path = ${schema}`);
    for (const s of statements(DDL_FILE, false)) await c.query(s);
    const csvDir = ensureDir(join(scaleDir(sf), 'csv'));
    let con;
    for (const t of TABLES) {
      const csv = join(csvDir, `${t}.csv`);
      if (!existsSync(csv)) {
        con ??= (await duck()).con;
        await parquetToCsv(con, parquetPath(sf, t), csv);
      }
      const stream = c.query(copyFrom(`COPY ${t} FROM STDIN WITH (FORMAT csv)`));
      await pipeline(createReadStream(csv), stream);
      if (stream.rowCount !== marker.rows[t]) throw new Error(`PostgreSQL ${t}: loaded ${stream.rowCount} rows, expected ${marker.rows[t]}`);
    }
    const t1 = performance.now();
    for (const s of [...statements(PG_KEYS_FILE, true), ...statements(PG_INDEXES_FILE, true)]) await c.query(s);
    const t2 = performance.now();
    await c.query('analyze');
    const t3 = performance.now();
    await c.query(`create table bench_loaded (rows text, loaded_at timestamptz default now())`);
    await c.query(`insert into bench_loaded (rows) values ($1)`, [JSON.stringify(marker.rows)]);
    log(`  PostgreSQL SF ${sf}: COPY ${((t1 - t0) / 1000).toFixed(1)} s, keys+indexes ${((t2 - t1) / 1000).toFixed(1)} s, ANALYZE ${((t3 - t2) / 1000).toFixed(1)} s`);
    dropCsv(sf);
    return marker;
  } finally {
    await c.end();
  }
}

/** Removes the temporary CSV files (BENCH_KEEP_CSV=1 keeps them). */
export function dropCsv(sf) {
  if (process.env.BENCH_KEEP_CSV !== '1') rmSync(join(scaleDir(sf), 'csv'), { recursive: true, force: true });
}

export { startPostgres };
