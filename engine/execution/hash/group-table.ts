/**
 * Assigns dense group ids to rows by the values of key columns (NULLs group together): an
 * open-addressing hash table of group ids in an Int32Array, hashes computed column-wise per
 * batch, keys of each group kept in growable typed arrays and compared in place. A slot
 * holds the group id, its hash and, for a single int32 or int64 layout key, the key itself,
 * so a lookup compares in one cache line (the NULL group of such a key is kept aside).
 */
import type { PgType } from '../../types/pg-type.js';
import { allocateData, type Vector, type VectorData } from '../batch/vector.js';
import { hashRows, Inline, inlineLayout, KeyKind, keyKindOf, keyView, keyWord, rowsEqual, type KeyView } from './key-view.js';

/** The keys of the groups seen so far, column by column, in group id order. */
class KeyStore {
  data: VectorData;
  nulls: Uint8Array | null = null;
  /** The normalised form of each key, for kinds compared in that form (else null). */
  norm: unknown[] | null;
  view: KeyView;

  constructor(readonly type: PgType, readonly kind: KeyKind, capacity: number) {
    this.data = allocateData(type.layout, capacity);
    this.norm = kind === KeyKind.Normalized ? new Array<unknown>(capacity) : null;
    this.view = this.makeView();
  }

  /** Appends row i of `v` (whose view is `from`) as key `at`. */
  append(at: number, v: Vector, from: KeyView, i: number): void {
    if (at === this.data.length) this.grow();
    if (v.nulls !== null && v.nulls[i] === 1) {
      if (this.nulls === null) this.view = { ...this.view, nulls: (this.nulls = new Uint8Array(this.data.length)) };
      this.nulls[at] = 1;
      return;
    }
    (this.data as unknown[])[at] = (v.data as unknown[])[i];
    if (this.norm !== null) this.norm[at] = from.values![i];
  }

  vector(count: number): Vector {
    const data = Array.isArray(this.data) ? this.data.slice(0, count) : (this.data as Int32Array).slice(0, count);
    return { type: this.type, length: count, data: data as VectorData, nulls: this.nulls === null ? null : this.nulls.slice(0, count) };
  }

  private grow(): void {
    const cap = this.data.length * 2;
    const next = allocateData(this.type.layout, cap);
    if (Array.isArray(next)) for (let i = 0; i < this.data.length; i++) next[i] = (this.data as unknown[])[i];
    else (next as Int32Array).set(this.data as Int32Array);
    this.data = next;
    if (this.nulls !== null) {
      const n = new Uint8Array(cap);
      n.set(this.nulls);
      this.nulls = n;
    }
    if (this.norm !== null) this.norm.length = cap;
    this.view = this.makeView();
  }

  private makeView(): KeyView {
    if (this.norm !== null) return { kind: this.kind, ints: null, values: this.norm, nulls: this.nulls };
    return keyView(this.kind, { type: this.type, length: this.data.length, data: this.data, nulls: this.nulls }, this.data.length);
  }
}

const EMPTY = -1;
/** Int32s per slot: group id (or EMPTY), hash, key words (low, high). */
const STRIDE = 4;

export class GroupTable {
  private readonly kinds: KeyKind[];
  private readonly stores: KeyStore[];
  private storeViews: KeyView[];
  /** STRIDE int32s per slot; a power of two slots, at most half full. */
  private slots = new Int32Array(STRIDE * 1024).fill(EMPTY);
  /** One int32 or int64 layout key: keys are compared in the slots, and NULL is `nullGroup`. */
  private readonly inline: Inline;
  private nullGroup = -1;
  private hashBuffer = new Int32Array(0);
  count = 0;

  constructor(types: readonly PgType[]) {
    this.kinds = types.map(keyKindOf);
    this.stores = types.map((t, k) => new KeyStore(t, this.kinds[k]!, 512));
    this.storeViews = this.stores.map((s) => s.view);
    this.inline = inlineLayout(this.kinds, false);
  }

  /** Group id per row; new groups remember their key values (or, with `create` false, get id -1). */
  assign(keys: readonly Vector[], length: number, create = true): Int32Array {
    const out = new Int32Array(length);
    if (keys.length === 0) {
      if (this.count === 0) this.count = 1;
      return out;
    }
    const views = keys.map((v, k) => keyView(this.kinds[k]!, v, length));
    if (this.hashBuffer.length < length) this.hashBuffer = new Int32Array(length);
    const hashes = this.hashBuffer;
    hashRows(views, length, hashes);
    const inline = this.inline;
    const nulls = inline === Inline.None ? null : views[0]!.nulls;
    let stores = this.storeViews;
    for (let i = 0; i < length; i++) {
      const h = hashes[i]!;
      if (nulls !== null && nulls[i] === 1) {
        if (this.nullGroup < 0 && create) {
          this.nullGroup = this.count++;
          this.addGroup(this.nullGroup, keys, views, i);
          stores = this.storeViews;
        }
        out[i] = this.nullGroup;
        continue;
      }
      const lo = keyWord(inline, views, i, 0);
      const hi = keyWord(inline, views, i, 1);
      const slots = this.slots;
      const wrap = slots.length - 1;
      let at = STRIDE * (h & (wrap >> 2));
      let id: number;
      for (;;) {
        id = slots[at]!;
        if (id === EMPTY || (slots[at + 1] === h && (inline !== Inline.None ? slots[at + 2] === lo && slots[at + 3] === hi : rowsEqual(stores, id, views, i)))) break;
        at = (at + STRIDE) & wrap;
      }
      if (id === EMPTY) {
        if (!create) {
          out[i] = -1;
          continue;
        }
        id = this.count++;
        this.addGroup(id, keys, views, i);
        stores = this.storeViews;
        slots[at] = id;
        slots[at + 1] = h;
        slots[at + 2] = lo;
        slots[at + 3] = hi;
        if (this.count * 2 * STRIDE > slots.length) this.rehash();
      }
      out[i] = id;
    }
    return out;
  }

  /** Rows whose key this table had not seen before (each new key's first row), in order. */
  newRows(keys: readonly Vector[], length: number): number[] {
    let next = this.count;
    const ids = this.assign(keys, length);
    const rows: number[] = [];
    for (let i = 0; i < length; i++) if (ids[i] === next) (rows.push(i), next++);
    return rows;
  }

  keyVectors(): Vector[] {
    return this.stores.map((s) => s.vector(this.count));
  }

  private addGroup(id: number, keys: readonly Vector[], views: readonly KeyView[], row: number): void {
    for (let k = 0; k < this.stores.length; k++) {
      const s = this.stores[k]!;
      const before = s.view;
      s.append(id, keys[k]!, views[k]!, row);
      if (s.view !== before) this.storeViews = this.stores.map((x) => x.view);
    }
  }

  /** Doubles the slot array and re-inserts every group. */
  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2).fill(EMPTY);
    const wrap = slots.length - 1;
    for (let from = 0; from < old.length; from += STRIDE) {
      if (old[from] === EMPTY) continue;
      let at = STRIDE * (old[from + 1]! & (wrap >> 2));
      while (slots[at] !== EMPTY) at = (at + STRIDE) & wrap;
      slots.set(old.subarray(from, from + STRIDE), at);
    }
    this.slots = slots;
  }
}
