#!/usr/bin/env node
// Write throughput of the Parquet writer (connectors/lib/parquet/write): TPC-H lineitem
// (16 columns) pulled from the tpch connector and written to a local Parquet file.
//
//   npm run build && node bench/parquet-write.mjs
//   SF=0.1 CODEC=gzip node bench/parquet-write.mjs            # other scale factor / codec
//   PRELOAD=1 node bench/parquet-write.mjs                     # writer alone, batches made in advance
//   FLAT_STRINGS=1 node bench/parquet-write.mjs                # the same with strings copied out of tpch's text pool
//
// It reports rows/s end to end (generation + writing, one core) by wall clock and by CPU time
// of this process (steadier on a busy machine), and the wall time spent in
// ParquetWriter.write/finish. With PRELOAD=1 the batches are all generated first, so the
// timed run is the writer alone. The file goes to .tmp/bench-parquet/ and is removed after.
// Environment: SF (default 1), CODEC (snappy|gzip|none, default snappy), PRELOAD, FLAT_STRINGS,
// RUNS (passes over preloaded batches, best reported; default 3),
// COLUMNS (comma-separated lineitem columns, default all), ROW_GROUP_ROWS, PAGE_ROWS,
// DIST (compiled tree, default dist/), KEEP=1 keeps the file.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.env.DIST ?? join(root, 'dist'));
const load = async (p) => {
  try {
    return await import(join(dist, p));
  } catch (err) {
    console.error(`cannot load ${join(dist, p)} (${err.message}): run \`npm run build\` first`);
    process.exit(1);
  }
};
const { ParquetWriter, openFileSink } = await load('connectors/lib/parquet/write/index.js');
const { createTpchConnector } = await load('connectors/tpch/index.js');

const SF = process.env.SF ?? '1';
const CODEC = process.env.CODEC ?? 'snappy';
const PRELOAD = process.env.PRELOAD === '1' || process.env.FLAT_STRINGS === '1';
const FLAT_STRINGS = process.env.FLAT_STRINGS === '1';

/** The batch with every string copied out of the tpch text pool (a 300 MB string the tpch
 * connector slices its comments from; the first read of each slice is a cache miss). */
function flatten(b) {
  return {
    length: b.length,
    columns: b.columns.map((v) => (Array.isArray(v.data) && typeof v.data[0] === 'string' ? { ...v, data: v.data.map((s) => Buffer.from(s, 'latin1').toString('latin1')) } : v)),
  };
}
const schema = SF === '0.01' ? 'tiny' : `sf${SF}`;
const options = { compression: CODEC };
if (process.env.ROW_GROUP_ROWS) options.rowGroupRows = Number(process.env.ROW_GROUP_ROWS);
if (process.env.PAGE_ROWS) options.pageRows = Number(process.env.PAGE_ROWS);

const tpch = createTpchConnector();
const session = { user: 'bench', queryId: 'parquet-write' };
const table = await tpch.getTable(session, schema, 'lineitem');
if (!table) throw new Error(`no tpch.${schema}.lineitem`);
const wanted = process.env.COLUMNS ? process.env.COLUMNS.split(',') : table.columns.map((c) => c.name);
const indices = wanted.map((name) => {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`lineitem has no column ${name}`);
  return i;
});
const specs = indices.map((i) => table.columns[i]).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? true }));

async function* batches() {
  const [split] = await tpch.getSplits(session, table, { desiredSplits: 1 });
  yield* tpch.scan(session, { table, columns: indices, split, signal: new AbortController().signal });
}

const outDir = join(root, '.tmp/bench-parquet');
mkdirSync(outDir, { recursive: true });
const path = join(outDir, `lineitem-${schema}-${CODEC}-${process.pid}.parquet`);

let source = batches();
if (PRELOAD) {
  const t0 = performance.now();
  const all = [];
  for await (const b of source) all.push(FLAT_STRINGS ? flatten(b) : b);
  console.log(`generated ${all.reduce((n, b) => n + b.length, 0).toLocaleString()} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  source = all;
}

const RUNS = PRELOAD ? Number(process.env.RUNS ?? 3) : 1;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rate = (n, ms) => `${(n / ms / 1e3).toFixed(2)} M rows/s`;

/** One pass: every batch through a new writer into the file. */
async function run() {
  const sink = await openFileSink(path);
  const writer = new ParquetWriter(sink, specs, options);
  let inWriter = 0;
  let rows = 0;
  const start = performance.now();
  const startCpu = cpu();
  const timed = async (f) => {
    const t = performance.now();
    const r = await f();
    inWriter += performance.now() - t;
    return r;
  };
  for await (const batch of source) {
    await timed(() => writer.write(batch));
    rows += batch.length;
  }
  const result = await timed(async () => {
    const r = await writer.finish();
    await sink.close();
    return r;
  });
  return { result, rows, inWriter, total: performance.now() - start, totalCpu: cpu() - startCpu };
}

let best = null;
for (let r = 0; r < RUNS; r++) {
  const x = await run();
  if (best === null || x.totalCpu < best.totalCpu) best = x;
}
const { result, rows, inWriter, total, totalCpu } = best;
const mb = statSync(path).size / 1048576;
console.log(`tpch.${schema}.lineitem → ${path}`);
console.log(`  ${rows.toLocaleString()} rows, ${specs.length} columns, ${CODEC}, ${result.rowGroups} row groups, ${mb.toFixed(1)} MiB${RUNS > 1 ? `, best of ${RUNS}` : ''}`);
console.log(`  ${PRELOAD ? 'writing' : 'end to end'}: ${(total / 1000).toFixed(2)} s wall, ${rate(rows, total)}; ${(totalCpu / 1000).toFixed(2)} s CPU, ${rate(rows, totalCpu)}`);
if (!PRELOAD) console.log(`  writer alone: ${(inWriter / 1000).toFixed(2)} s wall, ${rate(rows, inWriter)}`);
if (process.env.KEEP !== '1') rmSync(path, { force: true });
