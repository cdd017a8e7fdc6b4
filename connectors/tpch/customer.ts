/** CUSTOMER: 150,000 × SF customers. */
import { batchedRows, commentColumn, contactColumns, eachRow, sequentialKeys, startingAt } from './columns.js';
import { MARKET_SEGMENTS } from './distributions.js';
import { CUSTOMER_BASE, scaled } from './scale.js';
import { PickStream, TextStream } from './streams.js';
import { padTo, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';
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
    const at = startingAt(start);
    const contact = contactColumns({ address: 881155353, nation: 1489529863, phone: 1521138112, balance: 298370230 }, start, want, 2);
    const segment = want[6] ? at(new PickStream(1140279430, MARKET_SEGMENTS)) : null;
    const comment = want[7] ? at(new TextStream(1335826707, 73)) : null;
    const pool = comment ? getTextPool() : null;
    return batchedRows(start, count, columns, (n, first) => {
      const all: (RawColumn | undefined)[] = [];
      if (want[0]) all[0] = sequentialKeys(n, first);
      if (want[1]) all[1] = Array.from({ length: n }, (_, i) => `Customer#${String(first + i).padStart(9, '0')}`);
      contact(n, all);
      if (segment) all[6] = eachRow(n, segment, () => SEGMENTS[segment.nextIndex()]!);
      if (comment) all[7] = commentColumn(n, comment, pool!);
      return all;
    });
  },
};
