/**
 * Mathematical functions: abs, sign, ceil/floor, round, trunc, mod, div, power, sqrt, cbrt,
 * exp, ln, log, trigonometry, pi, degrees/radians, random/setseed, width_bucket, gcd, lcm,
 * factorial — with PostgreSQL's result types, overflow errors (22003) and domain errors.
 */
import { SqlError, SqlState } from '../../errors/index.js';
import { Numeric } from '../../types/numeric.js';
import { T, type PgType } from '../../types/pg-type.js';
import { rint } from '../../types/interval.js';
import { defineScalar } from '../define.js';
import { mapBinary, mapUnary } from '../kernels.js';
import { registerScalar } from '../registry.js';
import { numericExp, numericLn, numericLog, numericPower, numericSqrt } from './numeric-math.js';

const f8 = T.float8;
const num = T.numeric;

const INT_SPECS = [
  { type: T.int2, label: 'smallint', min: -32768, max: 32767 },
  { type: T.int4, label: 'integer', min: -2147483648, max: 2147483647 },
] as const;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
const outOfRange = (label: string) => new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `${label} out of range`);
const divisionByZero = () => new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');
const floatOverflow = () => new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: overflow');
const floatUnderflow = () => new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: underflow');

/** Vectorised one-argument function. */
function unary(name: string, type: PgType, returns: PgType, f: (x: never) => unknown, description: string) {
  registerScalar({ name, args: [type], returns, volatility: 'immutable', strict: true, vector: ([a], n) => mapUnary(returns, a!, n, f), description });
}
function binary(name: string, type: PgType, returns: PgType, f: (x: never, y: never) => unknown, description: string, second: PgType = type) {
  registerScalar({ name, args: [type, second], returns, volatility: 'immutable', strict: true, vector: ([a, b], n) => mapBinary(returns, a!, b!, n, f), description });
}

// ---- abs, sign, rounding ---------------------------------------------------------------------

for (const s of INT_SPECS) {
  unary('abs', s.type, s.type, (x: number) => {
    if (x === s.min) throw outOfRange(s.label);
    return Math.abs(x);
  }, `absolute value of ${s.label}`);
}
unary('abs', T.int8, T.int8, (x: bigint) => {
  if (x === INT8_MIN) throw outOfRange('bigint');
  return x < 0n ? -x : x;
}, 'absolute value of bigint');
unary('abs', T.float4, T.float4, (x: number) => Math.abs(x), 'absolute value of real');
unary('abs', f8, f8, (x: number) => Math.abs(x), 'absolute value of double precision');
unary('abs', num, num, (x: Numeric) => x.abs(), 'absolute value of numeric');

unary('sign', f8, f8, (x: number) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0), 'sign of the argument (-1, 0, +1)');
unary('sign', num, num, (x: Numeric) => (x.isNaN() ? x : Numeric.fromInt(x.sign())), 'sign of the argument (-1, 0, +1)');

/** ceil/floor of a numeric: scale 0, infinities kept. */
const numericCeil = (x: Numeric, up: boolean): Numeric => {
  if (!x.isFinite()) return x;
  const t = x.trunc(0);
  const frac = x.cmp(t);
  return frac === 0 ? t : (up ? frac > 0 : frac < 0) ? t.add(Numeric.fromInt(up ? 1 : -1)) : t;
};
for (const name of ['ceil', 'ceiling']) {
  unary(name, f8, f8, (x: number) => Math.ceil(x), 'nearest integer >= value');
  unary(name, num, num, (x: Numeric) => numericCeil(x, true), 'nearest integer >= value');
}
unary('floor', f8, f8, (x: number) => Math.floor(x), 'nearest integer <= value');
unary('floor', num, num, (x: Numeric) => numericCeil(x, false), 'nearest integer <= value');
unary('round', f8, f8, (x: number) => rint(x), 'round to nearest integer (half to even)');
unary('round', num, num, (x: Numeric) => x.round(0), 'round to nearest integer (half away from zero)');
binary('round', num, num, (x: Numeric, s: number) => x.round(s), 'round to s decimal places', T.int4);
unary('trunc', f8, f8, (x: number) => Math.trunc(x), 'truncate toward zero');
unary('trunc', num, num, (x: Numeric) => x.trunc(0), 'truncate toward zero');
binary('trunc', num, num, (x: Numeric, s: number) => x.trunc(s), 'truncate to s decimal places', T.int4);

// ---- mod, div, gcd, lcm, factorial -----------------------------------------------------------

for (const s of INT_SPECS) {
  binary('mod', s.type, s.type, (x: number, y: number) => {
    if (y === 0) throw divisionByZero();
    return x % y || 0;
  }, `${s.label} modulo`);
}
binary('mod', T.int8, T.int8, (x: bigint, y: bigint) => {
  if (y === 0n) throw divisionByZero();
  return x % y;
}, 'bigint modulo');
binary('mod', num, num, (x: Numeric, y: Numeric) => x.mod(y), 'numeric modulo');
binary('div', num, num, (x: Numeric, y: Numeric) => {
  if (y.isZero()) throw divisionByZero();
  if (!x.isFinite() || !y.isFinite()) {
    if (x.isNaN() || y.isNaN() || (x.isInfinite() && y.isInfinite())) return Numeric.NaN;
    return x.isInfinite() ? (x.sign() * y.sign() > 0 ? Numeric.POSITIVE_INFINITY : Numeric.NEGATIVE_INFINITY) : Numeric.ZERO;
  }
  return x.sub(x.mod(y)).divToScale(y, 0);
}, 'integer quotient of numerics, truncated');

const gcdBig = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x;
};
for (const [type, label, lo, hi] of [[T.int4, 'integer', -2147483648n, 2147483647n], [T.int8, 'bigint', INT8_MIN, INT8_MAX]] as const) {
  const toOut = (v: bigint) => {
    if (v < lo || v > hi) throw outOfRange(label);
    return type === T.int4 ? Number(v) : v;
  };
  binary('gcd', type, type, (x: number | bigint, y: number | bigint) => toOut(gcdBig(BigInt(x), BigInt(y))), `greatest common divisor of ${label}s`);
  binary('lcm', type, type, (x: number | bigint, y: number | bigint) => {
    const a = BigInt(x);
    const b = BigInt(y);
    if (a === 0n || b === 0n) return toOut(0n);
    const r = (a / gcdBig(a, b)) * b;
    return toOut(r < 0n ? -r : r);
  }, `least common multiple of ${label}s`);
}
/** gcd of numerics: on the common scale, result at the larger scale. */
function numericGcd(a: Numeric, b: Numeric, lcm: boolean): Numeric {
  if (!a.isFinite() || !b.isFinite()) return Numeric.NaN;
  const s = Math.max(a.scale, b.scale);
  const x = a.round(s).unscaled;
  const y = b.round(s).unscaled;
  if (!lcm) return Numeric.fromBigInt(gcdBig(x, y), s);
  if (x === 0n || y === 0n) return Numeric.fromBigInt(0n, s);
  const r = (x / gcdBig(x, y)) * y;
  return Numeric.fromBigInt(r < 0n ? -r : r, s);
}
binary('gcd', num, num, (x: Numeric, y: Numeric) => numericGcd(x, y, false), 'greatest common divisor of numerics');
binary('lcm', num, num, (x: Numeric, y: Numeric) => numericGcd(x, y, true), 'least common multiple of numerics');

unary('factorial', T.int8, num, (n: bigint) => {
  if (n < 0n) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'factorial of a negative number is undefined');
  if (n > 32177n) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value overflows numeric format');
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return Numeric.fromBigInt(r, 0);
}, 'factorial');

// ---- powers, roots, logarithms ---------------------------------------------------------------

const sqrtNegative = () => new SqlError(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, 'cannot take square root of a negative number');
const logArg = (x: number) => {
  if (x === 0) throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_LOG, 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_LOG, 'cannot take logarithm of a negative number');
  return x;
};
/** Overflow/underflow checks as float.c's float_overflow_error / float_underflow_error. */
const checkFloat = (r: number, inputs: number[], zeroOk: boolean) => {
  if (!Number.isFinite(r) && !Number.isNaN(r) && inputs.every(Number.isFinite)) throw floatOverflow();
  if (r === 0 && !zeroOk) throw floatUnderflow();
  return r;
};

unary('sqrt', f8, f8, (x: number) => {
  if (x < 0) throw sqrtNegative();
  return Math.sqrt(x);
}, 'square root');
unary('sqrt', num, num, (x: Numeric) => numericSqrt(x), 'square root');
unary('cbrt', f8, f8, (x: number) => Math.cbrt(x), 'cube root');
unary('exp', f8, f8, (x: number) => checkFloat(Math.exp(x), [x], x < 0 ? x === -Infinity : true), 'natural exponential (e^x)');
unary('exp', num, num, (x: Numeric) => numericExp(x), 'natural exponential (e^x)');
unary('ln', f8, f8, (x: number) => Math.log(logArg(x)), 'natural logarithm');
unary('ln', num, num, (x: Numeric) => numericLn(x), 'natural logarithm');
const TEN = Numeric.fromInt(10);
for (const name of ['log', 'log10']) {
  unary(name, f8, f8, (x: number) => Math.log10(logArg(x)), 'base 10 logarithm');
  unary(name, num, num, (x: Numeric) => numericLog(TEN, x), 'base 10 logarithm');
}
binary('log', num, num, (b: Numeric, x: Numeric) => numericLog(b, x), 'logarithm to base b');

function floatPower(x: number, y: number): number {
  if (x === 0 && y < 0) throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, 'zero raised to a negative power is undefined');
  if (x < 0 && Number.isFinite(y) && Math.floor(y) !== y) {
    throw new SqlError(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, 'a negative number raised to a non-integer power yields a complex result');
  }
  if (Number.isNaN(x)) return y === 0 ? 1 : NaN;
  if (Number.isNaN(y)) return x === 1 ? 1 : NaN;
  if (x === 1) return 1;
  if (Math.abs(x) === 1 && !Number.isFinite(y)) return 1;
  const r = Math.pow(x, y);
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw floatOverflow();
  if (r === 0 && x !== 0 && Number.isFinite(x) && Number.isFinite(y)) throw floatUnderflow();
  return r;
}
for (const name of ['power', 'pow']) {
  binary(name, f8, f8, (x: number, y: number) => floatPower(x, y), 'exponentiation');
  binary(name, num, num, (x: Numeric, y: Numeric) => numericPower(x, y), 'exponentiation');
}
binary('^', f8, f8, (x: number, y: number) => floatPower(x, y), 'exponentiation');
binary('^', num, num, (x: Numeric, y: Numeric) => numericPower(x, y), 'exponentiation');

// ---- trigonometry ----------------------------------------------------------------------------

const inputOutOfRange = () => new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'input is out of range');
const domain = (f: (x: number) => number, ok: (x: number) => boolean) => (x: number) => {
  if (Number.isNaN(x)) return NaN;
  if (!ok(x)) throw inputOutOfRange();
  return f(x);
};
const finite = Number.isFinite;
const unit = (x: number) => x >= -1 && x <= 1;
const RADIANS_PER_DEGREE = Math.PI / 180;
/** Exact results at multiples of 30/45/90 degrees, as PostgreSQL's sind/cosd give. */
const snap = (v: number) => {
  const r = Math.round(v * 2) / 2;
  return Math.abs(v - r) < 1e-15 ? r : v;
};
const TRIG: ReadonlyArray<readonly [string, (x: number) => number, string]> = [
  ['sin', domain(Math.sin, finite), 'sine'],
  ['cos', domain(Math.cos, finite), 'cosine'],
  ['tan', domain(Math.tan, finite), 'tangent'],
  ['cot', domain((x) => 1 / Math.tan(x), finite), 'cotangent'],
  ['asin', domain(Math.asin, unit), 'arcsine'],
  ['acos', domain(Math.acos, unit), 'arccosine'],
  ['atan', Math.atan, 'arctangent'],
  ['sind', domain((x) => snap(Math.sin(x * RADIANS_PER_DEGREE)), finite), 'sine, degrees'],
  ['cosd', domain((x) => snap(Math.cos(x * RADIANS_PER_DEGREE)), finite), 'cosine, degrees'],
  ['tand', domain((x) => snap(Math.tan(x * RADIANS_PER_DEGREE)), finite), 'tangent, degrees'],
  ['asind', domain((x) => Math.asin(x) / RADIANS_PER_DEGREE, unit), 'arcsine, degrees'],
  ['acosd', domain((x) => Math.acos(x) / RADIANS_PER_DEGREE, unit), 'arccosine, degrees'],
  ['atand', (x) => Math.atan(x) / RADIANS_PER_DEGREE, 'arctangent, degrees'],
  ['sinh', Math.sinh, 'hyperbolic sine'],
  ['cosh', Math.cosh, 'hyperbolic cosine'],
  ['tanh', Math.tanh, 'hyperbolic tangent'],
  ['asinh', Math.asinh, 'inverse hyperbolic sine'],
  ['acosh', domain(Math.acosh, (x) => x >= 1), 'inverse hyperbolic cosine'],
  ['atanh', domain(Math.atanh, unit), 'inverse hyperbolic tangent'],
  ['degrees', (x) => x / RADIANS_PER_DEGREE, 'radians to degrees'],
  ['radians', (x) => x * RADIANS_PER_DEGREE, 'degrees to radians'],
];
for (const [name, f, description] of TRIG) unary(name, f8, f8, f, description);
binary('atan2', f8, f8, (y: number, x: number) => Math.atan2(y, x), 'arctangent of y/x');
binary('atan2d', f8, f8, (y: number, x: number) => Math.atan2(y, x) / RADIANS_PER_DEGREE, 'arctangent of y/x, degrees');
defineScalar('pi', [], f8, () => Math.PI, 'pi');

// ---- random ----------------------------------------------------------------------------------

/** xoshiro128** state; seeded from Math.random until setseed. */
const state = new Uint32Array(4).map(() => (Math.random() * 2 ** 32) >>> 0);
function nextRandom(): number {
  const s = state;
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
  const t = s[1]! << 9;
  s[2]! ^= s[0]!;
  s[3]! ^= s[1]!;
  s[1]! ^= s[2]!;
  s[0]! ^= s[3]!;
  s[2]! ^= t;
  s[3] = rotl(s[3]!, 11);
  const hi = result >>> 5;
  const lo = (Math.imul(s[0]!, 0x9e3779b9) >>> 0) >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}
defineScalar('random', [], f8, () => nextRandom(), 'random value in [0, 1)', { volatility: 'volatile', strict: false });
defineScalar('setseed', [f8], T.text, ([seed]: [number]) => {
  if (!(seed >= -1 && seed <= 1)) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `setseed parameter ${seed} is out of allowed range [-1,1]`);
  }
  const x = Math.round(seed * 2147483647) >>> 0;
  state.set([x ^ 0x9e3779b9, Math.imul(x, 0x85ebca6b) >>> 0, x ^ 0xc2b2ae35, 0x27d4eb2f]);
  for (let i = 0; i < 8; i++) nextRandom();
  return '';
}, 'set seed for subsequent random() calls', { volatility: 'volatile' });

// ---- width_bucket ----------------------------------------------------------------------------

const bucketError = (m: string) => new SqlError(SqlState.INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION, m);
function widthBucket(op: number, lo: number, hi: number, count: number): number {
  if (count <= 0) throw bucketError('count must be greater than zero');
  if (Number.isNaN(op) || Number.isNaN(lo) || Number.isNaN(hi)) throw bucketError('operand, lower bound, and upper bound cannot be NaN');
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw bucketError('lower and upper bounds must be finite');
  if (lo === hi) throw bucketError('lower bound cannot equal upper bound');
  let r: number;
  if (lo < hi) r = op < lo ? 0 : op >= hi ? count + 1 : Math.floor(((op - lo) / (hi - lo)) * count) + 1;
  else r = op > lo ? 0 : op <= hi ? count + 1 : Math.floor(((lo - op) / (lo - hi)) * count) + 1;
  if (r > 2147483647) throw outOfRange('integer');
  return r;
}
defineScalar('width_bucket', [f8, f8, f8, T.int4], T.int4, ([op, lo, hi, c]: number[]) => widthBucket(op!, lo!, hi!, c!), 'bucket number of operand in equal-width histogram');
defineScalar('width_bucket', [num, num, num, T.int4], T.int4, ([op, lo, hi, c]: [Numeric, Numeric, Numeric, number]) => {
  if (op.isNaN() || lo.isNaN() || hi.isNaN()) throw bucketError('operand, lower bound, and upper bound cannot be NaN');
  if (!lo.isFinite() || !hi.isFinite()) throw bucketError('lower and upper bounds must be finite');
  if (c <= 0) throw bucketError('count must be greater than zero');
  if (lo.cmp(hi) === 0) throw bucketError('lower bound cannot equal upper bound');
  const asc = lo.cmp(hi) < 0;
  if (asc ? op.cmp(lo) < 0 : op.cmp(lo) > 0) return 0;
  if (asc ? op.cmp(hi) >= 0 : op.cmp(hi) <= 0) return c + 1;
  const part = asc ? op.sub(lo).mul(Numeric.fromInt(c)) : lo.sub(op).mul(Numeric.fromInt(c));
  const whole = asc ? hi.sub(lo) : lo.sub(hi);
  return Number(part.divToScale(whole, 20).trunc(0).unscaled) + 1;
}, 'bucket number of operand in equal-width histogram');
