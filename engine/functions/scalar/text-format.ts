/**
 * Functions that turn values of any type into text: concat, concat_ws, format, text || value
 * (PostgreSQL's textanycat / anytextcat), quote_ident, quote_literal, quote_nullable, to_hex,
 * chr, md5, sha224/256/384/512, encode and decode.
 */
import { createHash } from 'node:crypto';
import type { Vector } from '../../execution/batch/vector.js';
import { datumAt } from '../../execution/batch/vector.js';
import { SqlError, SqlState } from '../../errors/index.js';
import { castDatum } from '../../types/cast.js';
import { T, type PgType } from '../../types/pg-type.js';
import { formatText, parseBytea, type FormatSettings } from '../../types/text-codec.js';
import { defineScalar } from '../define.js';
import { mapBinary } from '../kernels.js';
import { ANY, registerScalar, type EvalContext } from '../registry.js';

const text = T.text;
const STRING_NAMES = new Set(['text', 'varchar', 'name', 'unknown', 'char']);

/** A datum as its type's output function writes it (what concat and format %s show). */
export function outputText(type: PgType, datum: unknown, settings: FormatSettings): string {
  return STRING_NAMES.has(type.name) && !type.elem ? (datum as string) : formatText(type, datum, settings);
}

/** The text of row i of v, or null. */
const textAt = (v: Vector, i: number, ctx: EvalContext): string | null => {
  const d = datumAt(v, i);
  return d === null ? null : outputText(v.type, d, ctx.format);
};

/** Row-by-row body over "any" arguments rendered as text (null for NULL). */
function overTexts(args: readonly Vector[], n: number, f: (values: (string | null)[]) => string | null, ctx: EvalContext): Vector {
  const out = new Array<unknown>(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const r = f(args.map((a) => textAt(a, i, ctx)));
    if (r === null) (nulls ??= new Uint8Array(n))[i] = 1;
    else out[i] = r;
  }
  return { type: text, length: n, data: out, nulls };
}

registerScalar({
  name: 'concat',
  args: [ANY],
  variadic: ANY,
  returns: text,
  volatility: 'stable',
  strict: false,
  vector: (args, n, ctx) => overTexts(args, n, (vs) => vs.map((v) => v ?? '').join(''), ctx),
  description: 'concatenate values as text, ignoring NULLs',
});
registerScalar({
  name: 'concat_ws',
  args: [text],
  variadic: ANY,
  returns: text,
  volatility: 'stable',
  strict: false,
  vector: (args, n, ctx) => overTexts(args, n, ([sep, ...vs]) => (sep === null ? null : vs.filter((v) => v !== null).join(sep)), ctx),
  description: 'concatenate values with a separator, ignoring NULLs',
});
registerScalar({
  name: 'format',
  args: [text],
  variadic: ANY,
  returns: text,
  volatility: 'stable',
  strict: false,
  vector: (args, n, ctx) => overTexts(args, n, ([f, ...vs]) => (f === null ? null : format(f, vs)), ctx),
  description: 'format a string like sprintf (%s, %I, %L)',
});

/** PostgreSQL's format(): %s, %I, %L with optional n$ positions, - flag and width; %% is a literal %. */
export function format(fmt: string, args: readonly (string | null)[]): string {
  let out = '';
  let next = 0;
  const invalid = (m: string) => new SqlError(SqlState.INVALID_PARAMETER_VALUE, m);
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (i >= fmt.length) throw invalid('unterminated format() type specifier');
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    const m = /^(?:(\d+)\$)?(-)?(\d+|\*(?:\d+\$)?)?/.exec(fmt.slice(i))!;
    i += m[0].length;
    let width = 0;
    let left = m[2] === '-';
    if (m[3] !== undefined) {
      if (m[3].startsWith('*')) {
        const ref = m[3].length > 1 ? Number(m[3].slice(1, -1)) - 1 : next++;
        if (ref >= args.length) throw invalid('too few arguments for format()');
        width = Number(args[ref] ?? 0);
        if (width < 0) {
          left = true;
          width = -width;
        }
      } else width = Number(m[3]);
    }
    if (i >= fmt.length) throw invalid('unterminated format() type specifier');
    const type = fmt[i]!;
    if (type !== 's' && type !== 'I' && type !== 'L') {
      throw invalid(`unrecognized format() type specifier "${type}"`);
    }
    const index = m[1] !== undefined ? Number(m[1]) - 1 : next;
    if (m[1] !== undefined && Number(m[1]) === 0) throw invalid('format specifies argument 0, but arguments are numbered from 1');
    next = index + 1;
    if (index >= args.length) throw invalid('too few arguments for format()');
    const v = args[index]!;
    let s: string;
    if (type === 's') s = v ?? '';
    else if (type === 'I') {
      if (v === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, 'null values cannot be formatted as an SQL identifier');
      s = quoteIdent(v);
    } else s = v === null ? 'NULL' : quoteLiteral(v);
    const padding = ' '.repeat(Math.max(0, width - [...s].length));
    out += left ? s + padding : padding + s;
  }
  return out;
}

// ---- quoting ---------------------------------------------------------------------------------

/** Keywords quote_ident must quote (PostgreSQL's reserved, type/function-name and column-name keywords). */
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently ' +
    'constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp current_user default ' +
    'deferrable desc distinct do else end except false fetch for foreign freeze from full grant group having ilike in initially inner ' +
    'intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on only or ' +
    'order outer overlaps placing primary references returning right select session_user similar some symmetric system_user table tablesample ' +
    'then to trailing true union unique user using variadic verbose when where window with between bigint bit boolean char character ' +
    'coalesce dec decimal exists extract float greatest grouping inout int integer interval least national nchar none normalize nullif numeric ' +
    'out overlay position precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes xmlconcat ' +
    'xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '),
);

export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(s) && !RESERVED.has(s)) return s;
  return '"' + s.replace(/"/g, '""') + '"';
}

/** quote_literal: doubles quotes; with a backslash, doubles backslashes and uses E'' syntax. */
export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

defineScalar('quote_ident', [text], text, ([s]: [string]) => quoteIdent(s), 'quote an identifier for use in SQL');
for (const [name, strict] of [['quote_literal', true], ['quote_nullable', false]] as const) {
  registerScalar({
    name,
    args: [ANY],
    returns: text,
    volatility: 'stable',
    strict,
    vector: ([a], n, ctx) => overTexts([a!], n, ([v]) => (v === null ? (strict ? null : 'NULL') : quoteLiteral(v)), ctx),
    description: 'quote a value as a literal for use in SQL',
  });
}

// ---- text || any -----------------------------------------------------------------------------

/** Types that `text || x` and `x || text` accept besides strings (anynonarray, via a cast to text). */
const CONCAT_TYPES: readonly PgType[] = [
  T.bool, T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.oid, T.date, T.time, T.timestamp, T.timestamptz,
  T.interval, T.uuid, T.json, T.jsonb, T.bytea, T.char,
];
for (const type of CONCAT_TYPES) {
  for (const textFirst of [true, false]) {
    registerScalar({
      name: '||',
      args: textFirst ? [text, type] : [type, text],
      returns: text,
      volatility: 'stable',
      strict: true,
      vector: ([a, b], n, ctx) =>
        mapBinary(text, a!, b!, n, (x: unknown, y: unknown) => {
          const [s, v] = textFirst ? [x as string, y] : [y as string, x];
          const t = castDatum(v, type, text, ctx.format) as string;
          return textFirst ? s + t : t + s;
        }),
      description: textFirst ? `concatenate text and ${type.name}` : `concatenate ${type.name} and text`,
    });
  }
}

// ---- numbers and characters ------------------------------------------------------------------

defineScalar('to_hex', [T.int4], text, ([v]: [number]) => (v >>> 0).toString(16), 'convert integer to hexadecimal');
defineScalar('to_hex', [T.int8], text, ([v]: [bigint]) => BigInt.asUintN(64, v).toString(16), 'convert bigint to hexadecimal');
defineScalar('chr', [T.int4], text, ([c]: [number]) => {
  if (c === 0) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'null character not permitted');
  if (c < 0) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'character number must be positive');
  if (c > 0x10ffff) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `requested character too large for encoding: ${c}`);
  if (c >= 0xd800 && c <= 0xdfff) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `requested character not valid for encoding: ${c}`);
  return String.fromCodePoint(c);
}, 'character with the given code point');

// ---- hashing and binary encodings ------------------------------------------------------------

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const hash = (algorithm: string, data: Uint8Array) => createHash(algorithm).update(data).digest();
defineScalar('md5', [text], text, ([s]: [string]) => hash('md5', utf8(s)).toString('hex'), 'MD5 hash as hexadecimal text');
defineScalar('md5', [T.bytea], text, ([b]: [Uint8Array]) => hash('md5', b).toString('hex'), 'MD5 hash as hexadecimal text');
for (const bits of [224, 256, 384, 512]) {
  defineScalar(`sha${bits}`, [T.bytea], T.bytea, ([b]: [Uint8Array]) => new Uint8Array(hash(`sha${bits}`, b)), `SHA-${bits} hash`);
}

/** encode(bytea, 'base64' | 'hex' | 'escape'). base64 lines are broken every 76 characters. */
export function encode(b: Uint8Array, format: string): string {
  switch (format.toLowerCase()) {
    case 'hex': return Buffer.from(b).toString('hex');
    case 'base64': return Buffer.from(b).toString('base64').replace(/(.{76})(?=.)/g, '$1\n');
    case 'escape': {
      let out = '';
      for (const x of b) out += x === 0x5c ? '\\\\' : x === 0 || x >= 0x80 ? '\\' + x.toString(8).padStart(3, '0') : String.fromCharCode(x);
      return out;
    }
  }
  throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unrecognized encoding: "${format}"`);
}

export function decode(s: string, format: string): Uint8Array {
  switch (format.toLowerCase()) {
    case 'hex': {
      const clean = s.replace(/[ \t\n\r]/g, '');
      if (!/^[0-9a-fA-F]*$/.test(clean)) {
        const bad = /[^0-9a-fA-F]/.exec(clean)![0];
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid hexadecimal digit: "${bad}"`);
      }
      if (clean.length % 2) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'invalid hexadecimal data: odd number of digits');
      return new Uint8Array(Buffer.from(clean, 'hex'));
    }
    case 'base64': {
      const clean = s.replace(/[ \t\n\r]/g, '');
      const bad = /[^A-Za-z0-9+/=]/.exec(clean);
      if (bad) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid symbol "${bad[0]}" found while decoding base64 sequence`);
      if (/=[^=]/.test(clean) || clean.replace(/=+$/, '').length % 4 === 1) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'invalid base64 end sequence', { hint: 'Input data is missing padding, is truncated, or is otherwise corrupted.' });
      }
      return new Uint8Array(Buffer.from(clean, 'base64'));
    }
    case 'escape': return parseBytea(s.replace(/\\x/g, '\\\\x'));
  }
  throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unrecognized encoding: "${format}"`);
}
defineScalar('encode', [T.bytea, text], text, ([b, f]: [Uint8Array, string]) => encode(b, f), 'convert bytea to text in a textual encoding');
defineScalar('decode', [text, text], T.bytea, ([s, f]: [string, string]) => decode(s, f), 'convert text in a textual encoding to bytea');

