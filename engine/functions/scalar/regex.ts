/**
 * POSIX regular expressions (~ ~* !~ !~*, substring(x from pattern), regexp_* functions) and
 * SIMILAR TO (similar_to_escape), run on JavaScript's RegExp after translating PostgreSQL's
 * ARE syntax. Translated: [[:class:]] names, [[:<:]] [[:>:]] \m \M \y \Y \A \Z, embedded
 * options (?i) etc., the ***= and ***: directors, flags i c n m s x g. Not translated (gaps):
 * POSIX leftmost-LONGEST alternation (JS takes the first alternative that matches), collating
 * elements [.x.] and equivalence classes [=x=] beyond single characters, \< \> and the 'p'/'w'
 * partial-newline flags (treated as 'n'), BRE/ERE modes ('b', 'e' flags).
 */
import { SqlError, SqlState } from '../../errors/index.js';
import { arrayOf, T } from '../../types/pg-type.js';
import { defineScalar } from '../define.js';
import { mapBinary } from '../kernels.js';
import { registerScalar } from '../registry.js';
import { substring } from './string.js';

const text = T.text;
const textArray = arrayOf(text);

const CLASSES: Record<string, string> = {
  alpha: '\\p{L}', digit: '0-9', alnum: '\\p{L}\\p{Nd}', upper: '\\p{Lu}', lower: '\\p{Ll}', space: '\\s',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e\\u00a0-\\uffff',
  graph: '\\x21-\\x7e\\u00a1-\\uffff',
};

const invalidRegex = (detail: string) => new SqlError(SqlState.INVALID_REGULAR_EXPRESSION, `invalid regular expression: ${detail}`);

export interface RegexOptions {
  readonly global: boolean;
  readonly flags: string;
}

/** Parses a regexp_* flags argument into JS flags (without 'g') and the global option. */
export function parseFlags(flags: string, base = ''): RegexOptions {
  let ci = base.includes('i');
  let newline = false;
  let expanded = false;
  let global = false;
  for (const f of flags) {
    switch (f) {
      case 'g': global = true; break;
      case 'i': ci = true; break;
      case 'c': ci = false; break;
      case 'n': case 'm': case 'p': case 'w': newline = true; break;
      case 's': newline = false; break;
      case 'x': expanded = true; break;
      case 't': expanded = false; break;
      case 'b': case 'e': case 'q': break;
      default: throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid regular expression option: "${f}"`);
    }
  }
  return { global, flags: (ci ? 'i' : '') + (newline ? 'm' : 's') + (expanded ? 'x' : '') };
}

/** Translates an ARE pattern to JS RegExp source; returns [source, extra flags from (?…)]. */
function translate(pattern: string): [string, string] {
  if (pattern.startsWith('***=')) return [pattern.slice(4).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), ''];
  let p = pattern.startsWith('***:') ? pattern.slice(4) : pattern;
  let embedded = '';
  const opts = /^\(\?([a-z]+)\)/.exec(p);
  if (opts) {
    embedded = opts[1]!;
    p = p.slice(opts[0].length);
  }
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const e = p[i + 1];
      if (e === undefined) throw invalidRegex('invalid escape \\ sequence');
      i++;
      switch (e) {
        case 'm': out += '\\b(?=\\w)'; break;
        case 'M': out += '\\b(?<=\\w)'; break;
        case 'y': out += '\\b'; break;
        case 'Y': out += '\\B'; break;
        case 'A': out += '(?<![\\s\\S])'; break;
        case 'Z': out += '(?![\\s\\S])'; break;
        case 'e': out += '\\x1b'; break;
        default: out += /[A-Za-z0-9]/.test(e) ? '\\' + e : '\\' + e;
      }
    } else if (c === '[') {
      if (p.startsWith('[[:<:]]', i)) {
        out += '\\b(?=\\w)';
        i += 6;
        continue;
      }
      if (p.startsWith('[[:>:]]', i)) {
        out += '\\b(?<=\\w)';
        i += 6;
        continue;
      }
      let j = i + 1;
      let cls = '[';
      if (p[j] === '^') {
        cls += '^';
        j++;
      }
      if (p[j] === ']') {
        cls += '\\]';
        j++;
      }
      for (; j < p.length && p[j] !== ']'; j++) {
        const d = p[j]!;
        const named = /^\[([:.=])([^\]]*?)\1\]/.exec(p.slice(j));
        if (named) {
          if (named[1] === ':') {
            const k = CLASSES[named[2]!];
            if (k === undefined) throw invalidRegex('invalid character class');
            cls += k;
          } else cls += named[2]!.replace(/[\]\\^-]/g, '\\$&');
          j += named[0].length - 1;
        } else if (d === '\\') {
          cls += '\\' + (p[j + 1] ?? '');
          j++;
        } else cls += d === '[' ? '\\[' : d;
      }
      if (j >= p.length) throw invalidRegex('brackets [] not balanced');
      out += cls + ']';
      i = j;
    } else if (c === '/') out += '\\/';
    else out += c;
  }
  return [out, embedded];
}

const cache = new Map<string, RegExp>();

/** A compiled RegExp for an ARE pattern and JS flags (from parseFlags), cached. */
export function compileRegex(pattern: string, flags: string, global = false): RegExp {
  const key = `${flags}${global ? 'g' : ''}/${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let [source, embedded] = translate(pattern);
  let f = embedded ? parseFlags(embedded, flags).flags : flags;
  if (f.includes('x')) {
    source = source.replace(/\\.|\[(?:\\.|[^\]])*\]|#[^\n]*|\s+/g, (m) => (m.startsWith('\\') || m.startsWith('[') ? m : ''));
    f = f.replace('x', '');
  }
  let re: RegExp;
  try {
    re = new RegExp(source, f + 'u' + (global ? 'g' : ''));
  } catch {
    try {
      re = new RegExp(source, f + (global ? 'g' : ''));
    } catch (e) {
      throw invalidRegex(describe(String((e as Error).message)));
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

function describe(message: string): string {
  if (/Unterminated group|Unmatched '\)'/.test(message)) return 'parentheses () not balanced';
  if (/Unterminated character class/.test(message)) return 'brackets [] not balanced';
  if (/Nothing to repeat/.test(message)) return 'quantifier operand invalid';
  if (/Incomplete quantifier|numbers out of order/.test(message)) return 'invalid repetition count(s)';
  return message.replace(/^Invalid regular expression: /, '');
}

// ---- operators -------------------------------------------------------------------------------

for (const [op, ci, negated] of [['~', false, false], ['~*', true, false], ['!~', false, true], ['!~*', true, true]] as const) {
  registerScalar({
    name: op,
    args: [text, text],
    returns: T.bool,
    volatility: 'immutable',
    strict: true,
    vector: ([a, b], n) => mapBinary(T.bool, a!, b!, n, (s: string, p: string) => compileRegex(p, ci ? 'is' : 's').test(s) !== negated),
    description: `${negated ? 'does not match' : 'matches'} regular expression${ci ? ', case-insensitive' : ''}`,
  });
}

// ---- substring -------------------------------------------------------------------------------

/** substring(s FROM pattern): the first parenthesized group's match (or the whole match), NULL when none. */
function regexSubstring(s: string, pattern: string): string | null {
  const m = compileRegex(pattern, 's').exec(s);
  if (!m) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
}
defineScalar('substring', [text, text], text, ([s, p]: [string, string]) => regexSubstring(s, p), 'extract text matching regular expression');
defineScalar('substring', [text, text, text], text, ([s, p, e]: [string, string, string]) => regexSubstring(s, similarToEscape(p, e)),
  'extract text matching SQL regular expression (SUBSTRING … SIMILAR … ESCAPE)');

// ---- SIMILAR TO ------------------------------------------------------------------------------

/** similar_to_escape: SQL SIMILAR TO pattern → anchored POSIX regex (as PostgreSQL 15 writes it). */
export function similarToEscape(pattern: string, escape: string | null): string {
  const e = escape === null ? '\\' : escape;
  if ([...e].length > 1) throw new SqlError(SqlState.INVALID_ESCAPE_SEQUENCE, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  let out = '^(?:';
  let afterEscape = false;
  let inClass = 0; // 0 outside, 1 just after '[' (or '[^'), 2 inside
  let quotes = 0;
  for (const c of pattern) {
    if (afterEscape) {
      if (c === '"' && inClass === 0) {
        if (quotes === 0) out += '){1,1}?(';
        else if (quotes === 1) out += '){1,1}(?:';
        else throw new SqlError(SqlState.INVALID_USE_OF_ESCAPE_CHARACTER, 'SQL regular expression may not contain more than two escape-double-quote separators');
        quotes++;
      } else out += '\\' + c;
      afterEscape = false;
    } else if (e !== '' && c === e) afterEscape = true;
    else if (inClass > 0) {
      if (c === '\\') out += '\\';
      if (c === ']' && inClass > 1) inClass = 0;
      else if (c !== '^') inClass = 2;
      out += c;
    } else if (c === '[') {
      out += c;
      inClass = 1;
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '(') out += '(?:';
    else if (c === '\\' || c === '.' || c === '^' || c === '$') out += '\\' + c;
    else out += c;
  }
  return out + ')$';
}
defineScalar('similar_to_escape', [text, text], text, ([p, e]: [string, string]) => similarToEscape(p, e), 'convert SQL regular expression to POSIX style');
defineScalar('similar_to_escape', [text], text, ([p]: [string]) => similarToEscape(p, null), 'convert SQL regular expression to POSIX style');
// PostgreSQL before 13 called this similar_escape; kept for clients that still emit it.
defineScalar('similar_escape', [text, text], text, ([p, e]: [string | null, string | null]) => (p === null ? null : similarToEscape(p, e)),
  'convert SQL regular expression to POSIX style', { strict: false });

// ---- regexp_* --------------------------------------------------------------------------------

/** regexp_replace replacement: \1-\9 groups, \& the whole match, \\ a backslash. */
function expandReplacement(rep: string, m: RegExpExecArray): string {
  if (!rep.includes('\\')) return rep;
  return rep.replace(/\\([0-9&\\])?/g, (_, d: string | undefined) => {
    if (d === undefined) return '\\';
    if (d === '\\') return '\\';
    if (d === '&' || d === '0') return m[0];
    return m[Number(d)] ?? '';
  });
}

/** regexp_replace with PostgreSQL 15's start position and occurrence number (0 = all). */
function regexpReplace(s: string, pattern: string, rep: string, start: number, n: number, flags: string): string {
  if (start <= 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "start": ${start}`);
  if (n < 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "n": ${n}`);
  const re = compileRegex(pattern, parseFlags(flags).flags, true);
  const offset = substring(s, 1, start - 1).length;
  re.lastIndex = offset;
  let out = s.slice(0, offset);
  let last = offset;
  let count = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    count++;
    if (n === 0 || count === n) {
      out += s.slice(last, m.index) + expandReplacement(rep, m);
      last = m.index + m[0].length;
      if (n !== 0) break;
    }
    if (m[0].length === 0) re.lastIndex++;
  }
  return out + s.slice(last);
}

defineScalar('regexp_replace', [text, text, text], text, ([s, p, r]: [string, string, string]) => regexpReplace(s, p, r, 1, 1, ''), 'replace first regular expression match');
defineScalar('regexp_replace', [text, text, text, text], text, ([s, p, r, f]: [string, string, string, string]) =>
  regexpReplace(s, p, r, 1, parseFlags(f).global ? 0 : 1, f), 'replace regular expression matches (flags; g for all)');
defineScalar('regexp_replace', [text, text, text, T.int4], text, ([s, p, r, st]: [string, string, string, number]) =>
  regexpReplace(s, p, r, st, 1, ''), 'replace the first regular expression match from a start position');
defineScalar('regexp_replace', [text, text, text, T.int4, T.int4], text, ([s, p, r, st, n]: [string, string, string, number, number]) =>
  regexpReplace(s, p, r, st, n, ''), 'replace the nth regular expression match (0: all)');
defineScalar('regexp_replace', [text, text, text, T.int4, T.int4, text], text, ([s, p, r, st, n, f]: [string, string, string, number, number, string]) =>
  regexpReplace(s, p, r, st, n, f), 'replace the nth regular expression match (0: all), with flags');

/** The captured groups of a match as regexp_match returns them (the whole match when no groups). */
export const matchGroups = (m: RegExpExecArray): (string | null)[] => (m.length > 1 ? m.slice(1).map((g) => g ?? null) : [m[0]]);

function regexpMatch(s: string, p: string, flags: string): (string | null)[] | null {
  const o = parseFlags(flags);
  if (o.global) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'regexp_match() does not support the "global" option', { hint: 'Use the regexp_matches function instead.' });
  }
  const m = compileRegex(p, o.flags).exec(s);
  return m ? matchGroups(m) : null;
}
defineScalar('regexp_match', [text, text], textArray, ([s, p]: [string, string]) => regexpMatch(s, p, ''), 'first regular expression match as an array of groups');
defineScalar('regexp_match', [text, text, text], textArray, ([s, p, f]: [string, string, string]) => regexpMatch(s, p, f), 'first regular expression match as an array of groups');

/** All matches of p in s (global), as regexp_matches / regexp_count iterate them. */
export function* allMatches(s: string, p: string, flags: string, global: boolean, start = 0): Generator<RegExpExecArray> {
  const re = compileRegex(p, flags, true);
  re.lastIndex = start;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    yield m;
    if (!global) return;
    if (m[0].length === 0) re.lastIndex++;
  }
}

/** regexp_split_to_array / _to_table: empty matches split between characters; never an empty match at either end. */
export function regexpSplit(s: string, p: string, flags: string): string[] {
  const o = parseFlags(flags);
  if (o.global) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'regexp_split_to_array() does not support the "global" option');
  }
  const parts: string[] = [];
  let last = 0;
  let prevEnd = -1;
  for (const m of allMatches(s, p, o.flags, true)) {
    if (m[0].length === 0 && (m.index === 0 || m.index >= s.length || m.index === prevEnd)) continue;
    parts.push(s.slice(last, m.index));
    last = prevEnd = m.index + m[0].length;
  }
  parts.push(s.slice(last));
  return parts;
}
defineScalar('regexp_split_to_array', [text, text], textArray, ([s, p]: [string, string]) => regexpSplit(s, p, ''), 'split string by regular expression');
defineScalar('regexp_split_to_array', [text, text, text], textArray, ([s, p, f]: [string, string, string]) => regexpSplit(s, p, f), 'split string by regular expression');

defineScalar('regexp_like', [text, text], T.bool, ([s, p]: [string, string]) => compileRegex(p, 's').test(s), 'does the string match the regular expression?');
defineScalar('regexp_like', [text, text, text], T.bool, ([s, p, f]: [string, string, string]) => compileRegex(p, parseFlags(f).flags).test(s),
  'does the string match the regular expression (with flags)?');

const startOffset = (s: string, start: number) => {
  if (start <= 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "start": ${start}`);
  return substring(s, 1, start - 1).length;
};
function regexpCount(s: string, p: string, start: number, flags: string): number {
  let n = 0;
  for (const _ of allMatches(s, p, parseFlags(flags).flags, true, startOffset(s, start))) n++;
  return n;
}
defineScalar('regexp_count', [text, text], T.int4, ([s, p]: [string, string]) => regexpCount(s, p, 1, ''), 'number of regular expression matches');
defineScalar('regexp_count', [text, text, T.int4], T.int4, ([s, p, st]: [string, string, number]) => regexpCount(s, p, st, ''), 'number of regular expression matches from a position');
defineScalar('regexp_count', [text, text, T.int4, text], T.int4, ([s, p, st, f]: [string, string, number, string]) => regexpCount(s, p, st, f),
  'number of regular expression matches from a position, with flags');

function regexpSubstr(s: string, p: string, start: number, n: number, flags: string, group: number): string | null {
  if (n <= 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "n": ${n}`);
  if (group < 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "subexpr": ${group}`);
  let k = 0;
  for (const m of allMatches(s, p, parseFlags(flags).flags, true, startOffset(s, start))) {
    if (++k === n) return m[group] ?? null;
  }
  return null;
}
defineScalar('regexp_substr', [text, text], text, ([s, p]: [string, string]) => regexpSubstr(s, p, 1, 1, '', 0), 'text of the first regular expression match');
defineScalar('regexp_substr', [text, text, T.int4], text, ([s, p, st]: [string, string, number]) => regexpSubstr(s, p, st, 1, '', 0), 'text of the first match from a position');
defineScalar('regexp_substr', [text, text, T.int4, T.int4], text, ([s, p, st, n]: [string, string, number, number]) => regexpSubstr(s, p, st, n, '', 0),
  'text of the nth match from a position');
defineScalar('regexp_substr', [text, text, T.int4, T.int4, text], text, ([s, p, st, n, f]: [string, string, number, number, string]) =>
  regexpSubstr(s, p, st, n, f, 0), 'text of the nth match from a position, with flags');
defineScalar('regexp_substr', [text, text, T.int4, T.int4, text, T.int4], text, ([s, p, st, n, f, g]: [string, string, number, number, string, number]) =>
  regexpSubstr(s, p, st, n, f, g), 'text of a group of the nth match from a position, with flags');

