import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PARTIAL_CHECKSUMS } from './checksums.fixture.js';
import { formatLines } from './format-lines.js';
import { splitRange, splitUnits, TINY_SCALE_FACTOR } from './scale.js';
import type { RawColumn, TableSpec } from './table.js';
import { TABLES } from './tables.js';
import { countLines, lineitemRowCount } from './lineitem.js';

const all = (spec: TableSpec) => spec.columns.map((_, i) => i);

/** MD5 of the .tbl text of units [start, start + count), as dbgen writes it. */
function md5(spec: TableSpec, sf: number, ranges: readonly { start: number; count: number }[]): { md5: string; rows: number } {
  const h = createHash('md5');
  let rows = 0;
  for (const r of ranges) {
    const source = spec.open(sf, r.start, r.count, all(spec));
    for (let b = source.next(); b !== null; b = source.next()) {
      rows += b.length;
      for (const line of formatLines(spec, b)) h.update(line + '\n');
    }
  }
  return { md5: h.digest('hex'), rows };
}

const table = (name: string): TableSpec => TABLES.get(name)!;
const values = (c: RawColumn): unknown[] => Array.from(c as ArrayLike<unknown>);

// md5sum of the .tbl files of `dbgen -s 0.01` (TPC-H dbgen 2.x, github.com/electrum/tpch-dbgen)
const DBGEN_TINY: Record<string, [rows: number, md5: string]> = {
  nation: [25, '2f588e0b7fa72939b498c2abecd9fbbe'],
  region: [5, 'c235841b00d29ad4f817771fcc851207'],
  part: [2000, '9cce16188c241c25617ca5ed6191e37e'],
  supplier: [100, '56e0621c472064c2a998757c70b44043'],
  partsupp: [8000, 'c6889c3ed0939ca02475f7fb410cbb50'],
  customer: [1500, 'a8aa97edad6d47b183a569759fbd3eec'],
  orders: [15000, 'c8d2008fb47f47f9e56543d4cb0f4e6a'],
  lineitem: [60175, '4c6d44350a1f7974f56f5d3d7091c2be'],
};

describe('tpch tables are dbgen byte for byte', () => {
  for (const [name, [rows, expected]] of Object.entries(DBGEN_TINY)) {
    it(`tiny.${name}: ${rows} rows, dbgen's .tbl checksum`, () => {
      const spec = table(name);
      expect(md5(spec, TINY_SCALE_FACTOR, [{ start: 0, count: spec.unitCount(TINY_SCALE_FACTOR) }])).toEqual({ md5: expected, rows });
    });

    it(`tiny.${name} in 7 splits concatenates to the same table`, () => {
      const spec = table(name);
      const splits = splitUnits(spec.unitCount(TINY_SCALE_FACTOR), 7);
      expect(md5(spec, TINY_SCALE_FACTOR, splits)).toEqual({ md5: expected, rows });
    });
  }

  for (const [name, checks] of Object.entries(PARTIAL_CHECKSUMS)) {
    it(`${name}: io.trino.tpch partition checksums at SF 1 … 100000`, () => {
      const spec = table(name);
      const failures: string[] = [];
      for (const [sf, part, parts, expected] of checks) {
        const range = splitRange(spec.unitCount(sf), parts, part - 1);
        const got = md5(spec, sf, [range]).md5;
        if (got !== expected) failures.push(`sf${sf} part ${part}/${parts}: ${got} ≠ ${expected}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('first rows match dbgen', () => {
    const first = (name: string, sf: number) => formatLines(table(name), table(name).open(sf, 0, 1, all(table(name))).next()!)[0];
    expect(first('orders', 1)).toBe("1|36901|O|173665.47|1996-01-02|5-LOW|Clerk#000000951|0|nstructions sleep furiously among |");
    expect(first('orders', TINY_SCALE_FACTOR)).toBe("1|370|O|172799.49|1996-01-02|5-LOW|Clerk#000000951|0|nstructions sleep furiously among |");
    expect(first('lineitem', 1)).toBe('1|155190|7706|1|17|21168.23|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN PERSON|TRUCK|egular courts above the|');
    expect(first('nation', 1)).toBe('0|ALGERIA|0| haggle. carefully final deposits detect slyly agai|');
    // dbgen 2.x / Trino; the "regular waits are final even" often quoted comes from another dbgen release
    expect(first('region', 1)).toBe('0|AFRICA|lar deposits. blithely final packages cajole. regular waters are final requests. regular accounts are according to |');
    expect(first('customer', 1)).toBe('1|Customer#000000001|IVhzIApeRb ot,c,E|15|25-989-741-2988|711.56|BUILDING|to the even, regular platelets. regular, ironic epitaphs nag e|');
    expect(first('part', 1)).toBe('1|goldenrod lavender spring chocolate lace|Manufacturer#1|Brand#13|PROMO BURNISHED COPPER|7|JUMBO PKG|901.00|ly. slyly ironi|');
    expect(first('supplier', 1)).toBe('1|Supplier#000000001| N kD4on9OM Ipw3,gf0JBoQDd7tgrzrddZ|17|27-918-335-1736|5755.94|each slyly above the careful|');
  });

  it('CHAR(n) values are blank-padded to n', () => {
    const b = table('nation').open(1, 0, 1, [1]).next()!;
    expect(b.columns[0]![0]).toBe('ALGERIA'.padEnd(25));
  });

  it('generates only requested columns, in request order, with the same values', () => {
    for (const spec of TABLES.values()) {
      const n = spec.unitCount(TINY_SCALE_FACTOR);
      const full: RawColumn[][] = [];
      const source = spec.open(TINY_SCALE_FACTOR, 0, n, all(spec));
      for (let b = source.next(); b !== null; b = source.next()) full.push([...b.columns]);
      for (let c = 0; c < spec.columns.length; c++) {
        const subset = [c, (c + 3) % spec.columns.length];
        const part = spec.open(TINY_SCALE_FACTOR, 0, n, subset);
        let i = 0;
        for (let b = part.next(); b !== null; b = part.next(), i++) {
          expect(b.columns.length).toBe(2);
          expect(values(b.columns[0]!)).toEqual(values(full[i]![subset[0]!]!));
          expect(values(b.columns[1]!)).toEqual(values(full[i]![subset[1]!]!));
        }
        expect(i).toBe(full.length);
      }
    }
  });

  it('lineitem batches hold whole orders and at most BATCH_ROWS lines', () => {
    const spec = table('lineitem');
    const source = spec.open(TINY_SCALE_FACTOR, 0, spec.unitCount(TINY_SCALE_FACTOR), [0, 3]);
    const sizes: number[] = [];
    for (let b = source.next(); b !== null; b = source.next()) {
      expect(b.columns[1]![0]).toBe(1);
      sizes.push(b.length);
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(60175);
    for (const n of sizes.slice(0, -1)) expect(n).toBeGreaterThan(4096 - 7);
    for (const n of sizes) expect(n).toBeLessThanOrEqual(4096);
  });

  it('counts lineitem rows by replaying the line-count stream', () => {
    expect(countLines(0, 15_000)).toBe(60_175);
    expect(countLines(0, 1_500_000)).toBe(lineitemRowCount(1));
    expect(countLines(0, 15_000_000)).toBe(lineitemRowCount(10));
    expect(countLines(0, 7) + countLines(7, 14_993)).toBe(60_175);
  });
});
