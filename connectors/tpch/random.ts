/**
 * The random number streams of the TPC-H reference generator (dbgen), as ported by
 * io.trino.tpch: a Park–Miller "minimal standard" LCG (seed ← seed·16807 mod 2^31−1) per
 * column, each with a fixed number of draws reserved per row so a stream can jump to any
 * row (splits) in O(log n), and a 64-bit LCG that dbgen switches to for some keys at
 * scale factors ≥ 30000.
 *
 * Everything here must stay bit-for-bit identical to dbgen, including its quirks (the
 * int overflow in `nextInt(0, 2^31−1)`, the 32-bit skip applied to 64-bit seeds).
 */

export const MODULUS = 2147483647;
const MULTIPLIER = 16807;
const TWO_31 = 2147483648;

/** seed · 16807 mod (2^31 − 1); the product stays below 2^46 so doubles are exact. */
export function nextSeed(seed: number): number {
  const p = seed * MULTIPLIER;
  const hi = Math.floor(p / TWO_31);
  // 2^31 ≡ 1 (mod 2^31 − 1)
  const r = p - hi * TWO_31 + hi;
  return r >= MODULUS ? r - MODULUS : r;
}

/** a · b mod (2^31 − 1) for 0 ≤ a, b < 2^31, exact in doubles. */
export function mulMod(a: number, b: number): number {
  const bHi = Math.floor(b / 65536);
  const bLo = b - bHi * 65536;
  return ((((a * bHi) % MODULUS) * 65536) + a * bLo) % MODULUS;
}

/** 16807^k mod (2^31 − 1) for small k: one multiplication skips k draws. */
const SKIP: number[] = [1];
for (let k = 1; k < 128; k++) SKIP.push(nextSeed(SKIP[k - 1]!));

/** The seed after `count` draws (count ≥ 0). */
export function advanceSeed(seed: number, count: number): number {
  if (count <= 3) {
    for (let i = 0; i < count; i++) seed = nextSeed(seed);
    return seed;
  }
  if (count < SKIP.length) return mulMod(SKIP[count]!, seed);
  let multiplier = MULTIPLIER;
  while (count > 0) {
    if (count % 2 !== 0) seed = mulMod(multiplier, seed);
    count = Math.floor(count / 2);
    multiplier = mulMod(multiplier, multiplier);
  }
  return seed;
}

/**
 * One column's random stream: `perRow` draws are reserved for every row, whether used or
 * not (dbgen's "expected usage per row").
 */
export class RowRandom {
  seed: number;
  usage = 0;

  constructor(seed: number, readonly perRow: number) {
    this.seed = seed;
  }

  nextRand(): number {
    this.usage++;
    return (this.seed = nextSeed(this.seed));
  }

  /**
   * A value in [low, high], computed exactly as dbgen does: the range is an int32, so
   * (0, 2^31−1) overflows to a negative range and yields negative values (relied upon).
   */
  nextInt(low: number, high: number): number {
    const s = nextSeed(this.seed);
    this.seed = s;
    this.usage++;
    const range = (high - low + 1) | 0;
    return (low + ((s / MODULUS) * range | 0)) | 0;
  }

  /**
   * For each of `rows` rows, draws `counts[i]` values in [low, high] into `out` (one after
   * another from `outStart`) and finishes the row. The stream must be at a row start.
   */
  drawPerRow(low: number, high: number, counts: Int32Array, rows: number, out: Int32Array, outStart = 0): void {
    const range = (high - low + 1) | 0;
    const perRow = this.perRow;
    let seed = this.seed;
    let k = outStart;
    for (let i = 0; i < rows; i++) {
      const c = counts[i]!;
      for (let j = 0; j < c; j++) {
        seed = nextSeed(seed);
        out[k++] = (low + ((seed / MODULUS) * range | 0)) | 0;
      }
      seed = advanceSeed(seed, perRow - c);
    }
    this.seed = seed;
  }

  /** One value in [low, high] for each of `rows` rows (finishing each row). */
  drawEachRow(low: number, high: number, rows: number, out: Int32Array): void {
    const range = (high - low + 1) | 0;
    const skip = this.perRow - 1;
    let seed = this.seed;
    for (let i = 0; i < rows; i++) {
      seed = nextSeed(seed);
      out[i] = (low + ((seed / MODULUS) * range | 0)) | 0;
      if (skip !== 0) seed = advanceSeed(seed, skip);
    }
    this.seed = seed;
  }

  /** Skips the rest of the current row's reserved draws. */
  rowFinished(): void {
    this.seed = advanceSeed(this.seed, this.perRow - this.usage);
    this.usage = 0;
  }

  /** Skips `rows` whole rows (finishing the current row first). */
  advanceRows(rows: number): void {
    if (this.usage !== 0) this.rowFinished();
    this.seed = advanceSeed(this.seed, this.perRow * rows);
  }
}

/** A stream drawing values in a fixed range. */
export class BoundedRandom extends RowRandom {
  constructor(seed: number, readonly low: number, readonly high: number, perRow = 1) {
    super(seed, perRow);
  }

  next(): number {
    return this.nextInt(this.low, this.high);
  }
}

const MASK64 = (1n << 64n) - 1n;
const toInt64 = (x: bigint): bigint => BigInt.asIntN(64, x & MASK64);
const LONG_MULTIPLIER = 6364136223846793005n;
const MODULUS_BIG = BigInt(MODULUS);

/**
 * dbgen's 64-bit stream (used for part and customer keys when SF ≥ 30000): Java long
 * arithmetic with wrap-around; row skipping (quirk) uses the 32-bit LCG on the 64-bit seed.
 */
export class RowRandom64 {
  private seed: bigint;
  private usage = 0;

  constructor(seed: number, readonly perRow: number) {
    this.seed = BigInt(seed);
  }

  /** A value in [low, high] as dbgen computes it: |seed| mod range. */
  nextLong(low: number, high: number): number {
    this.seed = toInt64(this.seed * LONG_MULTIPLIER + 1n);
    this.usage++;
    // Math.abs(Long.MIN_VALUE) stays negative in Java.
    const abs = this.seed < 0n ? toInt64(-this.seed) : this.seed;
    return low + Number(abs % BigInt(high - low + 1));
  }

  rowFinished(): void {
    this.advance32(this.perRow - this.usage);
    this.usage = 0;
  }

  advanceRows(rows: number): void {
    if (this.usage !== 0) this.rowFinished();
    this.advance32(this.perRow * rows);
  }

  private advance32(count: number): void {
    let multiplier = 16807n;
    let n = BigInt(count);
    while (n > 0n) {
      // Java: (multiplier * seed) % MODULUS with long overflow and a truncating remainder.
      if (n % 2n !== 0n) this.seed = toInt64(multiplier * this.seed) % MODULUS_BIG;
      n /= 2n;
      multiplier = (multiplier * multiplier) % MODULUS_BIG;
    }
  }
}

/** A key stream in [low, high]: the 32-bit LCG, or the 64-bit one when `use64` (SF ≥ 30000). */
export class KeyRandom {
  private readonly r32: BoundedRandom | null;
  private readonly r64: RowRandom64 | null;

  constructor(seed: number, use64: boolean, readonly low: number, readonly high: number, perRow = 1) {
    this.r32 = use64 ? null : new BoundedRandom(seed, low, high, perRow);
    this.r64 = use64 ? new RowRandom64(seed, perRow) : null;
  }

  next(): number {
    return this.r32 !== null ? this.r32.next() : this.r64!.nextLong(this.low, this.high);
  }

  rowFinished(): void {
    if (this.r32 !== null) this.r32.rowFinished();
    else this.r64!.rowFinished();
  }

  advanceRows(rows: number): void {
    if (this.r32 !== null) this.r32.advanceRows(rows);
    else this.r64!.advanceRows(rows);
  }

  /** Like RowRandom.drawPerRow, into doubles. */
  drawPerRow(counts: Int32Array, rows: number, out: Float64Array): void {
    if (this.r32 !== null) {
      const tmp = new Int32Array(out.length);
      this.r32.drawPerRow(this.low, this.high, counts, rows, tmp);
      out.set(tmp);
      return;
    }
    for (let i = 0, k = 0; i < rows; i++) {
      for (let j = counts[i]!; j > 0; j--) out[k++] = this.r64!.nextLong(this.low, this.high);
      this.r64!.rowFinished();
    }
  }
}
