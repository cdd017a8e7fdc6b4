/**
 * What differs between SQL sources. Each SQL connector implements one dialect; the generator
 * (render.ts) writes everything else. A dialect declines (returns undefined) whatever its
 * source would not compute exactly as PostgreSQL does; the engine then keeps that work.
 */
import type { PgType } from '../../spi/index.js';

export interface SqlDialect {
  readonly name: string;
  /** Quotes an identifier, doubling the quote character ("a""b" / `a``b`). */
  quoteIdentifier(name: string): string;
  /** The n-th (1-based) placeholder in statement text: `$n` (PostgreSQL) or `?` (MySQL). */
  placeholder(n: number): string;
  /**
   * A constant of `type` given in PostgreSQL text form: the SQL around its placeholder
   * (`$1::int4`, `CAST(? AS DATE)`, or the placeholder alone) and the value handed to the
   * driver; undefined when the source cannot take it.
   */
  constant(text: string, type: PgType, placeholder: string): { sql: string; value: unknown } | undefined;
  /**
   * The same constant written into the statement as a literal, for constants marked `inline`
   * (an access rule's, never the client's); absent or undefined: it is bound like any other.
   */
  literal?(text: string, type: PgType): string | undefined;
  /** Values of this type compare, sort and group at the source as in PostgreSQL (text: after binaryText). */
  comparable(type: PgType): boolean;
  /** Text that compares and sorts in byte order, as PostgreSQL's "C" collation does. */
  binaryText(sql: string): string;
  /**
   * A scalar call by PostgreSQL name (see ConnectorExpression) with rendered arguments; the
   * generator itself renders and/or/not/is_null/is_not_null/in and the six comparisons.
   */
  call(name: string, args: readonly string[], argTypes: readonly PgType[], type: PgType): string | undefined;
  /** A cast the source performs exactly as PostgreSQL does. */
  cast(sql: string, from: PgType, to: PgType): string | undefined;
  /** An aggregate whose result equals PostgreSQL's for the result type `type`. */
  aggregate(name: string, args: readonly string[], argTypes: readonly PgType[], distinct: boolean, type: PgType): string | undefined;
  /** One ORDER BY key with PostgreSQL's NULL placement. */
  sortKey(sql: string, descending: boolean, nullsFirst: boolean): string;
  /** FULL OUTER JOIN on column equalities is available (MySQL has none). */
  readonly fullJoin?: boolean;
}

const INFIX = new Set(['+', '-', '*', '/', '%', '||']);
const LIKE: Readonly<Record<string, string>> = { '~~': 'LIKE', '!~~': 'NOT LIKE' };
const UNARY_FUNCTIONS = new Set(['lower', 'upper', 'abs', 'length', 'trim', 'ceil', 'floor', 'round', 'sign']);

/**
 * Calls whose SQL is the same in most dialects: infix arithmetic and concatenation (each
 * operand in parentheses, operators spaced, so `x - -1` never becomes a comment), LIKE with a
 * backslash escape written out, and one-argument functions by name. A dialect uses this for
 * the names whose semantics it has checked.
 */
export function standardCall(name: string, args: readonly string[]): string | undefined {
  if (INFIX.has(name) && args.length === 2) return `(${args[0]}) ${name} (${args[1]})`;
  if (name === '-' && args.length === 1) return `- (${args[0]})`;
  const like = LIKE[name];
  if (like && args.length === 2) return `(${args[0]}) ${like} (${args[1]})`;
  if (UNARY_FUNCTIONS.has(name) && args.length === 1) return `${name.toUpperCase()}(${args[0]})`;
  return undefined;
}
