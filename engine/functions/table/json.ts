/**
 * Set-returning functions over JSON: json[b]_array_elements[_text], json[b]_each[_text],
 * json[b]_object_keys. json variants return the source text of each member.
 */
import { SqlError, SqlState } from '../../errors/index.js';
import { formatJsonb, parseJson, type JsonValue } from '../../types/jsonb.js';
import { T, type PgType } from '../../types/pg-type.js';
import { registerTable } from '../registry.js';
import { isObject, jsonMembers } from '../scalar/json.js';

const text = T.text;
const invalid = (m: string) => new SqlError(SqlState.INVALID_PARAMETER_VALUE, m);

/** Members of a json or jsonb datum as [key, value text, value as text (strings unquoted, null → NULL)]. */
function members(datum: string, forJsonb: boolean, want: 'array' | 'object', fn: string): [string | null, string, string | null][] {
  const asText = (v: JsonValue, raw: string) => (v === null ? null : typeof v === 'string' ? v : raw);
  if (forJsonb) {
    const v = parseJson(datum, true);
    if (want === 'array') {
      if (!Array.isArray(v)) throw invalid(isObject(v) ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar');
      return v.map((x) => [null, formatJsonb(x), asText(x, formatJsonb(x))]);
    }
    if (!isObject(v)) throw invalid(`cannot call ${fn} on a non-object`);
    const byKey = parseJson(formatJsonb(v), true) as { entries: [string, JsonValue][] };
    return byKey.entries.map(([k, x]) => [k, formatJsonb(x), asText(x, formatJsonb(x))]);
  }
  const m = jsonMembers(datum);
  if (m.kind !== want) {
    if (want === 'array') throw invalid(m.kind === 'object' ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar');
    throw invalid(m.kind === 'array' ? `cannot call ${fn} on an array` : `cannot call ${fn} on a scalar`);
  }
  return m.items.map(([k, raw]) => [k, raw, asText(parseJson(raw), raw)]);
}

for (const [type, forJsonb, prefix] of [[T.jsonb, true, 'jsonb'], [T.json, false, 'json']] as const) {
  const reg = (name: string, columns: { name: string; type: PgType }[], want: 'array' | 'object', pick: (m: [string | null, string, string | null]) => unknown[], description: string) =>
    registerTable({
      name, args: [type], columns: () => columns, volatility: 'immutable', strict: true,
      rows: ([d]) => members(d as string, forJsonb, want, name).map(pick), description,
    });
  reg(`${prefix}_array_elements`, [{ name: 'value', type }], 'array', (m) => [m[1]], `elements of a ${prefix} array`);
  reg(`${prefix}_array_elements_text`, [{ name: 'value', type: text }], 'array', (m) => [m[2]], `elements of a ${prefix} array as text`);
  reg(`${prefix}_each`, [{ name: 'key', type: text }, { name: 'value', type }], 'object', (m) => [m[0], m[1]], `key/value pairs of a ${prefix} object`);
  reg(`${prefix}_each_text`, [{ name: 'key', type: text }, { name: 'value', type: text }], 'object', (m) => [m[0], m[2]], `key/value pairs of a ${prefix} object, values as text`);
  reg(`${prefix}_object_keys`, [{ name: `${prefix}_object_keys`, type: text }], 'object', (m) => [m[0]], `keys of a ${prefix} object`);
}
