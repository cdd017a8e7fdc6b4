/** Comparison operators (= <> < <= > >=) for every comparable type and arrays of them. */
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import { comparatorFor } from '../compare.js';
import { mapBinary } from '../kernels.js';
import { registerScalar } from '../registry.js';

const tests: ReadonlyArray<readonly [string, (c: number) => boolean]> = [
  ['=', (c) => c === 0],
  ['<>', (c) => c !== 0],
  ['<', (c) => c < 0],
  ['<=', (c) => c <= 0],
  ['>', (c) => c > 0],
  ['>=', (c) => c >= 0],
];

/** Faster paths for layouts whose JS values compare natively (NaN aside). */
const nativeTests: Record<string, (x: never, y: never) => boolean> = {
  '=': (x: number, y: number) => x === y,
  '<>': (x: number, y: number) => x !== y,
  '<': (x: number, y: number) => x < y,
  '<=': (x: number, y: number) => x <= y,
  '>': (x: number, y: number) => x > y,
  '>=': (x: number, y: number) => x >= y,
};

export const comparableTypes: readonly PgType[] = [
  T.bool, T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.oid, T.text, T.bpchar, T.name, T.char,
  T.bytea, T.date, T.time, T.timestamp, T.timestamptz, T.interval, T.uuid, T.jsonb,
];

const arrayTypes = comparableTypes.filter((t) => t !== T.char).map((t) => arrayOf(t));
for (const type of [...comparableTypes, ...arrayTypes]) {
  const cmp = comparatorFor(type);
  const native = type.layout === 'int32' || type.layout === 'int64' || type.layout === 'bool';
  for (const [op, test] of tests) {
    const f = native ? nativeTests[op]! : (x: never, y: never) => test(cmp(x, y));
    registerScalar({
      name: op,
      args: [type, type],
      returns: T.bool,
      volatility: 'immutable',
      strict: true,
      vector: ([a, b], n) => mapBinary(T.bool, a!, b!, n, f),
      description: `${type.name} ${op} ${type.name}`,
    });
  }
}
