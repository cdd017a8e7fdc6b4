/**
 * ORDERS: 1,500,000 × SF orders with sparse keys (8 of every 32 numbers used). An order's
 * status and total price come from its line items, so the line-item streams (shared with
 * lineitem.ts: same seeds, 7 draws reserved per order) are replayed here when asked for.
 */
import { batchedRows, commentColumn, drawInts, startingAt } from './columns.js';
import { LAST_PAST_DATE, MIN_GENERATE_DATE, TOTAL_DATE_RANGE, toEpochDay } from './dates.js';
import { ORDER_PRIORITIES } from './distributions.js';
import { BoundedRandom, KeyRandom } from './random.js';
import { CUSTOMER_BASE, ORDERS_BASE, PART_BASE, scaled, use64BitKeys } from './scale.js';
import { TextStream } from './streams.js';
import { partPrice } from './part.js';
import { padTo, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';
import { getTextPool } from './text-pool.js';

export const LINE_COUNT_MAX = 7;
/** Days from the order date to the latest receipt date. */
const ITEM_SHIP_DAYS = 121 + 30;
export const ORDER_DATE_MIN = MIN_GENERATE_DATE;
export const ORDER_DATE_MAX = ORDER_DATE_MIN + (TOTAL_DATE_RANGE - ITEM_SHIP_DAYS - 1);
const CUSTOMER_MORTALITY = 3;

/** dbgen's sparse order key of the 1-based order index: keeps 3 low bits, skips 2 bits. */
export function orderKey(index: number): number {
  const low = index % 8;
  return (index - low) * 4 + low;
}

/** The per-order streams shared by orders and lineitem. */
export const orderDateStream = (): BoundedRandom => new BoundedRandom(1066728069, ORDER_DATE_MIN, ORDER_DATE_MAX);
export const lineCountStream = (): BoundedRandom => new BoundedRandom(1434868289, 1, LINE_COUNT_MAX);

/** The per-line streams shared by orders and lineitem (7 draws reserved per order). */
export const lineStreams = {
  quantity: () => new BoundedRandom(209208115, 1, 50, LINE_COUNT_MAX),
  discount: () => new BoundedRandom(554590007, 0, 10, LINE_COUNT_MAX),
  tax: () => new BoundedRandom(721958466, 0, 8, LINE_COUNT_MAX),
  partKey: (sf: number) => new KeyRandom(1808217256, use64BitKeys(sf), 1, scaled(PART_BASE, sf), LINE_COUNT_MAX),
  shipDate: () => new BoundedRandom(1769349045, 1, 121, LINE_COUNT_MAX),
};

const PRIORITIES = ORDER_PRIORITIES.values.map((v) => padTo(v, 15));
const STATUS_F = 'F';
const STATUS_O = 'O';
const STATUS_P = 'P';

export const ORDERS: TableSpec = {
  name: 'orders',
  columns: [
    { name: 'o_orderkey', kind: 'key', wide: true },
    { name: 'o_custkey', kind: 'key', maxKey: (sf) => scaled(CUSTOMER_BASE, sf) },
    { name: 'o_orderstatus', kind: 'text', width: 1, fixed: true },
    { name: 'o_totalprice', kind: 'money' },
    { name: 'o_orderdate', kind: 'date' },
    { name: 'o_orderpriority', kind: 'text', width: 15, fixed: true },
    { name: 'o_clerk', kind: 'text', width: 15, fixed: true },
    { name: 'o_shippriority', kind: 'int' },
    { name: 'o_comment', kind: 'text', width: 79 },
  ],
  unitCount: (sf) => scaled(ORDERS_BASE, sf),
  rowCount: (sf) => scaled(ORDERS_BASE, sf),
  open(sf, start, count, columns): RowSource {
    const want = wanted(9, columns);
    const at = startingAt(start);
    const needLines = want[2] || want[3];
    const orderDate = want[2] || want[4] ? at(orderDateStream()) : null;
    const lineCount = needLines ? at(lineCountStream()) : null;
    const maxCustomer = scaled(CUSTOMER_BASE, sf);
    const customer = want[1] ? at(new KeyRandom(851767375, use64BitKeys(sf), 1, maxCustomer)) : null;
    const priority = want[5] ? at(new BoundedRandom(591449447, 0, ORDER_PRIORITIES.totalWeight - 1)) : null;
    const clerk = want[6] ? at(new BoundedRandom(1171034773, 1, Math.max(Math.trunc(sf * 1000), 1000))) : null;
    const comment = want[8] ? at(new TextStream(276090261, 49)) : null;
    const pool = comment ? getTextPool() : null;
    const quantity = want[3] ? at(lineStreams.quantity()) : null;
    const discount = want[3] ? at(lineStreams.discount()) : null;
    const tax = want[3] ? at(lineStreams.tax()) : null;
    const partKey = want[3] ? at(lineStreams.partKey(sf)) : null;
    const shipDate = want[2] ? at(lineStreams.shipDate()) : null;

    return batchedRows(start, count, columns, (n, first) => {
      const all: (RawColumn | undefined)[] = [];
      if (want[0]) {
        const keys = new Float64Array(n);
        for (let i = 0; i < n; i++) keys[i] = orderKey(first + i);
        all[0] = keys;
      }
      if (customer) {
        const keys = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let key = customer.next();
          customer.rowFinished();
          // a third of the customers place no orders
          let delta = 1;
          while (key % CUSTOMER_MORTALITY === 0) {
            key = Math.min(key + delta, maxCustomer);
            delta = -delta;
          }
          keys[i] = key;
        }
        all[1] = keys;
      }
      let dates: Int32Array | undefined;
      if (orderDate) {
        dates = drawInts(orderDate, ORDER_DATE_MIN, ORDER_DATE_MAX, n);
      }
      if (lineCount) {
        const counts = drawInts(lineCount, 1, LINE_COUNT_MAX, n);
        let lines = 0;
        for (let i = 0; i < n; i++) lines += counts[i]!;
        if (want[3]) {
          const q = new Int32Array(lines);
          const d = new Int32Array(lines);
          const t = new Int32Array(lines);
          quantity!.drawPerRow(1, 50, counts, n, q);
          discount!.drawPerRow(0, 10, counts, n, d);
          tax!.drawPerRow(0, 8, counts, n, t);
          const p = partKeys(partKey!, counts, n, lines);
          const totals = new Int32Array(n);
          for (let i = 0, k = 0; i < n; i++) {
            let total = 0;
            for (let j = counts[i]!; j > 0; j--, k++) {
              const extended = partPrice(p[k]!) * q[k]!;
              const discounted = Math.floor((extended * (100 - d[k]!)) / 100);
              total += Math.floor((discounted * (100 + t[k]!)) / 100);
            }
            totals[i] = total;
          }
          all[3] = totals;
        }
        if (want[2]) {
          const ship = new Int32Array(lines);
          shipDate!.drawPerRow(1, 121, counts, n, ship);
          const status = new Array<string>(n);
          for (let i = 0, k = 0; i < n; i++) {
            const c = counts[i]!;
            let shipped = 0;
            for (let j = 0; j < c; j++, k++) if (dates![i]! + ship[k]! <= LAST_PAST_DATE) shipped++;
            status[i] = shipped === c ? STATUS_F : shipped > 0 ? STATUS_P : STATUS_O;
          }
          all[2] = status;
        }
      }
      if (want[4]) {
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = toEpochDay(dates![i]!);
        all[4] = out;
      }
      if (priority) {
        const slots = drawInts(priority, 0, ORDER_PRIORITIES.totalWeight - 1, n);
        all[5] = Array.from(slots, (s) => PRIORITIES[ORDER_PRIORITIES.slots[s]!]!);
      }
      if (clerk) {
        const ids = drawInts(clerk, clerk.low, clerk.high, n);
        all[6] = Array.from(ids, (id) => `Clerk#${String(id).padStart(9, '0')}`);
      }
      if (want[7]) all[7] = new Int32Array(n);
      if (comment) all[8] = commentColumn(n, comment, pool!);
      return all;
    });
  },
};

/** Part keys of `lines` lines of `orders` orders (counts[i] lines each), as doubles. */
export function partKeys(stream: KeyRandom, counts: Int32Array, orders: number, lines: number): Float64Array {
  const out = new Float64Array(lines);
  stream.drawPerRow(counts, orders, out);
  return out;
}
