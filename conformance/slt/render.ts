/**
 * Rendering of result values as the reference sqllogictest runner prints them,
 * sorting, and MD5 hashing (../shared/slt/README.md, "Rendering of results").
 */
import { createHash } from 'node:crypto';
import type { SortMode } from './parser.js';

const BOOL_OID = 16;

/** `I`: an integer like %d; fractions truncated toward zero; non-numeric text as atoi(). */
export function renderInteger(text: string, typeOid: number): string {
  if (typeOid === BOOL_OID) return text === 't' ? '1' : '0';
  const s = text.trim();
  const exact = /^([+-]?)(\d+)(\.\d*)?$/.exec(s);
  if (exact) return normaliseInt(exact[1]!, exact[2]!);
  const n = Number(s);
  if (Number.isFinite(n)) return BigInt(Math.trunc(n)).toString();
  const prefix = /^([+-]?)(\d+)/.exec(s); // atoi(): leading digits, else 0
  return prefix ? normaliseInt(prefix[1]!, prefix[2]!) : '0';
}

function normaliseInt(sign: string, digits: string): string {
  const abs = digits.replace(/^0+(?=\d)/, '');
  return sign === '-' && abs !== '0' ? `-${abs}` : abs;
}

/** `R`: like SQLite's printf("%.3f"): rounded to 3 decimals, at most 16 significant digits. */
export function renderReal(text: string): string {
  const n = Number(text.trim());
  if (Number.isNaN(n)) return text.trim() === '' ? '0.000' : text.trim();
  if (!Number.isFinite(n)) return n > 0 ? 'Inf' : '-Inf';
  const fixed = n.toFixed(3);
  const digits = fixed.replace(/[-.]/g, '').replace(/^0+/, '');
  if (digits.length <= 16) return fixed;
  // more than 16 significant digits: keep 16, the rest become zeros
  const [mantissa, exp] = n.toExponential(15).split('e') as [string, string];
  const sign = mantissa.startsWith('-') ? '-' : '';
  const sig = mantissa.replace(/[-.]/g, '');
  const intLen = Number(exp) + 1; // digits before the decimal point (n >= 1e13 here)
  const intPart = (sig + '0'.repeat(Math.max(0, intLen - sig.length))).slice(0, intLen);
  const fracPart = sig.slice(intLen).padEnd(3, '0').slice(0, 3);
  return `${sign}${intPart}.${fracPart}`;
}

/** `T`: the text; '' is `(empty)`; every byte outside 0x20..0x7E becomes `@`. */
export function renderText(text: string): string {
  if (text === '') return '(empty)';
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return Array.from(Buffer.from(text, 'utf8'), (b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '@')).join('');
}

export function renderValue(value: string | null, type: string, typeOid: number): string {
  if (value === null) return 'NULL';
  switch (type) {
    case 'I':
      return renderInteger(value, typeOid);
    case 'R':
      return renderReal(value);
    default:
      return renderText(value);
  }
}

const byteCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0); // ASCII after rendering

/** The rendered values in the order the sort mode asks for, flattened row by row. */
export function sortValues(rows: readonly (readonly string[])[], sort: SortMode): string[] {
  if (sort === 'valuesort') return rows.flat().sort(byteCompare);
  if (sort === 'rowsort') {
    const sorted = [...rows].sort((x, y) => {
      for (let i = 0; i < x.length; i++) {
        const c = byteCompare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return 0;
    });
    return sorted.flat();
  }
  return rows.flat();
}

export function hashValues(values: readonly string[]): string {
  const md5 = createHash('md5');
  for (const v of values) md5.update(`${v}\n`);
  return md5.digest('hex');
}

export const hashLine = (values: readonly string[]) => `${values.length} values hashing to ${hashValues(values)}`;

export const HASH_LINE = /^(\d+) values hashing to ([0-9a-f]{32})$/;

/** The expected-result lines the reference runner would print for these values. */
export function resultLines(values: readonly string[], threshold: number): string[] {
  return threshold > 0 && values.length > threshold ? [hashLine(values)] : [...values];
}
