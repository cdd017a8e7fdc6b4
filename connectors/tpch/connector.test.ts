import { describe, expect, it } from 'vitest';
import { Numeric } from '../../engine/types/numeric.js';
import { formatType } from '../../engine/types/pg-type.js';
import { hasStatistics, type ConnectorSession, type TableMetadata } from '../spi/index.js';
import { createTpchConnector, tpchConnectorFactory } from './index.js';
import { Q1_TINY, Q3_TINY, Q5_TINY, Q9_TINY } from './queries.fixture.js';

const session: ConnectorSession = { user: 'test', queryId: 'q1' };
const tpch = createTpchConnector();

async function table(schema: string, name: string): Promise<TableMetadata> {
  const t = await tpch.getTable(session, schema, name);
  if (!t) throw new Error(`no ${schema}.${name}`);
  return t;
}

/** Columns by name, read through getSplits + scan (several splits, concatenated). */
async function read(schema: string, name: string, columns: string[], splits = 3, only?: number): Promise<Record<string, unknown[]>> {
  const t = await table(schema, name);
  const indices = columns.map((c) => t.columns.findIndex((col) => col.name === c));
  const out: Record<string, unknown[]> = Object.fromEntries(columns.map((c) => [c, []]));
  const all = await tpch.getSplits(session, t, { desiredSplits: splits });
  for (const split of only === undefined ? all : [all[only]!]) {
    const signal = new AbortController().signal;
    for await (const batch of tpch.scan(session, { table: t, columns: indices, split, signal })) {
      batch.columns.forEach((v, i) => {
        expect(v.length).toBe(batch.length);
        const target = out[columns[i]!]!;
        for (let r = 0; r < batch.length; r++) target.push(v.data[r]);
      });
    }
  }
  return out;
}

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const iso = (d: number): string => new Date(d * 86_400_000).toISOString().slice(0, 10);
const cents = (n: unknown): bigint => {
  const v = n as Numeric;
  expect(v.scale).toBe(2);
  return v.unscaled;
};

/** A decimal as text without trailing fractional zeros (the .result files are inconsistent). */
function dec(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const s = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = `${neg ? '-' : ''}${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return norm(text);
}
const norm = (field: string): string => (/^-?\d+\.\d*$/.test(field) ? field.replace(/0+$/, '').replace(/\.$/, '') : field);
const normRows = (rows: readonly string[]): string[] => rows.map((r) => r.split('|').map(norm).join('|'));
/** Rounds unscaled/count half up to an integer. */
const divRound = (a: bigint, b: bigint): bigint => (2n * a + b) / (2n * b);

describe('tpch connector metadata', () => {
  it('lists schemas like Trino and the eight tables', async () => {
    expect(await tpch.listSchemas(session)).toEqual([
      'tiny', 'sf1', 'sf10', 'sf100', 'sf300', 'sf1000', 'sf3000', 'sf10000', 'sf30000', 'sf100000',
    ]);
    expect(await tpch.listTables(session, 'sf1')).toEqual(['customer', 'lineitem', 'nation', 'orders', 'part', 'partsupp', 'region', 'supplier']);
    expect(await tpch.listTables(session, 'nope')).toEqual([]);
  });

  it('resolves tiny, sfN and fractional scale factors; unknown names are undefined', async () => {
    expect((await table('sf0.1', 'orders')).handle).toMatchObject({ scaleFactor: 0.1 });
    expect((await table('tiny', 'orders')).handle).toMatchObject({ scaleFactor: 0.01 });
    expect(await tpch.getTable(session, 'sf0', 'orders')).toBeUndefined();
    expect(await tpch.getTable(session, 'sfx', 'orders')).toBeUndefined();
    expect(await tpch.getTable(session, 'public', 'orders')).toBeUndefined();
    expect(await tpch.getTable(session, 'sf1', 'orderz')).toBeUndefined();
    expect(tpchConnectorFactory.name).toBe('tpch');
    expect(tpchConnectorFactory.create('bench', {}).name).toBe('bench');
  });

  it('uses the TPC-H DDL types (order keys int8; keys widen past int4 at huge scale factors)', async () => {
    const types = async (schema: string, name: string) =>
      Object.fromEntries((await table(schema, name)).columns.map((c) => [c.name, formatType(c.type)]));
    expect(await types('sf1', 'lineitem')).toEqual({
      l_orderkey: 'bigint', l_partkey: 'integer', l_suppkey: 'integer', l_linenumber: 'integer',
      l_quantity: 'numeric(15,2)', l_extendedprice: 'numeric(15,2)', l_discount: 'numeric(15,2)', l_tax: 'numeric(15,2)',
      l_returnflag: 'character(1)', l_linestatus: 'character(1)', l_shipdate: 'date', l_commitdate: 'date',
      l_receiptdate: 'date', l_shipinstruct: 'character(25)', l_shipmode: 'character(10)', l_comment: 'character varying(44)',
    });
    expect(await types('sf1', 'orders')).toEqual({
      o_orderkey: 'bigint', o_custkey: 'integer', o_orderstatus: 'character(1)', o_totalprice: 'numeric(15,2)',
      o_orderdate: 'date', o_orderpriority: 'character(15)', o_clerk: 'character(15)', o_shippriority: 'integer',
      o_comment: 'character varying(79)',
    });
    expect(await types('sf1', 'nation')).toEqual({
      n_nationkey: 'integer', n_name: 'character(25)', n_regionkey: 'integer', n_comment: 'character varying(152)',
    });
    const huge = await types('sf100000', 'lineitem');
    expect([huge.l_partkey, huge.l_suppkey]).toEqual(['bigint', 'integer']);
    expect((await types('sf100000', 'customer')).c_custkey).toBe('bigint');
    for (const name of ['lineitem', 'orders', 'part', 'partsupp', 'customer', 'supplier', 'nation', 'region']) {
      for (const c of (await table('sf1', name)).columns) expect(c.nullable).toBe(false);
    }
  });

  it('reports exact row counts', async () => {
    expect(hasStatistics(tpch)).toBe(true);
    const rows = async (schema: string, name: string) => (await tpch.getStatistics(session, await table(schema, name))).rowCount;
    const tiny = { lineitem: 60175, orders: 15000, customer: 1500, part: 2000, partsupp: 8000, supplier: 100, nation: 25, region: 5 };
    for (const [name, n] of Object.entries(tiny)) expect(await rows('tiny', name)).toBe(n);
    expect(await rows('sf1', 'lineitem')).toBe(6_001_215);
    expect(await rows('sf1', 'orders')).toBe(1_500_000);
    expect(await rows('sf100', 'partsupp')).toBe(80_000_000);
    expect(await rows('sf0.1', 'lineitem')).toBe(600_572);
  });
});

describe('tpch connector scans', () => {
  it('splits cover the table and scan to exactly its rows', async () => {
    const t = await table('tiny', 'lineitem');
    const splits = await tpch.getSplits(session, t, { desiredSplits: 4 });
    expect(splits).toHaveLength(4);
    const data = await read('tiny', 'lineitem', ['l_orderkey', 'l_linenumber'], 4);
    expect(data.l_orderkey).toHaveLength(60175);
    expect(data.l_orderkey!.slice(0, 7)).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 2n]);
    expect(data.l_orderkey!.at(-1)).toBe(60000n);
    expect((await tpch.getSplits(session, await table('tiny', 'region'), { desiredSplits: 16 }))).toHaveLength(5);
    expect((await tpch.getSplits(session, await table('tiny', 'region'), { desiredSplits: 0 }))).toHaveLength(1);
  });

  it('produces engine datums: bigint keys, Numeric money, epoch-day dates, padded CHAR(n)', async () => {
    const columns = ['o_orderkey', 'o_custkey', 'o_totalprice', 'o_orderdate', 'o_orderpriority', 'o_clerk'];
    const o = await read('sf1', 'orders', columns, 1000, 0);
    expect(o.o_orderkey).toHaveLength(1500);
    expect(o.o_orderkey![0]).toBe(1n);
    expect(o.o_custkey![0]).toBe(36901);
    expect((o.o_totalprice![0] as Numeric).toString()).toBe('173665.47');
    expect(iso(o.o_orderdate![0] as number)).toBe('1996-01-02');
    expect(o.o_orderpriority![0]).toBe('5-LOW          ');
    expect(o.o_clerk![0]).toBe('Clerk#000000951');
    // the last split starts mid-table: the streams skip ahead
    const last = await read('sf1', 'orders', ['o_orderkey', 'o_totalprice'], 1000, 999);
    expect(last.o_orderkey!.at(-1)).toBe(6_000_000n);
    expect((last.o_totalprice!.at(-1) as Numeric).toString()).toBe('37625.29');
  });

  it('stops when the signal is aborted', async () => {
    const t = await table('sf1', 'lineitem');
    const [split] = await tpch.getSplits(session, t, { desiredSplits: 1 });
    const ac = new AbortController();
    let batches = 0;
    for await (const b of tpch.scan(session, { table: t, columns: [0], split: split!, signal: ac.signal })) {
      expect(b.length).toBeGreaterThan(0);
      if (++batches === 3) ac.abort();
    }
    expect(batches).toBe(3);
  });
});

describe('TPC-H answers on tiny', () => {
  it('Q1', async () => {
    const l = await read('tiny', 'lineitem', ['l_returnflag', 'l_linestatus', 'l_quantity', 'l_extendedprice', 'l_discount', 'l_tax', 'l_shipdate']);
    const cutoff = day('1998-09-02');
    const groups = new Map<string, { qty: bigint; base: bigint; disc: bigint; charge: bigint; discount: bigint; n: bigint }>();
    for (let i = 0; i < l.l_shipdate!.length; i++) {
      if ((l.l_shipdate![i] as number) > cutoff) continue;
      const key = `${l.l_returnflag![i]}|${l.l_linestatus![i]}`;
      const g = groups.get(key) ?? { qty: 0n, base: 0n, disc: 0n, charge: 0n, discount: 0n, n: 0n };
      groups.set(key, g);
      const ext = cents(l.l_extendedprice![i]);
      const d = cents(l.l_discount![i]);
      g.qty += cents(l.l_quantity![i]);
      g.base += ext;
      g.disc += ext * (100n - d);
      g.charge += ext * (100n - d) * (100n + cents(l.l_tax![i]));
      g.discount += d;
      g.n++;
    }
    const rows = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, g]) =>
      [key, dec(g.qty, 2), dec(g.base, 2), dec(g.disc, 4), dec(g.charge, 6), dec(divRound(g.qty, g.n), 2),
        dec(divRound(g.base, g.n), 2), dec(divRound(g.discount, g.n), 2), String(g.n)].join('|'));
    expect(rows).toEqual(normRows(Q1_TINY));
  });

  it('Q3', async () => {
    const c = await read('tiny', 'customer', ['c_custkey', 'c_mktsegment']);
    const o = await read('tiny', 'orders', ['o_orderkey', 'o_custkey', 'o_orderdate', 'o_shippriority']);
    const l = await read('tiny', 'lineitem', ['l_orderkey', 'l_extendedprice', 'l_discount', 'l_shipdate']);
    const building = new Set(c.c_custkey!.filter((_, i) => (c.c_mktsegment![i] as string).trimEnd() === 'BUILDING'));
    const date = day('1995-03-15');
    const orders = new Map<bigint, { date: number; prio: number; revenue: bigint }>();
    o.o_orderkey!.forEach((k, i) => {
      if (building.has(o.o_custkey![i]) && (o.o_orderdate![i] as number) < date) {
        orders.set(k as bigint, { date: o.o_orderdate![i] as number, prio: o.o_shippriority![i] as number, revenue: 0n });
      }
    });
    const hit = new Set<bigint>();
    l.l_orderkey!.forEach((k, i) => {
      const ord = orders.get(k as bigint);
      if (!ord || (l.l_shipdate![i] as number) <= date) return;
      ord.revenue += cents(l.l_extendedprice![i]) * (100n - cents(l.l_discount![i]));
      hit.add(k as bigint);
    });
    const rows = [...hit].map((k) => ({ k, ...orders.get(k)! }))
      .sort((a, b) => (a.revenue !== b.revenue ? (a.revenue > b.revenue ? -1 : 1) : a.date - b.date))
      .slice(0, 10)
      .map((r) => `${r.k}|${dec(r.revenue, 4)}|${iso(r.date)}|${r.prio}`);
    expect(rows).toEqual(normRows(Q3_TINY));
  });

  it('Q5', async () => {
    const c = await read('tiny', 'customer', ['c_custkey', 'c_nationkey']);
    const o = await read('tiny', 'orders', ['o_orderkey', 'o_custkey', 'o_orderdate']);
    const l = await read('tiny', 'lineitem', ['l_orderkey', 'l_suppkey', 'l_extendedprice', 'l_discount']);
    const s = await read('tiny', 'supplier', ['s_suppkey', 's_nationkey']);
    const n = await read('tiny', 'nation', ['n_nationkey', 'n_name', 'n_regionkey']);
    const r = await read('tiny', 'region', ['r_regionkey', 'r_name']);
    const asia = r.r_regionkey![r.r_name!.findIndex((x) => (x as string).trimEnd() === 'ASIA')];
    const nations = new Map(n.n_nationkey!.map((k, i) => [k, { name: (n.n_name![i] as string).trimEnd(), region: n.n_regionkey![i] }]));
    const custNation = new Map(c.c_custkey!.map((k, i) => [k, c.c_nationkey![i]]));
    const suppNation = new Map(s.s_suppkey!.map((k, i) => [k, s.s_nationkey![i]]));
    const [from, to] = [day('1994-01-01'), day('1995-01-01')];
    const orderNation = new Map<unknown, unknown>();
    o.o_orderkey!.forEach((k, i) => {
      const d = o.o_orderdate![i] as number;
      if (d >= from && d < to) orderNation.set(k, custNation.get(o.o_custkey![i]));
    });
    const revenue = new Map<string, bigint>();
    l.l_orderkey!.forEach((k, i) => {
      const cn = orderNation.get(k);
      if (cn === undefined || suppNation.get(l.l_suppkey![i]) !== cn) return;
      const nation = nations.get(cn)!;
      if (nation.region !== asia) return;
      revenue.set(nation.name, (revenue.get(nation.name) ?? 0n) + cents(l.l_extendedprice![i]) * (100n - cents(l.l_discount![i])));
    });
    const rows = [...revenue].sort((a, b) => (a[1] > b[1] ? -1 : 1)).map(([name, v]) => `${name}|${dec(v, 4)}`);
    expect(rows).toEqual(normRows(Q5_TINY));
  });

  it('Q9', async () => {
    const p = await read('tiny', 'part', ['p_partkey', 'p_name']);
    const s = await read('tiny', 'supplier', ['s_suppkey', 's_nationkey']);
    const ps = await read('tiny', 'partsupp', ['ps_partkey', 'ps_suppkey', 'ps_supplycost']);
    const o = await read('tiny', 'orders', ['o_orderkey', 'o_orderdate']);
    const n = await read('tiny', 'nation', ['n_nationkey', 'n_name']);
    const l = await read('tiny', 'lineitem', ['l_orderkey', 'l_partkey', 'l_suppkey', 'l_quantity', 'l_extendedprice', 'l_discount']);
    const green = new Set(p.p_partkey!.filter((_, i) => (p.p_name![i] as string).includes('green')));
    const nationName = new Map(n.n_nationkey!.map((k, i) => [k, (n.n_name![i] as string).trimEnd()]));
    const suppNation = new Map(s.s_suppkey!.map((k, i) => [k, nationName.get(s.s_nationkey![i])!]));
    const cost = new Map(ps.ps_partkey!.map((k, i) => [`${k}/${ps.ps_suppkey![i]}`, cents(ps.ps_supplycost![i])]));
    const year = new Map(o.o_orderkey!.map((k, i) => [k, iso(o.o_orderdate![i] as number).slice(0, 4)]));
    const profit = new Map<string, bigint>();
    l.l_orderkey!.forEach((k, i) => {
      if (!green.has(l.l_partkey![i])) return;
      const key = `${suppNation.get(l.l_suppkey![i])}|${year.get(k)}`;
      const amount = cents(l.l_extendedprice![i]) * (100n - cents(l.l_discount![i]))
        - cost.get(`${l.l_partkey![i]}/${l.l_suppkey![i]}`)! * cents(l.l_quantity![i]);
      profit.set(key, (profit.get(key) ?? 0n) + amount);
    });
    const rows = [...profit].sort(([a], [b]) => {
      const [na, ya] = a.split('|');
      const [nb, yb] = b.split('|');
      return na !== nb ? (na! < nb! ? -1 : 1) : Number(yb) - Number(ya);
    }).map(([key, v]) => `${key}|${dec(v, 4)}`);
    expect(rows).toEqual(normRows(Q9_TINY));
  });
});
