/**
 * PostgreSQL's `numeric`: an exact decimal (unscaled integer × 10^-scale) whose scale is the
 * display scale PostgreSQL keeps, plus NaN and ±Infinity. Result scales follow numeric.c:
 * add/sub keep the larger scale, mul adds scales, div uses select_div_scale, all rounding is
 * half away from zero.
 *
 * The unscaled integer is held as a JS number while it is a safe integer (|u| < 2^53) and as
 * a bigint only beyond that, so everyday values add, subtract, multiply and compare without
 * BigInt arithmetic: a float operation on safe integers whose result is again a safe integer
 * is exact (rounding is monotonic, so an exact result of 2^53 or more never rounds below it).
 */
import { SqlError, SqlState } from '../errors/index.js';
import { roundSignificant } from './float-text.js';

const Kind = { Finite: 0, NaN: 1, PosInf: 2, NegInf: 3 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** PostgreSQL limits (numeric.h / numeric.c). */
const NUMERIC_MIN_SIG_DIGITS = 16;
const NUMERIC_MAX_DISPLAY_SCALE = 1000;
const NUMERIC_DSCALE_MAX = 0x3fff;
/** Largest number of decimal digits before the point (weight 0x7fff base-10000 digits). */
const MAX_INTEGER_DIGITS = (0x7fff + 1) * 4;

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 64; i++, p *= 10n) POW10.push(p);
/** 10^n as a bigint. */
export const pow10 = (n: number): bigint => (n < POW10.length ? POW10[n]! : 10n ** BigInt(n));

const absBig = (x: bigint): bigint => (x < 0n ? -x : x);

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** 10^n as a number, exact for n ≤ 22. */
const POW10_NUMBER: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The canonical form of an unscaled value: a number when it is a safe integer. (Converting
 * rounds monotonically, so a value beyond ±(2^53 - 1) never converts to a safe integer.)
 */
function canonical(u: bigint): number | bigint {
  const n = Number(u);
  return Number.isSafeInteger(n) ? n : u;
}

/** u × 10^d as a safe integer, or NaN when that is not exact (u a safe integer, d ≥ 0). */
function scaleUpNumber(u: number, d: number): number {
  if (d > 15) return NaN;
  const r = u * POW10_NUMBER[d]!;
  return r <= MAX_SAFE && r >= -MAX_SAFE ? r : NaN;
}

/** a / b rounded half away from zero (b ≠ 0). */
function divRound(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  return 2n * absBig(r) >= absBig(b) ? q + ((a < 0n) !== (b < 0n) ? -1n : 1n) : q;
}

const NUMERIC_SYNTAX = /^[ \t\n\r\v\f]*([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?[ \t\n\r\v\f]*$/;
const SPECIAL_TEXT: Record<string, Kind> = {
  nan: Kind.NaN,
  infinity: Kind.PosInf, '+infinity': Kind.PosInf, inf: Kind.PosInf, '+inf': Kind.PosInf,
  '-infinity': Kind.NegInf, '-inf': Kind.NegInf,
};

const overflow = () => new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
const divisionByZero = () => new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');

export class Numeric {
  static readonly NaN = new Numeric(0, 0, Kind.NaN);
  static readonly POSITIVE_INFINITY = new Numeric(0, 0, Kind.PosInf);
  static readonly NEGATIVE_INFINITY = new Numeric(0, 0, Kind.NegInf);
  static readonly ZERO = new Numeric(0, 0, Kind.Finite);

  private constructor(
    /** The digits without the decimal point (0 for the special values), in canonical form. */
    private readonly u: number | bigint,
    /** Display scale: digits after the decimal point (≥ 0). */
    readonly scale: number,
    private readonly kind: Kind,
    /** A number `u` as a bigint, once made or when given (kept for `unscaled`). */
    private big: bigint | undefined = undefined,
  ) {}

  private static finite(unscaled: bigint, scale: number): Numeric {
    const u = canonical(unscaled);
    return new Numeric(u, scale, Kind.Finite, typeof u === 'number' ? unscaled : undefined);
  }

  /** The digits without the decimal point (0 for the special values). */
  get unscaled(): bigint {
    const u = this.u;
    return typeof u === 'bigint' ? u : (this.big ??= BigInt(u));
  }

  /** The unscaled value as a number when it is finite and a safe integer, else NaN. */
  safeUnscaled(): number {
    const u = this.u;
    return typeof u === 'number' && this.kind === Kind.Finite ? u : NaN;
  }

  // ---- construction -------------------------------------------------------------------------

  /** numeric_in. */
  static fromString(text: string): Numeric {
    const m = NUMERIC_SYNTAX.exec(text);
    if (!m) {
      const kind = SPECIAL_TEXT[text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '').toLowerCase()];
      if (kind !== undefined) return kind === Kind.NaN ? Numeric.NaN : kind === Kind.PosInf ? Numeric.POSITIVE_INFINITY : Numeric.NEGATIVE_INFINITY;
      throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid input syntax for type numeric: "${text}"`);
    }
    const [, sign, body, expText] = m as unknown as [string, string, string, string | undefined];
    const dot = body.indexOf('.');
    const digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1);
    let scale = dot < 0 ? 0 : body.length - dot - 1;
    let unscaled = BigInt(digits);
    if (expText !== undefined) {
      const exp = Number(expText);
      if (Math.abs(exp) >= 0x3fffffff) throw overflow();
      scale -= exp;
      if (scale < 0) {
        unscaled *= pow10(-scale);
        scale = 0;
      }
    }
    if (scale > NUMERIC_DSCALE_MAX) throw overflow();
    if (unscaled !== 0n && unscaled.toString().length - scale > MAX_INTEGER_DIGITS) throw overflow();
    return Numeric.finite(sign === '-' ? -unscaled : unscaled, scale);
  }

  static fromBigInt(unscaled: bigint, scale = 0): Numeric {
    if (scale < 0) return Numeric.finite(unscaled * pow10(-scale), 0);
    return Numeric.finite(unscaled, scale);
  }

  /** unscaled × 10^-scale for a safe integer `unscaled` and scale ≥ 0. */
  static fromSafeInteger(unscaled: number, scale = 0): Numeric {
    return new Numeric(unscaled === 0 ? 0 : unscaled, scale, Kind.Finite);
  }

  static fromInt(v: number | bigint): Numeric {
    if (typeof v === 'number' && Number.isSafeInteger(v)) return new Numeric(v === 0 ? 0 : v, 0, Kind.Finite);
    return Numeric.finite(BigInt(v), 0);
  }

  /**
   * float8 → numeric as PostgreSQL 15 does it: the value printed with %.15g (DBL_DIG), read back.
   * Pass `digits` 6 (FLT_DIG) for float4 → numeric.
   */
  static fromFloat(v: number, digits = 15): Numeric {
    if (Number.isNaN(v)) return Numeric.NaN;
    if (v === Infinity) return Numeric.POSITIVE_INFINITY;
    if (v === -Infinity) return Numeric.NEGATIVE_INFINITY;
    const d = roundSignificant(v, digits);
    const shift = d.exp - (d.digits.length - 1);
    const mag = BigInt(d.digits);
    const signed = d.neg ? -mag : mag;
    return shift >= 0 ? Numeric.finite(signed * pow10(shift), 0) : Numeric.finite(signed, -shift);
  }

  // ---- inspection ---------------------------------------------------------------------------

  isNaN(): boolean {
    return this.kind === Kind.NaN;
  }

  isFinite(): boolean {
    return this.kind === Kind.Finite;
  }

  /** True for +Infinity and -Infinity. */
  isInfinite(): boolean {
    return this.kind === Kind.PosInf || this.kind === Kind.NegInf;
  }

  /** -1, 0 or 1 (NaN: 0). */
  sign(): -1 | 0 | 1 {
    if (this.kind === Kind.PosInf) return 1;
    if (this.kind === Kind.NegInf) return -1;
    const u = this.u;
    return u > 0 ? 1 : u < 0 ? -1 : 0;
  }

  isZero(): boolean {
    return this.kind === Kind.Finite && this.u === 0;
  }

  /** numeric_out. */
  toString(): string {
    switch (this.kind) {
      case Kind.NaN: return 'NaN';
      case Kind.PosInf: return 'Infinity';
      case Kind.NegInf: return '-Infinity';
    }
    const u = this.u;
    if (this.scale === 0) return String(u);
    const neg = u < 0;
    const digits = (typeof u === 'number' ? String(Math.abs(u)) : absBig(u).toString()).padStart(this.scale + 1, '0');
    const cut = digits.length - this.scale;
    return (neg ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
  }

  /** The nearest double (±Infinity/0 when out of range; callers casting to float check that). */
  toFloat(): number {
    if (this.kind === Kind.NaN) return NaN;
    if (this.kind === Kind.PosInf) return Infinity;
    if (this.kind === Kind.NegInf) return -Infinity;
    const u = this.u;
    // Both operands exact, so the quotient is the correctly rounded value, as parsing the text is.
    if (typeof u === 'number' && this.scale < POW10_NUMBER.length) return this.scale === 0 ? u : u / POW10_NUMBER[this.scale]!;
    return Number(this.toString());
  }

  /** Rounded to an integer, half away from zero. Throws for NaN/Infinity as PG's int casts do. */
  toBigIntRounded(): bigint {
    if (this.kind === Kind.NaN) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'cannot convert NaN to integer');
    if (this.kind !== Kind.Finite) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'cannot convert infinity to integer');
    return this.scale === 0 ? this.unscaled : divRound(this.unscaled, pow10(this.scale));
  }

  // ---- arithmetic ---------------------------------------------------------------------------

  add(o: Numeric): Numeric {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) return addSpecial(this, o);
    return this.combine(o, 1);
  }

  sub(o: Numeric): Numeric {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) return addSpecial(this, o.neg());
    return this.combine(o, -1);
  }

  mul(o: Numeric): Numeric {
    if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Numeric.NaN;
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      const sign = this.sign() * o.sign();
      return sign === 0 ? Numeric.NaN : sign > 0 ? Numeric.POSITIVE_INFINITY : Numeric.NEGATIVE_INFINITY;
    }
    const a = this.u;
    const b = o.u;
    const scale = this.scale + o.scale;
    let product: Numeric | null = null;
    if (typeof a === 'number' && typeof b === 'number') {
      const r = a * b;
      if (r <= MAX_SAFE && r >= -MAX_SAFE) product = new Numeric(r === 0 ? 0 : r, scale, Kind.Finite);
    }
    product ??= Numeric.finite(this.unscaled * o.unscaled, scale);
    return product.scale > NUMERIC_DSCALE_MAX ? product.round(NUMERIC_DSCALE_MAX) : product;
  }

  /** numeric_div: the quotient rounded to select_div_scale's result scale. */
  div(o: Numeric): Numeric {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) return divSpecial(this, o);
    if (o.u === 0) throw divisionByZero();
    return this.divToScale(o, selectDivScale(this, o));
  }

  /** The quotient rounded (half away from zero) to exactly `rscale` digits. */
  divToScale(o: Numeric, rscale: number): Numeric {
    const shift = rscale + o.scale - this.scale;
    const q = shift >= 0 ? divRound(this.unscaled * pow10(shift), o.unscaled) : divRound(this.unscaled, o.unscaled * pow10(-shift));
    return Numeric.finite(q, rscale);
  }

  /** numeric_mod: remainder of truncated division, sign of the dividend. */
  mod(o: Numeric): Numeric {
    if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Numeric.NaN;
    if (this.kind !== Kind.Finite) {
      if (o.isZero()) throw divisionByZero();
      return Numeric.NaN;
    }
    if (o.kind !== Kind.Finite) return this;
    if (o.u === 0) throw divisionByZero();
    const s = Math.max(this.scale, o.scale);
    return Numeric.finite(this.rescaled(s) % o.rescaled(s), s);
  }

  neg(): Numeric {
    switch (this.kind) {
      case Kind.PosInf: return Numeric.NEGATIVE_INFINITY;
      case Kind.NegInf: return Numeric.POSITIVE_INFINITY;
      case Kind.NaN: return this;
    }
    const u = this.u;
    return new Numeric(typeof u === 'number' ? 0 - u : -u, this.scale, Kind.Finite);
  }

  abs(): Numeric {
    return this.sign() < 0 ? this.neg() : this;
  }

  /** numeric_cmp: NaN equals NaN and sorts above +Infinity. */
  cmp(o: Numeric): -1 | 0 | 1 {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      const ra = rank(this);
      const rb = rank(o);
      if (ra !== rb || ra !== 1) return ra < rb ? -1 : ra > rb ? 1 : 0;
    }
    let a: number | bigint = this.u;
    let b: number | bigint = o.u;
    if (this.scale !== o.scale) {
      const s = Math.max(this.scale, o.scale);
      const x = typeof a === 'number' ? scaleUpNumber(a, s - this.scale) : NaN;
      const y = typeof b === 'number' ? scaleUpNumber(b, s - o.scale) : NaN;
      if (x === x && y === y) {
        a = x;
        b = y;
      } else {
        a = this.rescaled(s);
        b = o.rescaled(s);
      }
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(o: Numeric): boolean {
    return this.cmp(o) === 0;
  }

  // ---- rounding -----------------------------------------------------------------------------

  /** round(x, scale): half away from zero; negative scale rounds left of the point (scale 0 shown). */
  round(scale = 0): Numeric {
    return this.rescale(scale, divRound);
  }

  /** trunc(x, scale): toward zero. */
  trunc(scale = 0): Numeric {
    return this.rescale(scale, (a, b) => a / b);
  }

  /** apply_typmod for numeric(precision, scale); throws 22003 "numeric field overflow". */
  withTypmod(precision: number, scale: number): Numeric {
    if (this.kind === Kind.NaN) return this;
    if (this.kind !== Kind.Finite) {
      throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      });
    }
    const r = this.round(scale);
    const maxDigits = precision - scale;
    if (r.u !== 0 && absBig(r.unscaled).toString().length - r.scale > maxDigits) {
      throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxDigits ? `10^${maxDigits}` : '1'}.`,
      });
    }
    return r;
  }

  /** numeric_avg / int8_avg: sum / count with division's result scale. */
  static avg(sum: Numeric, count: bigint): Numeric {
    return sum.div(Numeric.fromInt(count));
  }

  // ---- internals ----------------------------------------------------------------------------

  /** unscaled value at a larger scale s ≥ this.scale. */
  private rescaled(s: number): bigint {
    return s === this.scale ? this.unscaled : this.unscaled * pow10(s - this.scale);
  }

  /** this ± o (sign 1 or -1) for finite values, at the larger of their scales. */
  private combine(o: Numeric, sign: 1 | -1): Numeric {
    const s = Math.max(this.scale, o.scale);
    const a = this.u;
    const b = o.u;
    if (typeof a === 'number' && typeof b === 'number') {
      const x = s === this.scale ? a : scaleUpNumber(a, s - this.scale);
      const y = s === o.scale ? b : scaleUpNumber(b, s - o.scale);
      const r = sign === 1 ? x + y : x - y;
      if (r <= MAX_SAFE && r >= -MAX_SAFE) return new Numeric(r === 0 ? 0 : r, s, Kind.Finite);
    }
    const y = o.rescaled(s);
    return Numeric.finite(sign === 1 ? this.rescaled(s) + y : this.rescaled(s) - y, s);
  }

  private rescale(scale: number, divide: (a: bigint, b: bigint) => bigint): Numeric {
    if (this.kind !== Kind.Finite) return this;
    const s = Math.max(-NUMERIC_MAX_DISPLAY_SCALE * 2, Math.min(scale, NUMERIC_MAX_DISPLAY_SCALE * 2));
    if (s === this.scale) return this;
    if (s > this.scale) return Numeric.finite(this.rescaled(s), s);
    const q = divide(this.unscaled, pow10(this.scale - s));
    return s >= 0 ? Numeric.finite(q, s) : Numeric.finite(q * pow10(-s), 0);
  }
}

/** Order of special values: -Inf < finite < +Inf < NaN. */
function rank(n: Numeric): number {
  if (n.isNaN()) return 3;
  if (n.isFinite()) return 1;
  return n.sign() > 0 ? 2 : 0;
}

function addSpecial(a: Numeric, b: Numeric): Numeric {
  if (a.isNaN() || b.isNaN()) return Numeric.NaN;
  if (a.isInfinite() && b.isInfinite()) return a.sign() === b.sign() ? a : Numeric.NaN;
  return a.isInfinite() ? a : b;
}

function divSpecial(a: Numeric, b: Numeric): Numeric {
  if (a.isNaN() || b.isNaN()) return Numeric.NaN;
  if (a.isInfinite()) {
    if (b.isInfinite()) return Numeric.NaN;
    if (b.isZero()) throw divisionByZero();
    return a.sign() * b.sign() > 0 ? Numeric.POSITIVE_INFINITY : Numeric.NEGATIVE_INFINITY;
  }
  return Numeric.ZERO; // finite / ±Infinity
}

/**
 * Base-10000 weight and first (most significant) base-10000 digit of a finite value, as in
 * PostgreSQL's NumericVar; zero gives weight 0, digit 0.
 */
function weightAndFirstDigit(n: Numeric): [number, number] {
  if (n.isZero()) return [0, 0];
  const digits = absBig(n.unscaled).toString();
  const exp10 = digits.length - 1 - n.scale; // position of the leading decimal digit
  const weight = Math.floor(exp10 / 4);
  const lead = exp10 - weight * 4 + 1; // 1..4 decimal digits in the first base-10000 digit
  return [weight, Number(digits.slice(0, lead).padEnd(lead, '0'))];
}

/** select_div_scale from numeric.c. */
function selectDivScale(a: Numeric, b: Numeric): number {
  const [w1, d1] = weightAndFirstDigit(a);
  const [w2, d2] = weightAndFirstDigit(b);
  let qweight = w1 - w2;
  if (d1 <= d2) qweight--;
  let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * 4;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
}
