/** PARTSUPP: 4 suppliers for each part (800,000 × SF rows); splits divide parts. */
import { BATCH_ROWS } from '../../engine/execution/batch/batch.js';
import { BoundedRandom } from './random.js';
import { PART_BASE, SUPPLIERS_PER_PART, SUPPLIER_BASE, scaled } from './scale.js';
import { TextStream } from './streams.js';
import { startingAt } from './columns.js';
import { pick, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';
import { getTextPool } from './text-pool.js';

/** dbgen's supplier key for the `supplierNumber`-th (0–3) supplier of a part. */
export function selectPartSupplier(partKey: number, supplierNumber: number, supplierCount: number): number {
  const stride = Math.floor(supplierCount / SUPPLIERS_PER_PART) + Math.floor((partKey - 1) / supplierCount);
  return ((partKey + supplierNumber * stride) % supplierCount) + 1;
}

const PARTS_PER_BATCH = Math.max(1, Math.floor(BATCH_ROWS / SUPPLIERS_PER_PART));
const FOUR = new Int32Array(PARTS_PER_BATCH).fill(SUPPLIERS_PER_PART);

export const PARTSUPP: TableSpec = {
  name: 'partsupp',
  columns: [
    { name: 'ps_partkey', kind: 'key', maxKey: (sf) => scaled(PART_BASE, sf) },
    { name: 'ps_suppkey', kind: 'key', maxKey: (sf) => scaled(SUPPLIER_BASE, sf) },
    { name: 'ps_availqty', kind: 'int' },
    { name: 'ps_supplycost', kind: 'money' },
    { name: 'ps_comment', kind: 'text', width: 199 },
  ],
  unitCount: (sf) => scaled(PART_BASE, sf),
  rowCount: (sf) => scaled(PART_BASE, sf) * SUPPLIERS_PER_PART,
  open(sf, start, count, columns): RowSource {
    const want = wanted(5, columns);
    const supplierCount = scaled(SUPPLIER_BASE, sf);
    const at = startingAt(start);
    const quantity = want[2] ? at(new BoundedRandom(1671059989, 1, 9999, SUPPLIERS_PER_PART)) : null;
    const cost = want[3] ? at(new BoundedRandom(1051288424, 100, 100000, SUPPLIERS_PER_PART)) : null;
    const comment = want[4] ? at(new TextStream(1961692154, 124, SUPPLIERS_PER_PART)) : null;
    const pool = comment ? getTextPool() : null;
    let done = 0;
    return {
      next() {
        const parts = Math.min(PARTS_PER_BATCH, count - done);
        if (parts <= 0) return null;
        const first = start + done + 1;
        done += parts;
        const n = parts * SUPPLIERS_PER_PART;
        const all: (RawColumn | undefined)[] = [];
        if (want[0]) {
          const out = new Float64Array(n);
          for (let p = 0, k = 0; p < parts; p++) for (let s = 0; s < SUPPLIERS_PER_PART; s++) out[k++] = first + p;
          all[0] = out;
        }
        if (want[1]) {
          const out = new Float64Array(n);
          for (let p = 0, k = 0; p < parts; p++) {
            for (let s = 0; s < SUPPLIERS_PER_PART; s++) out[k++] = selectPartSupplier(first + p, s, supplierCount);
          }
          all[1] = out;
        }
        if (quantity) {
          const out = new Int32Array(n);
          quantity.drawPerRow(1, 9999, FOUR, parts, out);
          all[2] = out;
        }
        if (cost) {
          const out = new Int32Array(n);
          cost.drawPerRow(100, 100000, FOUR, parts, out);
          all[3] = out;
        }
        if (comment) {
          const out = new Array<string>(n);
          for (let p = 0, k = 0; p < parts; p++) {
            for (let s = 0; s < SUPPLIERS_PER_PART; s++) out[k++] = comment.next(pool!);
            comment.rowFinished();
          }
          all[4] = out;
        }
        return pick(n, all, columns);
      },
    };
  },
};
