/**
 * Row ranges of a row group: sorted, non-overlapping [start, end) pairs. They say which rows
 * `readColumnChunks` should decode (the pages holding none of them are skipped) and come from
 * the page index (`pageRowRanges`).
 */
/** Sorted, non-overlapping [start, end) row ranges within one row group. */
export type RowRanges = ReadonlyArray<readonly [start: number, end: number]>;

/** Rows the ranges hold. */
export function countRowRanges(ranges: RowRanges): number {
  let n = 0;
  for (const [start, end] of ranges) n += end - start;
  return n;
}

/**
 * The rows in every one of the sets (a conjunction of per-column page filters). An undefined
 * set stands for every row (a column without a page index); the result is undefined when all
 * sets are.
 */
export function intersectRowRanges(sets: ReadonlyArray<RowRanges | undefined>): RowRanges | undefined {
  let acc: RowRanges | undefined;
  for (const set of sets) {
    if (set === undefined) continue;
    acc = acc === undefined ? set : intersectTwo(acc, set);
  }
  return acc;
}

function intersectTwo(a: RowRanges, b: RowRanges): RowRanges {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [as, ae] = a[i]!;
    const [bs, be] = b[j]!;
    const start = Math.max(as, bs);
    const end = Math.min(ae, be);
    if (start < end) pushRange(out, start, end);
    if (ae <= be) i++;
    else j++;
  }
  return out;
}

/** The rows in any of the sets (a disjunction), as sorted, non-overlapping ranges. */
export function unionRowRanges(sets: readonly RowRanges[]): RowRanges {
  const all = sets.flat().filter(([s, e]) => s < e).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Appends [start, end), merging it into the last range when they touch. */
export function pushRange(out: Array<[number, number]>, start: number, end: number): void {
  const last = out[out.length - 1];
  if (last !== undefined && last[1] === start) last[1] = end;
  else out.push([start, end]);
}

/**
 * Checks that `ranges` are sorted, non-overlapping and inside [0, numRows); returns them
 * without empty ranges, and the rows they hold.
 */
export function checkRowRanges(ranges: RowRanges, numRows: number): { ranges: RowRanges; count: number } {
  let prevEnd = 0;
  let count = 0;
  let empty = false;
  for (const r of ranges) {
    const [start, end] = r;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < prevEnd || end < start || end > numRows)
      throw new RangeError(`row ranges must be sorted, non-overlapping and within the row group's ${numRows} rows (got [${start}, ${end}))`);
    if (start === end) empty = true;
    count += end - start;
    prevEnd = end;
  }
  return { ranges: empty ? ranges.filter(([s, e]) => s < e) : ranges, count };
}
