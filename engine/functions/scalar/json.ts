/**
 * json and jsonb operators and functions: -> ->> #> #>> (both types; json keeps the source
 * text of sub-values), jsonb @> <@ ? ?| ?& || - #-, to_json/to_jsonb, json[b]_build_object,
 * json[b]_build_array, json[b]_typeof, json[b]_array_length, jsonb_extract_path[_text],
 * jsonb_set, jsonb_pretty, json[b]_strip_nulls. Aggregates and set-returning functions over
 * JSON live in aggregate/json.ts and table/json.ts.
 */
import { datumAt, type Vector } from '../../execution/batch/vector.js';
import { SqlError, SqlState } from '../../errors/index.js';
import { formatJsonb, type JsonObject, type JsonValue, parseJson, quoteJsonString } from '../../types/jsonb.js';
import { Numeric } from '../../types/numeric.js';
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import { formatText, type FormatSettings } from '../../types/text-codec.js';
import { comparatorFor } from '../compare.js';
import { defineScalar } from '../define.js';
import { ANY, registerScalar, type EvalContext } from '../registry.js';

const text = T.text;
const textArray = arrayOf(text);

// ---- JSON values -----------------------------------------------------------------------------

export const isObject = (v: JsonValue): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v) && 'entries' in v;
const isNumber = (v: JsonValue): v is { num: string } => typeof v === 'object' && v !== null && 'num' in v;

export function jsonTypeof(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return isNumber(v) ? 'number' : 'object';
}

/** Object field (last duplicate wins) or array element (negative counts from the end). */
function child(v: JsonValue, key: string | number): JsonValue | undefined {
  if (typeof key === 'number') {
    if (!Array.isArray(v)) return undefined;
    return v[key < 0 ? v.length + key : key];
  }
  if (!isObject(v)) return undefined;
  let found: JsonValue | undefined;
  for (const [k, x] of v.entries) if (k === key) found = x;
  return found;
}

/** Path step from text: array positions are integers (PostgreSQL reads them with strtol). */
function pathChild(v: JsonValue, step: string | null): JsonValue | undefined {
  if (step === null) return undefined;
  if (Array.isArray(v)) return /^\s*-?\d+$/.test(step) ? child(v, Number(step)) : undefined;
  return child(v, step);
}

const walk = (v: JsonValue, path: readonly (string | null)[]): JsonValue | undefined =>
  path.reduce<JsonValue | undefined>((cur, step) => (cur === undefined ? undefined : pathChild(cur, step)), v);

/** ->> and #>>: strings unquoted, JSON null as SQL NULL. */
const asText = (v: JsonValue | undefined, format: (v: JsonValue) => string): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : format(v);

// ---- json text spans (json keeps the source text of sub-values) ------------------------------

const WS = /[ \t\n\r]/;
function skipWs(t: string, i: number): number {
  while (i < t.length && WS.test(t[i]!)) i++;
  return i;
}
/** Index just past the JSON value starting at i (the text is valid JSON). */
function valueEnd(t: string, i: number): number {
  const c = t[i];
  if (c === '"') {
    for (i++; t[i] !== '"'; i++) if (t[i] === '\\') i++;
    return i + 1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < t.length; i++) {
      const d = t[i];
      if (d === '"') i = valueEnd(t, i) - 1;
      else if (d === '{' || d === '[') depth++;
      else if ((d === '}' || d === ']') && --depth === 0) return i + 1;
    }
    return i;
  }
  while (i < t.length && !/[,\]} \t\n\r]/.test(t[i]!)) i++;
  return i;
}
/** The members of a json text with their source text: array elements (key null) or object fields. */
export function jsonMembers(t: string): { kind: 'array' | 'object' | 'scalar'; items: [string | null, string][] } {
  let i = skipWs(t, 0);
  const open = t[i];
  if (open !== '[' && open !== '{') return { kind: 'scalar', items: [] };
  const close = open === '[' ? ']' : '}';
  const items: [string | null, string][] = [];
  for (i = skipWs(t, i + 1); i < t.length && t[i] !== close; i = skipWs(t, i + 1)) {
    let key: string | null = null;
    let vs = skipWs(t, i);
    if (open === '{') {
      const ke = valueEnd(t, vs);
      key = parseJson(t.slice(vs, ke)) as string;
      vs = skipWs(t, skipWs(t, ke) + 1);
    }
    const ve = valueEnd(t, vs);
    items.push([key, t.slice(vs, ve)]);
    i = skipWs(t, ve);
    if (t[i] === close) break;
  }
  return { kind: open === '[' ? 'array' : 'object', items };
}

/** The source text of a json value's child (object fields: the last duplicate), or undefined. */
function jsonChildText(t: string, key: string | number): string | undefined {
  const { kind, items } = jsonMembers(t);
  if (kind === 'array' && typeof key === 'number') return items[key < 0 ? items.length + key : key]?.[1];
  if (kind === 'object' && typeof key === 'string') return items.filter(([k]) => k === key).pop()?.[1];
  return undefined;
}
const jsonPathText = (t: string, path: readonly (string | null)[]): string | undefined => {
  let cur: string | undefined = t;
  for (const step of path) {
    if (cur === undefined || step === null) return undefined;
    const first = cur[skipWs(cur, 0)];
    cur = jsonChildText(cur, first === '[' ? (/^\s*-?\d+$/.test(step) ? Number(step) : NaN) : step);
    if (first === '[' && !/^\s*-?\d+$/.test(step)) return undefined;
  }
  return cur;
};

// ---- -> ->> #> #>> ---------------------------------------------------------------------------

const jsonbOut = (v: JsonValue | undefined) => (v === undefined ? null : formatJsonb(v));
const jsonScalarText = (t: string | undefined) => {
  if (t === undefined) return null;
  const v = parseJson(t);
  return v === null ? null : typeof v === 'string' ? v : t;
};

for (const [keyType, asKey] of [[text, (k: unknown) => k as string], [T.int4, (k: unknown) => k as number]] as const) {
  defineScalar('->', [T.jsonb, keyType], T.jsonb, ([j, k]: [string, unknown]) => jsonbOut(child(parseJson(j, true), asKey(k))), 'get jsonb object field or array element');
  defineScalar('->>', [T.jsonb, keyType], text, ([j, k]: [string, unknown]) => asText(child(parseJson(j, true), asKey(k)), formatJsonb), 'get jsonb object field or array element as text');
  defineScalar('->', [T.json, keyType], T.json, ([j, k]: [string, unknown]) => jsonChildText(j, asKey(k)) ?? null, 'get json object field or array element');
  defineScalar('->>', [T.json, keyType], text, ([j, k]: [string, unknown]) => jsonScalarText(jsonChildText(j, asKey(k))), 'get json object field or array element as text');
}
defineScalar('#>', [T.jsonb, textArray], T.jsonb, ([j, p]: [string, string[]]) => jsonbOut(walk(parseJson(j, true), p)), 'get jsonb value at path');
defineScalar('#>>', [T.jsonb, textArray], text, ([j, p]: [string, string[]]) => asText(walk(parseJson(j, true), p), formatJsonb), 'get jsonb value at path as text');
defineScalar('#>', [T.json, textArray], T.json, ([j, p]: [string, string[]]) => jsonPathText(j, p) ?? null, 'get json value at path');
defineScalar('#>>', [T.json, textArray], text, ([j, p]: [string, string[]]) => jsonScalarText(jsonPathText(j, p)), 'get json value at path as text');
registerScalar({
  name: 'jsonb_extract_path', args: [T.jsonb], variadic: text, returns: T.jsonb, volatility: 'immutable', strict: true,
  scalar: ([j, ...p]) => jsonbOut(walk(parseJson(j as string, true), p as string[])), description: 'get jsonb value at path',
});
registerScalar({
  name: 'jsonb_extract_path_text', args: [T.jsonb], variadic: text, returns: text, volatility: 'immutable', strict: true,
  scalar: ([j, ...p]) => asText(walk(parseJson(j as string, true), p as string[]), formatJsonb), description: 'get jsonb value at path as text',
});
registerScalar({
  name: 'json_extract_path', args: [T.json], variadic: text, returns: T.json, volatility: 'immutable', strict: true,
  scalar: ([j, ...p]) => jsonPathText(j as string, p as string[]) ?? null, description: 'get json value at path',
});
registerScalar({
  name: 'json_extract_path_text', args: [T.json], variadic: text, returns: text, volatility: 'immutable', strict: true,
  scalar: ([j, ...p]) => jsonScalarText(jsonPathText(j as string, p as string[])), description: 'get json value at path as text',
});

// ---- inspection ------------------------------------------------------------------------------

for (const [type, forJsonb, prefix] of [[T.jsonb, true, 'jsonb'], [T.json, false, 'json']] as const) {
  defineScalar(`${prefix}_typeof`, [type], text, ([j]: [string]) => jsonTypeof(parseJson(j, forJsonb)), `type of the outermost ${prefix} value`);
  defineScalar(`${prefix}_array_length`, [type], T.int4, ([j]: [string]) => {
    const v = parseJson(j, forJsonb);
    if (Array.isArray(v)) return v.length;
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, isObject(v) ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
  }, `number of elements in the outermost ${prefix} array`);
  defineScalar(`${prefix}_strip_nulls`, [type], type, ([j]: [string]) => formatJsonb(stripNulls(parseJson(j, forJsonb))), `remove object fields with null values from ${prefix}`);
}

function stripNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isObject(v)) return { entries: v.entries.filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]) };
  return v;
}

// ---- jsonb operators -------------------------------------------------------------------------

const cmpJsonb = comparatorFor(T.jsonb);
const sameScalar = (a: JsonValue, b: JsonValue) =>
  isNumber(a) && isNumber(b) ? Numeric.fromString(a.num).cmp(Numeric.fromString(b.num)) === 0 : cmpJsonb(formatJsonb(a), formatJsonb(b)) === 0;

/** jsonb containment (@>), as PostgreSQL defines it (arrays: every element of b is in a; a top-level array contains a scalar). */
export function jsonContains(a: JsonValue, b: JsonValue, top = true): boolean {
  if (isObject(b)) {
    if (!isObject(a)) return false;
    return b.entries.every(([k, bv]) => {
      const av = child(a, k);
      return av !== undefined && jsonContains(av, bv, false);
    });
  }
  if (Array.isArray(b)) {
    if (!Array.isArray(a)) return false;
    return b.every((bv) => a.some((av) => (Array.isArray(bv) || isObject(bv) ? jsonContains(av, bv, false) : !Array.isArray(av) && !isObject(av) && sameScalar(av, bv))));
  }
  if (Array.isArray(a)) return top && a.some((av) => !Array.isArray(av) && !isObject(av) && sameScalar(av, b));
  return !isObject(a) && sameScalar(a, b);
}
const jb = (s: string) => parseJson(s, true);
defineScalar('@>', [T.jsonb, T.jsonb], T.bool, ([a, b]: [string, string]) => jsonContains(jb(a), jb(b)), 'jsonb contains');
defineScalar('<@', [T.jsonb, T.jsonb], T.bool, ([a, b]: [string, string]) => jsonContains(jb(b), jb(a)), 'jsonb is contained by');

/** ? : a top-level key, or a string element of a top-level array. */
const hasKey = (v: JsonValue, k: string) => (isObject(v) ? v.entries.some(([x]) => x === k) : Array.isArray(v) ? v.some((e) => e === k) : v === k);
defineScalar('?', [T.jsonb, text], T.bool, ([j, k]: [string, string]) => hasKey(jb(j), k), 'does the key or array string exist?');
defineScalar('?|', [T.jsonb, textArray], T.bool, ([j, ks]: [string, (string | null)[]]) => ks.some((k) => k !== null && hasKey(jb(j), k)), 'do any of these keys exist?');
defineScalar('?&', [T.jsonb, textArray], T.bool, ([j, ks]: [string, (string | null)[]]) => ks.every((k) => k !== null && hasKey(jb(j), k)), 'do all of these keys exist?');

/** jsonb || jsonb: objects merge (right wins), otherwise array concatenation (scalars wrapped). */
function concat(a: JsonValue, b: JsonValue): JsonValue {
  if (isObject(a) && isObject(b)) return { entries: [...a.entries, ...b.entries] };
  const asArray = (v: JsonValue) => (Array.isArray(v) ? v : [v]);
  return [...asArray(a), ...asArray(b)];
}
defineScalar('||', [T.jsonb, T.jsonb], T.jsonb, ([a, b]: [string, string]) => formatJsonb(concat(jb(a), jb(b))), 'concatenate jsonb values');

const cannotDeleteFromScalar = () => new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'cannot delete from scalar');
function deleteKeys(v: JsonValue, keys: readonly (string | null)[]): JsonValue {
  if (isObject(v)) return { entries: v.entries.filter(([k]) => !keys.includes(k)) };
  if (Array.isArray(v)) return v.filter((e) => typeof e !== 'string' || !keys.includes(e));
  throw cannotDeleteFromScalar();
}
function deleteIndex(v: JsonValue, i: number): JsonValue {
  if (!Array.isArray(v)) {
    if (isObject(v)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'cannot delete from object using integer index');
    throw cannotDeleteFromScalar();
  }
  const at = i < 0 ? v.length + i : i;
  return v.filter((_, k) => k !== at);
}
defineScalar('-', [T.jsonb, text], T.jsonb, ([j, k]: [string, string]) => formatJsonb(deleteKeys(jb(j), [k])), 'delete a key (or array string elements)');
defineScalar('-', [T.jsonb, textArray], T.jsonb, ([j, ks]: [string, string[]]) => formatJsonb(deleteKeys(jb(j), ks)), 'delete keys');
defineScalar('-', [T.jsonb, T.int4], T.jsonb, ([j, i]: [string, number]) => formatJsonb(deleteIndex(jb(j), i)), 'delete an array element');

/** Copy of v with the value at path replaced (or created, when `create`) by `f(old)`; undefined from f deletes. */
function updatePath(v: JsonValue, path: readonly string[], f: (old: JsonValue | undefined) => JsonValue | undefined, create: boolean): JsonValue {
  if (path.length === 0) return v;
  const [step, ...rest] = path as [string, ...string[]];
  const next = (old: JsonValue | undefined) => (rest.length === 0 ? f(old) : old === undefined ? undefined : updatePath(old, rest, f, create));
  if (isObject(v)) {
    const i = v.entries.map(([k]) => k).lastIndexOf(step);
    const entries = [...v.entries];
    const nv = next(i >= 0 ? entries[i]![1] : undefined);
    if (i >= 0) {
      if (nv === undefined) entries.splice(i, 1);
      else entries[i] = [step, nv];
    } else if (nv !== undefined && create && rest.length === 0) entries.push([step, nv]);
    return { entries };
  }
  if (Array.isArray(v)) {
    if (!/^\s*-?\d+$/.test(step)) {
      throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `path element at position ${1} is not an integer: "${step}"`);
    }
    const n = Number(step);
    const at = n < 0 ? v.length + n : n;
    const out = [...v];
    if (at >= 0 && at < v.length) {
      const nv = next(v[at]);
      if (nv === undefined) out.splice(at, 1);
      else out[at] = nv;
    } else if (create && rest.length === 0) {
      const nv = f(undefined);
      if (nv !== undefined) (at < 0 ? out.unshift(nv) : out.push(nv));
    }
    return out;
  }
  return v;
}
function jsonbSet(j: string, path: string[], value: string, create: boolean): string {
  const v = jb(j);
  if (!isObject(v) && !Array.isArray(v)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'cannot set path in scalar');
  return formatJsonb(updatePath(v, path, () => jb(value), create));
}
defineScalar('jsonb_set', [T.jsonb, textArray, T.jsonb, T.bool], T.jsonb, ([j, p, v, c]: [string, string[], string, boolean]) => jsonbSet(j, p, v, c),
  'replace (or create) the value at a path');
defineScalar('jsonb_set', [T.jsonb, textArray, T.jsonb], T.jsonb, ([j, p, v]: [string, string[], string]) => jsonbSet(j, p, v, true), 'replace or create the value at a path');
defineScalar('#-', [T.jsonb, textArray], T.jsonb, ([j, p]: [string, string[]]) => {
  const v = jb(j);
  if (!isObject(v) && !Array.isArray(v)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'cannot delete path in scalar');
  return formatJsonb(updatePath(v, p, () => undefined, false));
}, 'delete the value at a path');

/** jsonb_pretty: four-space indentation, empty containers printed open. */
function pretty(v: JsonValue, indent: string): string {
  const inner = indent + '    ';
  if (Array.isArray(v) && v.length === 0) return `[\n${indent}]`;
  if (isObject(v) && v.entries.length === 0) return `{\n${indent}}`;
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + pretty(x, inner)).join(',\n')}\n${indent}]`;
  if (isObject(v)) {
    const normal = jb(formatJsonb(v)) as JsonObject;
    return `{\n${normal.entries.map(([k, x]) => `${inner}${quoteJsonString(k)}: ${pretty(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return formatJsonb(v);
}
defineScalar('jsonb_pretty', [T.jsonb], text, ([j]: [string]) => pretty(jb(j), ''), 'indented text of a jsonb value');

// ---- to_json and builders --------------------------------------------------------------------

const ISO: Record<string, string> = { dateStyle: 'ISO, MDY' };
/** A datum of any type as a JSON value's text (PostgreSQL's datum_to_json). */
export function toJsonText(type: PgType, datum: unknown, settings: FormatSettings, forJsonb: boolean): string {
  if (datum === null) return 'null';
  if (type.elem) return '[' + (datum as unknown[]).map((d) => toJsonText(type.elem!, d, settings, forJsonb)).join(forJsonb ? ', ' : ',') + ']';
  switch (type.name) {
    case 'bool': return datum ? 'true' : 'false';
    case 'int2': case 'int4': case 'int8': case 'oid': return String(datum);
    case 'float4': case 'float8': case 'numeric': {
      const s = formatText(type, datum, settings);
      return /^-?(\d|\.)/.test(s) && !/[a-zA-Z]/.test(s.replace(/e[+-]?\d+$/, '')) ? s : quoteJsonString(s);
    }
    case 'json': return forJsonb ? formatJsonb(parseJson(datum as string, true)) : (datum as string);
    case 'jsonb': return datum as string;
    case 'date': return quoteJsonString(formatText(type, datum, { ...settings, ...ISO }));
    case 'timestamp': return quoteJsonString(formatText(type, datum, { ...settings, ...ISO }).replace(' ', 'T'));
    case 'timestamptz': return quoteJsonString(formatText(type, datum, { ...settings, ...ISO }).replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'unknown': return quoteJsonString(datum as string);
    default: return quoteJsonString(formatText(type, datum, settings));
  }
}
const jsonAt = (v: Vector, i: number, ctx: EvalContext, forJsonb: boolean) => toJsonText(v.type, datumAt(v, i), ctx.format, forJsonb);

function overRows(returns: PgType, n: number, f: (i: number) => string | null): Vector {
  const data = new Array<unknown>(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const r = f(i);
    if (r === null) (nulls ??= new Uint8Array(n))[i] = 1;
    else data[i] = r;
  }
  return { type: returns, length: n, data, nulls };
}

for (const [type, forJsonb, prefix] of [[T.jsonb, true, 'jsonb'], [T.json, false, 'json']] as const) {
  const finish = (s: string) => (forJsonb ? formatJsonb(parseJson(s, true)) : s);
  registerScalar({
    name: `to_${prefix}`, args: [ANY], returns: type, volatility: 'stable', strict: true,
    vector: ([a], n, ctx) => overRows(type, n, (i) => (datumAt(a!, i) === null ? null : finish(jsonAt(a!, i, ctx, forJsonb)))),
    description: `value as ${prefix}`,
  });
  registerScalar({
    name: `${prefix}_build_array`, args: [], variadic: ANY, returns: type, volatility: 'stable', strict: false,
    vector: (args, n, ctx) => overRows(type, n, (i) => finish('[' + args.map((a) => jsonAt(a, i, ctx, forJsonb)).join(', ') + ']')),
    description: `build a ${prefix} array from the arguments`,
  });
  registerScalar({
    name: `${prefix}_build_object`, args: [], variadic: ANY, returns: type, volatility: 'stable', strict: false,
    vector: (args, n, ctx) => {
      if (args.length % 2) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'argument list must have even number of elements', {
          hint: `The arguments of ${prefix}_build_object() must consist of alternating keys and values.`,
        });
      }
      return overRows(type, n, (i) => {
        const parts: string[] = [];
        for (let k = 0; k < args.length; k += 2) {
          const key = datumAt(args[k]!, i);
          if (key === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, `argument ${k + 1}: key must not be null`);
          const keyText = args[k]!.type.layout === 'object' && typeof key === 'string' ? key : formatText(args[k]!.type, key, ctx.format);
          parts.push(`${quoteJsonString(keyText)} : ${jsonAt(args[k + 1]!, i, ctx, forJsonb)}`);
        }
        return finish('{' + parts.join(', ') + '}');
      });
    },
    description: `build a ${prefix} object from alternating keys and values`,
  });
}
