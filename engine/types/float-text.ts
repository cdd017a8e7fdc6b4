/**
 * float4/float8 text conversion as PostgreSQL 15 does it: float8in/float4in parsing with PG's
 * error texts, shortest round-trip output (extra_float_digits > 0, PG's Ryu thresholds), and
 * printf-style "%.Ng" output (extra_float_digits <= 0, and float8→numeric which uses %.15g).
 */
import { SqlError, SqlState } from '../errors/index.js';

const FLOAT_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIALS: Record<string, number> = {
  nan: NaN, '+nan': NaN, '-nan': NaN,
  infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity,
  inf: Infinity, '+inf': Infinity, '-inf': -Infinity,
};

/** C isspace(): the only whitespace PostgreSQL's input functions skip. */
export const trimCSpace = (s: string): string => s.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');

/** float8in / float4in (`real` true). */
export function parseFloatText(text: string, real = false): number {
  const typeName = real ? 'real' : 'double precision';
  const s = trimCSpace(text);
  const special = SPECIALS[s.toLowerCase()];
  if (special !== undefined) return special;
  let v: number;
  if (FLOAT_SYNTAX.test(s)) v = Number(s);
  else if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) v = (s.startsWith('-') ? -1 : 1) * Number.parseInt(s.replace(/^[+-]?0[xX]/, ''), 16);
  else throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid input syntax for type ${typeName}: "${text}"`);
  if (real) {
    const f = Math.fround(v);
    if (!Number.isFinite(f) || (f === 0 && !isZeroText(s))) throw outOfRange(text, typeName);
    return f;
  }
  if (!Number.isFinite(v) || (v === 0 && !isZeroText(s))) throw outOfRange(text, typeName);
  return v;
}

const isZeroText = (s: string): boolean => !/[1-9]/.test(s.replace(/[eE].*$/, ''));
const outOfRange = (text: string, typeName: string) =>
  new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `"${text}" is out of range for type ${typeName}`);

/** float8out / float4out under the given extra_float_digits. */
export function formatFloat(v: number, extraFloatDigits = 1, real = false): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (extraFloatDigits > 0) return real ? shortestFloat4(v) : shortestFloat8(v);
  return formatG(v, Math.max(1, (real ? 6 : 15) + extraFloatDigits));
}

/** Decimal significand digits (no trailing zeros) and the exponent of the first digit. */
interface Decimal {
  neg: boolean;
  digits: string;
  exp: number;
}

function shortestDigits(v: number): Decimal {
  const [mant, e] = Math.abs(v).toExponential().split('e') as [string, string];
  return { neg: v < 0 || Object.is(v, -0), digits: mant.replace('.', ''), exp: Number(e) };
}

function shortestFloat8(v: number): string {
  return layoutShortest(shortestDigits(v), 15);
}

/** Shortest decimal that reads back (as float4) to the same float4. */
function shortestFloat4(v: number): string {
  const f = Math.fround(v);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const near = Math.abs(f).toPrecision(p);
    const cands = [near, ...neighbours(near, p)].filter((c) => Math.fround(Number(c)) === Math.abs(f));
    if (cands.length) {
      cands.sort((a, b) => Math.abs(Number(a) - Math.abs(f)) - Math.abs(Number(b) - Math.abs(f)));
      return layoutShortest(shortestDigits((f < 0 ? -1 : 1) * Number(cands[0])), 6);
    }
  }
  return layoutShortest(shortestDigits(f), 6);
}

/** The p-digit decimals one unit in the last place either side of `s` (a toPrecision result). */
function neighbours(s: string, p: number): string[] {
  const d = Number(Number(s).toExponential(p - 1).split('e')[1]);
  const unit = 10 ** (d - p + 1);
  return [Number(s) - unit, Number(s) + unit].filter((x) => x > 0).map((x) => x.toPrecision(p));
}

/** PostgreSQL's Ryu output layout: fixed when -4 <= exp < threshold, else d.ddde±XX. */
function layoutShortest({ neg, digits, exp }: Decimal, threshold: number): string {
  const sign = neg ? '-' : '';
  if (digits === '0') return sign + '0';
  if (exp >= -4 && exp < threshold) return sign + fixed(digits, exp);
  return sign + exponential(digits, exp);
}

function fixed(digits: string, exp: number): string {
  if (exp < 0) return '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

function exponential(digits: string, exp: number): string {
  const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return `${mant}e${exp < 0 ? '-' : '+'}${e}`;
}

/** The exact decimal value of a finite double: unscaled * 10^-scale. */
export function exactDecimal(v: number): { unscaled: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = biased === 0 ? frac : frac | (1n << 52n);
  const e = biased === 0 ? -1074 : biased - 1075;
  const unscaled = e >= 0 ? mant << BigInt(e) : mant * 5n ** BigInt(-e);
  return { unscaled: neg ? -unscaled : unscaled, scale: Math.max(0, -e) };
}

/**
 * v rounded to p significant digits the way glibc printf does (exact value, ties to even),
 * trailing zeros removed.
 */
export function roundSignificant(v: number, p: number): Decimal {
  const { unscaled, scale } = exactDecimal(v);
  const neg = unscaled < 0n || Object.is(v, -0);
  let s = (unscaled < 0n ? -unscaled : unscaled).toString();
  if (s === '0') return { neg, digits: '0', exp: 0 };
  let exp = s.length - 1 - scale;
  if (s.length > p) {
    const rest = s.slice(p);
    let kept = BigInt(s.slice(0, p));
    const half = '5' + '0'.repeat(rest.length - 1);
    if (rest > half || (rest === half && kept % 2n === 1n)) kept += 1n;
    s = kept.toString();
    if (s.length > p) exp += 1;
  }
  return { neg, digits: s.replace(/0+$/, '') || '0', exp };
}

/** printf("%.{p}g", v). */
export function formatG(v: number, p: number): string {
  const d = roundSignificant(v, p);
  const sign = d.neg ? '-' : '';
  if (d.digits === '0') return sign + '0';
  if (d.exp >= -4 && d.exp < p) return sign + fixed(d.digits, d.exp);
  return sign + exponential(d.digits, d.exp);
}
