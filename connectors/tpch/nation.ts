/** NATION: the 25 nations of dists.dss, the same at every scale factor. */
import { NATIONS } from './distributions.js';
import { fixedComments, singleBatch } from './columns.js';
import { padTo, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';

const COMMENT_SEED = 606179079;
const COMMENT_AVERAGE_LENGTH = 72;

export const NATION: TableSpec = {
  name: 'nation',
  columns: [
    { name: 'n_nationkey', kind: 'int' },
    { name: 'n_name', kind: 'text', width: 25, fixed: true },
    { name: 'n_regionkey', kind: 'int' },
    { name: 'n_comment', kind: 'text', width: 152 },
  ],
  unitCount: () => NATIONS.size,
  rowCount: () => NATIONS.size,
  open(_sf, start, count, columns): RowSource {
    const want = wanted(4, columns);
    return singleBatch(count, columns, () => {
      const all: RawColumn[] = [];
      if (want[0]) all[0] = Int32Array.from({ length: count }, (_, i) => start + i);
      if (want[1]) all[1] = Array.from({ length: count }, (_, i) => padTo(NATIONS.values[start + i]!, 25));
      if (want[2]) all[2] = Int32Array.from({ length: count }, (_, i) => NATIONS.cumulative[start + i]!);
      if (want[3]) all[3] = fixedComments(COMMENT_SEED, COMMENT_AVERAGE_LENGTH, start, count);
      return all;
    });
  },
};
