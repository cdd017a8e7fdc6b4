// Expected values were produced by PostgreSQL 15.18.
import { describe, expect, it } from 'vitest';
import { Numeric } from './numeric.js';
import { err } from './testing.js';

const n = (s: string) => Numeric.fromString(s);

describe('numeric_in / numeric_out', () => {
  it.each([
    ['  1.5e3 ', '1500'],
    ['1e-3', '0.001'],
    ['-0.00', '0.00'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['1.50E+2', '150'],
    ['1e-2', '0.01'],
    ['+12.340', '12.340'],
    ['inf', 'Infinity'],
    ['-INFINITY', '-Infinity'],
    ['+inf', 'Infinity'],
    ['nan', 'NaN'],
    ['-0', '0'],
  ])('%j → %s', (input, out) => expect(n(input).toString()).toBe(out));

  it.each(['.', '1e', '', '1 2', 'abc', '1.2.3', '--1'])('rejects %j', (input) => {
    const e = err(() => n(input));
    expect(e.code).toBe('22P02');
    expect(e.message).toBe(`invalid input syntax for type numeric: "${input}"`);
  });

  it('rejects values beyond the storage format', () => {
    expect(err(() => n('1e-20000')).message).toBe('value overflows numeric format');
  });
});

describe('arithmetic result scales', () => {
  it.each([
    ['1', '3', '0.33333333333333333333'],
    ['10.5', '4', '2.6250000000000000'],
    ['123456789.123', '7.5', '16460905.216400000000'],
    ['2', '3', '0.66666666666666666667'],
    ['100000', '3', '33333.333333333333'],
    ['1', '30000', '0.000033333333333333333333'],
    ['0', '5', '0.00000000000000000000'],
    ['1e-20', '3', '0.0000000000000000000033333333333333333333'],
    ['12345678901234567890', '7', '1763668414462081127'],
    ['1', '7', '0.14285714285714285714'],
    ['0.0001', '7', '0.000014285714285714285714'],
    ['9999', '1', '9999.0000000000000000'],
    ['10000', '1', '10000.0000000000000000'],
    ['9999.9999', '1.0001', '9999.0000000000000000'],
    ['-2', '3', '-0.66666666666666666667'],
  ])('%s / %s = %s', (a, b, q) => expect(n(a).div(n(b)).toString()).toBe(q));

  it('add/sub keep the larger scale; equal scales stay', () => {
    expect(n('1.5').add(n('2.25')).toString()).toBe('3.75');
    expect(n('1.50').sub(n('1.5')).toString()).toBe('0.00');
    expect(n('-7').add(n('0.004')).toString()).toBe('-6.996');
  });

  it('mul adds scales, beyond 1000 digits too', () => {
    expect(n('1.10').mul(n('2.200')).toString()).toBe('2.42000');
    expect(n('12345678901234567890123456789').mul(n('98765432109876543210')).toString()).toBe(
      '1219326311370217952249657064223746380111126352690',
    );
    expect(n('1e-600').mul(n('1e-600')).toString()).toHaveLength(1202);
  });

  it('mod keeps the dividend sign and the larger scale', () => {
    expect(n('7.5').mod(n('2')).toString()).toBe('1.5');
    expect(n('-7.5').mod(n('2')).toString()).toBe('-1.5');
    expect(n('7').mod(n('-2.25')).toString()).toBe('0.25');
    expect(n('5').mod(n('inf')).toString()).toBe('5');
    expect(n('inf').mod(n('5')).toString()).toBe('NaN');
    expect(n('NaN').mod(n('0')).toString()).toBe('NaN');
  });

  it('division by zero is 22012 except for NaN', () => {
    const e = err(() => n('1').div(n('0')));
    expect([e.code, e.message]).toEqual(['22012', 'division by zero']);
    expect(err(() => n('inf').div(n('0'))).code).toBe('22012');
    expect(err(() => n('5').mod(n('0.0'))).code).toBe('22012');
    expect(n('NaN').div(n('0')).toString()).toBe('NaN');
  });

  it('infinities', () => {
    expect(n('5').div(n('inf')).toString()).toBe('0');
    expect(n('-5.5').div(n('-inf')).toString()).toBe('0');
    expect(n('inf').div(n('inf')).toString()).toBe('NaN');
    expect(n('inf').div(n('-2')).toString()).toBe('-Infinity');
    expect(n('1.5').mul(n('inf')).toString()).toBe('Infinity');
    expect(n('0').mul(n('inf')).toString()).toBe('NaN');
    expect(n('inf').sub(n('inf')).toString()).toBe('NaN');
    expect(n('inf').add(n('inf')).toString()).toBe('Infinity');
    expect(n('-inf').neg().toString()).toBe('Infinity');
    expect(n('-inf').abs().toString()).toBe('Infinity');
  });
});

describe('avg', () => {
  const avg = (...xs: string[]) => Numeric.avg(xs.map(n).reduce((a, b) => a.add(b)), BigInt(xs.length)).toString();
  it.each([
    [['0.04', '0.05', '0.06', '0.07'], '0.05500000000000000000'],
    [['1', '2'], '1.5000000000000000'],
    [['10', '20'], '15.0000000000000000'],
    [['1e-10', '3'], '1.5000000000500000'],
    [['1.5', '2.25'], '1.8750000000000000'],
    [['123456789012345678', '1'], '61728394506172840'],
    [['-1', '-2', '-2'], '-1.6666666666666667'],
    [['0.001', '0.002', '0.0001'], '0.00103333333333333333'],
  ])('avg(%j) = %s', (xs, out) => expect(avg(...xs)).toBe(out));
});

describe('comparison', () => {
  it('orders -Inf < finite < +Inf < NaN, NaN = NaN, scale-insensitive', () => {
    const sorted = ['NaN', '1.50', '-inf', 'inf', '-3', '1.5', '0'].map(n).sort((a, b) => a.cmp(b));
    expect(sorted.map(String)).toEqual(['-Infinity', '-3', '0', '1.50', '1.5', 'Infinity', 'NaN']);
    expect(n('NaN').cmp(n('NaN'))).toBe(0);
    expect(n('1.50').cmp(n('1.5'))).toBe(0);
    expect(n('NaN').cmp(n('inf'))).toBe(1);
  });
});

describe('round / trunc / typmod', () => {
  it('round and trunc', () => {
    expect(n('1.2345').round(2).toString()).toBe('1.23');
    expect(n('1.2').round(4).toString()).toBe('1.2000');
    expect(n('1234.5').round(-2).toString()).toBe('1200');
    expect(n('-2.5').round().toString()).toBe('-3');
    expect(n('-2.57').trunc(1).toString()).toBe('-2.5');
    expect(n('1.2').trunc(3).toString()).toBe('1.200');
    expect(n('1234.5').round(-5).toString()).toBe('0');
  });

  it('withTypmod rounds half away from zero and reports overflow like apply_typmod', () => {
    expect(n('12.345').withTypmod(4, 2).toString()).toBe('12.35');
    expect(n('1234').withTypmod(3, -1).toString()).toBe('1230');
    expect(n('NaN').withTypmod(4, 2).toString()).toBe('NaN');
    const cases: [string, number, number, string][] = [
      ['123.45', 4, 2, 'A field with precision 4, scale 2 must round to an absolute value less than 10^2.'],
      ['99.995', 4, 2, 'A field with precision 4, scale 2 must round to an absolute value less than 10^2.'],
      ['0.5', 3, 5, 'A field with precision 3, scale 5 must round to an absolute value less than 10^-2.'],
      ['12345', 3, -1, 'A field with precision 3, scale -1 must round to an absolute value less than 10^4.'],
      ['1', 2, 2, 'A field with precision 2, scale 2 must round to an absolute value less than 1.'],
      ['inf', 4, 2, 'A field with precision 4, scale 2 cannot hold an infinite value.'],
    ];
    for (const [v, p, s, detail] of cases) {
      const e = err(() => n(v).withTypmod(p, s));
      expect([e.code, e.message, e.detail]).toEqual(['22003', 'numeric field overflow', detail]);
    }
  });
});

describe('conversions', () => {
  it('fromFloat uses %.15g like float8_numeric', () => {
    expect(Numeric.fromFloat(0.1).toString()).toBe('0.1');
    expect(Numeric.fromFloat(1 / 3).toString()).toBe('0.333333333333333');
    expect(Numeric.fromFloat(1e20).toString()).toBe('100000000000000000000');
    expect(Numeric.fromFloat(1e-7).toString()).toBe('0.0000001');
    expect(Numeric.fromFloat(1234567890123456789).toString()).toBe('1234567890123460000');
    expect(Numeric.fromFloat(0.30000000000000004).toString()).toBe('0.3');
    expect(Numeric.fromFloat(Math.fround(0.1), 6).toString()).toBe('0.1');
    expect(Numeric.fromFloat(NaN).toString()).toBe('NaN');
    expect(Numeric.fromFloat(-Infinity).toString()).toBe('-Infinity');
  });

  it('toBigIntRounded rounds half away from zero', () => {
    expect(n('2.5').toBigIntRounded()).toBe(3n);
    expect(n('-2.5').toBigIntRounded()).toBe(-3n);
    expect(n('-2.49').toBigIntRounded()).toBe(-2n);
    expect(err(() => n('NaN').toBigIntRounded()).message).toBe('cannot convert NaN to integer');
    expect(err(() => n('inf').toBigIntRounded()).message).toBe('cannot convert infinity to integer');
  });

  it('fromBigInt / fromInt / toFloat', () => {
    expect(Numeric.fromBigInt(12345n, 2).toString()).toBe('123.45');
    expect(Numeric.fromBigInt(-5n, 3).toString()).toBe('-0.005');
    expect(Numeric.fromInt(-42).toString()).toBe('-42');
    expect(n('0.1').toFloat()).toBe(0.1);
    expect(n('-inf').toFloat()).toBe(-Infinity);
  });
});

describe('values around 2^53 (number and bigint forms of the unscaled value)', () => {
  const big = (x: bigint, scale = 0) => Numeric.fromBigInt(x, scale);
  const exact = (a: Numeric, b: Numeric, op: (x: bigint, y: bigint) => bigint, scale: number) => {
    // The reference result computed in bigints at a common scale.
    const s = Math.max(a.scale, b.scale);
    return big(op(a.unscaled * 10n ** BigInt(s - a.scale), b.unscaled * 10n ** BigInt(s - b.scale)), scale).toString();
  };
  const edges = [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 10n ** 20n + 7n, 123n];
  it('add, sub, mul and cmp agree with bigint arithmetic', () => {
    for (const x of edges) for (const y of edges) for (const [sx, sy] of [[0, 0], [2, 0], [0, 3], [4, 4]] as const) {
      for (const sign of [1n, -1n]) {
        const a = big(x * sign, sx);
        const b = big(y, sy);
        const s = Math.max(sx, sy);
        expect(a.add(b).toString()).toBe(exact(a, b, (p, q) => p + q, s));
        expect(a.sub(b).toString()).toBe(exact(a, b, (p, q) => p - q, s));
        expect(a.mul(b).toString()).toBe(big(a.unscaled * b.unscaled, sx + sy).toString());
        const [p, q] = [a.unscaled * 10n ** BigInt(s - sx), b.unscaled * 10n ** BigInt(s - sy)];
        expect(a.cmp(b)).toBe(p < q ? -1 : p > q ? 1 : 0);
      }
    }
  });
  it('results crossing 2^53 stay exact', () => {
    expect(n('9007199254740991').add(n('1')).toString()).toBe('9007199254740992');
    expect(n('4503599627370496').mul(n('3')).toString()).toBe('13510798882111488');
    expect(n('94906267').mul(n('94906267')).toString()).toBe('9007199515875289');
    expect(n('94906267.5').mul(n('94906267.5')).toString()).toBe('9007199610781556.25');
    expect(n('-9007199254740992').sub(n('1')).add(n('2')).toString()).toBe('-9007199254740991');
    expect(n('0.00').mul(n('-5')).toString()).toBe('0.00');
    expect(n('1.50').equals(n('1.5'))).toBe(true);
    expect(n('1e20').cmp(n('99999999999999999999.5'))).toBe(1);
  });
  it('safeUnscaled is NaN beyond 2^53 and for special values', () => {
    expect(n('12.34').safeUnscaled()).toBe(1234);
    expect(n('9007199254740993').safeUnscaled()).toBeNaN();
    expect(n('NaN').safeUnscaled()).toBeNaN();
    expect(n('-inf').safeUnscaled()).toBeNaN();
  });
});
