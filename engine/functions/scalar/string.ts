/**
 * String operators and functions: ||, LIKE/ILIKE (and like_escape), lower, upper, initcap,
 * length, substring, position, overlay, trim, pad, left/right, repeat, replace, reverse,
 * split_part, translate, starts_with, string_to_array. Positions and lengths count characters
 * (code points), as PostgreSQL does in UTF-8 databases.
 */
import { SqlError, SqlState } from '../../errors/index.js';
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import { stripTrailingSpaces } from '../compare.js';
import { defineScalar } from '../define.js';
import { mapBinary, mapUnary } from '../kernels.js';
import { registerScalar } from '../registry.js';

const text = T.text;
const hasSurrogates = (s: string) => /[\uD800-\uDFFF]/.test(s);
/** The characters (code points) of s. */
export const charsOf = (s: string): string[] => (hasSurrogates(s) ? [...s] : s.split(''));
export const charLength = (s: string): number => (hasSurrogates(s) ? [...s].length : s.length);

function unary(name: string, f: (s: string) => unknown, returns: PgType, description: string, arg: PgType = text) {
  registerScalar({
    name,
    args: [arg],
    returns,
    volatility: 'immutable',
    strict: true,
    vector: ([a], n) => mapUnary(returns, a!, n, f as (x: never) => unknown),
    description,
  });
}

registerScalar({
  name: '||',
  args: [text, text],
  returns: text,
  volatility: 'immutable',
  strict: true,
  vector: ([a, b], n) => mapBinary(text, a!, b!, n, (x: string, y: string) => x + y),
  description: 'concatenate strings',
});

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

unary('lower', (s) => s.toLowerCase(), text, 'convert to lower case');
unary('upper', (s) => s.toUpperCase(), text, 'convert to upper case');
unary('initcap', initcap, text, 'capitalize each word');
for (const name of ['length', 'char_length', 'character_length']) {
  unary(name, charLength, T.int4, 'number of characters');
  unary(name, (s) => charLength(stripTrailingSpaces(s)), T.int4, 'number of characters, ignoring trailing spaces', T.bpchar);
}
unary('octet_length', utf8Length, T.int4, 'number of bytes');
unary('octet_length', utf8Length, T.int4, 'number of bytes, including trailing spaces', T.bpchar);
unary('bit_length', (s) => utf8Length(s) * 8, T.int4, 'number of bits');
for (const name of ['length', 'octet_length']) {
  unary(name, (b) => (b as unknown as Uint8Array).length, T.int4, 'number of bytes', T.bytea);
}
unary('bit_length', (b) => (b as unknown as Uint8Array).length * 8, T.int4, 'number of bits', T.bytea);
unary('reverse', (s) => charsOf(s).reverse().join(''), text, 'reverse string');
unary('ascii', (s) => (s.length === 0 ? 0 : s.codePointAt(0)!), T.int4, 'code point of the first character');

/** initcap: the first letter or digit of each alphanumeric run upper case, the rest lower. */
function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const ch of s) {
    const alnum = /[\p{L}\p{N}]/u.test(ch);
    out += alnum ? (inWord ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    inWord = alnum;
  }
  return out;
}

// ---- substring, position, overlay ------------------------------------------------------------

const negativeLength = () => new SqlError(SqlState.SUBSTRING_ERROR, 'negative substring length not allowed');

/** 1-based [from, to) bounds of substring(start, count) clipped to 1.. (to may be Infinity). */
function substringBounds(start: number, count: number | null): [number, number] {
  if (count !== null && count < 0) throw negativeLength();
  return [Math.max(start, 1), count === null ? Infinity : start + count];
}

export function substring(s: string, start: number, count: number | null): string {
  const [from, to] = substringBounds(start, count);
  if (to <= from) return '';
  if (!hasSurrogates(s)) return s.slice(from - 1, to === Infinity ? undefined : to - 1);
  return [...s].slice(from - 1, to === Infinity ? undefined : to - 1).join('');
}

function substringBytes(b: Uint8Array, start: number, count: number | null): Uint8Array {
  const [from, to] = substringBounds(start, count);
  return to <= from ? new Uint8Array(0) : b.slice(from - 1, to === Infinity ? undefined : to - 1);
}

for (const name of ['substring', 'substr']) {
  defineScalar(name, [text, T.int4, T.int4], text, ([s, a, c]: [string, number, number]) => substring(s, a, c), 'extract substring');
  defineScalar(name, [text, T.int4], text, ([s, a]: [string, number]) => substring(s, a, null), 'extract substring to the end');
  defineScalar(name, [T.bytea, T.int4, T.int4], T.bytea, ([s, a, c]: [Uint8Array, number, number]) => substringBytes(s, a, c), 'extract part of bytea');
  defineScalar(name, [T.bytea, T.int4], T.bytea, ([s, a]: [Uint8Array, number]) => substringBytes(s, a, null), 'extract part of bytea to the end');
}

/** 1-based character position of `needle` in `hay`, 0 when absent. */
function position(hay: string, needle: string): number {
  const i = hay.indexOf(needle);
  if (i <= 0) return i + 1;
  return hasSurrogates(hay) ? [...hay.slice(0, i)].length + 1 : i + 1;
}
defineScalar('position', [text, text], T.int4, ([h, n]: [string, string]) => position(h, n), 'position of substring (POSITION(needle IN haystack))');
defineScalar('strpos', [text, text], T.int4, ([h, n]: [string, string]) => position(h, n), 'position of substring');

function overlay(s: string, r: string, start: number, count: number): string {
  if (start <= 0) throw negativeLength();
  return substring(s, 1, start - 1) + r + substring(s, start + count, null);
}
defineScalar('overlay', [text, text, T.int4, T.int4], text, ([s, r, p, c]: [string, string, number, number]) => overlay(s, r, p, c), 'substitute portion of string');
defineScalar('overlay', [text, text, T.int4], text, ([s, r, p]: [string, string, number]) => overlay(s, r, p, charLength(r)), 'substitute portion of string');

// ---- trim, pad -------------------------------------------------------------------------------

function trim(s: string, set: string, left: boolean, right: boolean): string {
  const chars = charsOf(s);
  const remove = new Set(charsOf(set));
  let a = 0;
  let b = chars.length;
  if (left) while (a < b && remove.has(chars[a]!)) a++;
  if (right) while (b > a && remove.has(chars[b - 1]!)) b--;
  return a === 0 && b === chars.length ? s : chars.slice(a, b).join('');
}

for (const [name, left, right, what] of [['btrim', true, true, 'both ends'], ['ltrim', true, false, 'the start'], ['rtrim', false, true, 'the end']] as const) {
  unary(name, (s) => trim(s, ' ', left, right), text, `remove spaces from ${what}`);
  defineScalar(name, [text, text], text, ([s, set]: [string, string]) => trim(s, set, left, right), `remove characters in set from ${what}`);
}

function pad(s: string, length: number, fill: string, left: boolean): string {
  if (length <= 0) return '';
  const chars = charsOf(s);
  if (chars.length >= length) return chars.slice(0, length).join('');
  const fillChars = charsOf(fill);
  if (fillChars.length === 0) return s;
  const need = length - chars.length;
  let padding = '';
  for (let i = 0; i < need; i++) padding += fillChars[i % fillChars.length];
  return left ? padding + s : s + padding;
}
for (const [name, left] of [['lpad', true], ['rpad', false]] as const) {
  defineScalar(name, [text, T.int4, text], text, ([s, n, f]: [string, number, string]) => pad(s, n, f, left), `${left ? 'left' : 'right'}-pad string to length`);
  defineScalar(name, [text, T.int4], text, ([s, n]: [string, number]) => pad(s, n, ' ', left), `${left ? 'left' : 'right'}-pad string to length with spaces`);
}

// ---- left, right, repeat, replace, split_part, translate -------------------------------------

defineScalar('left', [text, T.int4], text, ([s, n]: [string, number]) => {
  const c = charsOf(s);
  return c.slice(0, n >= 0 ? n : Math.max(c.length + n, 0)).join('');
}, 'extract the first n characters (all but the last -n when negative)');
defineScalar('right', [text, T.int4], text, ([s, n]: [string, number]) => {
  const c = charsOf(s);
  return n >= 0 ? c.slice(Math.max(c.length - n, 0)).join('') : c.slice(Math.min(-n, c.length)).join('');
}, 'extract the last n characters (all but the first -n when negative)');
defineScalar('repeat', [text, T.int4], text, ([s, n]: [string, number]) => {
  if (n <= 0) return '';
  if (s.length * n > 0x3fffffff) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'requested length too large');
  return s.repeat(n);
}, 'repeat string n times');
defineScalar('replace', [text, text, text], text, ([s, from, to]: [string, string, string]) => (from === '' ? s : s.split(from).join(to)),
  'replace all occurrences of a substring');

function splitPart(s: string, delimiter: string, n: number): string {
  if (n === 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'field position must not be zero');
  const fields = s === '' ? [] : delimiter === '' ? [s] : s.split(delimiter);
  const i = n > 0 ? n - 1 : fields.length + n;
  return fields[i] ?? '';
}
defineScalar('split_part', [text, text, T.int4], text, ([s, d, n]: [string, string, number]) => splitPart(s, d, n), 'split string by delimiter and return the nth field');

function translate(s: string, from: string, to: string): string {
  const f = charsOf(from);
  const t = charsOf(to);
  const map = new Map<string, string>();
  f.forEach((c, i) => {
    if (!map.has(c)) map.set(c, t[i] ?? '');
  });
  let out = '';
  for (const ch of s) out += map.get(ch) ?? ch;
  return out;
}
defineScalar('translate', [text, text, text], text, ([s, f, t]: [string, string, string]) => translate(s, f, t), 'map characters of a set to another set');

for (const name of ['starts_with', '^@']) {
  registerScalar({
    name,
    args: [text, text],
    returns: T.bool,
    volatility: 'immutable',
    strict: true,
    vector: ([a, b], n) => mapBinary(T.bool, a!, b!, n, (s: string, p: string) => s.startsWith(p)),
    description: 'does the string start with the prefix?',
  });
}

// ---- string_to_array -------------------------------------------------------------------------

/** string_to_array: NULL delimiter splits into characters; '' delimiter gives the whole string. */
export function stringToArray(s: string, delimiter: string | null, nullString: string | null): (string | null)[] {
  if (s === '') return [];
  const parts = delimiter === null ? charsOf(s) : delimiter === '' ? [s] : s.split(delimiter);
  return nullString === null ? parts : parts.map((p) => (p === nullString ? null : p));
}
const textArray = arrayOf(text);
defineScalar('string_to_array', [text, text], textArray, ([s, d]: [string | null, string | null]) => (s === null ? null : stringToArray(s, d, null)),
  'split string into array elements by delimiter', { strict: false });
defineScalar('string_to_array', [text, text, text], textArray, ([s, d, ns]: [string | null, string | null, string | null]) =>
  (s === null ? null : stringToArray(s, d, ns)), 'split string into array elements, mapping null_string to NULL', { strict: false });

// ---- LIKE ------------------------------------------------------------------------------------

/** LIKE pattern → anchored RegExp; backslash escapes the next character. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      if (i >= pattern.length) {
        throw new SqlError(SqlState.INVALID_ESCAPE_SEQUENCE, 'LIKE pattern must not end with escape character');
      }
      re += escapeRegExp(pattern[i]!);
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRegExp(c);
  }
  return new RegExp(re + '$', caseInsensitive ? 'iu' : 'u');
}

const escapeRegExp = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * A case-sensitive pattern made of literal text and `%` only (no `_`, escapes or surrogates)
 * as string searches: the first part a prefix, the last a suffix, the others found in order
 * in between (taking each at its earliest place leaves the most room for the rest). Null for
 * other patterns.
 */
function likeBySearch(pattern: string): ((s: string) => boolean) | null {
  if (/[_\\\ud800-\udfff]/.test(pattern)) return null;
  const parts = pattern.split('%');
  if (parts.length === 1) return (s) => s === pattern;
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((m) => m !== '');
  return (s) => {
    if (s.length < head.length + tail.length || !s.startsWith(head) || !s.endsWith(tail)) return false;
    const end = s.length - tail.length;
    let at = head.length;
    for (const m of middle) {
      const found = s.indexOf(m, at);
      if (found < 0 || found + m.length > end) return false;
      at = found + m.length;
    }
    return true;
  };
}

function likeMatcher(caseInsensitive: boolean) {
  let lastPattern: string | null = null;
  let matches: ((s: string) => boolean) | null = null;
  return (s: string, pattern: string) => {
    if (pattern !== lastPattern) {
      matches = caseInsensitive ? null : likeBySearch(pattern);
      if (matches === null) {
        const re = likeToRegExp(pattern, caseInsensitive);
        matches = (x) => re.test(x);
      }
      lastPattern = pattern;
    }
    return matches!(s);
  };
}

for (const [op, ci, negated] of [['~~', false, false], ['!~~', false, true], ['~~*', true, false], ['!~~*', true, true]] as const) {
  for (const type of [text, T.bpchar]) {
    registerScalar({
      name: op,
      args: [type, text],
      returns: T.bool,
      volatility: 'immutable',
      strict: true,
      vector: ([a, b], n) => {
        const match = likeMatcher(ci);
        return mapBinary(T.bool, a!, b!, n, (s: string, p: string) => match(s, p) !== negated);
      },
      description: `${negated ? 'does not match' : 'matches'} LIKE pattern${ci ? ', ignoring case' : ''}`,
    });
  }
}

/**
 * like_escape(pattern, escape): rewrites a LIKE pattern with a custom escape character to one
 * using backslash (LIKE … ESCAPE e). An empty escape disables escaping.
 */
export function likeEscape(pattern: string, escape: string): string {
  const e = charsOf(escape);
  if (e.length > 1) throw new SqlError(SqlState.INVALID_ESCAPE_SEQUENCE, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  let out = '';
  const chars = charsOf(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (e.length === 0) out += c === '\\' ? '\\\\' : c;
    else if (c === e[0]) {
      i++;
      if (i >= chars.length) throw new SqlError(SqlState.INVALID_ESCAPE_SEQUENCE, 'LIKE pattern must not end with escape character');
      out += '\\' + chars[i];
    } else out += c === '\\' ? '\\\\' : c;
  }
  return out;
}
defineScalar('like_escape', [text, text], text, ([p, e]: [string, string]) => likeEscape(p, e), 'convert LIKE pattern to use backslash escapes');
