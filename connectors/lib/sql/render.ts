/**
 * Turns a SqlNode (and an engine constraint) into one SELECT statement in a dialect. Values
 * are never spliced into the text: every constant becomes a placeholder with a bound value,
 * identifiers are quoted by the dialect, and LIMIT counts are validated integers.
 *
 * A node compiles to a `Select` (FROM text, column expressions, WHERE, GROUP BY, ORDER BY,
 * LIMIT); a node that cannot extend the Select below it (a filter over a LIMIT, a join) wraps
 * that Select as a subquery whose columns are aliased c0, c1, …
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import type { ConnectorExpression, PgType } from '../../spi/index.js';
import type { SqlDialect } from './dialect.js';
import { type SqlNode, nodeTypes } from './nodes.js';

interface Select {
  readonly from: string;
  readonly columns: readonly string[];
  readonly types: readonly PgType[];
  readonly where: readonly string[];
  /** Non-null when aggregated (an empty list: one group of all rows). */
  readonly groupBy: readonly string[] | null;
  readonly orderBy: readonly string[];
  readonly limit: number | null;
}

/** Placeholder values by marker; markers become the dialect's placeholders in text order. */
export class Binder {
  private readonly values: unknown[] = [];
  private aliases = 0;
  constructor(readonly dialect: SqlDialect) {}
  /** A marker for a value; only markers that end up in the statement are bound. */
  bind(value: unknown): string {
    this.values.push(value);
    return `\u0000${this.values.length - 1}\u0000`;
  }
  /** A marker for a constant, with the dialect's SQL around it (or its literal when `inline`); undefined when declined. */
  constant(text: string, type: PgType, inline = false): string | undefined {
    const literal = inline ? this.dialect.literal?.(text, type) : undefined;
    if (literal !== undefined) return literal;
    const marker = `\u0000${this.values.length}\u0000`;
    const c = this.dialect.constant(text, type, marker);
    if (c === undefined) return undefined;
    this.values.push(c.value);
    return c.sql;
  }
  alias(): string {
    return this.dialect.quoteIdentifier(`t${++this.aliases}`);
  }
  /** The statement text with numbered placeholders, and the values in placeholder order. */
  finish(text: string): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    const sql = text.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => {
      params.push(this.values[Number(i)]);
      return this.dialect.placeholder(params.length);
    });
    return { sql, params };
  }
}

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const isText = (t: PgType) => t.category === 'S';
const LIKE_OPERATORS = new Set(['~~', '!~~', '~~*', '!~~*']);

/** A LIKE pattern constant ending in an unpaired backslash: PostgreSQL raises 22025, other sources match it literally. */
const danglingEscape = (pattern: ConnectorExpression | undefined): boolean =>
  pattern?.kind === 'constant' && pattern.text !== null && /(^|[^\\])(\\\\)*\\$/.test(pattern.text);

/** Renders an expression over columns whose SQL is `columns`; undefined when any part is declined. */
export function renderExpression(e: ConnectorExpression, columns: readonly string[], b: Binder): string | undefined {
  const d = b.dialect;
  const r = (x: ConnectorExpression) => renderExpression(x, columns, b);
  switch (e.kind) {
    case 'column':
      return columns[e.column];
    case 'constant':
      return e.text === null ? 'NULL' : b.constant(e.text, e.type, e.inline === true);
    case 'cast': {
      const arg = r(e.arg);
      return arg === undefined ? undefined : d.cast(arg, e.arg.type, e.type);
    }
    case 'call': {
      const args: string[] = [];
      for (const a of e.args) {
        const s = r(a);
        if (s === undefined) return undefined;
        args.push(s);
      }
      switch (e.name) {
        case 'and':
        case 'or':
          return args.length === 0 ? undefined : args.map((a) => `(${a})`).join(` ${e.name.toUpperCase()} `);
        case 'not':
          return `NOT (${args[0]})`;
        case 'is_null':
          return `(${args[0]}) IS NULL`;
        case 'is_not_null':
          return `(${args[0]}) IS NOT NULL`;
        case 'in': {
          if (args.length < 2 || !e.args.every((a) => d.comparable(a.type))) return undefined;
          const text = isText(e.args[0]!.type);
          const [value, ...list] = text ? args.map((a) => d.binaryText(a)) : args;
          return `(${value}) IN (${list.join(', ')})`;
        }
      }
      if (LIKE_OPERATORS.has(e.name) && danglingEscape(e.args[1])) return undefined;
      if (COMPARISONS.has(e.name) && args.length === 2) {
        const [a, c] = e.args as [ConnectorExpression, ConnectorExpression];
        if (!d.comparable(a.type) || !d.comparable(c.type)) return undefined;
        const [x, y] = isText(a.type) || isText(c.type) ? args.map((s) => d.binaryText(s)) : args;
        return `(${x}) ${e.name} (${y})`;
      }
      return d.call(e.name, args, e.args.map((a) => a.type), e.type);
    }
  }
}

function compile(node: SqlNode, b: Binder): Select | undefined {
  const d = b.dialect;
  const q = (n: string) => d.quoteIdentifier(n);
  switch (node.kind) {
    case 'table':
      return plain(`${q(node.schema)}.${q(node.table)}`, node.columns.map((c) => q(c.name)), node.columns.map((c) => c.type));
    case 'native': {
      const alias = b.alias();
      // the line break ends a trailing line comment in the native text before the parenthesis
      return plain(`(${node.sql}\n) ${alias}`, node.columns.map((c) => `${alias}.${q(c.name)}`), node.columns.map((c) => c.type));
    }
    case 'filter': {
      const input = compile(node.input, b);
      if (!input) return undefined;
      const s = closed(input) ? wrap(input, b) : input;
      const where: string[] = [];
      for (const c of node.conjuncts) {
        const w = renderExpression(c, s.columns, b);
        if (w === undefined) return undefined;
        where.push(w);
      }
      return { ...s, where: [...s.where, ...where] };
    }
    case 'aggregate': {
      const input = compile(node.input, b);
      if (!input) return undefined;
      const s = closed(input) ? wrap(input, b) : input;
      const keys: string[] = [];
      for (const i of node.groupBy) {
        const t = s.types[i]!;
        if (!d.comparable(t)) return undefined;
        keys.push(isText(t) ? d.binaryText(s.columns[i]!) : s.columns[i]!);
      }
      const aggregates: string[] = [];
      for (const a of node.aggregates) {
        const args: string[] = [];
        for (const x of a.args) {
          const arg = renderExpression(x, s.columns, b);
          if (arg === undefined) return undefined;
          args.push(arg);
        }
        const sql = d.aggregate(a.name, args, a.args.map((x) => x.type), a.distinct, a.type);
        if (sql === undefined) return undefined;
        aggregates.push(sql);
      }
      return {
        from: s.from, where: s.where, orderBy: [], limit: null,
        columns: [...keys, ...aggregates], types: nodeTypes(node), groupBy: keys,
      };
    }
    case 'topn': {
      const input = compile(node.input, b);
      if (!input) return undefined;
      const s = input.limit !== null ? wrap(input, b) : input;
      const orderBy: string[] = [];
      for (const k of node.keys) {
        const t = s.types[k.column]!;
        if (!d.comparable(t)) return undefined;
        const col = s.columns[k.column]!;
        orderBy.push(d.sortKey(isText(t) ? d.binaryText(col) : col, k.descending, k.nullsFirst));
      }
      return { ...s, orderBy, limit: node.count };
    }
    case 'limit': {
      const s = compile(node.input, b);
      if (!s) return undefined;
      return { ...s, limit: s.limit === null ? node.count : Math.min(s.limit, node.count) };
    }
    case 'join': {
      if (node.joinType === 'full' && d.fullJoin !== true) return undefined;
      const left = compile(node.left, b);
      const right = compile(node.right, b);
      if (!left || !right) return undefined;
      const l = wrap(left, b);
      const r = wrap(right, b);
      const columns = [...l.columns, ...r.columns];
      const on = renderExpression(node.condition, columns, b);
      if (on === undefined) return undefined;
      const join = { inner: 'JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL JOIN' }[node.joinType];
      return plain(`${l.from} ${join} ${r.from} ON ${on}`, columns, [...l.types, ...r.types]);
    }
  }
}

/** A Select whose rows are grouped or limited: a further WHERE must go around it. */
const closed = (s: Select): boolean => s.groupBy !== null || s.limit !== null;

const plain = (from: string, columns: readonly string[], types: readonly PgType[]): Select =>
  ({ from, columns, types, where: [], groupBy: null, orderBy: [], limit: null });

/** The Select as a subquery in FROM, its columns aliased c0, c1, … */
function wrap(s: Select, b: Binder): Select {
  const alias = b.alias();
  const names = s.columns.map((_c, i) => b.dialect.quoteIdentifier(`c${i}`));
  const text = selectText(s, s.columns.map((c, i) => `${c} AS ${names[i]}`));
  return plain(`(${text}) ${alias}`, names.map((n) => `${alias}.${n}`), s.types);
}

function selectText(s: Select, list: readonly string[]): string {
  let text = `SELECT ${list.length > 0 ? list.join(', ') : '1'} FROM ${s.from}`;
  if (s.where.length > 0) text += ` WHERE ${s.where.map((w) => `(${w})`).join(' AND ')}`;
  if (s.groupBy !== null && s.groupBy.length > 0) text += ` GROUP BY ${s.groupBy.join(', ')}`;
  if (s.orderBy.length > 0) text += ` ORDER BY ${s.orderBy.join(', ')}`;
  if (s.limit !== null) {
    if (!Number.isSafeInteger(s.limit) || s.limit < 0) throw new SqlError(SqlState.INTERNAL_ERROR, `invalid LIMIT ${s.limit}`);
    text += ` LIMIT ${s.limit}`;
  }
  return text;
}

export interface StatementOptions {
  /** More conditions over the node's output columns (the engine's runtime constraint). */
  readonly conjuncts?: readonly ConnectorExpression[];
  /** SQL over the base table's columns restricting it to one split (splittable nodes only). */
  readonly splitCondition?: (bind: (value: unknown) => string) => string;
}

/**
 * The SELECT of `columns` (indices of the node's output) from `node`; runtime conjuncts the
 * dialect declines are left out (the engine applies every filter again). Undefined when the
 * node itself cannot be rendered.
 */
export function renderStatement(dialect: SqlDialect, node: SqlNode, columns: readonly number[], options: StatementOptions = {}): { sql: string; params: unknown[] } | undefined {
  const b = new Binder(dialect);
  let s = compile(node, b);
  if (!s) return undefined;
  if (options.splitCondition) {
    if (closed(s)) throw new SqlError(SqlState.INTERNAL_ERROR, 'a split condition needs a splittable table');
    s = { ...s, where: [...s.where, options.splitCondition((v) => b.bind(v))] };
  }
  const conjuncts = options.conjuncts ?? [];
  if (conjuncts.length > 0 && closed(s)) s = wrap(s, b);
  const outputs = s.columns;
  const where = conjuncts.map((c) => renderExpression(c, outputs, b)).filter((w): w is string => w !== undefined);
  s = { ...s, where: [...s.where, ...where] };
  return b.finish(selectText(s, columns.map((i) => s!.columns[i]!)));
}

/** Whether the dialect can render `e` over the node's output columns. */
export function canRender(dialect: SqlDialect, node: SqlNode, e: ConnectorExpression): boolean {
  const b = new Binder(dialect);
  const s = compile(node, b);
  return s !== undefined && renderExpression(e, s.columns, b) !== undefined;
}
