import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datumAt, type Vector } from '../../../engine/execution/batch/vector.js';
import { formatType } from '../../../engine/types/pg-type.js';
import { Numeric } from '../../../engine/types/numeric.js';
import { fileByteSource, memoryByteSource } from './byte-source.js';
import { lz4HadoopDecompress, lz4RawDecompress } from './lz4.js';
import { readParquetMetadata, type ParquetMetadata } from './metadata.js';
import { batchesOf, coalesceRanges, COALESCE_GAP, pageRowRanges, readColumnChunks, readPageStatistics } from './read.js';
import { countRowRanges, intersectRowRanges, unionRowRanges, type RowRanges } from './row-ranges.js';
import { parseOffsetIndex, parsePageHeader, PageType } from './format.js';
import { snappyDecompress } from './snappy.js';
import { parquetFixtures, readJson } from './testing.js';
import { readFileSync } from 'node:fs';

interface Variant {
  name: string;
  file: string;
  options: Record<string, unknown>;
}
interface Expected {
  rows: number;
  columns: Record<string, unknown[]>;
}

let dir = '';
let variants: Variant[] = [];
let expected: Expected;

beforeAll(() => {
  dir = parquetFixtures();
  variants = readJson<Variant[]>(join(dir, 'variants.json'));
  expected = readJson<Expected>(join(dir, 'expected.json'));
}, 120_000);

/** A datum in the fixtures' canonical JSON form. */
function canonical(v: unknown): unknown {
  if (v === null) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Numeric) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(canonical);
  return v;
}

/** Every readable column of the file, all row groups concatenated, as canonical values. */
async function readAll(file: string): Promise<{ md: ParquetMetadata; values: Record<string, unknown[]>; vectors: Record<string, Vector[]> }> {
  const src = await fileByteSource(file);
  try {
    const md = await readParquetMetadata(src);
    const values: Record<string, unknown[]> = {};
    const vectors: Record<string, Vector[]> = {};
    for (const c of md.columns) {
      values[c.name] = [];
      vectors[c.name] = [];
    }
    for (let rg = 0; rg < md.rowGroups.length; rg++) {
      const vs = await readColumnChunks(src, md, rg, md.columns.map((c) => c.index));
      md.columns.forEach((c, k) => {
        const v = vs[k]!;
        expect(v.length).toBe(md.rowGroups[rg]!.numRows);
        vectors[c.name]!.push(v);
        for (let i = 0; i < v.length; i++) values[c.name]!.push(canonical(datumAt(v, i)));
      });
    }
    return { md, values, vectors };
  } finally {
    await src.close();
  }
}

function expectSame(values: Record<string, unknown[]>, skip: string[] = []): void {
  for (const [name, want] of Object.entries(expected.columns)) {
    if (skip.includes(name)) continue;
    const got = values[name];
    expect(got, `column ${name}`).toBeDefined();
    // compare row by row so a failure names the first differing row
    for (let i = 0; i < want.length; i++) {
      if (JSON.stringify(got![i]) !== JSON.stringify(want[i])) expect({ column: name, row: i, value: got![i] }).toEqual({ column: name, row: i, value: want[i] });
    }
    expect(got!.length, `rows of ${name}`).toBe(want.length);
  }
}

describe('every variant decodes to the values pyarrow wrote', () => {
  const names = [
    ...['none', 'snappy', 'gzip', 'zstd', 'lz4', 'brotli'].flatMap((c) => ['1.0', '2.0'].flatMap((v) => [`plain-${c}-v${v}`, `dict-${c}-v${v}`])),
    ...['1.0', '2.0'].flatMap((v) => ['none', 'zstd'].flatMap((c) => ['delta-binary', 'delta-length', 'delta-bytes', 'byte-stream-split'].map((e) => `${e}-${c}-v${v}`))),
    'decimal-int-dict',
    'decimal-int-plain',
    'one-group',
    'page-index',
    'many-groups',
    'dict-fallback',
  ];
  for (const name of names) {
    it(name, async () => {
      const variant = variants.find((v) => v.name === name);
      expect(variant, `fixture ${name}`).toBeDefined();
      const { md, values } = await readAll(variant!.file);
      expectSame(values);
      // the file really uses what the variant is about
      const chunks = md.rowGroups.flatMap((rg) => rg.columns.filter((c) => c !== undefined));
      const codecs = new Set(chunks.map((c) => c!.codec));
      const codec = String(variant!.options['compression'] ?? 'snappy');
      expect([...codecs]).toEqual([{ none: 'UNCOMPRESSED', lz4: 'LZ4_RAW' }[codec] ?? codec.toUpperCase()]);
      const encodingsOf = (col: string) => new Set(chunks.filter((c) => c!.path[0] === col).flatMap((c) => c!.encodings));
      const enc = variant!.options['column_encoding'] as Record<string, string> | undefined;
      for (const [col, e] of Object.entries(enc ?? {})) expect([...encodingsOf(col)], `${col} encodings`).toContain(e);
      if (name.startsWith('dict-')) expect([...encodingsOf('s_dict')]).toContain('RLE_DICTIONARY');
      if (name === 'dict-fallback') expect([...encodingsOf('s')]).toEqual(expect.arrayContaining(['RLE_DICTIONARY', 'PLAIN']));
      if (name === 'decimal-int-plain') {
        expect(md.columns.find((c) => c.name === 'dec_9_2')!.physicalType).toBe('INT32');
        expect(md.columns.find((c) => c.name === 'dec_15_2')!.physicalType).toBe('INT64');
      }
    });
  }
});

describe('types', () => {
  it('maps Parquet types to PostgreSQL types', async () => {
    const { md } = await readAll(variants.find((v) => v.name === 'plain-snappy-v1.0')!.file);
    const types = Object.fromEntries(md.columns.map((c) => [c.name, formatType(c.type)]));
    expect(types).toEqual({
      b: 'boolean', b_req: 'boolean', i8: 'smallint', i16: 'smallint', i32: 'integer', i32_sorted: 'integer', i64: 'bigint', i64_small: 'bigint',
      u8: 'integer', u16: 'integer', u32: 'bigint', u64: 'numeric(20,0)', f32: 'real', f64: 'double precision', d: 'date', d_old: 'date',
      ts_ms: 'timestamp without time zone', ts_us: 'timestamp without time zone', ts_ns: 'timestamp without time zone',
      ts_us_tz: 'timestamp with time zone', t_ms: 'time without time zone', t_us: 'time without time zone', t_ns: 'time without time zone',
      s: 'text', s_dict: 'text', s_ascii: 'text', bin: 'bytea', fixed4: 'bytea', dec_9_2: 'numeric(9,2)', dec_15_2: 'numeric(15,2)',
      dec_4_2: 'numeric(4,2)', dec_30_5: 'numeric(30,5)', dec_38_0: 'numeric(38,0)', uuid: 'uuid', js: 'json', l_i32: 'integer[]',
      l_s: 'text[]', l_ts: 'timestamp without time zone[]', l_b: 'boolean[]',
    });
    const byName = Object.fromEntries(md.columns.map((c) => [c.name, c]));
    expect(byName['b_req']!.nullable).toBe(false);
    expect(byName['b']!.nullable).toBe(true);
    expect(byName['l_i32']!.list).toMatchObject({ elementNullable: true, repeatedDefinitionLevel: 2 });
    expect(byName['l_i32']!.maxRepetitionLevel).toBe(1);
    expect(byName['dec_30_5']).toMatchObject({ physicalType: 'FIXED_LEN_BYTE_ARRAY', precision: 30, scale: 5, logicalType: { kind: 'decimal' } });
    expect(md.unsupported.map((u) => u.name)).toEqual(['st', 'm']);
    expect(md.unsupported[0]!.leaves.length).toBe(2);
    expect(md.leafCount).toBe(md.columns.length + 4);
  });

  it('reads INT96 timestamps as timestamp', async () => {
    const { md, values } = await readAll(variants.find((v) => v.name === 'int96')!.file);
    for (const name of ['ts_ms', 'ts_us', 'ts_ns', 'ts_us_tz']) {
      const c = md.columns.find((x) => x.name === name)!;
      expect(c.physicalType).toBe('INT96');
      expect(formatType(c.type)).toBe('timestamp without time zone');
    }
    expectSame(values);
  });

  it('uses the PostgreSQL types recorded in lakegate.pg_types when they hold the same datums', async () => {
    const { md, values } = await readAll(variants.find((v) => v.name === 'pg-types')!.file);
    const types = Object.fromEntries(md.columns.map((c) => [c.name, formatType(c.type)]));
    expect(md.pgTypes).toBeDefined();
    expect(types['s_ascii']).toBe('character varying(40)');
    expect(types['dec_15_2']).toBe('numeric(15,2)');
    expect(types['s_dict']).toBe('character(9)');
    expect(types['i16']).toBe('integer');
    expect(types['ts_us']).toBe('timestamp with time zone');
    expect(types['d']).toBe('date'); // "text" cannot hold date datums: the Parquet type stays
    expect(types['l_i32']).toBe('smallint[]');
    expectSame(values);
  });
});

describe('metadata', () => {
  it('reads the footer with one read when it fits in 64 KiB, two otherwise', async () => {
    const bytes = new Uint8Array(readFileSync(variants.find((v) => v.name === 'one-group')!.file));
    const reads: Array<[number, number]> = [];
    const inner = memoryByteSource(bytes);
    const counting = { size: inner.size, read: (o: number, l: number) => (reads.push([o, l]), inner.read(o, l)) };
    const md = await readParquetMetadata(counting);
    expect(md.footerLength + 8).toBeLessThan(64 * 1024);
    expect(reads).toEqual([[bytes.length - 64 * 1024, 64 * 1024]]);
    // a footer bigger than the tail read: many row groups
    const big = variants.find((v) => v.name === 'many-groups')!;
    const bigBytes = new Uint8Array(readFileSync(big.file));
    const reads2: Array<[number, number]> = [];
    const inner2 = memoryByteSource(bigBytes);
    const md2 = await readParquetMetadata({ size: inner2.size, read: (o, l) => (reads2.push([o, l]), inner2.read(o, l)) });
    expect(md2.footerLength).toBeGreaterThan(64 * 1024);
    expect(reads2.length).toBe(2);
    expect(md2.numRows).toBe(expected.rows);
    expect(md2.rowGroups.length).toBe(expected.rows / 20);
    expect(md2.createdBy).toMatch(/parquet-cpp-arrow/);
    expect(md2.keyValue['ARROW:schema']).toBeDefined();
  });

  it('converts chunk statistics to datums', async () => {
    const { md, vectors } = await readAll(variants.find((v) => v.name === 'plain-snappy-v1.0')!.file);
    for (const name of ['i32', 'i64', 'u32', 'f64', 'd', 'ts_ns', 'ts_ms', 's', 'dec_9_2', 'dec_15_2', 'dec_30_5', 'bin', 'uuid', 'b']) {
      const col = md.columns.find((c) => c.name === name)!;
      md.rowGroups.forEach((rg, g) => {
        const stats = rg.columns[col.index]!.statistics!;
        const v = vectors[name]![g]!;
        const datums: unknown[] = [];
        let nulls = 0;
        for (let i = 0; i < v.length; i++) {
          const x = datumAt(v, i);
          if (x === null) nulls++;
          else datums.push(x);
        }
        const cmp = (a: unknown, b: unknown): number =>
          a instanceof Numeric ? a.cmp(b as Numeric) : a instanceof Uint8Array ? Buffer.compare(a, b as Uint8Array) : a! < b! ? -1 : a! > b! ? 1 : 0;
        const sorted = [...datums].sort(cmp);
        expect(stats.nullCount, `${name} null count`).toBe(nulls);
        expect(canonical(stats.min), `${name} min`).toEqual(canonical(sorted[0]));
        expect(canonical(stats.max), `${name} max`).toEqual(canonical(sorted[sorted.length - 1]));
      });
    }
  });

  it('reads page-level bounds from the page index', async () => {
    const src = await fileByteSource(variants.find((v) => v.name === 'page-index')!.file);
    try {
      const md = await readParquetMetadata(src);
      const col = md.columns.find((c) => c.name === 'i32_sorted')!;
      const pages = await readPageStatistics(src, md, 0, col.index);
      expect(pages).toBeDefined();
      expect(pages!.length).toBeGreaterThan(1);
      expect(pages![0]!.firstRow).toBe(0);
      expect(pages![0]!.min).toBe(-1000);
      const [v] = await readColumnChunks(src, md, 0, [col.index]);
      for (let p = 0; p < pages!.length; p++) {
        const page = pages![p]!;
        const end = p + 1 < pages!.length ? pages![p + 1]!.firstRow : v!.length;
        expect(page.min).toBe(datumAt(v!, page.firstRow));
        expect(page.max).toBe(datumAt(v!, end - 1));
        expect(page.nullCount).toBe(0);
      }
      expect(await readPageStatistics(src, md, 0, md.columns.find((c) => c.name === 'i32')!.index)).toBeDefined();
    } finally {
      await src.close();
    }
  });
});

describe('reading', () => {
  it('decodes nullable columns into typed arrays with a byte-per-row null map', async () => {
    const { vectors } = await readAll(variants.find((v) => v.name === 'dict-snappy-v1.0')!.file);
    const i32 = vectors['i32']![0]!;
    expect(i32.data).toBeInstanceOf(Int32Array);
    expect(i32.nulls).toBeInstanceOf(Uint8Array);
    expect(i32.nulls![3]).toBe(1);
    expect(vectors['i64']![0]!.data).toBeInstanceOf(BigInt64Array);
    expect(vectors['f64']![0]!.data).toBeInstanceOf(Float64Array);
    expect(vectors['b']![0]!.data).toBeInstanceOf(Uint8Array);
    expect(vectors['ts_us']![0]!.nulls).toBeNull(); // no NULLs: no null map
    expect(vectors['i16']![0]!.nulls).toBeNull();
    expect(vectors['s']![0]!.data).toBeInstanceOf(Array);
  });

  it('coalesces neighbouring chunks into one read and slices into batches', async () => {
    const bytes = new Uint8Array(readFileSync(variants.find((v) => v.name === 'plain-snappy-v2.0')!.file));
    const inner = memoryByteSource(bytes);
    let reads = 0;
    const src = { size: inner.size, read: (o: number, l: number) => (reads++, inner.read(o, l)) };
    const md = await readParquetMetadata(src);
    reads = 0;
    const idx = md.columns.map((c) => c.index);
    const vs = await readColumnChunks(src, md, 1, idx);
    expect(reads).toBe(1);
    const batches = [...batchesOf(vs, 300)];
    expect(batches.map((b) => b.length)).toEqual([300, 300, 300, 100]);
    expect(datumAt(batches[1]!.columns[idx.indexOf(md.columns.find((c) => c.name === 'i32_sorted')!.index)]!, 0)).toBe((1000 + 300) * 3 - 1000);
    expect(coalesceRanges([{ offset: 100, length: 10 }, { offset: 0, length: 50 }, { offset: 5000, length: 1 }], 100)).toEqual([
      { offset: 0, length: 110, members: [1, 0] },
      { offset: 5000, length: 1, members: [2] },
    ]);
  });

  it('stops when the signal is aborted', async () => {
    const src = memoryByteSource(new Uint8Array(readFileSync(variants.find((v) => v.name === 'plain-none-v1.0')!.file)));
    const md = await readParquetMetadata(src);
    const ac = new AbortController();
    ac.abort(new Error('canceled'));
    await expect(readColumnChunks(src, md, 0, [md.columns[0]!.index], ac.signal)).rejects.toThrow('canceled');
  });

  it('rejects files that are not Parquet', async () => {
    await expect(readParquetMetadata(memoryByteSource(new TextEncoder().encode('not a parquet file at all')))).rejects.toMatchObject({ code: 'XX001' });
  });
});

describe('codecs', () => {
  it('snappy and LZ4 blocks made by pyarrow', () => {
    const blocks = readJson<Record<string, string>>(join(dir, 'codec-blocks.json'));
    const payload = Buffer.from(blocks['payload']!, 'hex');
    expect(Buffer.from(snappyDecompress(Buffer.from(blocks['snappy']!, 'hex')))).toEqual(payload);
    const lz4 = Buffer.from(blocks['lz4_raw']!, 'hex');
    expect(Buffer.from(lz4RawDecompress(lz4, payload.length))).toEqual(payload);
    // the legacy LZ4 codec: Hadoop framing (big-endian raw and compressed lengths per block)
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]), lz4]);
    framed.writeUInt32BE(payload.length, 0);
    framed.writeUInt32BE(lz4.length, 4);
    expect(Buffer.from(lz4HadoopDecompress(framed, payload.length))).toEqual(payload);
    // two frames
    const twice = Buffer.concat([framed, framed]);
    expect(Buffer.from(lz4HadoopDecompress(twice, 2 * payload.length))).toEqual(Buffer.concat([payload, payload]));
    // a bare block under the legacy codec id
    expect(Buffer.from(lz4HadoopDecompress(lz4, payload.length))).toEqual(payload);
  });
});

describe('page skipping', () => {
  /** A small seeded generator (mulberry32), so a failure can be reproduced. */
  function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Row-range sets of many shapes for a row group of n rows. */
  function rangeSets(n: number, rnd: () => number, pageStarts: readonly number[]): RowRanges[] {
    const int = (k: number) => Math.floor(rnd() * k);
    const sets: RowRanges[] = [[], [[0, 1]], [[n - 1, n]], [[int(n), n]], [[0, n - 1]], [[3, 3], [7, 9], [9, 9]]];
    for (let s = 0; s < 8; s++) {
      const k = 1 + int(s < 4 ? 4 : 40);
      const cuts = new Set<number>();
      while (cuts.size < 2 * k) cuts.add(int(n + 1));
      const sorted = [...cuts].sort((a, b) => a - b);
      const set: Array<[number, number]> = [];
      for (let i = 0; i < sorted.length; i += 2) set.push([sorted[i]!, sorted[i + 1]!]);
      sets.push(set);
    }
    // whole pages, and single rows around page boundaries
    if (pageStarts.length > 1) {
      const bounds = [...pageStarts, n];
      const p = int(pageStarts.length);
      sets.push([[bounds[p]!, bounds[p + 1]!]]);
      sets.push(pageStarts.slice(1).map((b) => [b - 1, b + 1] as [number, number]).filter(([a, b]) => a >= 0 && b <= n));
    }
    sets.push(Array.from({ length: 50 }, (_, i) => [i * 20 + 5, i * 20 + 6] as [number, number]).filter(([, b]) => b <= n));
    return sets;
  }

  const pageVariants = [
    ...['index', 'noindex'].flatMap((ix) =>
      ['1.0', '2.0'].flatMap((v) => ['plain-none', 'dict-snappy', 'dict-zstd', 'plain-gzip'].map((c) => `pages-${ix}-${c}-v${v}`)),
    ),
    'pages-index-dict-fallback',
    'page-index',
    'dict-fallback',
    'delta-bytes-zstd-v2.0',
    'delta-binary-none-v1.0',
    'byte-stream-split-zstd-v1.0',
    'int96',
    'decimal-int-dict',
  ];
  for (const name of pageVariants) {
    it(`reads random row ranges of ${name} as the full decode's rows`, async () => {
      const variant = variants.find((v) => v.name === name)!;
      expect(variant, `fixture ${name}`).toBeDefined();
      const src = await fileByteSource(variant.file);
      try {
        const md = await readParquetMetadata(src);
        const leaves = md.columns.map((c) => c.index);
        const withIndex = name.startsWith('pages-index') || name === 'page-index';
        const rnd = random(name.length * 7919 + 17);
        for (let g = 0; g < md.rowGroups.length; g++) {
          const n = md.rowGroups[g]!.numRows;
          const full = await readColumnChunks(src, md, g, leaves);
          const stats = await readPageStatistics(src, md, g, md.columns.find((c) => c.name === 'i32')!.index);
          expect(stats !== undefined, 'page index present').toBe(withIndex);
          for (const rows of rangeSets(n, rnd, stats?.map((p) => p.firstRow) ?? [])) {
            const got = await readColumnChunks(src, md, g, leaves, undefined, rows);
            const count = countRowRanges(rows);
            md.columns.forEach((c, k) => {
              const v = got[k]!;
              expect(v.length, `${c.name} rows`).toBe(count);
              expect(v.type).toBe(full[k]!.type);
              let at = 0;
              for (const [start, end] of rows) {
                for (let r = start; r < end; r++, at++) {
                  const want = canonical(datumAt(full[k]!, r));
                  const have = canonical(datumAt(v, at));
                  if (have !== want && JSON.stringify(have) !== JSON.stringify(want)) expect({ column: c.name, group: g, row: r, rows, have }).toEqual({ column: c.name, group: g, row: r, rows, have: want });
                }
              }
            });
          }
        }
      } finally {
        await src.close();
      }
    });
  }

  it('reads only the pages holding the rows when the chunk has an OffsetIndex', async () => {
    const bytes = new Uint8Array(readFileSync(variants.find((v) => v.name === 'pages-big')!.file));
    const inner = memoryByteSource(bytes);
    let reads: Array<[number, number]> = [];
    const src = { size: inner.size, read: (o: number, l: number) => (reads.push([o, l]), inner.read(o, l)) };
    const md = await readParquetMetadata(src);
    const id = md.columns.find((c) => c.name === 'id')!;
    const k = md.columns.find((c) => c.name === 'k')!;
    const n = md.rowGroups[0]!.numRows;
    const cc = md.rowGroups[0]!.columns[id.index]!;
    const pages = parseOffsetIndex(bytes.subarray(cc.offsetIndex!.offset, cc.offsetIndex!.offset + cc.offsetIndex!.length));
    expect(pages.length).toBeGreaterThan(100);
    expect(cc.totalCompressedSize).toBeGreaterThan(2 * COALESCE_GAP);

    const rows: RowRanges = [[5, 20], [n - 30, n - 3]];
    reads = [];
    const [vid, vk] = await readColumnChunks(src, md, 0, [id.index, k.index], undefined, rows);
    const want = [...Array.from({ length: 15 }, (_, i) => 5 + i), ...Array.from({ length: 27 }, (_, i) => n - 30 + i)];
    expect(Array.from({ length: vid!.length }, (_, i) => datumAt(vid!, i))).toEqual(want.map((i) => (i % 7 === 3 ? null : BigInt(i))));
    const words = ['alpha', 'beta', 'gamma', 'delta', 'épsilon', 'ζeta', 'eta😀', '', 'theta theta theta', 'iota'];
    expect(Array.from({ length: vk!.length }, (_, i) => datumAt(vk!, i))).toEqual(want.map((i) => words[Math.floor(i / 1000) % 10]));

    // pages farther than the coalescing gap from the needed ones are never read
    const needed = pages.filter((_, p) => p === 0 || p === pages.length - 1);
    const far = pages.filter((p) => p.offset > needed[0]!.offset + needed[0]!.compressedPageSize + COALESCE_GAP && p.offset + p.compressedPageSize < needed[1]!.offset - COALESCE_GAP);
    expect(far.length).toBeGreaterThan(20);
    for (const [o, l] of reads) for (const p of far) expect(o + l <= p.offset || o >= p.offset + p.compressedPageSize, `read [${o}, ${o + l}) touches page at ${p.offset}`).toBe(true);
    const total = reads.reduce((s, [, l]) => s + l, 0);
    expect(total).toBeLessThan(cc.totalCompressedSize / 2);

    // the page locations are kept with the metadata: a second read does not fetch them again
    const first = reads.length;
    reads = [];
    await readColumnChunks(src, md, 0, [id.index, k.index], undefined, rows);
    expect(reads.length).toBe(first - 1);

    // without rows, the whole chunks are read as before
    reads = [];
    const whole = await readColumnChunks(src, md, 0, [id.index]);
    expect(whole[0]!.length).toBe(n);
    expect(reads.reduce((s, [, l]) => s + l, 0)).toBeGreaterThanOrEqual(cc.totalCompressedSize);
    // no rows: nothing is read
    reads = [];
    const none = await readColumnChunks(src, md, 0, [id.index, k.index], undefined, []);
    expect(none.map((v) => v.length)).toEqual([0, 0]);
    expect(reads).toEqual([]);
  });

  it('neither decompresses nor decodes pages outside the rows when there is no OffsetIndex', async () => {
    const variant = variants.find((v) => v.name === 'pages-noindex-plain-gzip-v1.0')!;
    const bytes = new Uint8Array(readFileSync(variant.file));
    const md = await readParquetMetadata(memoryByteSource(bytes));
    const col = md.columns.find((c) => c.name === 's')!;
    const cc = md.rowGroups[0]!.columns[col.index]!;
    expect(cc.offsetIndex).toBeUndefined();
    // walk the chunk's pages and break the body of the third data page
    const pages: Array<{ body: number; size: number; firstRow: number; rows: number }> = [];
    let pos = cc.start;
    let row = 0;
    while (pos < cc.start + cc.totalCompressedSize) {
      const { header, length } = parsePageHeader(bytes, pos);
      if (header.type === PageType.DATA_PAGE) {
        pages.push({ body: pos + length, size: header.compressedPageSize, firstRow: row, rows: header.dataPageHeader!.numValues });
        row += header.dataPageHeader!.numValues;
      }
      pos += length + header.compressedPageSize;
    }
    expect(pages.length).toBeGreaterThan(4);
    const good = await readColumnChunks(memoryByteSource(bytes), md, 0, [col.index]);
    const broken = bytes.slice();
    broken.fill(0xab, pages[2]!.body, pages[2]!.body + pages[2]!.size);
    const src = memoryByteSource(broken);
    await expect(readColumnChunks(src, md, 0, [col.index])).rejects.toThrow();
    const p2 = pages[2]!;
    const outside: RowRanges = [[0, p2.firstRow], [p2.firstRow + p2.rows, p2.firstRow + p2.rows + 5]];
    const [v] = await readColumnChunks(src, md, 0, [col.index], undefined, outside);
    const want = [...Array.from({ length: p2.firstRow }, (_, i) => i), ...Array.from({ length: 5 }, (_, i) => p2.firstRow + p2.rows + i)];
    expect(Array.from({ length: v!.length }, (_, i) => datumAt(v!, i))).toEqual(want.map((r) => datumAt(good[0]!, r)));
    await expect(readColumnChunks(src, md, 0, [col.index], undefined, [[p2.firstRow + 1, p2.firstRow + 2]])).rejects.toThrow();
  });

  it('finds the rows of the pages a predicate keeps from the page index', async () => {
    const src = await fileByteSource(variants.find((v) => v.name === 'pages-index-plain-none-v1.0')!.file);
    try {
      const md = await readParquetMetadata(src);
      const sorted = md.columns.find((c) => c.name === 'i32_sorted')!;
      const small = md.columns.find((c) => c.name === 'i64_small')!;
      const g = 1;
      const n = md.rowGroups[g]!.numRows;
      // i32_sorted = row·3 − 1000 over the file, i64_small ≈ row·1000: two sorted columns
      const a = (await pageRowRanges(src, md, g, (p) => (p.max as number) >= 4000 && (p.min as number) <= 4600, sorted.index))!;
      const b = (await pageRowRanges(src, md, g, (p) => (p.max as bigint) >= 1_800_000n, small.index))!;
      expect(a.length).toBe(1);
      const both = intersectRowRanges([a, undefined, b])!;
      expect(countRowRanges(both)).toBeLessThan(countRowRanges(a));
      expect(countRowRanges(both)).toBeGreaterThan(0);
      const [full] = await readColumnChunks(src, md, g, [sorted.index]);
      const [v] = await readColumnChunks(src, md, g, [sorted.index], undefined, a);
      // the kept pages hold every row with 4000 ≤ i32_sorted ≤ 4600 and are contiguous
      const hits = Array.from({ length: n }, (_, i) => i).filter((i) => {
        const x = datumAt(full!, i) as number;
        return x >= 4000 && x <= 4600;
      });
      expect(a[0]![0]).toBeLessThanOrEqual(hits[0]!);
      expect(a[0]![1]).toBeGreaterThan(hits[hits.length - 1]!);
      expect(v!.length).toBe(countRowRanges(a));
      expect(datumAt(v!, 0)).toBe(datumAt(full!, a[0]![0]));
      expect(await pageRowRanges(src, md, g, () => false, sorted.index)).toEqual([]);
      expect(await pageRowRanges(src, md, g, () => true, sorted.index)).toEqual([[0, n]]);
      const noIndex = variants.find((v) => v.name === 'pages-noindex-plain-none-v1.0')!;
      const src2 = await fileByteSource(noIndex.file);
      try {
        const md2 = await readParquetMetadata(src2);
        expect(await pageRowRanges(src2, md2, 0, () => true, sorted.index)).toBeUndefined();
      } finally {
        await src2.close();
      }
    } finally {
      await src.close();
    }
  });

  it('combines and counts row ranges', () => {
    expect(intersectRowRanges([])).toBeUndefined();
    expect(intersectRowRanges([undefined, undefined])).toBeUndefined();
    expect(intersectRowRanges([[[0, 10], [20, 30]], undefined, [[5, 25], [28, 40]]])).toEqual([[5, 10], [20, 25], [28, 30]]);
    expect(intersectRowRanges([[[0, 10]], [[10, 20]]])).toEqual([]);
    expect(intersectRowRanges([[[0, 10], [10, 20]], [[5, 15]]])).toEqual([[5, 15]]);
    expect(unionRowRanges([[[0, 5], [20, 30]], [[3, 10], [30, 31], [40, 40]]])).toEqual([[0, 10], [20, 31]]);
    expect(countRowRanges([[0, 5], [20, 31]])).toBe(16);
    expect(countRowRanges([])).toBe(0);
  });

  it('rejects row ranges that are not sorted or leave the row group, and stops when aborted', async () => {
    const src = memoryByteSource(new Uint8Array(readFileSync(variants.find((v) => v.name === 'pages-index-plain-none-v1.0')!.file)));
    const md = await readParquetMetadata(src);
    const leaf = md.columns[0]!.index;
    await expect(readColumnChunks(src, md, 0, [leaf], undefined, [[10, 20], [5, 8]])).rejects.toThrow(RangeError);
    await expect(readColumnChunks(src, md, 0, [leaf], undefined, [[10, 20], [15, 30]])).rejects.toThrow(RangeError);
    await expect(readColumnChunks(src, md, 0, [leaf], undefined, [[990, 1001]])).rejects.toThrow(RangeError);
    await expect(readColumnChunks(src, md, 0, [leaf], undefined, [[-1, 3]])).rejects.toThrow(RangeError);
    const ac = new AbortController();
    ac.abort(new Error('canceled'));
    await expect(readColumnChunks(src, md, 0, [leaf], ac.signal, [[1, 2]])).rejects.toThrow('canceled');
  });
});
