#!/usr/bin/env node
// Decode throughput of the Parquet reader (connectors/lib/parquet), one core, per column.
//
//   npm run build && node bench/parquet-decode.mjs                 # lineitem-like files made with pyarrow
//   npm run build && node bench/parquet-decode.mjs FILE.parquet …  # any files, e.g. bench/data/sf1/lake/sf1/lineitem/data.parquet
//
// Without files it writes a lineitem-like table (2,000,000 rows: int32, int64, double,
// decimal(15,2) as INT64 and as FIXED_LEN_BYTE_ARRAY, date, dictionary and plain strings) with
// pyarrow into .tmp/bench-parquet/, uncompressed, with snappy and with zstd (pyarrow from
// .tmp/venv/bin/python, else python3). Each column chunk of every row group is decoded from
// memory (no I/O) into engine vectors; the best of RUNS passes is reported as values/s.
// Environment: RUNS (default 5), ROWS (default 2000000).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'dist/connectors/lib/parquet/index.js');
if (!existsSync(lib)) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const { memoryByteSource, readParquetMetadata, readColumnChunks } = await import(lib);
const { formatType } = await import(join(root, 'dist/engine/types/pg-type.js'));

const RUNS = Number(process.env.RUNS ?? 5);
const ROWS = Number(process.env.ROWS ?? 2_000_000);

const MAKE = String.raw`
import sys, pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
out, n = sys.argv[1], int(sys.argv[2])
i = pa.array(range(n), pa.int64())
def mod(a, m): return pc.subtract(a, pc.multiply(pc.divide(a, m), m))
h = mod(pc.add(pc.multiply(i, 2654435761), 12345), 1000003)       # a cheap hash 0..1000002
cents = pc.add(mod(pc.multiply(h, 7919), 10_000_000), 90_000)      # 900.00 .. 100899.99
modes = pa.array(["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"])
words = pa.array(["furiously", "quickly", "regular", "ironic", "carefully", "final", "pending", "bold", "express", "slyly"])
def pick(arr, idx): return pc.take(arr, idx)
def money(c): return pc.cast(pc.divide(pc.cast(c, pa.float64()), 100.0), pa.decimal128(15, 2), safe=False)
comment = pc.binary_join_element_wise(pick(words, mod(h, 10)), pick(words, mod(pc.divide(h, 10), 10)), pick(words, mod(pc.divide(h, 100), 10)), " ")
comment = pc.binary_join_element_wise(comment, pc.cast(h, pa.string()), " #")
t = pa.table({
    "l_orderkey": pc.add(pc.divide(pc.multiply(i, 4), 16), 1),
    "l_suppkey": pc.cast(pc.add(mod(h, 10000), 1), pa.int32()),
    "l_linenumber": pc.cast(pc.add(mod(i, 7), 1), pa.int32()),
    "l_extendedprice": money(cents),
    "l_price_flba": money(cents),
    "l_discount": money(mod(h, 11)),
    "l_price_f64": pc.divide(pc.cast(cents, pa.float64()), 100.0),
    "l_shipdate": pc.cast(pc.cast(pc.add(mod(h, 2526), 8036), pa.int32()), pa.date32()),
    "l_shipmode": pick(modes, mod(h, 7)),
    "l_comment": comment,
})
for codec in ["none", "snappy", "zstd"]:
    # a file stores all its decimals one way: the FIXED_LEN_BYTE_ARRAY copy goes into its own file
    common = dict(compression=codec, row_group_size=122_880, use_dictionary=["l_discount", "l_shipmode", "l_linenumber"])
    pq.write_table(t.drop_columns(["l_price_flba"]), f"{out}/lineitem-like-{codec}.parquet", store_decimal_as_integer=True, **common)
    pq.write_table(t.select(["l_price_flba"]), f"{out}/lineitem-like-flba-{codec}.parquet", **common)
`;

function python() {
  for (const py of [join(root, '.tmp/venv/bin/python'), 'python3']) {
    try {
      execFileSync(py, ['-c', 'import pyarrow'], { stdio: 'ignore' });
      return py;
    } catch {
      // next
    }
  }
  console.error('pyarrow not found (.tmp/venv/bin/python or python3): .tmp/venv/bin/pip install pyarrow');
  process.exit(1);
}

let files = process.argv.slice(2);
if (files.length === 0) {
  const dir = join(root, '.tmp/bench-parquet', String(ROWS));
  files = ['none', 'snappy', 'zstd'].flatMap((c) => [`${dir}/lineitem-like-${c}.parquet`, `${dir}/lineitem-like-flba-${c}.parquet`]);
  if (!files.every(existsSync)) {
    mkdirSync(dir, { recursive: true });
    console.log(`writing ${ROWS} lineitem-like rows with pyarrow into ${dir}`);
    execFileSync(python(), ['-c', MAKE, dir, String(ROWS)], { stdio: 'inherit' });
  }
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
for (const file of files) {
  const bytes = new Uint8Array(readFileSync(file));
  const src = memoryByteSource(bytes);
  const md = await readParquetMetadata(src);
  console.log(`\n${file}: ${md.numRows} rows, ${md.rowGroups.length} row groups, ${(bytes.length / 1e6).toFixed(1)} MB`);
  console.log(`${pad('column', 18)}${pad('type', 30)}${pad('physical', 22)}${pad('encodings', 34)}${pad('codec', 13)}${lpad('ms', 8)}${lpad('M values/s', 12)}`);
  for (const col of md.columns) {
    let best = Infinity;
    for (let r = 0; r < RUNS; r++) {
      const t0 = process.hrtime.bigint();
      for (let g = 0; g < md.rowGroups.length; g++) await readColumnChunks(src, md, g, [col.index]);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (ms < best) best = ms;
    }
    const chunk = md.rowGroups[0].columns[col.index];
    console.log(
      `${pad(col.name, 18)}${pad(formatType(col.type), 30)}${pad(col.physicalType, 22)}${pad(chunk.encodings.join(','), 34)}${pad(chunk.codec, 13)}` +
        `${lpad(best.toFixed(1), 8)}${lpad((md.numRows / best / 1e3).toFixed(1), 12)}`,
    );
  }
}
