import { describe, expect, it } from 'vitest';
import { scalarById } from '../../functions/registry.js';
import '../../functions/builtins.js';
import { testContext } from '../../functions/testing.js';
import { castDatum } from '../../types/cast.js';
import { DATE_NEG_INFINITY, DATE_POS_INFINITY } from '../../types/datetime.js';
import { Numeric } from '../../types/numeric.js';
import { T } from '../../types/pg-type.js';
import { datumAt, vectorFromDatums } from '../batch/vector.js';
import { vectorCast } from './vector-casts.js';

const ctx = testContext();

describe('vector casts agree with castDatum', () => {
  it.each([
    [T.date, T.timestamp, [0, -1, 99_999, -99_999, 100_000, -700_000, 2_000_000, DATE_POS_INFINITY, DATE_NEG_INFINITY, null]],
    [T.int4, T.int8, [0, -1, 2147483647, -2147483648, null, 5]],
    [T.int2, T.float8, [0, -32768, 32767, null]],
    [T.int4, T.numeric, [0, -7, 2147483647, null]],
  ] as const)('%o → %o', (from, to, values) => {
    const cast = vectorCast(from, to, ctx.format)!;
    const v = vectorFromDatums(from, [...values]);
    const out = cast(v, v.length);
    values.forEach((x, i) => {
      const want = x === null ? null : castDatum(x, from, to, ctx.format);
      const got = datumAt(out, i);
      if (want instanceof Numeric) expect((got as Numeric).toString()).toBe(want.toString());
      else expect(got).toBe(want);
    });
  });

  it('leaves casts with a typmod to the general path', () => {
    expect(vectorCast(T.int4, { ...T.numeric, typmod: (10 << 16) + 6 }, ctx.format)).toBeNull();
  });
});

describe('comparison kernels', () => {
  const compare = (op: string, type: typeof T.int8, a: unknown[], b: unknown[]) => {
    const f = scalarById(`${op}(${type.name},${type.name})`)!;
    const out = f.vector!([vectorFromDatums(type, a), vectorFromDatums(type, b)], a.length, ctx);
    return a.map((_, i) => datumAt(out, i));
  };
  it('int8 compares by words, signed', () => {
    const a = [-1n, 2n ** 32n, -(2n ** 63n), 2n ** 63n - 1n, 5n, null];
    const b = [1n, 2n ** 32n - 1n, 2n ** 63n - 1n, -(2n ** 63n), 5n, 1n];
    expect(compare('<', T.int8, a, b)).toEqual([true, false, true, false, false, null]);
    expect(compare('=', T.int8, a, b)).toEqual([false, false, false, false, true, null]);
    expect(compare('>=', T.timestamp, a, b)).toEqual([false, true, false, true, true, null]);
  });
  it('floats: NaN equals NaN and sorts above everything', () => {
    const a = [NaN, NaN, 1, -0, Infinity];
    const b = [NaN, Infinity, NaN, 0, 1];
    expect(compare('=', T.float8, a, b)).toEqual([true, false, false, true, false]);
    expect(compare('>', T.float8, a, b)).toEqual([false, true, false, false, true]);
    expect(compare('<=', T.float8, a, b)).toEqual([true, false, true, true, false]);
  });
  it('numeric and bpchar through their comparators', () => {
    const n = (s: string) => Numeric.fromString(s);
    expect(compare('=', T.numeric, [n('1.50'), n('NaN'), null], [n('1.5'), n('NaN'), n('1')])).toEqual([true, true, null]);
    expect(compare('<>', T.bpchar, ['a ', 'a', 'b'], ['a', 'a', 'a'])).toEqual([false, false, true]);
    expect(compare('=', T.bpchar, ['a ', 'a', 'ab ', 'a  ', ''], ['a', 'a   ', 'a b', 'a x', '  '])).toEqual([true, true, false, false, true]);
    expect(compare('<', T.bpchar, ['a ', 'a'], ['a', 'b  '])).toEqual([false, true]);
  });
});
