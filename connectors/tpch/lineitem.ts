/**
 * LINEITEM: 1–7 lines for each order (about 6,000,000 × SF rows). Splits divide orders;
 * a batch holds whole orders (at most BATCH_ROWS lines). Every column has its own stream
 * with 7 draws reserved per order, so unrequested columns cost nothing.
 */
import { startingAt } from './columns.js';
import { BATCH_ROWS } from '../../engine/execution/batch/batch.js';
import { LAST_PAST_DATE, toEpochDay } from './dates.js';
import { RETURN_FLAGS, SHIP_INSTRUCTIONS, SHIP_MODES, type Distribution } from './distributions.js';
import { BoundedRandom, RowRandom } from './random.js';
import { partPrice } from './part.js';
import { selectPartSupplier } from './partsupp.js';
import { LINE_COUNT_MAX, lineCountStream, lineStreams, orderDateStream, orderKey, partKeys } from './orders.js';
import { ORDERS_BASE, PART_BASE, SUPPLIER_BASE, scaled } from './scale.js';
import { TextStream } from './streams.js';
import { padTo, pick, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';
import { getTextPool } from './text-pool.js';

const C = {
  orderkey: 0, partkey: 1, suppkey: 2, linenumber: 3, quantity: 4, extendedprice: 5, discount: 6, tax: 7,
  returnflag: 8, linestatus: 9, shipdate: 10, commitdate: 11, receiptdate: 12, shipinstruct: 13, shipmode: 14,
  comment: 15,
} as const;

const INSTRUCTIONS = SHIP_INSTRUCTIONS.values.map((v) => padTo(v, 25));
const MODES = SHIP_MODES.values.map((v) => padTo(v, 10));

/**
 * Exact lineitem row counts of the listed schemas (sums of dbgen's random line counts,
 * computed with countLines).
 */
const KNOWN_ROW_COUNTS = new Map<number, number>([
  [0.01, 60_175],
  [1, 6_001_215],
  [10, 59_986_052],
  [100, 600_037_902],
  [300, 1_799_989_091],
  [1000, 5_999_989_709],
  [3000, 18_000_048_306],
  [10000, 59_999_994_267],
  [30000, 179_999_978_268],
]);

/** Orders whose lines are counted exactly (by replaying the line-count stream) when unknown. */
const MAX_COUNTED_ORDERS = 20_000_000;

export function lineitemRowCount(sf: number): number {
  const known = KNOWN_ROW_COUNTS.get(sf);
  if (known !== undefined) return known;
  const orders = scaled(ORDERS_BASE, sf);
  if (orders > MAX_COUNTED_ORDERS) return orders * 4; // the mean of 1..7
  return countLines(0, orders);
}

/** The number of lines of orders [start, start + count). */
export function countLines(start: number, count: number): number {
  const r = lineCountStream();
  r.advanceRows(start);
  let lines = 0;
  const chunk = new Int32Array(Math.min(count, 65536));
  for (let done = 0; done < count; ) {
    const n = Math.min(chunk.length, count - done);
    r.drawEachRow(1, LINE_COUNT_MAX, n, chunk);
    for (let i = 0; i < n; i++) lines += chunk[i]!;
    done += n;
  }
  return lines;
}

export const LINEITEM: TableSpec = {
  name: 'lineitem',
  columns: [
    { name: 'l_orderkey', kind: 'key', wide: true },
    { name: 'l_partkey', kind: 'key', maxKey: (sf) => scaled(PART_BASE, sf) },
    { name: 'l_suppkey', kind: 'key', maxKey: (sf) => scaled(SUPPLIER_BASE, sf) },
    { name: 'l_linenumber', kind: 'int' },
    { name: 'l_quantity', kind: 'money' },
    { name: 'l_extendedprice', kind: 'money' },
    { name: 'l_discount', kind: 'money' },
    { name: 'l_tax', kind: 'money' },
    { name: 'l_returnflag', kind: 'text', width: 1, fixed: true },
    { name: 'l_linestatus', kind: 'text', width: 1, fixed: true },
    { name: 'l_shipdate', kind: 'date' },
    { name: 'l_commitdate', kind: 'date' },
    { name: 'l_receiptdate', kind: 'date' },
    { name: 'l_shipinstruct', kind: 'text', width: 25, fixed: true },
    { name: 'l_shipmode', kind: 'text', width: 10, fixed: true },
    { name: 'l_comment', kind: 'text', width: 44 },
  ],
  unitCount: (sf) => scaled(ORDERS_BASE, sf),
  rowCount: lineitemRowCount,
  open(sf, start, count, columns): RowSource {
    const w = wanted(16, columns);
    const at = startingAt(start);
    const supplierCount = scaled(SUPPLIER_BASE, sf);

    const needPartKey = w[C.partkey] || w[C.suppkey] || w[C.extendedprice];
    const needQuantity = w[C.quantity] || w[C.extendedprice];
    const needReceipt = w[C.receiptdate] || w[C.returnflag];
    const needShip = w[C.shipdate] || w[C.linestatus] || needReceipt;
    const needOrderDate = needShip || w[C.commitdate];

    const lineCount = at(lineCountStream());
    const orderDate = needOrderDate ? at(orderDateStream()) : null;
    const quantity = needQuantity ? at(lineStreams.quantity()) : null;
    const discount = w[C.discount] ? at(lineStreams.discount()) : null;
    const tax = w[C.tax] ? at(lineStreams.tax()) : null;
    const partKey = needPartKey ? at(lineStreams.partKey(sf)) : null;
    const supplierNumber = w[C.suppkey] ? at(new BoundedRandom(2095021727, 0, 3, LINE_COUNT_MAX)) : null;
    const shipDate = needShip ? at(lineStreams.shipDate()) : null;
    const commitDate = w[C.commitdate] ? at(new BoundedRandom(904914315, 30, 90, LINE_COUNT_MAX)) : null;
    const receiptDate = needReceipt ? at(new BoundedRandom(373135028, 1, 30, LINE_COUNT_MAX)) : null;
    const returnFlag = w[C.returnflag] ? at(new RowRandom(717419739, LINE_COUNT_MAX)) : null;
    const instruction = w[C.shipinstruct] ? at(new BoundedRandom(1371272478, 0, SHIP_INSTRUCTIONS.totalWeight - 1, LINE_COUNT_MAX)) : null;
    const mode = w[C.shipmode] ? at(new BoundedRandom(675466456, 0, SHIP_MODES.totalWeight - 1, LINE_COUNT_MAX)) : null;
    const comment = w[C.comment] ? at(new TextStream(1095462486, 27, LINE_COUNT_MAX)) : null;
    const pool = comment ? getTextPool() : null;

    const countsBuffer = new Int32Array(BATCH_ROWS);
    let done = 0;
    /** The line count drawn for the next order but not yet emitted (0: none). */
    let pending = 0;

    return {
      next() {
        if (done >= count) return null;
        // whole orders, at most BATCH_ROWS lines
        let orders = 0;
        let lines = 0;
        while (done + orders < count) {
          if (pending === 0) pending = lineCount.next();
          if (lines + pending > BATCH_ROWS) break;
          lineCount.rowFinished();
          countsBuffer[orders++] = pending;
          lines += pending;
          pending = 0;
        }
        const counts = countsBuffer.subarray(0, orders);
        const firstOrder = start + done + 1;
        done += orders;

        const all: (RawColumn | undefined)[] = [];
        if (w[C.orderkey]) {
          const out = new Float64Array(lines);
          for (let i = 0, k = 0; i < orders; i++) {
            const key = orderKey(firstOrder + i);
            for (let j = counts[i]!; j > 0; j--) out[k++] = key;
          }
          all[C.orderkey] = out;
        }
        if (w[C.linenumber]) {
          const out = new Int32Array(lines);
          for (let i = 0, k = 0; i < orders; i++) for (let j = 1; j <= counts[i]!; j++) out[k++] = j;
          all[C.linenumber] = out;
        }
        const parts = partKey ? partKeys(partKey, counts, orders, lines) : null;
        if (w[C.partkey]) all[C.partkey] = parts!;
        let qty: Int32Array | null = null;
        if (quantity) {
          qty = new Int32Array(lines);
          quantity.drawPerRow(1, 50, counts, orders, qty);
          if (w[C.quantity]) all[C.quantity] = centsOf(qty);
        }
        if (supplierNumber) {
          const numbers = new Int32Array(lines);
          supplierNumber.drawPerRow(0, 3, counts, orders, numbers);
          const out = new Float64Array(lines);
          for (let k = 0; k < lines; k++) out[k] = selectPartSupplier(parts![k]!, numbers[k]!, supplierCount);
          all[C.suppkey] = out;
        }
        if (w[C.extendedprice]) {
          const out = new Int32Array(lines);
          for (let k = 0; k < lines; k++) out[k] = partPrice(parts![k]!) * qty![k]!;
          all[C.extendedprice] = out;
        }
        if (discount) {
          const out = new Int32Array(lines);
          discount.drawPerRow(0, 10, counts, orders, out);
          all[C.discount] = out;
        }
        if (tax) {
          const out = new Int32Array(lines);
          tax.drawPerRow(0, 8, counts, orders, out);
          all[C.tax] = out;
        }
        let orderDates: Int32Array | null = null;
        if (orderDate) {
          orderDates = new Int32Array(orders);
          orderDate.drawEachRow(orderDate.low, orderDate.high, orders, orderDates);
        }
        let ships: Int32Array | null = null;
        if (shipDate) {
          // generated day numbers
          ships = new Int32Array(lines);
          shipDate.drawPerRow(1, 121, counts, orders, ships);
          for (let i = 0, k = 0; i < orders; i++) {
            const od = orderDates![i]!;
            for (let j = counts[i]!; j > 0; j--, k++) ships[k]! += od;
          }
          if (w[C.shipdate]) all[C.shipdate] = epochDays(ships);
          if (w[C.linestatus]) all[C.linestatus] = Array.from(ships, (d) => (d <= LAST_PAST_DATE ? 'F' : 'O'));
        }
        if (commitDate) {
          const out = new Int32Array(lines);
          commitDate.drawPerRow(30, 90, counts, orders, out);
          for (let i = 0, k = 0; i < orders; i++) {
            const od = orderDates![i]!;
            for (let j = counts[i]!; j > 0; j--, k++) out[k]! += od;
          }
          all[C.commitdate] = epochDays(out);
        }
        if (receiptDate) {
          const receipts = new Int32Array(lines);
          receiptDate.drawPerRow(1, 30, counts, orders, receipts);
          for (let k = 0; k < lines; k++) receipts[k]! += ships![k]!;
          if (w[C.receiptdate]) all[C.receiptdate] = epochDays(receipts);
          if (returnFlag) {
            // a flag is drawn only for lines received by CURRENTDATE
            const out = new Array<string>(lines);
            for (let i = 0, k = 0; i < orders; i++) {
              for (let j = counts[i]!; j > 0; j--, k++) {
                out[k] = receipts[k]! <= LAST_PAST_DATE ? RETURN_FLAGS.randomValue(returnFlag) : 'N';
              }
              returnFlag.rowFinished();
            }
            all[C.returnflag] = out;
          }
        }
        if (instruction) all[C.shipinstruct] = picks(instruction, SHIP_INSTRUCTIONS, INSTRUCTIONS, counts, orders, lines);
        if (mode) all[C.shipmode] = picks(mode, SHIP_MODES, MODES, counts, orders, lines);
        if (comment) {
          const out = new Array<string>(lines);
          for (let i = 0, k = 0; i < orders; i++) {
            for (let j = counts[i]!; j > 0; j--) out[k++] = comment.next(pool!);
            comment.rowFinished();
          }
          all[C.comment] = out;
        }
        return pick(lines, all, columns);
      },
    };
  },
};

const centsOf = (units: Int32Array): Int32Array => units.map((u) => u * 100);

function epochDays(generated: Int32Array): Int32Array {
  const out = new Int32Array(generated.length);
  for (let k = 0; k < generated.length; k++) out[k] = toEpochDay(generated[k]!);
  return out;
}

function picks(
  r: BoundedRandom, dist: Distribution, values: readonly string[], counts: Int32Array, orders: number, lines: number,
): string[] {
  const slots = new Int32Array(lines);
  r.drawPerRow(r.low, r.high, counts, orders, slots);
  const out = new Array<string>(lines);
  for (let k = 0; k < lines; k++) out[k] = values[dist.slots[slots[k]!]!]!;
  return out;
}
