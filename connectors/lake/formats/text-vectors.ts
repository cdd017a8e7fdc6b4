/** Column vectors from field text (CSV) or JSON values, converted to the column's type. */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { allocateData, type Vector } from '../../../engine/execution/batch/vector.js';
import type { PgType } from '../../../engine/types/pg-type.js';
import { DEFAULT_FORMAT_SETTINGS, parseText } from '../../../engine/types/text-codec.js';

/** Where a value came from, for error messages. */
export interface ValueOrigin {
  readonly file: string;
  readonly column: string;
  /** 1-based row number of values[0] within what was read (the file or its range). */
  readonly firstRow: number;
}

/** A vector of `type` from texts (null: NULL), rows [start, start + count). */
export function vectorFromTexts(type: PgType, texts: readonly (string | null)[], start: number, count: number, origin: ValueOrigin): Vector {
  const data = allocateData(type.layout, count);
  let nulls: Uint8Array | null = null;
  const parse = parserFor(type);
  for (let i = 0; i < count; i++) {
    const t = texts[start + i]!;
    if (t === null) {
      (nulls ??= new Uint8Array(count))[i] = 1;
      continue;
    }
    try {
      (data as unknown[])[i] = parse(t);
    } catch (e) {
      throw withOrigin(e, origin, start + i);
    }
  }
  return { type, length: count, data, nulls };
}

const SHORT_INTEGER = /^-?\d{1,10}$/;
const PLAIN_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The datum for a field's text; booleans as 0/1 (the vector layout). */
function parserFor(type: PgType): (text: string) => unknown {
  switch (type.name) {
    case 'text': case 'varchar': return (t) => t;
    case 'int4': return (t) => {
      if (SHORT_INTEGER.test(t)) {
        const n = Number(t);
        if (n >= -2147483648 && n <= 2147483647) return n;
      }
      return parseText(type, t, DEFAULT_FORMAT_SETTINGS);
    };
    case 'float8': return (t) => (PLAIN_FLOAT.test(t) ? Number(t) : parseText(type, t, DEFAULT_FORMAT_SETTINGS));
    case 'bool': return (t) => (parseText(type, t, DEFAULT_FORMAT_SETTINGS) ? 1 : 0);
    default: return (t) => parseText(type, t, DEFAULT_FORMAT_SETTINGS);
  }
}

function withOrigin(e: unknown, origin: ValueOrigin, row: number): unknown {
  if (!(e instanceof SqlError)) return e;
  return new SqlError(e.code, e.message, { detail: `file "${origin.file}", row ${origin.firstRow + row}, column "${origin.column}"` });
}

/** A JSON value as a datum of `type` (objects and arrays as JSON text for text/json columns). */
export function datumFromJson(type: PgType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.name) {
    case 'json': case 'jsonb': return parseText(type, JSON.stringify(value), DEFAULT_FORMAT_SETTINGS);
    case 'text': case 'varchar': return typeof value === 'string' ? value : JSON.stringify(value);
    case 'int8': if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value); break;
    case 'float8': if (typeof value === 'number') return value; break;
    case 'bool': if (typeof value === 'boolean') return value; break;
  }
  if (typeof value === 'object') throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `a JSON ${Array.isArray(value) ? 'array' : 'object'} is not a value of type ${type.name}`);
  return parseText(type, String(value), DEFAULT_FORMAT_SETTINGS);
}

/** A vector of `type` from JSON values, rows [start, start + count). */
export function vectorFromJson(type: PgType, values: readonly unknown[], start: number, count: number, origin: ValueOrigin): Vector {
  const data = allocateData(type.layout, count);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < count; i++) {
    let d: unknown;
    try {
      d = datumFromJson(type, values[start + i]);
    } catch (e) {
      throw withOrigin(e, origin, start + i);
    }
    if (d === null) (nulls ??= new Uint8Array(count))[i] = 1;
    else (data as unknown[])[i] = type.layout === 'bool' ? (d ? 1 : 0) : d;
  }
  return { type, length: count, data, nulls };
}
