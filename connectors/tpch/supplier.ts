/** SUPPLIER: 10,000 × SF suppliers; a few comments carry "Customer … Complaints/Recommends". */
import { batchedRows, contactColumns, sequentialKeys } from './columns.js';
import { BoundedRandom, RowRandom } from './random.js';
import { SUPPLIER_BASE, scaled } from './scale.js';
import { TextStream } from './streams.js';
import { padTo, wanted, type RawColumn, type RowSource, type TableSpec } from './table.js';
import { getTextPool, type TextPool } from './text-pool.js';

const BBB_BASE = 'Customer ';
const BBB_COMPLAINT = 'Complaints';
const BBB_RECOMMEND = 'Recommends';
const BBB_LENGTH = BBB_BASE.length + BBB_COMPLAINT.length;
const BBB_PER_BASE = 10;
const BBB_COMPLAINT_PERCENT = 50;

/** The supplier comment streams, including the Better Business Bureau insertions. */
class SupplierComments {
  private readonly text = new TextStream(1341315363, 63);
  private readonly bbb = new BoundedRandom(202794285, 1, SUPPLIER_BASE);
  private readonly junk = new RowRandom(263032577, 1);
  private readonly offset = new RowRandom(715851524, 1);
  private readonly type = new BoundedRandom(753643799, 0, 100);

  constructor(start: number, private readonly pool: TextPool) {
    for (const r of [this.text, this.bbb, this.junk, this.offset, this.type]) r.advanceRows(start);
  }

  next(): string {
    let comment = this.text.next(this.pool);
    if (this.bbb.next() <= BBB_PER_BASE) {
      const noise = this.junk.nextInt(0, comment.length - BBB_LENGTH);
      const offset = this.offset.nextInt(0, comment.length - (BBB_LENGTH + noise));
      const type = this.type.next() < BBB_COMPLAINT_PERCENT ? BBB_COMPLAINT : BBB_RECOMMEND;
      comment = comment.slice(0, offset) + BBB_BASE + comment.slice(offset + BBB_BASE.length);
      const at = offset + BBB_BASE.length + noise;
      comment = comment.slice(0, at) + type + comment.slice(at + type.length);
    }
    for (const r of [this.text, this.bbb, this.junk, this.offset, this.type]) r.rowFinished();
    return comment;
  }
}

export const SUPPLIER: TableSpec = {
  name: 'supplier',
  columns: [
    { name: 's_suppkey', kind: 'key', maxKey: (sf) => scaled(SUPPLIER_BASE, sf) },
    { name: 's_name', kind: 'text', width: 25, fixed: true },
    { name: 's_address', kind: 'text', width: 40 },
    { name: 's_nationkey', kind: 'int' },
    { name: 's_phone', kind: 'text', width: 15, fixed: true },
    { name: 's_acctbal', kind: 'money' },
    { name: 's_comment', kind: 'text', width: 101 },
  ],
  unitCount: (sf) => scaled(SUPPLIER_BASE, sf),
  rowCount: (sf) => scaled(SUPPLIER_BASE, sf),
  open(_sf, start, count, columns): RowSource {
    const want = wanted(7, columns);
    const contact = contactColumns({ address: 706178559, nation: 110356601, phone: 884434366, balance: 962338209 }, start, want, 2);
    const comments = want[6] ? new SupplierComments(start, getTextPool()) : null;
    return batchedRows(start, count, columns, (n, first) => {
      const all: (RawColumn | undefined)[] = [];
      if (want[0]) all[0] = sequentialKeys(n, first);
      if (want[1]) all[1] = Array.from({ length: n }, (_, i) => padTo(`Supplier#${String(first + i).padStart(9, '0')}`, 25));
      contact(n, all);
      if (comments) all[6] = Array.from({ length: n }, () => comments.next());
      return all;
    });
  },
};
