/**
 * The build side of a hash join: each distinct non-NULL key of the build rows gets an id in
 * an open-addressing table of Int32Array slots, and the rows of each key are chained in row
 * order (`first` per key, `next` per row). A probe batch is matched column-wise: hashes for
 * all its rows, then one key comparison per probe row; the matching build rows are the
 * key's chain. Without key columns every build row matches every probe row (nested loop).
 *
 * A slot holds the key id, the key's hash and, for keys that fit in two int32 words (one
 * int32 or int64 layout key, or two int32 layout keys), the key itself: a probe then finds
 * and compares its key in one cache line instead of reading the build row's key elsewhere.
 */
import type { PgType } from '../../types/pg-type.js';
import type { Vector } from '../batch/vector.js';
import { anyNull, hashRows, Inline, inlineLayout, keyKindOf, keyView, keyWord, rowsEqual, type KeyKind, type KeyView } from './key-view.js';

const EMPTY = -1;
/** Int32s per slot: key id (or EMPTY), hash, key words (low, high). */
const STRIDE = 4;

export class JoinTable {
  /** Some build row has a NULL key (it can never match). */
  readonly hasNullKey: boolean;
  /** Distinct non-NULL keys. */
  readonly size: number;
  /** First build row of each key id, and the next build row with the same key (-1: none). */
  readonly first: Int32Array;
  readonly next: Int32Array;
  private readonly probeKinds: KeyKind[];
  private readonly views: KeyView[];
  /** STRIDE int32s per slot; the slot count is a power of two. */
  private readonly slots: Int32Array;
  /** How keys sit in the slots (Inline.None: compared in the key columns). */
  private readonly inline: Inline;

  /** `keys`: the build rows' key vectors (none: nested loop); `probeTypes`: the probe keys' types. */
  constructor(keys: readonly Vector[], rows: number, probeTypes: readonly PgType[]) {
    this.probeKinds = probeTypes.map(keyKindOf);
    this.views = keys.map((v) => keyView(keyKindOf(v.type), v, rows));
    this.next = new Int32Array(rows).fill(EMPTY);
    const kinds = this.views.map((v) => v.kind);
    this.inline = kinds.every((k, i) => k === this.probeKinds[i]) ? inlineLayout(kinds, true) : Inline.None;
    if (keys.length === 0) {
      for (let r = 0; r + 1 < rows; r++) this.next[r] = r + 1;
      this.first = Int32Array.of(rows > 0 ? 0 : EMPTY);
      this.slots = new Int32Array(0);
      this.hasNullKey = false;
      this.size = 0;
      return;
    }
    const hashes = new Int32Array(rows);
    hashRows(this.views, rows, hashes);
    let capacity = 16;
    while (capacity < rows * 2) capacity *= 2;
    const slots = new Int32Array(STRIDE * capacity).fill(EMPTY);
    const mask = capacity - 1;
    const inline = this.inline;
    const first = new Int32Array(rows);
    const last = new Int32Array(rows);
    let size = 0;
    let hasNullKey = false;
    for (let r = 0; r < rows; r++) {
      if (anyNull(this.views, r)) {
        hasNullKey = true;
        continue;
      }
      const h = hashes[r]!;
      const lo = keyWord(inline, this.views, r, 0);
      const hi = keyWord(inline, this.views, r, 1);
      let at = STRIDE * (h & mask);
      let id: number;
      for (;;) {
        id = slots[at]!;
        if (id === EMPTY || (slots[at + 1] === h && (inline !== Inline.None ? slots[at + 2] === lo && slots[at + 3] === hi : rowsEqual(this.views, first[id]!, this.views, r)))) break;
        at = (at + STRIDE) & (slots.length - 1);
      }
      if (id === EMPTY) {
        id = size++;
        slots[at] = id;
        slots[at + 1] = h;
        slots[at + 2] = lo;
        slots[at + 3] = hi;
        first[id] = r;
      } else this.next[last[id]!] = r;
      last[id] = r;
    }
    this.slots = slots;
    this.first = first;
    this.hasNullKey = hasNullKey;
    this.size = size;
  }

  /** The key id each probe row matches (-1: none; NULL keys match nothing). */
  match(probeKeys: readonly Vector[], length: number): Int32Array {
    const out = new Int32Array(length);
    if (probeKeys.length === 0) return out.fill(this.first[0]! === EMPTY ? EMPTY : 0);
    const views = probeKeys.map((v, k) => keyView(this.probeKinds[k]!, v, length));
    const hashes = new Int32Array(length);
    hashRows(views, length, hashes);
    const slots = this.slots;
    const mask = slots.length / STRIDE - 1;
    const wrap = slots.length - 1;
    const inline = this.inline;
    for (let i = 0; i < length; i++) {
      if (anyNull(views, i)) {
        out[i] = EMPTY;
        continue;
      }
      const h = hashes[i]!;
      const lo = keyWord(inline, views, i, 0);
      const hi = keyWord(inline, views, i, 1);
      let at = STRIDE * (h & mask);
      let id: number;
      for (;;) {
        id = slots[at]!;
        if (id === EMPTY || (slots[at + 1] === h && (inline !== Inline.None ? slots[at + 2] === lo && slots[at + 3] === hi : rowsEqual(this.views, this.first[id]!, views, i)))) break;
        at = (at + STRIDE) & wrap;
      }
      out[i] = id;
    }
    return out;
  }
}

/** A growable list of (probe row, build row) pairs. */
export class PairBuffer {
  left = new Int32Array(1024);
  right = new Int32Array(1024);
  length = 0;

  push(l: number, r: number): void {
    if (this.length === this.left.length) {
      const left = new Int32Array(this.length * 2);
      const right = new Int32Array(this.length * 2);
      left.set(this.left);
      right.set(this.right);
      this.left = left;
      this.right = right;
    }
    this.left[this.length] = l;
    this.right[this.length++] = r;
  }
}
