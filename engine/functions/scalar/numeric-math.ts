/**
 * sqrt, exp, ln, log and power on `numeric` with PostgreSQL 15's result scales (numeric.c:
 * numeric_sqrt, numeric_exp, numeric_ln, log_var, power_var), computed exactly in bigint
 * fixed point and rounded half away from zero to that scale.
 */
import { SqlError, SqlState } from '../../errors/index.js';
import { Numeric, pow10 } from '../../types/numeric.js';

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;
const clampScale = (s: number, ...atLeast: number[]) => Math.min(Math.max(s, ...atLeast, 0), MAX_DISPLAY_SCALE);

const abs = (x: bigint) => (x < 0n ? -x : x);
const digitCount = (x: bigint) => (x === 0n ? 0 : abs(x).toString().length);

/** Base-10000 weight and digits of a finite non-zero value (PostgreSQL's NumericVar). */
function nbase(n: Numeric): { weight: number; digits: number[] } {
  if (n.unscaled === 0n) return { weight: 0, digits: [] };
  const s = abs(n.unscaled).toString();
  const intLen = s.length - n.scale;
  const lead = ((4 - (intLen % 4)) % 4 + 4) % 4;
  let padded = '0'.repeat(lead) + s;
  padded += '0'.repeat((4 - (padded.length % 4)) % 4);
  const groups: number[] = [];
  for (let i = 0; i < padded.length; i += 4) groups.push(Number(padded.slice(i, i + 4)));
  let weight = (intLen + lead) / 4 - 1;
  while (groups.length && groups[0] === 0) {
    groups.shift();
    weight--;
  }
  while (groups.length && groups[groups.length - 1] === 0) groups.pop();
  return { weight, digits: groups };
}

/** Decimal exponent of the leading digit of a non-zero value. */
const exp10 = (n: Numeric) => digitCount(n.unscaled) - 1 - n.scale;

/** estimate_ln_dweight: decimal weight of ln(n) for n > 0. */
function estimateLnDweight(n: Numeric): number {
  const v = n.toFloat();
  if (v >= 0.9 && v <= 1.1) {
    const x = n.sub(Numeric.fromInt(1));
    return x.isZero() ? 0 : exp10(x);
  }
  const { weight, digits } = nbase(n);
  if (!digits.length) return 0;
  let d = digits[0]!;
  let dweight = weight * 4;
  if (digits.length > 1) {
    d = d * 10000 + digits[1]!;
    dweight -= 4;
  }
  const ln = Math.log(d) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(ln)));
}

// ---- fixed point -----------------------------------------------------------------------------

/** x (a Numeric) as a bigint at scale s (truncated). */
const toFixed = (x: Numeric, s: number): bigint => (s >= x.scale ? x.unscaled * pow10(s - x.scale) : x.unscaled / pow10(x.scale - s));

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's method from an overestimate decreases monotonically to floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** 2·atanh(1/q) at scale s (for ln 2 and ln 1.25). */
function atanhInverse(q: bigint, s: number): bigint {
  const one = pow10(s);
  let term = one / q;
  let sum = term;
  const q2 = q * q;
  for (let k = 3n; term !== 0n; k += 2n) {
    term /= q2;
    sum += term / k;
  }
  return 2n * sum;
}

const ln10Cache = new Map<number, bigint>();
function ln10(s: number): bigint {
  let v = ln10Cache.get(s);
  if (v === undefined) {
    const g = s + 10;
    v = (3n * atanhInverse(3n, g) + atanhInverse(9n, g)) / 10n ** 10n;
    ln10Cache.set(s, v);
  }
  return v;
}

/** ln of a positive Numeric at scale s (error a few units in the last place). */
function lnFixed(x: Numeric, s: number): bigint {
  const g = s + 10 + String(Math.abs(exp10(x))).length;
  const one = pow10(g);
  const e = exp10(x) + 1; // x = m · 10^e with m in [0.1, 1)
  let m = toFixed(x, g - e);
  // m now ≈ x / 10^e at scale g; bring it near 1 by square roots: ln m = 2^k · ln(m^(1/2^k))
  let k = 0n;
  while (abs(m - one) * 100n > one) {
    m = isqrt(m * one);
    k++;
  }
  const z = ((m - one) * one) / (m + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = z;
  for (let i = 3n; term !== 0n; i += 2n) {
    term = (term * z2) / one;
    sum += term / i;
  }
  const lnm = 2n * sum * (1n << k);
  return (lnm + BigInt(e) * ln10(g)) / pow10(g - s);
}

/** exp of a fixed-point argument (scale s) as a Numeric rounded to rscale. */
function expFixed(arg: bigint, s: number, rscale: number): Numeric {
  const l10 = ln10(s);
  const n = (arg * 2n + (arg < 0n ? -l10 : l10)) / (2n * l10); // nearest integer to arg / ln 10
  const g = Math.max(rscale + Number(n), 0) + 20;
  const one = pow10(g);
  let r = ((arg - n * l10) * one) / pow10(s); // |r| ≤ ~1.2, scale g
  const halvings = 10;
  r /= 1n << BigInt(halvings);
  let term = one;
  let sum = one;
  for (let i = 1n; term !== 0n; i++) {
    term = (term * r) / one / i;
    sum += term;
  }
  for (let i = 0; i < halvings; i++) sum = (sum * sum) / one;
  // result = sum · 10^n / 10^g
  return Numeric.fromBigInt(sum, g - Number(n)).round(rscale);
}

// ---- public functions ------------------------------------------------------------------------

const logError = (zero: boolean) =>
  new SqlError(SqlState.INVALID_ARGUMENT_FOR_LOG, zero ? 'cannot take logarithm of zero' : 'cannot take logarithm of a negative number');

export function numericSqrt(x: Numeric): Numeric {
  if (x.isNaN()) return x;
  if (x.sign() < 0) throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, 'cannot take square root of a negative number');
  if (x.isInfinite()) return x;
  const weight = nbase(x).weight;
  const sweight = Math.trunc(((weight + 1) * 4) / 2) - 1;
  return sqrtToScale(x, clampScale(MIN_SIG_DIGITS - sweight, x.scale));
}

/** Square root of a finite non-negative value rounded (half away from zero) to rscale digits. */
export function sqrtToScale(x: Numeric, rscale: number): Numeric {
  // sqrt to rscale+1 digits (truncated), then round on the extra digit
  const root = isqrt(toFixed(x, 2 * (rscale + 1)));
  return Numeric.fromBigInt(root, rscale + 1).round(rscale);
}

export function numericExp(x: Numeric): Numeric {
  if (x.isNaN()) return x;
  if (x.isInfinite()) return x.sign() > 0 ? x : Numeric.ZERO;
  const weight = x.toFloat() * 0.434294481903252;
  if (weight > 131071) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
  const rscale = clampScale(MIN_SIG_DIGITS - Math.trunc(Math.min(Math.max(weight, -2000), 2000)), x.scale);
  const s = Math.max(rscale + Math.trunc(weight), 0) + Math.ceil(Math.log10(Math.abs(x.toFloat()) + 1)) + 20;
  return expFixed(toFixed(x, s), s, rscale);
}

function checkLogArg(x: Numeric): void {
  if (x.isZero()) throw logError(true);
  if (x.sign() < 0) throw logError(false);
}

export function numericLn(x: Numeric): Numeric {
  if (x.isNaN()) return x;
  checkLogArg(x);
  if (x.isInfinite()) return x;
  const rscale = clampScale(MIN_SIG_DIGITS - estimateLnDweight(x), x.scale);
  return Numeric.fromBigInt(lnFixed(x, rscale + 5), rscale + 5).round(rscale);
}

/** log(base, x) (log_var). */
export function numericLog(base: Numeric, x: Numeric): Numeric {
  if (base.isNaN() || x.isNaN()) return Numeric.NaN;
  checkLogArg(base);
  checkLogArg(x);
  if (base.isInfinite() || x.isInfinite()) {
    if (base.isInfinite() && x.isInfinite()) return Numeric.NaN;
    return x.isInfinite() ? Numeric.POSITIVE_INFINITY : Numeric.ZERO;
  }
  const resultDweight = estimateLnDweight(x) - estimateLnDweight(base);
  const rscale = clampScale(MIN_SIG_DIGITS - resultDweight, base.scale, x.scale);
  const s = rscale + 20 + Math.max(0, -estimateLnDweight(base));
  const lnBase = lnFixed(base, s);
  if (lnBase === 0n) throw new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');
  const lnX = lnFixed(x, s);
  return Numeric.fromBigInt(lnX, 0).divToScale(Numeric.fromBigInt(lnBase, 0), rscale + 2).round(rscale);
}

const powerError = (message: string) => new SqlError(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, message);

export function numericPower(base: Numeric, e: Numeric): Numeric {
  if (base.isNaN()) return e.isZero() ? Numeric.fromInt(1) : base;
  if (e.isNaN()) return base.cmp(Numeric.fromInt(1)) === 0 ? Numeric.fromInt(1) : e;
  if (base.isZero() && e.sign() < 0) throw powerError('zero raised to a negative power is undefined');
  const isInt = e.isFinite() && e.trunc(0).cmp(e) === 0;
  if (base.sign() < 0 && !isInt) throw powerError('a negative number raised to a non-integer power yields a complex result');
  if (!base.isFinite() || !e.isFinite()) return Numeric.fromFloat(Math.pow(base.toFloat(), e.toFloat()));
  if (isInt && abs(e.trunc(0).unscaled / pow10(e.scale)) <= 2147483647n) {
    const n = e.unscaled / pow10(e.scale);
    const rscale = clampScale(MIN_SIG_DIGITS, base.scale);
    if (n === 0n) return Numeric.fromBigInt(pow10(rscale), rscale);
    if (base.isZero()) return Numeric.fromBigInt(0n, rscale);
    const f = Number(n) * Math.log10(Math.abs(base.toFloat()));
    if (f > 3 * 32767 * 4) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
    if (f + 1 < -MAX_DISPLAY_SCALE) return Numeric.fromBigInt(0n, MAX_DISPLAY_SCALE);
    const p = abs(n);
    const raised = Numeric.fromBigInt(base.unscaled ** p, base.scale * Number(p));
    return n > 0n ? raised.round(rscale) : Numeric.fromInt(1).divToScale(raised, rscale);
  }
  const lnBase = lnFixed(base.abs(), 30);
  const approx = (Number(lnBase) / 1e30) * e.toFloat();
  if (Math.abs(approx) > 2000 * 3.01) {
    if (approx > 0) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
    return Numeric.fromBigInt(0n, MAX_DISPLAY_SCALE);
  }
  const val = approx * 0.434294481903252;
  const rscale = clampScale(MIN_SIG_DIGITS - Math.trunc(val), base.scale, e.scale);
  const s = Math.max(rscale + Math.trunc(val), 0) + 25 + digitCount(e.trunc(0).unscaled);
  const arg = (lnFixed(base, s) * e.unscaled) / pow10(e.scale);
  return expFixed(arg, s, rscale);
}
