/** json_agg, jsonb_agg, json_object_agg, jsonb_object_agg over values of any type. */
import { formatJsonb, parseJson, quoteJsonString } from '../../types/jsonb.js';
import { DEFAULT_FORMAT_SETTINGS, formatText } from '../../types/text-codec.js';
import { T } from '../../types/pg-type.js';
import { SqlError, SqlState } from '../../errors/index.js';
import { ANY, registerAggregate } from '../registry.js';
import { toJsonText } from '../scalar/json.js';
import { stateful } from './state.js';

for (const [type, forJsonb, prefix] of [[T.jsonb, true, 'jsonb'], [T.json, false, 'json']] as const) {
  const finish = (s: string) => (forJsonb ? formatJsonb(parseJson(s, true)) : s);
  registerAggregate({
    name: `${prefix}_agg`,
    args: [ANY],
    returns: type,
    create: ([argType = T.unknown]) =>
      stateful(type, {
        init: () => [] as string[],
        step: (s, [x]) => {
          s.push(toJsonText(argType, x, DEFAULT_FORMAT_SETTINGS, forJsonb));
        },
        final: (s) => (s === undefined ? null : finish('[' + s.join(', ') + ']')),
        skipNulls: false,
      })(),
    description: `input values, including NULLs, aggregated into a ${prefix} array`,
  });
  registerAggregate({
    name: `${prefix}_object_agg`,
    args: [ANY, ANY],
    returns: type,
    create: ([keyType = T.unknown, valueType = T.unknown]) =>
      stateful(type, {
        init: () => [] as string[],
        step: (s, [k, v]) => {
          if (k === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, 'field name must not be null');
          const key = typeof k === 'string' ? k : formatText(keyType, k, DEFAULT_FORMAT_SETTINGS);
          s.push(`${quoteJsonString(key)} : ${toJsonText(valueType, v, DEFAULT_FORMAT_SETTINGS, forJsonb)}`);
        },
        final: (s) => (s === undefined ? null : finish('{ ' + s.join(', ') + ' }')),
        skipNulls: false,
      })(),
    description: `name/value pairs aggregated into a ${prefix} object`,
  });
}
