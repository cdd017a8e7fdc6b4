import { describe, expect, it } from 'vitest';
import { IntegerSet } from './integer-set.js';

describe('IntegerSet', () => {
  it('finds exactly the published bigints by their int32 words', () => {
    const values = new Set<unknown>([0n, -1n, 2n ** 32n, -(2n ** 63n), 2n ** 63n - 1n, ...Array.from({ length: 1000 }, (_, i) => BigInt(i * 7919) << 20n)]);
    const set = IntegerSet.of(values);
    expect(IntegerSet.of(values)).toBe(set);
    const probe = [0n, -1n, 1n, 2n ** 32n, 2n ** 32n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 7919n << 20n, 7918n << 20n];
    const data = BigInt64Array.from(probe);
    const w = new Int32Array(data.buffer);
    expect(probe.map((_, i) => set.has(w[2 * i]!, w[2 * i + 1]!))).toEqual(probe.map((v) => values.has(v)));
  });

  it('finds int32 numbers as (value, 0)', () => {
    const values = new Set<unknown>([0, -1, 2147483647, -2147483648, ...Array.from({ length: 500 }, (_, i) => i * 31)]);
    const set = IntegerSet.of(values);
    const probe = [0, -1, 1, 31, 32, 2147483647, -2147483648, -2147483647, 15469];
    expect(probe.map((v) => set.has(v, 0))).toEqual(probe.map((v) => values.has(v)));
  });
});
