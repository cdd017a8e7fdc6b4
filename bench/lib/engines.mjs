// The engines of the TPC-H benchmark. Each: open(sf) -> ready to run queries on that scale,
// query(sql) -> rows as arrays of text, restart() (Lakegate: a fresh process for cold runs),
// close(). `label` and `notes` go into the report.
import { ident, log, schemaOf } from './common.mjs';
import { ensureParquet, ensurePostgres, lakeRoot, parquetPath, TABLES, tableColumns, duckdbPackageVersion } from './data.mjs';
import { connect, startGateway, startPostgres, pgSettingsText } from './services.mjs';
import { startTrino, trinoQuery, TRINO_VERSION } from './trino.mjs';

const toText = (v) => (v === null || v === undefined ? null : typeof v === 'object' ? v.toString() : String(v));

export const TIMEOUT_MS = () => Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);

// ---- Lakegate ----------------------------------------------------------------------------------

export class Lakegate {
  name = 'lakegate';
  label = 'Lakegate';
  notes = [];
  restartPerQuery = true;
  version = '';
  async open(sf) {
    await ensureParquet(sf);
    this.sf = sf;
    this.env = { LAKEGATE_LAKE_ROOT: lakeRoot(sf) };
    await this.restart();
    // the lake catalog over the Parquet files, or the generated tpch catalog while there is none
    const schema = ident(schemaOf(sf));
    try {
      const c = await connect({ port: this.gw.port, database: 'lake' });
      await c.query(`select count(*) from lake.${schema}.region`);
      await c.end();
      this.catalog = 'lake';
      this.label = 'Lakegate (lake catalog, Parquet)';
    } catch (e) {
      this.catalog = 'tpch';
      this.label = 'Lakegate (generated tpch connector, not Parquet)';
      this.notes.push(`Lakegate ran on the generated tpch connector, not Parquet: the lake catalog answered "${e.message}"`);
    }
    const c = await connect({ port: this.gw.port, database: this.catalog });
    this.version = (await c.query('select version()')).rows[0].version;
    await c.end();
    log(`Lakegate: catalog ${this.catalog}`);
  }
  async restart() {
    await this.client?.end().catch(() => {});
    this.client = undefined;
    await this.gw?.stop();
    this.gw = await startGateway({ env: this.env });
    this.lastStartMs = this.gw.startMs;
  }
  async session() {
    if (!this.client) {
      this.client = await connect({ port: this.gw.port, database: this.catalog ?? 'tpch', statementTimeoutMs: TIMEOUT_MS() });
      await this.client.query(`set search_path = ${ident(schemaOf(this.sf))}`);
    }
    return this.client;
  }
  async query(sql) {
    const c = await this.session();
    const t0 = performance.now();
    const r = await c.query({ text: sql, rowMode: 'array' });
    return { ms: performance.now() - t0, rows: r.rows };
  }
  async close() {
    await this.client?.end().catch(() => {});
    this.client = undefined;
    await this.gw?.stop();
    this.gw = undefined;
  }
}

// ---- DuckDB ----------------------------------------------------------------------------------

export class DuckDB {
  name = 'duckdb';
  label = 'DuckDB';
  notes = [];
  async open(sf) {
    await ensureParquet(sf);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    this.db = await DuckDBInstance.create(':memory:');
    this.con = await this.db.connect();
    await this.con.run('SET threads = 2');
    for (const t of TABLES) await this.con.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet('${parquetPath(sf, t).replace(/'/g, "''")}')`);
    this.version = String((await this.con.runAndReadAll('select version()')).getRows()[0][0]);
    this.label = `DuckDB ${this.version}`;
    this.notes.push(`DuckDB ${this.version} (@duckdb/node-api ${duckdbPackageVersion()}), in process, SET threads = 2, views over read_parquet() of the same files`);
  }
  async query(sql) {
    const t0 = performance.now();
    const reader = await this.con.runAndReadAll(sql);
    const ms = performance.now() - t0;
    return { ms, rows: reader.getRows().map((r) => r.map(toText)) };
  }
  async close() {
    this.con?.closeSync?.();
    this.db?.closeSync?.();
    this.con = this.db = undefined;
  }
}

// ---- PostgreSQL ----------------------------------------------------------------------------------

export class Postgres {
  name = 'postgres';
  label = 'PostgreSQL';
  notes = [];
  async open(sf) {
    this.svc = await startPostgres();
    await ensurePostgres(sf, this.svc);
    this.client = await connect({ port: this.svc.port, database: this.svc.database, user: this.svc.user, statementTimeoutMs: TIMEOUT_MS() });
    await this.client.query(`set search_path = ${ident(schemaOf(sf))}`);
    this.version = this.svc.version;
    this.label = `PostgreSQL ${this.version}`;
    this.notes.push(`PostgreSQL ${this.version}: tables loaded with COPY, primary keys, foreign-key-column indexes, ANALYZE; ${pgSettingsText()}`);
  }
  async query(sql) {
    const t0 = performance.now();
    const r = await this.client.query({ text: sql, rowMode: 'array' });
    return { ms: performance.now() - t0, rows: r.rows };
  }
  async close() {
    await this.client?.end().catch(() => {});
    await this.svc?.stop();
    this.client = this.svc = undefined;
  }
}

// ---- Trino ----------------------------------------------------------------------------------

export class Trino {
  name = 'trino';
  label = 'Trino';
  notes = [];
  async open(sf) {
    await ensureParquet(sf);
    this.svc = await startTrino();
    this.schema = schemaOf(sf).replace(/\./g, '_');
    const q = (sql) => trinoQuery(this.svc.port, sql, {});
    await q(`CREATE SCHEMA IF NOT EXISTS hive.${this.schema}`);
    const cols = tableColumns();
    for (const t of TABLES) {
      await q(`DROP TABLE IF EXISTS hive.${this.schema}.${t}`);
      const defs = cols[t].map((c) => `${c.name} ${c.duck === 'VARCHAR' ? 'varchar' : c.duck.toLowerCase()}`).join(', ');
      const loc = `local://${parquetPath(sf, t).replace(/\/data\.parquet$/, '')}`;
      await q(`CREATE TABLE hive.${this.schema}.${t} (${defs}) WITH (external_location = '${loc}', format = 'PARQUET')`);
    }
    // the single node serves as worker a little after the coordinator says it has started
    for (let i = 0; ; i++) {
      try {
        await trinoQuery(this.svc.port, 'SELECT count(*) FROM region', { catalog: 'hive', schema: this.schema });
        break;
      } catch (e) {
        if (!/NO_NODES_AVAILABLE/.test(e.message) || i > 120) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.version = TRINO_VERSION;
    this.label = `Trino ${TRINO_VERSION}`;
    this.notes.push(`Trino ${TRINO_VERSION} (io.trino:trino-server from Maven Central, Java 25), one coordinator-worker, hive connector with a file metastore, external tables over the same Parquet files; ${this.svc.settings}`);
  }
  async query(sql) {
    const t0 = performance.now();
    const rows = await trinoQuery(this.svc.port, sql, { catalog: 'hive', schema: this.schema, timeoutMs: TIMEOUT_MS() });
    return { ms: performance.now() - t0, rows: rows.map((r) => r.map(toText)) };
  }
  async close() {
    await this.svc?.stop();
    this.svc = undefined;
  }
}

export const ENGINES = { lakegate: Lakegate, duckdb: DuckDB, postgres: Postgres, trino: Trino };
