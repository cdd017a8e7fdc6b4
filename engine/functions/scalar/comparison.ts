/** Comparison operators (= <> < <= > >=) for every comparable type and arrays of them. */
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import type { Vector } from '../../execution/batch/vector.js';
import { bpcharEquals, comparatorFor, type Comparator } from '../compare.js';
import { registerScalar } from '../registry.js';

type Sign = -1 | 0 | 1;
const operators = ['=', '<>', '<', '<=', '>', '>='] as const;

/**
 * Three-way comparison of rows [0, n) of two vectors into `out` (rows NULL in either are
 * left 0): fixed-width layouts compare in their typed arrays (int64 as int32 word pairs, so
 * no BigInt is read), other types through the type's comparator.
 */
function signs(layout: PgType['layout'], cmp: Comparator, a: Vector, b: Vector, n: number, nulls: Uint8Array | null, out: Int8Array): void {
  switch (layout) {
    case 'bool':
    case 'int32': {
      const x = a.data as Int32Array;
      const y = b.data as Int32Array;
      for (let i = 0; i < n; i++) out[i] = x[i]! < y[i]! ? -1 : x[i]! > y[i]! ? 1 : 0;
      return;
    }
    case 'int64': {
      const x = new Int32Array((a.data as BigInt64Array).buffer, (a.data as BigInt64Array).byteOffset, 2 * n);
      const y = new Int32Array((b.data as BigInt64Array).buffer, (b.data as BigInt64Array).byteOffset, 2 * n);
      for (let i = 0; i < n; i++) {
        const xh = x[2 * i + 1]!;
        const yh = y[2 * i + 1]!;
        if (xh !== yh) out[i] = xh < yh ? -1 : 1;
        else {
          const xl = x[2 * i]! >>> 0;
          const yl = y[2 * i]! >>> 0;
          out[i] = xl < yl ? -1 : xl > yl ? 1 : 0;
        }
      }
      return;
    }
    case 'float64': {
      const x = a.data as Float64Array;
      const y = b.data as Float64Array;
      for (let i = 0; i < n; i++) {
        const p = x[i]!;
        const q = y[i]!;
        // NaN equals NaN and sorts above every other value.
        out[i] = p < q ? -1 : p > q ? 1 : p === q ? 0 : p !== p ? (q !== q ? 0 : 1) : -1;
      }
      return;
    }
    case 'object': {
      const x = a.data as unknown[];
      const y = b.data as unknown[];
      for (let i = 0; i < n; i++) if (nulls === null || nulls[i] === 0) out[i] = cmp(x[i], y[i]) as Sign;
    }
  }
}

function compareVectors(op: string, layout: PgType['layout'], cmp: Comparator, a: Vector, b: Vector, n: number): Vector {
  const nulls = a.nulls === null ? (b.nulls === null ? null : b.nulls.slice(0, n)) : a.nulls.slice(0, n);
  if (nulls !== null && a.nulls !== null && b.nulls !== null) for (let i = 0; i < n; i++) nulls[i]! |= b.nulls[i]!;
  const c = new Int8Array(n);
  signs(layout, cmp, a, b, n, nulls, c);
  const data = new Uint8Array(n);
  switch (op) {
    case '=': for (let i = 0; i < n; i++) data[i] = c[i] === 0 ? 1 : 0; break;
    case '<>': for (let i = 0; i < n; i++) data[i] = c[i] !== 0 ? 1 : 0; break;
    case '<': for (let i = 0; i < n; i++) data[i] = c[i]! < 0 ? 1 : 0; break;
    case '<=': for (let i = 0; i < n; i++) data[i] = c[i]! <= 0 ? 1 : 0; break;
    case '>': for (let i = 0; i < n; i++) data[i] = c[i]! > 0 ? 1 : 0; break;
    case '>=': for (let i = 0; i < n; i++) data[i] = c[i]! >= 0 ? 1 : 0; break;
  }
  return { type: T.bool, length: n, data, nulls };
}

export const comparableTypes: readonly PgType[] = [
  T.bool, T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.oid, T.text, T.bpchar, T.name, T.char,
  T.bytea, T.date, T.time, T.timestamp, T.timestamptz, T.interval, T.uuid, T.jsonb,
];

const arrayTypes = comparableTypes.filter((t) => t !== T.char).map((t) => arrayOf(t));
for (const type of [...comparableTypes, ...arrayTypes]) {
  const order = comparatorFor(type);
  for (const op of operators) {
    const cmp: Comparator = type === T.bpchar && (op === '=' || op === '<>') ? (x, y) => (bpcharEquals(x as string, y as string) ? 0 : 1) : order;
    registerScalar({
      name: op,
      args: [type, type],
      returns: T.bool,
      volatility: 'immutable',
      strict: true,
      vector: ([a, b], n) => compareVectors(op, type.layout, cmp, a!, b!, n),
      description: `${type.name} ${op} ${type.name}`,
    });
  }
}
