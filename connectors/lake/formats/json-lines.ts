/**
 * Newline-delimited JSON: one object per line; keys are columns. Types are inferred from a
 * sample: booleans → boolean, integers → bigint, other numbers → double precision, strings
 * that are ISO dates or timestamps → date / timestamp[tz], other strings → text, objects and
 * arrays → json; a key whose samples disagree is text (json when any sample is an object or
 * array).
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { T, type PgType } from '../../../engine/types/pg-type.js';

/** The objects of each non-blank line (a line that is not an object fails with 22P02). */
export function parseJsonLines(text: string, file: string, firstLine = 1): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let line = firstLine - 1;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    line++;
    const s = text.slice(pos, end).trim();
    pos = end + 1;
    if (s === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid JSON in file "${file}", line ${line}: ${(e as Error).message}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `line ${line} of file "${file}" is not a JSON object`);
    }
    out.push(value as Record<string, unknown>);
  }
  return out;
}

type Kind = 'bool' | 'int8' | 'numeric' | 'float8' | 'date' | 'timestamp' | 'timestamptz' | 'text' | 'json';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

function kindOf(v: unknown): Kind | undefined {
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) ? (Number.isSafeInteger(v) ? 'int8' : 'numeric') : 'float8';
    case 'string': return DATE.test(v) ? 'date' : TIMESTAMP.test(v) ? 'timestamp' : TIMESTAMPTZ.test(v) ? 'timestamptz' : 'text';
    case 'object': return v === null ? undefined : 'json';
    default: return undefined;
  }
}

function unify(a: Kind, b: Kind): Kind {
  if (a === b) return a;
  const numeric: Kind[] = ['int8', 'numeric', 'float8'];
  const time: Kind[] = ['date', 'timestamp', 'timestamptz'];
  for (const order of [numeric, time]) {
    if (order.includes(a) && order.includes(b)) return order[Math.max(order.indexOf(a), order.indexOf(b))]!;
  }
  return a === 'json' || b === 'json' ? 'json' : 'text';
}

/** Column names in first-seen order and their inferred types. */
export function inferJsonColumns(sample: readonly Record<string, unknown>[]): { name: string; type: PgType }[] {
  const kinds = new Map<string, Kind | undefined>();
  for (const row of sample) {
    for (const [key, value] of Object.entries(row)) {
      const k = kindOf(value);
      const prev = kinds.get(key);
      kinds.set(key, prev === undefined ? k : k === undefined ? prev : unify(prev, k));
    }
  }
  return [...kinds].map(([name, k]) => ({ name, type: T[k ?? 'text'] }));
}
