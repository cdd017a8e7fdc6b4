/** String operators and functions: ||, LIKE/ILIKE, lower, upper, length, substring, trim, …. */
import { SqlError, SqlState } from '../../errors/index.js';
import { T, type PgType } from '../../types/pg-type.js';
import { mapBinary, mapUnary } from '../kernels.js';
import { registerScalar } from '../registry.js';
import { stripTrailingSpaces } from '../compare.js';

const text = T.text;

function unary(name: string, f: (s: string) => unknown, returns: PgType, description: string) {
  registerScalar({
    name,
    args: [text],
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

unary('lower', (s) => s.toLowerCase(), text, 'convert to lower case');
unary('upper', (s) => s.toUpperCase(), text, 'convert to upper case');
unary('length', (s) => [...s].length, T.int4, 'number of characters');
unary('char_length', (s) => [...s].length, T.int4, 'number of characters');
unary('octet_length', (s) => Buffer.byteLength(s, 'utf8'), T.int4, 'number of bytes');
unary('btrim', (s) => s.replace(/^ +| +$/g, ''), text, 'remove spaces from both ends');
unary('ltrim', (s) => s.replace(/^ +/, ''), text, 'remove leading spaces');
unary('rtrim', (s) => s.replace(/ +$/, ''), text, 'remove trailing spaces');
registerScalar({
  name: 'length',
  args: [T.bpchar],
  returns: T.int4,
  volatility: 'immutable',
  strict: true,
  vector: ([a], n) => mapUnary(T.int4, a!, n, (s: string) => [...stripTrailingSpaces(s)].length),
  description: 'number of characters, ignoring trailing spaces',
});

function substring(s: string, start: number, count: number | null): string {
  if (count !== null && count < 0) throw new SqlError(SqlState.SUBSTRING_ERROR, 'negative substring length not allowed');
  const chars = [...s];
  const from = Math.max(start, 1);
  const to = count === null ? chars.length + 1 : start + count;
  return to <= from ? '' : chars.slice(from - 1, to - 1).join('');
}

for (const name of ['substring', 'substr']) {
  registerScalar({
    name,
    args: [text, T.int4, T.int4],
    returns: text,
    volatility: 'immutable',
    strict: true,
    scalar: ([s, start, count]) => substring(s as string, start as number, count as number),
    description: 'extract substring',
  });
  registerScalar({
    name,
    args: [text, T.int4],
    returns: text,
    volatility: 'immutable',
    strict: true,
    scalar: ([s, start]) => substring(s as string, start as number, null),
    description: 'extract substring to the end',
  });
}

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

function likeMatcher(caseInsensitive: boolean) {
  let lastPattern: string | null = null;
  let lastRegExp: RegExp | null = null;
  return (s: string, pattern: string) => {
    if (pattern !== lastPattern) {
      lastRegExp = likeToRegExp(pattern, caseInsensitive);
      lastPattern = pattern;
    }
    return lastRegExp!.test(s);
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
