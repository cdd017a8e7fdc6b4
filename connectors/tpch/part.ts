/** PART: 200,000 × SF parts. */
import { batchedRows, commentColumn, drawInts, eachRow, sequentialKeys, startingAt } from './columns.js';
import { PART_COLORS, PART_CONTAINERS, PART_TYPES } from './distributions.js';
import { BoundedRandom } from './random.js';
import { PART_BASE, scaled } from './scale.js';
import { PickStream, TextStream, WordSequenceStream } from './streams.js';
import { padTo, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';
import { getTextPool } from './text-pool.js';

/** dbgen's retail price of a part, in cents. */
export function partPrice(partKey: number): number {
  return 90000 + (Math.floor(partKey / 10) % 20001) + (partKey % 1000) * 100;
}

const MFGR = Array.from({ length: 6 }, (_, m) => padTo(`Manufacturer#${m}`, 25));
const BRAND = Array.from({ length: 60 }, (_, b) => padTo(`Brand#${b}`, 10));
const CONTAINERS = PART_CONTAINERS.values.map((v) => padTo(v, 10));

export const PART: TableSpec = {
  name: 'part',
  columns: [
    { name: 'p_partkey', kind: 'key', maxKey: (sf) => scaled(PART_BASE, sf) },
    { name: 'p_name', kind: 'text', width: 55 },
    { name: 'p_mfgr', kind: 'text', width: 25, fixed: true },
    { name: 'p_brand', kind: 'text', width: 10, fixed: true },
    { name: 'p_type', kind: 'text', width: 25 },
    { name: 'p_size', kind: 'int' },
    { name: 'p_container', kind: 'text', width: 10, fixed: true },
    { name: 'p_retailprice', kind: 'money' },
    { name: 'p_comment', kind: 'text', width: 23 },
  ],
  unitCount: (sf) => scaled(PART_BASE, sf),
  rowCount: (sf) => scaled(PART_BASE, sf),
  open(_sf, start, count, columns): RowSource {
    const want = wanted(9, columns);
    const at = startingAt(start);
    const name = want[1] ? at(new WordSequenceStream(709314158, 5, PART_COLORS)) : null;
    const mfgr = want[2] || want[3] ? at(new BoundedRandom(1, 1, 5)) : null;
    const brand = want[3] ? at(new BoundedRandom(46831694, 1, 5)) : null;
    const type = want[4] ? at(new PickStream(1841581359, PART_TYPES)) : null;
    const size = want[5] ? at(new BoundedRandom(1193163244, 1, 50)) : null;
    const container = want[6] ? at(new PickStream(727633698, PART_CONTAINERS)) : null;
    const comment = want[8] ? at(new TextStream(804159733, 14)) : null;
    const pool = comment ? getTextPool() : null;
    return batchedRows(start, count, columns, (n, first) => {
      const all: (RawColumn | undefined)[] = [];
      if (want[0]) all[0] = sequentialKeys(n, first);
      if (name) all[1] = eachRow(n, name, () => name.next());
      if (mfgr) {
        const m = drawInts(mfgr, 1, 5, n);
        if (want[2]) all[2] = Array.from(m, (x) => MFGR[x]!);
        if (brand) {
          const b = drawInts(brand, 1, 5, n);
          all[3] = Array.from(m, (x, i) => BRAND[x * 10 + b[i]!]!);
        }
      }
      if (type) all[4] = eachRow(n, type, () => PART_TYPES.values[type.nextIndex()]!);
      if (size) all[5] = drawInts(size, 1, 50, n);
      if (container) all[6] = eachRow(n, container, () => CONTAINERS[container.nextIndex()]!);
      if (want[7]) {
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = partPrice(first + i);
        all[7] = out;
      }
      if (comment) all[8] = commentColumn(n, comment, pool!);
      return all;
    });
  },
};
