/** Arithmetic operators (+ - * / % and unary minus) on integer, float and numeric types; bitwise & | # ~ on integers. */
import { SqlError, SqlState } from '../../errors/index.js';
import { Numeric } from '../../types/numeric.js';
import { T, type PgType } from '../../types/pg-type.js';
import { mapBinary, mapUnary } from '../kernels.js';
import { registerScalar } from '../registry.js';

const outOfRange = (what: string) => new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `${what} out of range`);
const divisionByZero = () => new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');

type IntSpec = { type: PgType; min: number; max: number; label: string };
const int2: IntSpec = { type: T.int2, min: -32768, max: 32767, label: 'smallint' };
const int4: IntSpec = { type: T.int4, min: -2147483648, max: 2147483647, label: 'integer' };

function registerBinary(name: string, type: PgType, f: (x: never, y: never) => unknown, description: string, returns = type) {
  registerScalar({
    name,
    args: [type, type],
    returns,
    volatility: 'immutable',
    strict: true,
    vector: ([a, b], n) => mapBinary(returns, a!, b!, n, f),
    description,
  });
}

for (const spec of [int2, int4]) {
  const check = (r: number) => {
    if (r > spec.max || r < spec.min) throw outOfRange(spec.label);
    return r;
  };
  registerBinary('+', spec.type, (x: number, y: number) => check(x + y), `add ${spec.label}s`);
  registerBinary('-', spec.type, (x: number, y: number) => check(x - y), `subtract ${spec.label}s`);
  registerBinary('*', spec.type, (x: number, y: number) => check(Number(BigInt(x) * BigInt(y))), `multiply ${spec.label}s`);
  registerBinary('/', spec.type, (x: number, y: number) => {
    if (y === 0) throw divisionByZero();
    return check(Math.trunc(x / y));
  }, `divide ${spec.label}s, truncating toward zero`);
  registerBinary('%', spec.type, (x: number, y: number) => {
    if (y === 0) throw divisionByZero();
    return x % y;
  }, `${spec.label} remainder`);
  registerScalar({
    name: '-',
    args: [spec.type],
    returns: spec.type,
    volatility: 'immutable',
    strict: true,
    vector: ([a], n) => mapUnary(spec.type, a!, n, (x: number) => check(-x)),
    description: `negate ${spec.label}`,
  });
}

// bitwise and, or, xor, not: the result of two in-range values is in range
for (const spec of [int2, int4]) {
  registerBinary('&', spec.type, (x: number, y: number) => x & y, `bitwise and of ${spec.label}s`);
  registerBinary('|', spec.type, (x: number, y: number) => x | y, `bitwise or of ${spec.label}s`);
  registerBinary('#', spec.type, (x: number, y: number) => x ^ y, `bitwise xor of ${spec.label}s`);
  registerScalar({
    name: '~', args: [spec.type], returns: spec.type, volatility: 'immutable', strict: true,
    vector: ([a], n) => mapUnary(spec.type, a!, n, (x: number) => ~x), description: `bitwise not of ${spec.label}`,
  });
}
registerBinary('&', T.int8, (x: bigint, y: bigint) => x & y, 'bitwise and of bigints');
registerBinary('|', T.int8, (x: bigint, y: bigint) => x | y, 'bitwise or of bigints');
registerBinary('#', T.int8, (x: bigint, y: bigint) => x ^ y, 'bitwise xor of bigints');
registerScalar({
  name: '~', args: [T.int8], returns: T.int8, volatility: 'immutable', strict: true,
  vector: ([a], n) => mapUnary(T.int8, a!, n, (x: bigint) => ~x), description: 'bitwise not of bigint',
});

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
const checkInt8 = (r: bigint) => {
  if (r > INT8_MAX || r < INT8_MIN) throw outOfRange('bigint');
  return r;
};
registerBinary('+', T.int8, (x: bigint, y: bigint) => checkInt8(x + y), 'add bigints');
registerBinary('-', T.int8, (x: bigint, y: bigint) => checkInt8(x - y), 'subtract bigints');
registerBinary('*', T.int8, (x: bigint, y: bigint) => checkInt8(x * y), 'multiply bigints');
registerBinary('/', T.int8, (x: bigint, y: bigint) => {
  if (y === 0n) throw divisionByZero();
  return checkInt8(x / y);
}, 'divide bigints, truncating toward zero');
registerBinary('%', T.int8, (x: bigint, y: bigint) => {
  if (y === 0n) throw divisionByZero();
  return x % y;
}, 'bigint remainder');
registerScalar({
  name: '-',
  args: [T.int8],
  returns: T.int8,
  volatility: 'immutable',
  strict: true,
  vector: ([a], n) => mapUnary(T.int8, a!, n, (x: bigint) => checkInt8(-x)),
  description: 'negate bigint',
});

for (const type of [T.float4, T.float8]) {
  const label = type === T.float4 ? 'real' : 'double precision';
  const check = (r: number, x: number, y: number) => {
    if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: overflow');
    return type === T.float4 ? Math.fround(r) : r;
  };
  registerBinary('+', type, (x: number, y: number) => check(x + y, x, y), `add ${label}`);
  registerBinary('-', type, (x: number, y: number) => check(x - y, x, y), `subtract ${label}`);
  registerBinary('*', type, (x: number, y: number) => check(x * y, x, y), `multiply ${label}`);
  registerBinary('/', type, (x: number, y: number) => {
    if (y === 0) throw divisionByZero();
    return check(x / y, x, y);
  }, `divide ${label}`);
  registerScalar({
    name: '-',
    args: [type],
    returns: type,
    volatility: 'immutable',
    strict: true,
    vector: ([a], n) => mapUnary(type, a!, n, (x: number) => -x),
    description: `negate ${label}`,
  });
}

registerBinary('+', T.numeric, (x: Numeric, y: Numeric) => x.add(y), 'add numerics');
registerBinary('-', T.numeric, (x: Numeric, y: Numeric) => x.sub(y), 'subtract numerics');
registerBinary('*', T.numeric, (x: Numeric, y: Numeric) => x.mul(y), 'multiply numerics');
registerBinary('/', T.numeric, (x: Numeric, y: Numeric) => x.div(y), 'divide numerics');
registerBinary('%', T.numeric, (x: Numeric, y: Numeric) => x.mod(y), 'numeric remainder');
registerScalar({
  name: '-',
  args: [T.numeric],
  returns: T.numeric,
  volatility: 'immutable',
  strict: true,
  vector: ([a], n) => mapUnary(T.numeric, a!, n, (x: Numeric) => x.neg()),
  description: 'negate numeric',
});
