/**
 * Boolean, bitwise and statistical aggregates: bool_and, bool_or, every, bit_and, bit_or,
 * bit_xor, variance/var_samp/var_pop/stddev/stddev_samp/stddev_pop (numeric results with
 * PostgreSQL's scales for integer and numeric input, float8 otherwise), corr, covar_pop,
 * covar_samp and the regr_* family.
 */
import { Numeric } from '../../types/numeric.js';
import { T, type PgType } from '../../types/pg-type.js';
import { registerAggregate } from '../registry.js';
import { sqrtToScale } from '../scalar/numeric-math.js';
import { stateful } from './state.js';

// ---- boolean and bitwise ---------------------------------------------------------------------

for (const [name, isAnd] of [['bool_and', true], ['every', true], ['bool_or', false]] as const) {
  registerAggregate({
    name,
    args: [T.bool],
    returns: T.bool,
    create: stateful(T.bool, {
      init: () => ({ v: isAnd }),
      step: (s, [x]) => {
        s.v = isAnd ? s.v && (x as boolean) : s.v || (x as boolean);
      },
      final: (s) => (s === undefined ? null : s.v),
    }),
    description: isAnd ? 'true if all input values are true' : 'true if any input value is true',
  });
}

const BIT_OPS: ReadonlyArray<readonly [string, (a: bigint, b: bigint) => bigint, string]> = [
  ['bit_and', (a, b) => a & b, 'bitwise AND of all non-null input values'],
  ['bit_or', (a, b) => a | b, 'bitwise OR of all non-null input values'],
  ['bit_xor', (a, b) => a ^ b, 'bitwise XOR of all non-null input values'],
];
for (const type of [T.int2, T.int4, T.int8]) {
  const back = (v: bigint) => (type === T.int8 ? v : Number(v));
  for (const [name, op, description] of BIT_OPS) {
    registerAggregate({
      name,
      args: [type],
      returns: type,
      create: stateful(type, {
        init: () => ({ v: null as bigint | null }),
        step: (s, [x]) => {
          const b = BigInt(x as number | bigint);
          s.v = s.v === null ? b : op(s.v, b);
        },
        final: (s) => (s === undefined || s.v === null ? null : back(s.v)),
      }),
      description,
    });
  }
}

// ---- variance and standard deviation ---------------------------------------------------------

type Moment = 'var_samp' | 'var_pop' | 'stddev_samp' | 'stddev_pop';
const MOMENTS: ReadonlyArray<readonly [string, Moment]> = [
  ['variance', 'var_samp'], ['var_samp', 'var_samp'], ['var_pop', 'var_pop'],
  ['stddev', 'stddev_samp'], ['stddev_samp', 'stddev_samp'], ['stddev_pop', 'stddev_pop'],
];
const DESCRIPTIONS: Record<Moment, string> = {
  var_samp: 'sample variance', var_pop: 'population variance', stddev_samp: 'sample standard deviation', stddev_pop: 'population standard deviation',
};

/** numeric_var_samp/pop and numeric_stddev_samp/pop over N, Σx, Σx² (do_numeric_accum). */
function numericMoment(kind: Moment, n: bigint, sumX: Numeric, sumX2: Numeric): Numeric | null {
  const sample = kind.endsWith('samp');
  if (n === 0n || (sample && n === 1n)) return null;
  if (sumX.isNaN() || sumX2.isNaN() || !sumX.isFinite() || !sumX2.isFinite()) return Numeric.NaN;
  const N = Numeric.fromInt(n);
  const numerator = N.mul(sumX2).sub(sumX.mul(sumX));
  if (numerator.sign() <= 0) return Numeric.ZERO;
  const variance = numerator.div(Numeric.fromInt(sample ? n * (n - 1n) : n * n));
  return kind.startsWith('var') ? variance : sqrtToScale(variance, variance.scale);
}

/** float8_var_samp etc. over the Youngs–Cramer state (N, Sx, Sxx). */
function floatMoment(kind: Moment, n: number, sxx: number): number | null {
  const sample = kind.endsWith('samp');
  if (n === 0 || (sample && n === 1)) return null;
  const v = sxx / (sample ? n - 1 : n);
  return kind.startsWith('var') ? v : Math.sqrt(v);
}

const toNumeric = (type: PgType) => (x: unknown): Numeric => (type === T.numeric ? (x as Numeric) : Numeric.fromInt(x as number | bigint));

for (const type of [T.int2, T.int4, T.int8, T.numeric]) {
  const lift = toNumeric(type);
  for (const [name, kind] of MOMENTS) {
    registerAggregate({
      name,
      args: [type],
      returns: T.numeric,
      create: stateful(T.numeric, {
        init: () => ({ n: 0n, sumX: Numeric.ZERO, sumX2: Numeric.ZERO }),
        step: (s, [x]) => {
          const v = lift(x);
          s.n++;
          s.sumX = s.sumX.add(v);
          s.sumX2 = s.sumX2.add(v.mul(v));
        },
        final: (s) => (s === undefined ? null : numericMoment(kind, s.n, s.sumX, s.sumX2)),
      }),
      description: `${DESCRIPTIONS[kind]} of ${type.name} input values`,
    });
  }
}

/** Youngs–Cramer accumulation (float8_accum) of one value. */
function accumulate(s: { n: number; sx: number; sxx: number }, x: number): void {
  const oldN = s.n;
  s.n += 1;
  s.sx += x;
  if (oldN > 0) {
    const tmp = x * s.n - s.sx;
    s.sxx += (tmp * tmp) / (s.n * oldN);
  } else if (Number.isNaN(x) || !Number.isFinite(x)) s.sxx = NaN;
}

for (const type of [T.float4, T.float8]) {
  for (const [name, kind] of MOMENTS) {
    registerAggregate({
      name,
      args: [type],
      returns: T.float8,
      create: stateful(T.float8, {
        init: () => ({ n: 0, sx: 0, sxx: 0 }),
        step: (s, [x]) => accumulate(s, x as number),
        final: (s) => (s === undefined ? null : floatMoment(kind, s.n, s.sxx)),
      }),
      description: `${DESCRIPTIONS[kind]} of ${type.name} input values`,
    });
  }
}

// ---- two-variable statistics -----------------------------------------------------------------

interface Regr {
  n: number;
  sx: number;
  sxx: number;
  sy: number;
  syy: number;
  sxy: number;
}

/** float8_regr_accum(Y, X). */
function regrStep(s: Regr, y: number, x: number): void {
  const oldN = s.n;
  s.n += 1;
  s.sx += x;
  s.sy += y;
  if (oldN > 0) {
    const tx = x * s.n - s.sx;
    const ty = y * s.n - s.sy;
    const scale = 1 / (s.n * oldN);
    s.sxx += tx * tx * scale;
    s.syy += ty * ty * scale;
    s.sxy += tx * ty * scale;
  }
}

const REGR: ReadonlyArray<readonly [string, PgType, (s: Regr) => number | bigint | null, string]> = [
  ['corr', T.float8, (s) => (s.n < 1 || s.sxx === 0 || s.syy === 0 ? null : s.sxy / Math.sqrt(s.sxx * s.syy)), 'correlation coefficient'],
  ['covar_pop', T.float8, (s) => (s.n < 1 ? null : s.sxy / s.n), 'population covariance'],
  ['covar_samp', T.float8, (s) => (s.n < 2 ? null : s.sxy / (s.n - 1)), 'sample covariance'],
  ['regr_avgx', T.float8, (s) => (s.n < 1 ? null : s.sx / s.n), 'average of the independent variable (sum(X)/N)'],
  ['regr_avgy', T.float8, (s) => (s.n < 1 ? null : s.sy / s.n), 'average of the dependent variable (sum(Y)/N)'],
  ['regr_count', T.int8, (s) => BigInt(s.n), 'number of input rows in which both expressions are not null'],
  ['regr_intercept', T.float8, (s) => (s.n < 1 || s.sxx === 0 ? null : (s.sy - (s.sx * s.sxy) / s.sxx) / s.n), 'y-intercept of the least-squares-fit linear equation'],
  ['regr_r2', T.float8, (s) => (s.n < 1 || s.sxx === 0 ? null : s.syy === 0 ? 1 : (s.sxy * s.sxy) / (s.sxx * s.syy)), 'square of the correlation coefficient'],
  ['regr_slope', T.float8, (s) => (s.n < 1 || s.sxx === 0 ? null : s.sxy / s.sxx), 'slope of the least-squares-fit linear equation'],
  ['regr_sxx', T.float8, (s) => (s.n < 1 ? null : s.sxx), 'sum of squares of the independent variable'],
  ['regr_syy', T.float8, (s) => (s.n < 1 ? null : s.syy), 'sum of squares of the dependent variable'],
  ['regr_sxy', T.float8, (s) => (s.n < 1 ? null : s.sxy), 'sum of products of independent times dependent variable'],
];
for (const [name, returns, result, description] of REGR) {
  registerAggregate({
    name,
    args: [T.float8, T.float8],
    returns,
    create: stateful(returns, {
      init: (): Regr => ({ n: 0, sx: 0, sxx: 0, sy: 0, syy: 0, sxy: 0 }),
      step: (s, [y, x]) => regrStep(s, y as number, x as number),
      final: (s) => result(s ?? { n: 0, sx: 0, sxx: 0, sy: 0, syy: 0, sxy: 0 }),
    }),
    description,
  });
}
