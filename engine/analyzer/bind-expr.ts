/** Binds parser expressions to typed Expr trees against a Scope. */
import { SqlError, SqlState, featureNotSupported, undefinedFunction } from '../errors/index.js';
import { aggregatesNamed, isAggregateName, scalarsNamed, tablesNamed } from '../functions/registry.js';
import type { AggregateCall } from '../plan/plan.js';
import type { Expr } from '../plan/expr.js';
import { type AstNode, positionOf, stringValue, unwrap } from '../parser/ast.js';
import { T, arrayOf, formatType, recordOf, type PgType } from '../types/pg-type.js';
import { coerceTo, commonType, selectCandidate, type ParamTypes } from './coerce.js';
import type { Scope } from './scope.js';
import { resolveTypeName } from './type-names.js';
import { WINDOW_BASE, bindWindowCall, resolveWindowDef, type WindowCollector } from './bind-window.js';
import { groupingPlaceholder, type GroupingCollector } from './grouping-sets.js';

/** Aggregate placeholders are column references at this offset + the aggregate's number. */
export const AGGREGATE_BASE = 1_000_000;
/** References to the enclosing query's columns (correlation) are column references at this offset + the outer index. */
export const OUTER_BASE = 2_000_000;

/** Placeholder columns of one kind (OUTER_BASE, AGGREGATE_BASE, …) take indices base..base+span-1. */
const PLACEHOLDER_SPAN = 1_000_000;
export const isPlaceholder = (index: number, base: number): boolean => index >= base && index < base + PLACEHOLDER_SPAN;

export const isOuterRef = (index: number) => isPlaceholder(index, OUTER_BASE);

/** Binds the subqueries found in an expression (the select binder implements it). */
export interface SubqueryBinder {
  /** (SELECT …) as a value; EXISTS (…) and x IN (…) arrive here rewritten as scalar subqueries. */
  scalar(subselect: AstNode, position?: number): Expr;
}

export interface AggregateCollector {
  readonly calls: AggregateCall[];
  readonly types: PgType[];
}

export interface ExprBinderOptions {
  readonly params: ParamTypes;
  /** Where aggregates may appear (select list, HAVING, ORDER BY); null elsewhere. */
  readonly aggregates: AggregateCollector | null;
  /** What the clause is called, for "aggregate functions are not allowed in …". */
  readonly clause: string;
  /** Columns of the enclosing query, visible to a correlated subquery. */
  readonly outer?: Scope;
  /** Where subqueries in this expression go; null when they are not allowed. */
  readonly subqueries?: SubqueryBinder | null;
  /** Where window function calls may appear (select list, ORDER BY); absent elsewhere. */
  readonly windows?: WindowCollector | null;
  /** Where grouping(…) may appear (with aggregation); absent elsewhere. */
  readonly grouping?: GroupingCollector | null;
  /** Where set-returning functions may appear (the select list); absent elsewhere. */
  readonly setReturning?: SetReturningCollector | null;
}

/** Set-returning calls of a select list are column references at this offset + their number until the ProjectSet node exists. */
export const SET_RETURNING_BASE = 6_000_000;

export interface SetReturningCollector {
  readonly calls: { fn: string; args: Expr[]; record?: boolean }[];
  readonly types: PgType[];
}

/**
 * The registry name a (possibly qualified) function name resolves to: `pg_catalog.f` and `f` are
 * `f`; functions PostgreSQL keeps in information_schema (`_pg_expandarray`) are registered, and
 * only reachable, as `information_schema.f`. Any other schema has no functions.
 */
export function functionName(funcname: readonly AstNode[], position?: number): string {
  const names = funcname.map(stringValue);
  const name = names[names.length - 1]!;
  if (names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog')) return name;
  if (names.length === 2 && names[0] === 'information_schema') return `information_schema.${name}`;
  throw undefinedFunction(`${names.join('.')}()`, position);
}

const BOOL = T.bool;

export class ExprBinder {
  constructor(private readonly scope: Scope, private readonly options: ExprBinderOptions) {}

  bind(node: AstNode): Expr {
    const [kind, body] = unwrap(node);
    switch (kind) {
      case 'ColumnRef':
        return this.columnRef(body);
      case 'A_Const':
        return this.constant(body);
      case 'ParamRef': {
        const index = (body.number as number) - 1;
        return { kind: 'param', index, type: this.options.params.get(index) };
      }
      case 'TypeCast': {
        const to = resolveTypeName(body.typeName as AstNode);
        const arg = body.arg as AstNode;
        // ARRAY[]::t[]: an empty array takes its type from the cast.
        const emptyArray = (arg.A_ArrayExpr as AstNode | undefined) && !((arg.A_ArrayExpr as AstNode).elements as AstNode[] | undefined)?.length;
        if (emptyArray && to.elem) return { kind: 'literal', text: '{}', type: to };
        return this.cast(this.bind(arg), to);
      }
      case 'A_Expr':
        return this.aExpr(body);
      case 'BoolExpr':
        return this.boolExpr(body);
      case 'NullTest': {
        const arg = this.bind(body.arg as AstNode);
        return { kind: 'isnull', arg, negated: body.nulltesttype === 'IS_NOT_NULL', type: BOOL };
      }
      case 'BooleanTest':
        return this.booleanTest(body);
      case 'CaseExpr':
        return this.caseExpr(body);
      case 'CoalesceExpr': {
        const args = (body.args as AstNode[]).map((a) => this.bind(a));
        const type = commonType(args.map((a) => a.type), 'COALESCE');
        return { kind: 'coalesce', args: args.map((a) => coerceTo(a, type, this.options.params)), type };
      }
      case 'FuncCall':
        return this.funcCall(body);
      case 'SQLValueFunction':
        return this.sqlValueFunction(body);
      case 'SubLink':
        return this.subLink(body);
      case 'MinMaxExpr':
        return this.minMax(body);
      case 'GroupingFunc': {
        if (!this.options.grouping) throw new SqlError(SqlState.GROUPING_ERROR, `grouping operations are not allowed in ${this.options.clause}`, { position: positionOf(body) });
        const inner = new ExprBinder(this.scope, { ...this.options, aggregates: null, grouping: null, clause: 'GROUPING' });
        return groupingPlaceholder(this.options.grouping, (body.args as AstNode[]).map((a) => inner.bind(a)));
      }
      case 'A_ArrayExpr':
        return this.arrayConstructor(body);
      case 'A_Indirection':
        return this.subscript(body);
      case 'CollateClause':
        // Text compares bytewise (C collation): COLLATE "default"/"C"/"POSIX" change nothing.
        if (!(body.collname as AstNode[]).map(stringValue).every((n, i, a) => (i === a.length - 1 ? ['default', 'C', 'POSIX'].includes(n) : n === 'pg_catalog'))) {
          throw featureNotSupported(`collation ${(body.collname as AstNode[]).map(stringValue).join('.')}`);
        }
        return this.bind(body.arg as AstNode);
      default:
        throw featureNotSupported(`expression ${kind}`);
    }
  }

  /** Binds and coerces to boolean, as WHERE/ON/HAVING require. */
  bindCondition(node: AstNode): Expr {
    const e = this.bind(node);
    if (e.type.oid === BOOL.oid) return e;
    if (e.type.oid === T.unknown.oid) return coerceTo(e, BOOL, this.options.params);
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of ${this.options.clause} must be type boolean, not type ${e.type.name}`);
  }

  private columnRef(body: AstNode): Expr {
    const fields = body.fields as AstNode[];
    if (fields.some((f) => 'A_Star' in f)) throw new SqlError(SqlState.SYNTAX_ERROR, 'a "*" is not allowed here', { position: positionOf(body) });
    const parts = fields.map(stringValue);
    if (parts.length > 2) {
      // catalog.schema.table.column or schema.table.column: match by the last two parts.
      return this.columnRefParts(parts.slice(-2), body);
    }
    return this.columnRefParts(parts, body);
  }

  private columnRefParts(parts: string[], body: AstNode): Expr {
    const outer = this.options.outer;
    try {
      const index = this.scope.resolve(parts, positionOf(body));
      return { kind: 'column', index, type: this.scope.columns[index]!.type };
    } catch (e) {
      const missing = e instanceof SqlError && (e.code === SqlState.UNDEFINED_COLUMN || e.code === SqlState.UNDEFINED_TABLE);
      if (!outer || !missing) throw e;
      let index: number;
      try {
        index = outer.resolve(parts, positionOf(body));
      } catch {
        throw e;
      }
      return { kind: 'column', index: OUTER_BASE + index, type: outer.columns[index]!.type };
    }
  }

  private subLink(body: AstNode): Expr {
    const position = positionOf(body);
    const subqueries = this.options.subqueries;
    if (!subqueries) throw featureNotSupported(`subqueries in ${this.options.clause}`);
    const subselect = body.subselect as AstNode;
    switch (body.subLinkType) {
      case 'EXPR_SUBLINK':
        return subqueries.scalar(subselect, position);
      case 'ARRAY_SUBLINK': {
        // ARRAY(q) = coalesce((SELECT array_agg(x ORDER BY q's order) FROM q's FROM …), '{}').
        const aggregated = arrayQuery(subselect);
        const empty = { A_Const: { sval: { sval: '{}' } } };
        return this.bind({ CoalesceExpr: { args: [{ SubLink: { subLinkType: 'EXPR_SUBLINK', subselect: aggregated, location: body.location } }, empty] } });
      }
      case 'EXISTS_SUBLINK': {
        const count = subqueries.scalar(countingQuery(subselect, null), position);
        return this.operator('>', [count, { kind: 'literal', text: '0', type: T.int8 }], position);
      }
      case 'ANY_SUBLINK': {
        // x IN (q): true if some row equals x; NULL (not false) if none does but q has NULLs.
        const op = ((body.operName as AstNode[] | undefined) ?? []).map(stringValue).pop() ?? '=';
        if (op !== '=') throw featureNotSupported(`${op} ANY (subquery)`);
        const test = body.testexpr as AstNode;
        if ('RowExpr' in test) throw featureNotSupported('row comparisons with subqueries');
        const matches = subqueries.scalar(countingQuery(subselect, { test, op: '=' }), position);
        const nulls = subqueries.scalar(countingQuery(subselect, { test, op: 'null' }), position);
        const zero: Expr = { kind: 'literal', text: '0', type: T.int8 };
        const t = (v: boolean | null): Expr => ({ kind: 'literal', text: v === null ? null : v ? 't' : 'f', type: BOOL });
        return {
          kind: 'case',
          whens: [
            { when: this.operator('>', [matches, zero], position), then: t(true) },
            { when: this.operator('>', [nulls, zero], position), then: t(null) },
          ],
          otherwise: t(false),
          type: BOOL,
        };
      }
      default:
        throw featureNotSupported(`${String(body.subLinkType).replace('_SUBLINK', '')} subqueries`);
    }
  }

  private arrayConstructor(body: AstNode): Expr {
    const elements = ((body.elements as AstNode[] | undefined) ?? []).map((e) => this.bind(e));
    if (elements.some((e) => e.type.elem)) throw featureNotSupported('multidimensional arrays');
    if (elements.length === 0) throw new SqlError(SqlState.INDETERMINATE_DATATYPE, 'cannot determine type of empty array', { hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].' });
    const elem = commonType(elements.map((e) => e.type), 'ARRAY');
    return { kind: 'array', elements: elements.map((e) => coerceTo(e, elem, this.options.params)), type: arrayOf(elem) };
  }

  private subscript(body: AstNode): Expr {
    let e = this.bind(body.arg as AstNode);
    for (const ind of body.indirection as AstNode[]) {
      if (ind.String) {
        e = this.fieldSelection(e, stringValue(ind), positionOf(body));
        continue;
      }
      const idx = ind.A_Indices as AstNode | undefined;
      if (!idx || idx.is_slice) throw featureNotSupported(idx ? 'array slices' : 'field selection');
      if (!e.type.elem) throw new SqlError(SqlState.DATATYPE_MISMATCH, `cannot subscript type ${e.type.name} because it does not support subscripting`);
      const index = coerceTo(this.bind(idx.uidx as AstNode), T.int4, this.options.params);
      e = { kind: 'subscript', arg: e, index, type: e.type.elem };
    }
    return e;
  }

  /** `(r).name` of a record: its field's datum, read like an array element (the record's datum is the array of fields). */
  private fieldSelection(e: Expr, name: string, position?: number): Expr {
    const index = e.type.fields?.findIndex((f) => f.name === name) ?? -1;
    if (index < 0) {
      throw e.type.fields
        ? new SqlError(SqlState.UNDEFINED_COLUMN, `could not identify column "${name}" in record data type`, { position })
        : new SqlError(SqlState.WRONG_OBJECT_TYPE, `column notation .${name} applied to type ${formatType(e.type)}, which is not a composite type`, { position });
    }
    return { kind: 'subscript', arg: e, index: { kind: 'literal', text: String(index + 1), type: T.int4 }, type: e.type.fields![index]!.type };
  }

  private quantified(op: string, arg: Expr, array: Expr, all: boolean, position?: number): Expr {
    const ops = ['=', '<>', '<', '<=', '>', '>='] as const;
    const which = ops.find((o) => o === (op === '!=' ? '<>' : op));
    if (!which) throw featureNotSupported(`${op} ${all ? 'ALL' : 'ANY'} (array)`);
    let arr = array;
    if (arr.type.oid === T.unknown.oid) arr = coerceTo(arr, arrayOf(arg.type.oid === T.unknown.oid ? T.text : arg.type), this.options.params);
    const elem = arr.type.elem;
    if (!elem) throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `op ${all ? 'ALL' : 'ANY'}/ALL (array) requires array on right side`, { position });
    // Resolve the comparison as for `arg op element`, then compare in the chosen operand type.
    const probe = this.operator(which, [arg, { kind: 'literal', text: null, type: elem }], position) as Expr & { args?: Expr[] };
    const operandType = probe.kind === 'call' ? probe.args![1]!.type : elem;
    const coercedArg = coerceTo(arg, operandType, this.options.params);
    const coercedArray = operandType.oid === elem.oid ? arr : { kind: 'cast' as const, arg: arr, type: arrayOf(operandType) };
    return { kind: 'quantified', op: which, all, arg: coercedArg, array: coercedArray, type: BOOL };
  }

  private minMax(body: AstNode): Expr {
    const args = (body.args as AstNode[]).map((a) => this.bind(a));
    const type = commonType(args.map((a) => a.type), body.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST');
    const coerced = args.map((a) => coerceTo(a, type, this.options.params));
    const op = body.op === 'IS_GREATEST' ? '>' : '<';
    // GREATEST/LEAST ignore NULLs: fold pairwise, keeping the better non-NULL value.
    return coerced.reduce((best, next) => ({
      kind: 'case',
      whens: [
        { when: { kind: 'isnull', arg: best, negated: false, type: BOOL }, then: next },
        { when: { kind: 'isnull', arg: next, negated: false, type: BOOL }, then: best },
        { when: this.operator(op, [next, best]), then: next },
      ],
      otherwise: best,
      type,
    }));
  }

  private constant(body: AstNode): Expr {
    if (body.isnull) return { kind: 'literal', text: null, type: T.unknown };
    if ('ival' in body) return { kind: 'literal', text: String((body.ival as AstNode).ival ?? 0), type: T.int4 };
    if ('fval' in body) {
      const text = (body.fval as AstNode).fval as string;
      if (/^-?\d+$/.test(text)) {
        // As PostgreSQL's make_const: an integer that overflowed the lexer's int4 may still fit
        // once negated (-2147483648), else int8, else numeric.
        const v = BigInt(text);
        if (v >= -(2n ** 31n) && v < 2n ** 31n) return { kind: 'literal', text: String(v), type: T.int4 };
        if (v >= -(2n ** 63n) && v < 2n ** 63n) return { kind: 'literal', text, type: T.int8 };
      }
      return { kind: 'literal', text, type: T.numeric };
    }
    if ('sval' in body) return { kind: 'literal', text: ((body.sval as AstNode).sval as string | undefined) ?? '', type: T.unknown };
    if ('boolval' in body) return { kind: 'literal', text: (body.boolval as AstNode).boolval ? 't' : 'f', type: BOOL };
    if ('bsval' in body) return { kind: 'literal', text: (body.bsval as AstNode).bsval as string, type: T.unknown };
    throw featureNotSupported('this kind of constant');
  }

  cast(arg: Expr, to: PgType): Expr {
    if (arg.kind === 'literal' && arg.type.oid === T.unknown.oid && to.oid === T.interval.oid && to.typmod !== -1) {
      // interval '3' month: a bare number counts in the named field's unit.
      const text = arg.text !== null && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(arg.text) ? `${arg.text} ${intervalFieldUnit(to.typmod >> 16)}` : arg.text;
      return { kind: 'cast', arg: { ...arg, text, type: T.text }, type: T.interval };
    }
    if (arg.kind === 'literal' && arg.type.oid === T.unknown.oid) return { kind: 'cast', arg: { ...arg, type: T.text }, type: to };
    if (arg.kind === 'param' && arg.type.oid === T.unknown.oid) {
      // The parameter takes the base type; a typmod (numeric(10,2), varchar(5)) is applied by a cast.
      const param = coerceTo(arg, { ...to, typmod: -1 }, this.options.params);
      return to.typmod === -1 ? param : { kind: 'cast', arg: param, type: to };
    }
    return { kind: 'cast', arg, type: to };
  }

  private aExpr(body: AstNode): Expr {
    const name = (body.name as AstNode[] | undefined)?.map(stringValue).pop() ?? '';
    const position = positionOf(body);
    const left = body.lexpr ? () => this.bind(body.lexpr as AstNode) : null;
    switch (body.kind) {
      case 'AEXPR_OP':
        if (!left) return this.operator(name, [this.bind(body.rexpr as AstNode)], position);
        return this.operator(name, [left(), this.bind(body.rexpr as AstNode)], position);
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE':
      case 'AEXPR_SIMILAR':
        return this.operator(name, [left!(), this.bind(body.rexpr as AstNode)], position);
      case 'AEXPR_IN': {
        const l = left!();
        const list = (((body.rexpr as AstNode).List as AstNode | undefined)?.items ?? body.rexpr) as AstNode[];
        const items = list.map((n) => this.operator('=', [l, this.bind(n)], position));
        const any: Expr = items.length === 1 ? items[0]! : { kind: 'or', args: items, type: BOOL };
        return name === '<>' ? { kind: 'not', arg: any, type: BOOL } : any;
      }
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN': {
        const l = left!();
        const [lo, hi] = (((body.rexpr as AstNode).List as AstNode | undefined)?.items ?? body.rexpr) as AstNode[];
        const between: Expr = {
          kind: 'and',
          args: [this.operator('>=', [l, this.bind(lo!)], position), this.operator('<=', [l, this.bind(hi!)], position)],
          type: BOOL,
        };
        return body.kind === 'AEXPR_NOT_BETWEEN' ? { kind: 'not', arg: between, type: BOOL } : between;
      }
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL':
        return this.quantified(name, left!(), this.bind(body.rexpr as AstNode), body.kind === 'AEXPR_OP_ALL', position);
      case 'AEXPR_NULLIF': {
        const l = left!();
        const r = this.bind(body.rexpr as AstNode);
        const eq = this.operator('=', [l, r], position);
        return { kind: 'case', whens: [{ when: eq, then: { kind: 'literal', text: null, type: l.type } }], otherwise: l, type: l.type };
      }
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT':
        return this.distinctFrom(left!(), this.bind(body.rexpr as AstNode), body.kind === 'AEXPR_DISTINCT', position);
      default:
        throw featureNotSupported(`operator form ${String(body.kind)}`);
    }
  }

  /** a IS [NOT] DISTINCT FROM b, as CASE over NULL tests and equality. */
  private distinctFrom(l: Expr, r: Expr, distinct: boolean, position?: number): Expr {
    const eq = this.operator('=', [l, r], position);
    const lNull: Expr = { kind: 'isnull', arg: l, negated: false, type: BOOL };
    const rNull: Expr = { kind: 'isnull', arg: r, negated: false, type: BOOL };
    const bothNull: Expr = { kind: 'and', args: [lNull, rNull], type: BOOL };
    const oneNull: Expr = { kind: 'or', args: [lNull, rNull], type: BOOL };
    const t = (v: boolean): Expr => ({ kind: 'literal', text: v ? 't' : 'f', type: BOOL });
    const same: Expr = { kind: 'case', whens: [{ when: bothNull, then: t(true) }, { when: oneNull, then: t(false) }], otherwise: eq, type: BOOL };
    return distinct ? { kind: 'not', arg: same, type: BOOL } : same;
  }

  operator(name: string, args: Expr[], position?: number): Expr {
    const op = name === '!=' ? '<>' : name;
    const candidates = scalarsNamed(op).filter((f) => f.args.length === args.length);
    const argTypes = args.map((a) => (a.type.elem ? a.type : a.type));
    const fn = selectCandidate(op, candidates, argTypes, true);
    if (!fn) {
      const sig = args.map((a) => a.type.name).join(' ' + op + ' ');
      throw new SqlError(SqlState.UNDEFINED_FUNCTION, `operator does not exist: ${args.length === 1 ? op + ' ' + sig : sig}`, {
        position,
        hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    return { kind: 'call', fn: fn.id, args: args.map((a, i) => coerceTo(a, fn.args[i]!, this.options.params)), type: fn.returns };
  }

  private boolExpr(body: AstNode): Expr {
    const args = (body.args as AstNode[]).map((a) => this.bindCondition(a));
    switch (body.boolop) {
      case 'AND_EXPR':
        return { kind: 'and', args, type: BOOL };
      case 'OR_EXPR':
        return { kind: 'or', args, type: BOOL };
      default:
        return { kind: 'not', arg: args[0]!, type: BOOL };
    }
  }

  private booleanTest(body: AstNode): Expr {
    const arg = this.bindCondition(body.arg as AstNode);
    const t = (v: boolean): Expr => ({ kind: 'literal', text: v ? 't' : 'f', type: BOOL });
    const isNull: Expr = { kind: 'isnull', arg, negated: false, type: BOOL };
    const test = body.booltesttype as string;
    const wantTrue = test.includes('TRUE');
    if (test === 'IS_UNKNOWN' || test === 'IS_NOT_UNKNOWN') return { ...isNull, negated: test === 'IS_NOT_UNKNOWN' };
    const matches: Expr = { kind: 'case', whens: [{ when: isNull, then: t(false) }], otherwise: wantTrue ? arg : { kind: 'not', arg, type: BOOL }, type: BOOL };
    return test.startsWith('IS_NOT') ? { kind: 'not', arg: matches, type: BOOL } : matches;
  }

  private caseExpr(body: AstNode): Expr {
    const subject = body.arg ? this.bind(body.arg as AstNode) : null;
    const whens = (body.args as AstNode[]).map((w) => {
      const when = (w.CaseWhen as AstNode);
      const cond = subject ? this.operator('=', [subject, this.bind(when.expr as AstNode)], positionOf(when)) : this.bindCondition(when.expr as AstNode);
      return { when: cond, then: this.bind(when.result as AstNode) };
    });
    const otherwise = body.defresult ? this.bind(body.defresult as AstNode) : null;
    const type = commonType([...whens.map((w) => w.then.type), ...(otherwise ? [otherwise.type] : [])], 'CASE');
    return {
      kind: 'case',
      whens: whens.map((w) => ({ when: w.when, then: coerceTo(w.then, type, this.options.params) })),
      otherwise: otherwise ? coerceTo(otherwise, type, this.options.params) : null,
      type,
    };
  }

  private funcCall(body: AstNode): Expr {
    const position = positionOf(body);
    const name = functionName(body.funcname as AstNode[], position);
    if (body.over) return this.windowCall(name, body, position);
    if (isAggregateName(name)) return this.aggregate(name, body, position);
    const args = ((body.args as AstNode[] | undefined) ?? []).map((a) => this.bind(a));
    const fn = selectCandidate(name, scalarsNamed(name), args.map((a) => a.type), false);
    if (!fn && tablesNamed(name).length > 0) return this.setReturning(name, args, position);
    if (!fn) throw undefinedFunction(`${name}(${args.map((a) => (a.type.oid === T.unknown.oid ? 'unknown' : a.type.name)).join(', ')})`, position);
    const params = args.map((_, i) => fn.args[i] ?? fn.variadic!);
    // An "any" parameter takes the argument as it is (an unknown literal as text).
    const coerced = args.map((a, i) => (params[i]!.oid === T.unknown.oid ? (a.type.oid === T.unknown.oid ? coerceTo(a, T.text, this.options.params) : a) : coerceTo(a, params[i]!, this.options.params)));
    return { kind: 'call', fn: fn.id, args: coerced, type: fn.returns };
  }

  /** A set-returning function in the select list: a placeholder column of the ProjectSet node. */
  private setReturning(name: string, args: Expr[], position?: number): Expr {
    const srfs = this.options.setReturning;
    if (!srfs) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `set-returning functions are not allowed in ${this.options.clause}`, { position });
    const fn = selectCandidate(name, tablesNamed(name), args.map((a) => a.type), false);
    if (!fn) throw undefinedFunction(`${name}(${args.map((a) => a.type.name).join(', ')})`, position);
    const coerced = args.map((a, i) => coerceTo(a, fn.args[i] ?? fn.variadic ?? a.type, this.options.params));
    const columns = fn.columns(coerced.map((a) => a.type));
    // several result columns make one record per row, as in PostgreSQL
    const record = columns.length !== 1;
    const type = record ? recordOf(columns) : columns[0]!.type;
    srfs.calls.push({ fn: fn.id, args: coerced, ...(record ? { record } : {}) });
    srfs.types.push(type);
    return { kind: 'column', index: SET_RETURNING_BASE + srfs.calls.length - 1, type };
  }

  private windowCall(name: string, body: AstNode, position?: number): Expr {
    const windows = this.options.windows;
    if (!windows) throw new SqlError(SqlState.WINDOWING_ERROR, `window functions are not allowed in ${this.options.clause}`, { position });
    const inner = new ExprBinder(this.scope, { ...this.options, windows: null, clause: 'window function calls' });
    const args = ((body.args as AstNode[] | undefined) ?? []).map((a) => inner.bind(a));
    const def = resolveWindowDef(body.over as AstNode, windows.definitions);
    const call = bindWindowCall(name, body, args, def, {
      bind: (n) => inner.bind(n),
      bindSortKeys: (order) => order.map((o) => {
        const sortBy = o.SortBy as AstNode;
        const descending = sortBy.sortby_dir === 'SORTBY_DESC';
        const nulls = sortBy.sortby_nulls as string;
        return { expr: inner.bind(sortBy.node as AstNode), descending, nullsFirst: nulls === 'SORTBY_NULLS_FIRST' || (nulls !== 'SORTBY_NULLS_LAST' && descending) };
      }),
      params: this.options.params,
    });
    windows.calls.push(call);
    return { kind: 'column', index: WINDOW_BASE + windows.calls.length - 1, type: call.type };
  }

  private aggregate(name: string, body: AstNode, position?: number): Expr {
    const collector = this.options.aggregates;
    if (!collector) {
      throw new SqlError(SqlState.GROUPING_ERROR, `aggregate functions are not allowed in ${this.options.clause}`, { position });
    }
    const inner = new ExprBinder(this.scope, { ...this.options, aggregates: null, clause: 'aggregate function calls' });
    const args = body.agg_star ? [] : ((body.args as AstNode[] | undefined) ?? []).map((a) => inner.bind(a));
    const orderBy = ((body.agg_order as AstNode[] | undefined) ?? []).map((o) => {
      const sortBy = o.SortBy as AstNode;
      const descending = sortBy.sortby_dir === 'SORTBY_DESC';
      const nulls = sortBy.sortby_nulls as string;
      return { expr: inner.bind(sortBy.node as AstNode), descending, nullsFirst: nulls === 'SORTBY_NULLS_FIRST' || (nulls !== 'SORTBY_NULLS_LAST' && descending) };
    });
    const withinGroup = body.agg_within_group === true;
    const filter = body.agg_filter ? inner.bindCondition(body.agg_filter as AstNode) : null;
    let call: AggregateCall;
    let returns: PgType;
    if (withinGroup) {
      // Ordered-set aggregate: direct arguments, then the WITHIN GROUP keys.
      const all = [...args, ...orderBy.map((k) => k.expr)];
      const candidates = aggregatesNamed(name).filter((a) => a.directArgCount === args.length && a.args.length === all.length);
      const fn = selectCandidate(name, candidates, all.map((a) => a.type), false);
      if (!fn) throw undefinedFunction(`${name}(${args.map((a) => a.type.name).join(', ')}) WITHIN GROUP (ORDER BY ${orderBy.map((k) => k.expr.type.name).join(', ')})`, position);
      const coerced = all.map((a, i) => (fn.args[i]!.oid === T.unknown.oid ? a : coerceTo(a, fn.args[i]!, this.options.params)));
      const keys = orderBy.map((k, i) => ({ ...k, expr: coerced[args.length + i]! }));
      call = { fn: fn.id, args: coerced, distinct: false, filter, orderBy: keys, orderedSet: true };
      returns = fn.returns.oid === T.unknown.oid ? keys[0]!.expr.type : fn.returns;
    } else {
      const candidates = aggregatesNamed(name).filter((a) => a.args.length === args.length && !a.directArgCount);
      const any = candidates.find((a) => a.args.length === 1 && a.args[0]!.oid === T.unknown.oid);
      const fn = any ?? selectCandidate(name, candidates, args.map((a) => a.type), false);
      if (!fn) throw undefinedFunction(`${name}(${args.map((a) => a.type.name).join(', ')})`, position);
      const coerced = any ? args : args.map((a, i) => coerceTo(a, fn.args[i]!, this.options.params));
      returns = (name === 'min' || name === 'max') && coerced[0] ? coerced[0].type : fn.returns;
      call = orderBy.length
        ? { fn: fn.id, args: [...coerced, ...orderBy.map((k) => k.expr)], distinct: body.agg_distinct === true, filter, orderBy }
        : { fn: fn.id, args: coerced, distinct: body.agg_distinct === true, filter };
    }
    collector.calls.push(call);
    collector.types.push(returns);
    return { kind: 'column', index: AGGREGATE_BASE + collector.calls.length - 1, type: returns };
  }

  private sqlValueFunction(body: AstNode): Expr {
    const op = String(body.op).replace(/^SVFOP_/, '').toLowerCase().replace(/_n$/, '');
    const names = ['current_user', 'session_user', 'user', 'current_role', 'current_catalog', 'current_schema', 'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp'];
    const fnName = names.includes(op) ? op : undefined;
    if (!fnName) throw featureNotSupported(op.toUpperCase());
    const fn = scalarsNamed(fnName)[0]!;
    return { kind: 'call', fn: fn.id, args: [], type: fn.returns };
  }
}

/**
 * `SELECT count(*) FROM (subselect) WHERE …`-shaped AST used to express EXISTS and IN as
 * scalar subqueries: with `membership`, counts the rows equal to the test value (op '=') or
 * the rows whose value is NULL (op 'null').
 */
function countingQuery(subselect: AstNode, membership: { test: AstNode; op: '=' | 'null' } | null): AstNode {
  const count = { FuncCall: { funcname: [{ String: { sval: 'count' } }], agg_star: true, funcformat: 'COERCE_EXPLICIT_CALL' } };
  const select = subselect.SelectStmt as AstNode;
  const simple = !membership && !select.groupClause && !select.havingClause && !select.limitCount && !select.distinctClause && (!select.op || select.op === 'SETOP_NONE') && select.fromClause;
  if (simple) {
    // Keep the subquery's FROM and WHERE so a correlated predicate stays visible to decorrelation.
    return { SelectStmt: { ...select, targetList: [{ ResTarget: { val: count } }], sortClause: undefined } };
  }
  const column = { ColumnRef: { fields: [{ String: { sval: '_sub' } }, { String: { sval: 'v' } }] } };
  const where = membership
    ? membership.op === '='
      ? { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: column, rexpr: membership.test } }
      : { NullTest: { arg: column, nulltesttype: 'IS_NULL' } }
    : undefined;
  return {
    SelectStmt: {
      targetList: [{ ResTarget: { val: count } }],
      fromClause: [{ RangeSubselect: { subquery: subselect, alias: { aliasname: '_sub', colnames: [{ String: { sval: 'v' } }] } } }],
      whereClause: where,
      limitOption: 'LIMIT_OPTION_DEFAULT',
      op: 'SETOP_NONE',
    },
  };
}

/** The unit of the smallest field in an INTERVAL field mask (PostgreSQL's INTERVAL_MASK bits). */
function intervalFieldUnit(mask: number): string {
  const units: [number, string][] = [[1 << 12, 'seconds'], [1 << 11, 'minutes'], [1 << 10, 'hours'], [1 << 3, 'days'], [1 << 1, 'months'], [1 << 2, 'years']];
  return units.find(([bit]) => mask & bit)?.[1] ?? 'seconds';
}

/** ARRAY(SELECT x FROM … ORDER BY …) as SELECT array_agg(x ORDER BY …) FROM …, for simple queries. */
function arrayQuery(subselect: AstNode): AstNode {
  const q = subselect.SelectStmt as AstNode | undefined;
  const targets = q?.targetList as AstNode[] | undefined;
  if (!q || !targets || targets.length !== 1 || q.op !== 'SETOP_NONE' || q.limitCount || q.limitOffset || q.groupClause || q.distinctClause || q.valuesLists) {
    throw featureNotSupported('this form of ARRAY subquery');
  }
  const value = (targets[0]!.ResTarget as AstNode).val as AstNode;
  const order = ((q.sortClause as AstNode[] | undefined) ?? []).map((s) => {
    const by = s.SortBy as AstNode;
    const node = by.node as AstNode;
    const ordinal = (node.A_Const as AstNode | undefined)?.ival as AstNode | undefined;
    return ordinal && (ordinal.ival ?? 0) === 1 ? { SortBy: { ...by, node: value } } : s;
  });
  const agg = { FuncCall: { funcname: [{ String: { sval: 'array_agg' } }], args: [value], ...(order.length ? { agg_order: order } : {}), funcformat: 'COERCE_EXPLICIT_CALL' } };
  const { sortClause: _sort, ...rest } = q;
  return { SelectStmt: { ...rest, targetList: [{ ResTarget: { val: agg } }] } };
}
