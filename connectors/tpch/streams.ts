/**
 * dbgen's derived value streams (comments, addresses, phone numbers, part names, picks
 * from a distribution), each on its own RowRandom with dbgen's seed and draws per row.
 */
import type { Distribution } from './distributions.js';
import { RowRandom } from './random.js';
import type { TextPool } from './text-pool.js';

const LOW_LENGTH = 0.4;
const HIGH_LENGTH = 1.6;

/** A comment: a random substring of the text pool (2 draws per row). */
export class TextStream extends RowRandom {
  readonly minLength: number;
  readonly maxLength: number;

  constructor(seed: number, averageLength: number, rowsPerUnit = 1) {
    super(seed, 2 * rowsPerUnit);
    this.minLength = Math.trunc(averageLength * LOW_LENGTH);
    this.maxLength = Math.trunc(averageLength * HIGH_LENGTH);
  }

  next(pool: TextPool): string {
    const offset = this.nextInt(0, pool.size - this.maxLength);
    const length = this.nextInt(this.minLength, this.maxLength);
    return pool.text(offset, offset + length);
  }
}

const ALPHA_NUMERIC = '0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ,';

/** An address: random alphanumerics, 6 characters per draw (9 draws reserved per row). */
export class AlphaNumericStream extends RowRandom {
  readonly minLength: number;
  readonly maxLength: number;

  constructor(seed: number, averageLength: number) {
    super(seed, 9);
    this.minLength = Math.trunc(averageLength * LOW_LENGTH);
    this.maxLength = Math.trunc(averageLength * HIGH_LENGTH);
  }

  next(): string {
    const length = this.nextInt(this.minLength, this.maxLength);
    let out = '';
    let bits = 0;
    for (let i = 0; i < length; i++) {
      // nextInt(0, 2^31 − 1) overflows dbgen's int range: the value is negative (kept).
      if (i % 5 === 0) bits = this.nextInt(0, 2147483647);
      out += ALPHA_NUMERIC[bits & 0x3f];
      bits >>= 6;
    }
    return out;
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A phone number 'CC-ddd-ddd-dddd' whose country code comes from the nation (3 draws). */
export class PhoneStream extends RowRandom {
  constructor(seed: number) {
    super(seed, 3);
  }

  next(nationKey: number): string {
    const a = this.nextInt(100, 999);
    const b = this.nextInt(100, 999);
    const c = this.nextInt(1000, 9999);
    return `${pad(10 + (nationKey % 90), 2)}-${a}-${b}-${pad(c, 4)}`;
  }
}

/** `count` distinct words of a distribution, by a partial shuffle (size draws reserved). */
export class WordSequenceStream extends RowRandom {
  private readonly scratch: string[];

  constructor(seed: number, readonly count: number, readonly dist: Distribution) {
    super(seed, dist.size);
    this.scratch = dist.values.slice();
  }

  next(): string {
    const values = this.scratch;
    const source = this.dist.values;
    for (let i = 0; i < values.length; i++) values[i] = source[i]!;
    const last = values.length - 1;
    for (let i = 0; i < this.count; i++) {
      const j = this.nextInt(i, last);
      const t = values[i]!;
      values[i] = values[j]!;
      values[j] = t;
    }
    let out = values[0]!;
    for (let i = 1; i < this.count; i++) out += ' ' + values[i]!;
    return out;
  }
}

/** A pick from a distribution (one draw), returning the value index. */
export class PickStream extends RowRandom {
  constructor(seed: number, readonly dist: Distribution, rowsPerUnit = 1) {
    super(seed, rowsPerUnit);
  }

  nextIndex(): number {
    return this.dist.randomIndex(this);
  }
}
