/**
 * Column types guessed from sample values written as text (CSV fields, JSON strings): the
 * narrowest of integer, bigint, numeric, double precision, boolean, date, timestamp,
 * timestamptz that every non-NULL sample parses as; text otherwise.
 */
import { T, type PgType } from '../../../engine/types/pg-type.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.\d*|\.\d+)$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$|^[+-]?(inf|infinity|nan)$/i;
const BOOLEAN = /^(true|false|t|f)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

const INT8_MAX = 9223372036854775807n;

/** One candidate type per kind of text, narrowest first. */
type Kind = 'int4' | 'int8' | 'numeric' | 'float8' | 'bool' | 'date' | 'timestamp' | 'timestamptz' | 'text';

function kindOf(s: string): Kind {
  if (INTEGER.test(s)) {
    // Leading zeros (codes such as "007") are kept as text, where they survive.
    if (/^[+-]?0\d/.test(s)) return 'text';
    const n = Number(s);
    if (Number.isSafeInteger(n)) return n >= -2147483648 && n <= 2147483647 ? 'int4' : 'int8';
    const big = BigInt(s);
    return big <= INT8_MAX && big >= -INT8_MAX - 1n ? 'int8' : 'numeric';
  }
  if (DECIMAL.test(s)) return 'numeric';
  if (FLOAT.test(s)) return 'float8';
  if (BOOLEAN.test(s)) return 'bool';
  if (DATE.test(s)) return 'date';
  if (TIMESTAMP.test(s)) return 'timestamp';
  if (TIMESTAMPTZ.test(s)) return 'timestamptz';
  return 'text';
}

const NUMERIC_ORDER: Kind[] = ['int4', 'int8', 'numeric', 'float8'];
const TIME_ORDER: Kind[] = ['date', 'timestamp', 'timestamptz'];

/** The type two kinds of values share. */
function unify(a: Kind, b: Kind): Kind {
  if (a === b) return a;
  for (const order of [NUMERIC_ORDER, TIME_ORDER]) {
    const i = order.indexOf(a);
    const j = order.indexOf(b);
    if (i >= 0 && j >= 0) return order[Math.max(i, j)]!;
  }
  return 'text';
}

/** Accumulates samples of one column. */
export class TypeGuess {
  private kind: Kind | undefined;

  add(text: string): void {
    if (this.kind === 'text') return;
    const k = kindOf(text);
    this.kind = this.kind === undefined ? k : unify(this.kind, k);
  }

  /** The guessed type; text when no non-NULL value was seen. */
  get type(): PgType {
    return T[this.kind ?? 'text'];
  }
}
