/** The eight TPC-H tables by name. */
import { CUSTOMER } from './customer.js';
import { LINEITEM } from './lineitem.js';
import { NATION } from './nation.js';
import { ORDERS } from './orders.js';
import { PART } from './part.js';
import { PARTSUPP } from './partsupp.js';
import { REGION } from './region.js';
import { SUPPLIER } from './supplier.js';
import type { TableSpec } from './table.js';

export const TABLES: ReadonlyMap<string, TableSpec> = new Map(
  [CUSTOMER, LINEITEM, NATION, ORDERS, PART, PARTSUPP, REGION, SUPPLIER].map((t) => [t.name, t]),
);
