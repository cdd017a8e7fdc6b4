/**
 * The JSON format (Trino's json decoder and encoder): the message is a JSON document (UTF-8);
 * `mapping` is a slash-separated path of object keys (`customer/address/city`; a number
 * indexes an array, `items/0/sku`, which Trino does not do). Numbers keep their digits, so
 * 64-bit integers read exactly.
 *
 * Without `dataFormat` (Trino's default field decoder), a field reads as:
 * - bigint, integer, smallint, tinyint: an integer number, or the text of a value ("42");
 * - double precision, real: a number, or the text of a value ("1.5");
 * - boolean: true/false, a number (≠ 0), or text ("true", blanks around it allowed);
 * - text, varchar(n): a string as is, other values as their JSON text.
 * Dates and times need a `dataFormat` (see temporal.ts). A missing path or JSON null is NULL;
 * a document that is not JSON makes the row corrupt; a value of the wrong kind fails with
 * 22P02. Writing builds one object with every field at its path (NULL as null).
 */
import { parseJson, quoteJsonString, type JsonValue } from '../../../engine/types/jsonb.js';
import { cannotRead, integerDatum, isInteger, isText, parseJavaDouble, parseJavaLong, textDatum } from '../types.js';
import { badField, unsupportedType, type FieldSpec, type RowCodec } from './codec.js';
import { isTemporal, TemporalField, type TemporalFormat } from './temporal.js';

const DEFAULT_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'bool']);
const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

type JsonNumber = { readonly num: string };
type JsonObject = { readonly entries: [string, JsonValue][] };
const isNumber = (v: JsonValue): v is JsonNumber => typeof v === 'object' && v !== null && 'num' in v;
const isObject = (v: JsonValue): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v) && 'entries' in v;

interface JsonField {
  readonly spec: FieldSpec;
  readonly path: readonly string[];
  readonly temporal: TemporalField | undefined;
}

export class JsonCodec implements RowCodec {
  private readonly fields: readonly JsonField[];

  constructor(fields: readonly FieldSpec[]) {
    this.fields = fields.map((spec) => {
      const path = (spec.mapping ?? '').split('/').filter((p) => p !== '');
      if (path.length === 0) throw badField(spec, 'the json format needs a mapping (a slash-separated path of keys)');
      const format = spec.dataFormat === undefined || spec.dataFormat === '_default' ? undefined : spec.dataFormat;
      if (format === undefined) {
        if (!DEFAULT_TYPES.has(spec.type.name) && !isText(spec.type)) {
          if (isTemporal(spec.type)) throw badField(spec, 'a date or time column needs a dataFormat (iso8601, rfc2822, milliseconds-since-epoch, seconds-since-epoch or custom-date-time)');
          throw unsupportedType('json', spec);
        }
        if (spec.formatHint !== undefined) throw badField(spec, 'formatHint goes with dataFormat custom-date-time');
        return { spec, path, temporal: undefined };
      }
      if (!isTemporal(spec.type)) throw badField(spec, `dataFormat "${format}" is for date and time columns; leave it out for this type`);
      if (!['iso8601', 'rfc2822', 'milliseconds-since-epoch', 'seconds-since-epoch', 'custom-date-time'].includes(format)) {
        throw badField(spec, `unknown json dataFormat "${format}"`);
      }
      return { spec, path, temporal: new TemporalField(spec, format as TemporalFormat) };
    });
  }

  decode(bytes: Uint8Array): unknown[] | undefined {
    let doc: JsonValue;
    try {
      doc = parseJson(utf8.decode(bytes));
    } catch {
      return undefined;
    }
    return this.fields.map((f) => {
      const v = locate(doc, f.path);
      return v === undefined || v === null ? null : jsonDatum(v, f);
    });
  }

  encode(values: readonly unknown[]): Uint8Array {
    const root: Tree = new Map();
    this.fields.forEach((f, i) => {
      if (values[i] === undefined) return;
      let node = root;
      for (const key of f.path.slice(0, -1)) {
        let next = node.get(key);
        if (!(next instanceof Map)) node.set(key, (next = new Map()));
        node = next;
      }
      node.set(f.path[f.path.length - 1]!, jsonText(values[i], f));
    });
    return utf8Encoder.encode(treeText(root));
  }
}

/** Nested objects under construction; leaves are JSON text. */
type Tree = Map<string, Tree | string>;

const treeText = (t: Tree): string => `{${[...t].map(([k, v]) => `${quoteJsonString(k)}:${typeof v === 'string' ? v : treeText(v)}`).join(',')}}`;

/** The value at a path (the last of duplicate keys, as Jackson reads them), or undefined. */
function locate(doc: JsonValue, path: readonly string[]): JsonValue | undefined {
  let at: JsonValue | undefined = doc;
  for (const key of path) {
    if (at === undefined || at === null) return undefined;
    if (isObject(at)) {
      let found: JsonValue | undefined;
      for (const [k, v] of at.entries) if (k === key) found = v;
      at = found;
    } else if (Array.isArray(at) && /^\d+$/.test(key)) at = at[Number(key)];
    else return undefined;
  }
  return at;
}

/** A scalar's text as Jackson's asText() gives it; undefined for objects and arrays. */
function scalarText(v: JsonValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isNumber(v)) return v.num;
  return undefined;
}

function jsonDatum(v: JsonValue, f: JsonField): unknown {
  const spec = f.spec;
  const text = scalarText(v);
  if (f.temporal) {
    if (text === undefined) throw cannotRead(compactJson(v), spec, 'not a value');
    return f.temporal.read(text, isNumber(v));
  }
  if (isText(spec.type)) return textDatum(text ?? compactJson(v), spec);
  if (text === undefined) throw cannotRead(compactJson(v), spec, 'not a value');
  if (spec.type.name === 'bool') {
    if (typeof v === 'boolean') return v;
    if (isNumber(v)) return Number(v.num) !== 0;
    return text.trim() === 'true';
  }
  if (isInteger(spec.type)) {
    const n = parseJavaLong(text);
    if (n === undefined) throw cannotRead(text, spec);
    return integerDatum(n, spec, text);
  }
  const d = isNumber(v) ? Number(v.num) : parseJavaDouble(text);
  if (d === undefined) throw cannotRead(text, spec);
  return d;
}

/** JSON text of a value, without spaces (what Jackson's toString() prints). */
function compactJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(compactJson).join(',')}]`;
  if (isObject(v)) return `{${v.entries.map(([k, x]) => `${quoteJsonString(k)}:${compactJson(x)}`).join(',')}}`;
  return typeof v === 'string' ? quoteJsonString(v) : scalarText(v)!;
}

function jsonText(v: unknown, f: JsonField): string {
  if (v === null) return 'null';
  if (f.temporal) {
    const out = f.temporal.write(v as number | bigint);
    return out.isNumber ? out.text : quoteJsonString(out.text);
  }
  switch (f.spec.type.name) {
    case 'bool': return v ? 'true' : 'false';
    case 'float4': case 'float8': return Number.isFinite(v) ? String(v) : quoteJsonString(String(v));
    default: return isInteger(f.spec.type) ? String(v) : quoteJsonString(v as string);
  }
}
