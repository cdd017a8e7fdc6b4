/** CUSTOMER: 150,000 × SF customers. */
import { BATCH_ROWS } from '../../engine/execution/batch/batch.js';
import { MARKET_SEGMENTS } from './distributions.js';
import { BoundedRandom } from './random.js';
import { CUSTOMER_BASE, scaled } from './scale.js';
import { AlphaNumericStream, PhoneStream, PickStream, TextStream } from './streams.js';
import { padTo, pick, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';
import { getTextPool } from './text-pool.js';

const SEGMENTS = MARKET_SEGMENTS.values.map((v) => padTo(v, 10));

export const CUSTOMER: TableSpec = {
  name: 'customer',
  columns: [
    { name: 'c_custkey', kind: 'key', maxKey: (sf) => scaled(CUSTOMER_BASE, sf) },
    { name: 'c_name', kind: 'text', width: 25 },
    { name: 'c_address', kind: 'text', width: 40 },
    { name: 'c_nationkey', kind: 'int' },
    { name: 'c_phone', kind: 'text', width: 15, fixed: true },
    { name: 'c_acctbal', kind: 'money' },
    { name: 'c_mktsegment', kind: 'text', width: 10, fixed: true },
    { name: 'c_comment', kind: 'text', width: 117 },
  ],
  unitCount: (sf) => scaled(CUSTOMER_BASE, sf),
  rowCount: (sf) => scaled(CUSTOMER_BASE, sf),
  open(_sf, start, count, columns): RowSource {
    const want = wanted(8, columns);
    const at = <T extends { advanceRows(n: number): void }>(r: T): T => (r.advanceRows(start), r);
    const address = want[2] ? at(new AlphaNumericStream(881155353, 25)) : null;
    const nation = want[3] || want[4] ? at(new BoundedRandom(1489529863, 0, 24)) : null;
    const phone = want[4] ? at(new PhoneStream(1521138112)) : null;
    const balance = want[5] ? at(new BoundedRandom(298370230, -99999, 999999)) : null;
    const segment = want[6] ? at(new PickStream(1140279430, MARKET_SEGMENTS)) : null;
    const comment = want[7] ? at(new TextStream(1335826707, 73)) : null;
    const pool = comment ? getTextPool() : null;
    let done = 0;
    return {
      next() {
        const n = Math.min(BATCH_ROWS, count - done);
        if (n <= 0) return null;
        const first = start + done + 1;
        done += n;
        const all: (RawColumn | undefined)[] = [];
        if (want[0]) all[0] = Float64Array.from({ length: n }, (_, i) => first + i);
        if (want[1]) all[1] = Array.from({ length: n }, (_, i) => `Customer#${String(first + i).padStart(9, '0')}`);
        if (address) {
          all[2] = Array.from({ length: n }, () => {
            const s = address.next();
            address.rowFinished();
            return s;
          });
        }
        if (nation) {
          const keys = new Int32Array(n);
          nation.drawEachRow(0, 24, n, keys);
          all[3] = keys;
          if (phone) {
            all[4] = Array.from(keys, (k) => {
              const s = phone.next(k);
              phone.rowFinished();
              return s;
            });
          }
        }
        if (balance) {
          const out = new Int32Array(n);
          balance.drawEachRow(-99999, 999999, n, out);
          all[5] = out;
        }
        if (segment) {
          all[6] = Array.from({ length: n }, () => {
            const s = SEGMENTS[segment.nextIndex()]!;
            segment.rowFinished();
            return s;
          });
        }
        if (comment) {
          all[7] = Array.from({ length: n }, () => {
            const s = comment.next(pool!);
            comment.rowFinished();
            return s;
          });
        }
        return pick(n, all, columns);
      },
    };
  },
};
