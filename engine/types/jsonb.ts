/**
 * JSON text as PostgreSQL's json and jsonb input functions see it: a strict RFC 8259 parser
 * with PG's error texts, and jsonb's normalised output (object keys de-duplicated last-wins and
 * ordered by length then bytes, numbers printed as numeric, ", " and ": " separators).
 */
import { SqlError, SqlState } from '../errors/index.js';
import { Numeric } from './numeric.js';

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonNumber {
  readonly num: string;
}
export interface JsonObject {
  readonly entries: [string, JsonValue][];
}

const isNumber = (v: JsonValue): v is JsonNumber => typeof v === 'object' && v !== null && 'num' in v;
const isObject = (v: JsonValue): v is JsonObject => typeof v === 'object' && v !== null && 'entries' in v;

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WS_RE = /[ \t\n\r]*/y;
const TOKEN_RE = /[^\s,:[\]{}"]+/y;

class Parser {
  private pos = 0;

  constructor(private readonly text: string, private readonly forJsonb: boolean) {}

  parseDocument(): JsonValue {
    const v = this.value();
    this.ws();
    if (this.pos < this.text.length) throw this.badToken();
    return v;
  }

  private ws(): void {
    WS_RE.lastIndex = this.pos;
    WS_RE.exec(this.text);
    this.pos = WS_RE.lastIndex;
  }

  private fail(detail: string): SqlError {
    return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, 'invalid input syntax for type json', { detail });
  }

  private badToken(): SqlError {
    if (this.pos >= this.text.length) return this.fail('The input string ended unexpectedly.');
    TOKEN_RE.lastIndex = this.pos;
    const m = TOKEN_RE.exec(this.text);
    return this.fail(`Token "${m ? m[0] : this.text[this.pos]}" is invalid.`);
  }

  private expect(ch: string, what: string): void {
    this.ws();
    if (this.text[this.pos] !== ch) throw this.unexpected(what);
    this.pos++;
  }

  /** PG's lexer reports an invalid token before the parser complains about a misplaced one. */
  private unexpected(what: string): SqlError {
    if (this.pos >= this.text.length) return this.fail('The input string ended unexpectedly.');
    const c = this.text[this.pos]!;
    if ('{}[],:"'.includes(c)) return this.fail(`Expected ${what}, but found "${c}".`);
    TOKEN_RE.lastIndex = this.pos;
    const tok = TOKEN_RE.exec(this.text)?.[0] ?? c;
    const valid = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)$/.test(tok);
    return valid ? this.fail(`Expected ${what}, but found "${tok}".`) : this.badToken();
  }

  private value(): JsonValue {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    NUMBER_RE.lastIndex = this.pos;
    const num = c === '-' || (c !== undefined && c >= '0' && c <= '9') ? NUMBER_RE.exec(this.text) : null;
    if (num && !/[\w.]/.test(this.text[NUMBER_RE.lastIndex] ?? ' ')) {
      this.pos = NUMBER_RE.lastIndex;
      return { num: num[0] };
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos) && !/\w/.test(this.text[this.pos + word.length] ?? ' ')) {
        this.pos += word.length;
        return v;
      }
    }
    throw this.badToken();
  }

  private object(): JsonObject {
    this.pos++;
    const entries: [string, JsonValue][] = [];
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { entries };
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') throw this.unexpected('string or "}"');
      const key = this.string();
      this.expect(':', '":"');
      entries.push([key, this.value()]);
      this.ws();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}', '"," or "}"');
      return { entries };
    }
  }

  private array(): JsonValue[] {
    this.pos++;
    const items: JsonValue[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.ws();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']', '"," or "]"');
      return items;
    }
  }

  private string(): string {
    const text = this.text;
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      const c = text[i];
      if (c === undefined) {
        this.pos = i;
        throw this.fail('The input string ended unexpectedly.');
      }
      if (c === '"') break;
      if (c.charCodeAt(0) < 0x20) {
        this.pos = i;
        throw this.fail(`Character with value 0x${c.charCodeAt(0).toString(16).padStart(2, '0')} must be escaped.`);
      }
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        const code = Number.parseInt(text.slice(i + 2, i + 6), 16);
        if (code === 0 && this.forJsonb) {
          throw new SqlError(SqlState.UNTRANSLATABLE_CHARACTER, 'unsupported Unicode escape sequence', {
            detail: '\\u0000 cannot be converted to text.',
          });
        }
        out += String.fromCharCode(code);
        i += 6;
      } else {
        this.pos = i;
        throw this.fail(e === 'u' ? '"\\u" must be followed by four hexadecimal digits.' : `Escape sequence "\\${e ?? ''}" is invalid.`);
      }
    }
    this.pos = i + 1;
    return out;
  }
}

/** Parses JSON text (throws 22P02 like json_in). */
export function parseJson(text: string, forJsonb = false): JsonValue {
  return new Parser(text, forJsonb).parseDocument();
}

/** json_in: validates, keeps the text as given. */
export function validateJson(text: string): string {
  parseJson(text);
  return text;
}

const utf8 = new TextEncoder();
/** jsonb key order: shorter first, then bytewise. */
function compareKeys(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** escape_json: quotes, backslashes and control characters escaped. */
export function quoteJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20) {
      const named: Record<number, string> = { 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t' };
      out += named[c] ?? '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

/** jsonb_out of a parsed value. */
export function formatJsonb(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return quoteJsonString(v);
  if (isNumber(v)) return Numeric.fromString(v.num).toString();
  if (Array.isArray(v)) return '[' + v.map(formatJsonb).join(', ') + ']';
  if (isObject(v)) {
    const byKey = new Map<string, JsonValue>();
    for (const [k, val] of v.entries) byKey.set(k, val);
    const keys = [...byKey.keys()].sort(compareKeys);
    return '{' + keys.map((k) => `${quoteJsonString(k)}: ${formatJsonb(byKey.get(k)!)}`).join(', ') + '}';
  }
  return 'null';
}

/** jsonb_in → the normalised text jsonb datums hold. */
export const normalizeJsonb = (text: string): string => formatJsonb(parseJson(text, true));
