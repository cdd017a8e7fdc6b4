/** Aggregates that collect their input: array_agg (any element type) and string_agg (text, bytea). */
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import { ELEMENT_TYPES } from '../element-types.js';
import { registerAggregate } from '../registry.js';
import { stateful } from './state.js';


for (const type of ELEMENT_TYPES) {
  const returns = arrayOf(type);
  registerAggregate({
    name: 'array_agg',
    args: [type],
    returns,
    create: stateful(returns, {
      init: () => [] as unknown[],
      step: (s, [x]) => {
        s.push(x);
      },
      final: (s) => (s === undefined ? null : [...s]),
      skipNulls: false,
    }),
    description: `input ${type.name} values, including NULLs, concatenated into an array`,
  });
}

interface Joined<P> {
  parts: P[];
  delimiters: (P | null)[];
}

/** string_agg(value, delimiter): each value after the first is preceded by its own row's delimiter. */
function stringAgg<P>(type: PgType, join: (parts: P[]) => P, description: string) {
  registerAggregate({
    name: 'string_agg',
    args: [type, type],
    returns: type,
    create: stateful(type, {
      init: (): Joined<P> => ({ parts: [], delimiters: [] }),
      step: (s, [value, delimiter]) => {
        if (value === null) return;
        s.parts.push(value as P);
        s.delimiters.push(delimiter as P | null);
      },
      final: (s) => {
        if (s === undefined || s.parts.length === 0) return null;
        const pieces: P[] = [s.parts[0]!];
        for (let i = 1; i < s.parts.length; i++) {
          const d = s.delimiters[i];
          if (d !== null && d !== undefined) pieces.push(d);
          pieces.push(s.parts[i]!);
        }
        return join(pieces);
      },
      skipNulls: false,
    }),
    description,
  });
}
stringAgg<string>(T.text, (p) => p.join(''), 'concatenate text values with a delimiter');
stringAgg<Uint8Array>(T.bytea, (p) => new Uint8Array(Buffer.concat(p)), 'concatenate bytea values with a delimiter');
