/** Small building blocks shared by the table generators. */
import { BATCH_ROWS } from '../../engine/execution/batch/batch.js';
import { BoundedRandom } from './random.js';
import { AlphaNumericStream, PhoneStream, TextStream } from './streams.js';
import { pick, type RawBatch, type RawColumn, type RowSource } from './table.js';
import { getTextPool, type TextPool } from './text-pool.js';

/** A stream that can skip the rows before a split's first row. */
interface Advancing {
  advanceRows(n: number): void;
}

/** A function that moves a new stream to the row `start`. */
export function startingAt(start: number): <T extends Advancing>(r: T) => T {
  return (r) => (r.advanceRows(start), r);
}

/** A row source emitting `count` rows from `start` in batches of BATCH_ROWS; `build` fills the columns of one. */
export function batchedRows(
  start: number,
  count: number,
  columns: readonly number[],
  build: (n: number, first: number) => (RawColumn | undefined)[],
): RowSource {
  let done = 0;
  return {
    next(): RawBatch | null {
      const n = Math.min(BATCH_ROWS, count - done);
      if (n <= 0) return null;
      const first = start + done + 1;
      done += n;
      return pick(n, build(n, first), columns);
    },
  };
}

/** A row source emitting all `count` rows from `start` in one batch (nation, region). */
export function singleBatch(count: number, columns: readonly number[], build: () => RawColumn[]): RowSource {
  let done = false;
  return {
    next(): RawBatch | null {
      if (done || count === 0) return null;
      done = true;
      return pick(count, build(), columns);
    },
  };
}

/** Keys first … first + n - 1, as doubles. */
export function sequentialKeys(n: number, first: number): Float64Array {
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = first + i;
  return keys;
}

/** `n` strings, one a row: `draw()` then the stream's rowFinished(). */
export function eachRow(n: number, stream: { rowFinished(): void }, draw: () => string): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    out[i] = draw();
    stream.rowFinished();
  }
  return out;
}

/** `n` comments of a one-draw-a-row text stream. */
export function commentColumn(n: number, comment: TextStream, pool: TextPool): string[] {
  return eachRow(n, comment, () => comment.next(pool));
}

/** `n` integers of a bounded stream, one a row. */
export function drawInts(stream: BoundedRandom, low: number, high: number, n: number): Int32Array {
  const out = new Int32Array(n);
  stream.drawEachRow(low, high, n, out);
  return out;
}

/** The seeds of the address, nation key, phone and account balance columns of customer and supplier. */
export interface ContactSeeds {
  address: number;
  nation: number;
  phone: number;
  balance: number;
}

/**
 * The address, nation key, phone and account balance columns (at `first`, `first + 1`, …
 * of the table's columns) shared by customer and supplier.
 */
export function contactColumns(
  seeds: ContactSeeds,
  start: number,
  want: readonly boolean[],
  first: number,
): (n: number, all: (RawColumn | undefined)[]) => void {
  const at = startingAt(start);
  const [wantAddress, wantNation, wantPhone, wantBalance] = [want[first], want[first + 1], want[first + 2], want[first + 3]];
  const address = wantAddress ? at(new AlphaNumericStream(seeds.address, 25)) : null;
  const nation = wantNation || wantPhone ? at(new BoundedRandom(seeds.nation, 0, 24)) : null;
  const phone = wantPhone ? at(new PhoneStream(seeds.phone)) : null;
  const balance = wantBalance ? at(new BoundedRandom(seeds.balance, -99999, 999999)) : null;
  return (n, all) => {
    if (address) all[first] = eachRow(n, address, () => address.next());
    if (nation) {
      const keys = drawInts(nation, 0, 24, n);
      all[first + 1] = keys;
      if (phone) all[first + 2] = Array.from(keys, (k) => {
        const s = phone.next(k);
        phone.rowFinished();
        return s;
      });
    }
    if (balance) all[first + 3] = drawInts(balance, -99999, 999999, n);
  };
}

/** A text stream's comments for rows start … start + count - 1 (nation, region). */
export function fixedComments(seed: number, averageLength: number, start: number, count: number): string[] {
  const pool = getTextPool();
  const r = startingAt(start)(new TextStream(seed, averageLength));
  return commentColumn(count, r, pool);
}
