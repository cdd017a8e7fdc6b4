/**
 * Column statistics of the generated tables, from the TPC-H specification (clause 4.2.3):
 * key ranges and counts per scale factor, the fixed value sets of flags, priorities and
 * modes, and the date ranges (STARTDATE 1992-01-01 … ENDDATE 1998-12-31). No column is NULL.
 * Distinct counts are capped at the row count (they matter at tiny scale factors).
 */
import type { ColumnStatistics, TableStatistics } from '../spi/index.js';
import { CUSTOMER_BASE, ORDERS_BASE, PART_BASE, SUPPLIER_BASE, scaled } from './scale.js';
import type { TableSpec } from './table.js';

type ColumnRule = (sf: number, rows: number) => ColumnStatistics;

const range = (min: number | string, max: number | string, distinctCount?: number): ColumnStatistics =>
  distinctCount === undefined ? { min, max } : { min, max, distinctCount };
const keys = (count: number): ColumnStatistics => range(1, count, count);
const values = (distinctCount: number): ColumnStatistics => ({ distinctCount });
const unique: ColumnRule = (_sf, rows) => values(rows);
const money = (min: number, max: number): ColumnRule => () => range(min, max);

const parts = (sf: number) => Math.max(1, scaled(PART_BASE, sf));
const suppliers = (sf: number) => Math.max(1, scaled(SUPPLIER_BASE, sf));
const customers = (sf: number) => Math.max(1, scaled(CUSTOMER_BASE, sf));
const orders = (sf: number) => Math.max(1, scaled(ORDERS_BASE, sf));
/** Order keys are sparse: the first 8 of every 32. */
const orderKeys = (sf: number) => range(1, orders(sf) * 4, orders(sf));

const RULES: Readonly<Record<string, Readonly<Record<string, ColumnRule>>>> = {
  region: { r_regionkey: () => range(0, 4, 5), r_name: unique, r_comment: unique },
  nation: { n_nationkey: () => range(0, 24, 25), n_name: unique, n_regionkey: () => range(0, 4, 5), n_comment: unique },
  supplier: {
    s_suppkey: (sf) => keys(suppliers(sf)), s_name: unique, s_address: unique, s_nationkey: () => range(0, 24, 25),
    s_phone: unique, s_acctbal: money(-999.99, 9999.99), s_comment: unique,
  },
  customer: {
    c_custkey: (sf) => keys(customers(sf)), c_name: unique, c_address: unique, c_nationkey: () => range(0, 24, 25),
    c_phone: unique, c_acctbal: money(-999.99, 9999.99), c_mktsegment: () => values(5), c_comment: unique,
  },
  part: {
    p_partkey: (sf) => keys(parts(sf)), p_name: unique, p_mfgr: () => values(5), p_brand: () => values(25),
    p_type: () => values(150), p_size: () => range(1, 50, 50), p_container: () => values(40),
    p_retailprice: money(900, 2100), p_comment: unique,
  },
  partsupp: {
    ps_partkey: (sf) => keys(parts(sf)), ps_suppkey: (sf) => keys(suppliers(sf)), ps_availqty: () => range(1, 9999, 9999),
    ps_supplycost: money(1, 1000), ps_comment: unique,
  },
  orders: {
    o_orderkey: orderKeys,
    // Customers whose key is a multiple of 3 place no orders.
    o_custkey: (sf) => range(1, customers(sf), Math.ceil((customers(sf) * 2) / 3)),
    o_orderstatus: () => values(3), o_orderdate: () => range('1992-01-01', '1998-08-02', 2406),
    o_orderpriority: () => values(5), o_clerk: (sf) => values(Math.max(1, scaled(1000, sf))),
    o_shippriority: () => range(0, 0, 1), o_comment: unique,
  },
  lineitem: {
    l_orderkey: orderKeys, l_partkey: (sf) => keys(parts(sf)), l_suppkey: (sf) => keys(suppliers(sf)),
    l_linenumber: () => range(1, 7, 7), l_quantity: () => range(1, 50, 50), l_discount: () => range(0, 0.1, 11),
    l_tax: () => range(0, 0.08, 9), l_returnflag: () => values(3), l_linestatus: () => values(2),
    l_shipdate: () => range('1992-01-02', '1998-12-01', 2526), l_commitdate: () => range('1992-01-31', '1998-10-31', 2466),
    l_receiptdate: () => range('1992-01-03', '1998-12-31', 2555), l_shipinstruct: () => values(4),
    l_shipmode: () => values(7), l_comment: unique,
  },
};

export function tpchStatistics(spec: TableSpec, sf: number): TableStatistics {
  const rowCount = spec.rowCount(sf);
  const rules = RULES[spec.name] ?? {};
  const columns: Record<string, ColumnStatistics> = {};
  for (const c of spec.columns) {
    const rule = rules[c.name];
    const stats: ColumnStatistics = { ...(rule ? rule(sf, rowCount) : {}), nullFraction: 0 };
    const capped = stats.distinctCount === undefined ? stats : { ...stats, distinctCount: Math.min(stats.distinctCount, rowCount) };
    columns[c.name] = c.kind === 'text' && c.fixed && c.width ? { ...capped, dataSize: rowCount * c.width } : capped;
  }
  return { rowCount, columns };
}
