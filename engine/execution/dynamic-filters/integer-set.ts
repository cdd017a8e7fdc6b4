/**
 * A set of integers probed with int32 words straight from a column's typed array: int32
 * values as (value, 0), 64-bit values as the (low, high) words of a BigInt64Array, so
 * checking a row reads no BigInt and hashes no JS value. An open-addressing table of word
 * pairs, built once per published Set of keys (numbers or bigints) and shared by every
 * batch a scan checks against it.
 */
const built = new WeakMap<ReadonlySet<unknown>, IntegerSet>();

export class IntegerSet {
  private readonly words: Int32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;

  private constructor(values: ReadonlySet<unknown>) {
    let capacity = 16;
    while (capacity < values.size * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.words = new Int32Array(2 * capacity);
    this.used = new Uint8Array(capacity);
    const pair = new BigInt64Array(1);
    const w = new Int32Array(pair.buffer);
    for (const v of values) {
      if (typeof v === 'bigint') pair[0] = v;
      else [w[0], w[1]] = [v as number, 0];
      let slot = slotOf(w[0]!, w[1]!) & this.mask;
      while (this.used[slot] === 1 && (this.words[2 * slot] !== w[0] || this.words[2 * slot + 1] !== w[1])) slot = (slot + 1) & this.mask;
      this.used[slot] = 1;
      this.words[2 * slot] = w[0]!;
      this.words[2 * slot + 1] = w[1]!;
    }
  }

  /** The lookup for a Set of int32 numbers or of bigints (built on first use). */
  static of(values: ReadonlySet<unknown>): IntegerSet {
    let s = built.get(values);
    if (s === undefined) built.set(values, (s = new IntegerSet(values)));
    return s;
  }

  /** Whether the value whose words are (lo, hi) is in the set. */
  has(lo: number, hi: number): boolean {
    let slot = slotOf(lo, hi) & this.mask;
    while (this.used[slot] === 1) {
      if (this.words[2 * slot] === lo && this.words[2 * slot + 1] === hi) return true;
      slot = (slot + 1) & this.mask;
    }
    return false;
  }
}

function slotOf(lo: number, hi: number): number {
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi ^ 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
