/** REGION: the 5 regions of dists.dss, the same at every scale factor. */
import { REGIONS } from './distributions.js';
import { fixedComments, singleBatch } from './columns.js';
import { padTo, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';

const COMMENT_SEED = 1500869201;
const COMMENT_AVERAGE_LENGTH = 72;

export const REGION: TableSpec = {
  name: 'region',
  columns: [
    { name: 'r_regionkey', kind: 'int' },
    { name: 'r_name', kind: 'text', width: 25, fixed: true },
    { name: 'r_comment', kind: 'text', width: 152 },
  ],
  unitCount: () => REGIONS.size,
  rowCount: () => REGIONS.size,
  open(_sf, start, count, columns): RowSource {
    const want = wanted(3, columns);
    return singleBatch(count, columns, () => {
      const all: RawColumn[] = [];
      if (want[0]) all[0] = Int32Array.from({ length: count }, (_, i) => start + i);
      if (want[1]) all[1] = Array.from({ length: count }, (_, i) => padTo(REGIONS.values[start + i]!, 25));
      if (want[2]) all[2] = fixedComments(COMMENT_SEED, COMMENT_AVERAGE_LENGTH, start, count);
      return all;
    });
  },
};
