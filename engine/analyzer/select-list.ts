/** Select-list expansion, output column names, GROUP BY and ORDER BY items. */
import { SqlError, SqlState, featureNotSupported } from '../errors/index.js';
import { type AstNode, intConst, positionOf, stringValue, unwrap } from '../parser/ast.js';
import { type Expr, mapChildren, sameExpr } from '../plan/expr.js';
import { T } from '../types/pg-type.js';
import { AGGREGATE_BASE, type ExprBinder } from './bind-expr.js';
import { WINDOW_BASE } from './bind-window.js';
import { coerceTo } from './coerce.js';
import type { Scope, ScopeColumn } from './scope.js';

export interface Target {
  expr: Expr;
  name: string;
  tableOid: number;
  columnNumber: number;
}

export function expandTargets(binder: ExprBinder, scope: Scope, list: AstNode[]): Target[] {
  const out: Target[] = [];
  for (const item of list) {
    const res = item.ResTarget as AstNode;
    const val = res.val as AstNode;
    const colRef = val.ColumnRef as AstNode | undefined;
    const fields = colRef?.fields as AstNode[] | undefined;
    if (fields && 'A_Star' in fields[fields.length - 1]!) {
      const qualifier = fields.length > 1 ? stringValue(fields[fields.length - 2]!) : null;
      for (const i of scope.star(qualifier, positionOf(colRef!))) out.push(columnTarget(scope.columns[i]!, i));
      continue;
    }
    let expr = binder.bind(val);
    if (expr.type.oid === T.unknown.oid) expr = coerceTo(expr, T.text);
    const source = expr.kind === 'column' && expr.index < scope.columns.length ? scope.columns[expr.index] : undefined;
    out.push({
      expr,
      name: (res.name as string | undefined) ?? figureColumnName(val),
      tableOid: source?.tableOid ?? 0,
      columnNumber: source?.columnNumber ?? 0,
    });
  }
  return out;
}

const columnTarget = (c: ScopeColumn, index: number): Target => ({
  expr: { kind: 'column', index, type: c.type },
  name: c.name,
  tableOid: c.tableOid ?? 0,
  columnNumber: c.columnNumber ?? 0,
});

/** PostgreSQL's FigureColname: the output name of an unaliased select-list expression. */
export function figureColumnName(node: AstNode): string {
  return figure(node) ?? '?column?';
}

function figure(node: AstNode): string | undefined {
  const [kind, body] = unwrap(node);
  switch (kind) {
    case 'ColumnRef': {
      const fields = body.fields as AstNode[];
      const last = fields[fields.length - 1]!;
      return 'String' in last ? stringValue(last) : undefined;
    }
    case 'FuncCall':
      return stringValue((body.funcname as AstNode[]).at(-1)!);
    case 'TypeCast':
      return figure(body.arg as AstNode) ?? stringValue(((body.typeName as AstNode).names as AstNode[]).at(-1)!);
    case 'CaseExpr':
      return body.defresult ? (figure(body.defresult as AstNode) ?? 'case') : 'case';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'MinMaxExpr':
      return body.op === 'IS_GREATEST' ? 'greatest' : 'least';
    case 'SQLValueFunction':
      return String(body.op).replace(/^SVFOP_/, '').toLowerCase().replace(/_n$/, '');
    case 'A_Expr':
      return body.kind === 'AEXPR_NULLIF' ? 'nullif' : undefined;
    case 'SubLink':
      return body.subLinkType === 'EXISTS_SUBLINK' ? 'exists' : body.subLinkType === 'EXPR_SUBLINK' ? figureSubselect(body.subselect as AstNode) : undefined;
    case 'A_ArrayExpr':
      return 'array';
    case 'A_Indirection':
      return figure(body.arg as AstNode);
    default:
      return undefined;
  }
}

function figureSubselect(subselect: AstNode): string | undefined {
  const first = ((subselect.SelectStmt as AstNode).targetList as AstNode[] | undefined)?.[0];
  if (!first) return undefined;
  const res = first.ResTarget as AstNode;
  return (res.name as string | undefined) ?? figure(res.val as AstNode);
}

export function targetByOrdinal(targets: Target[], n: number, clause: string, position?: number): Target {
  const t = targets[n - 1];
  if (!t) throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `${clause} position ${n} is not in select list`, { position });
  if (t.expr.kind === 'column' && t.expr.index >= AGGREGATE_BASE && clause === 'GROUP BY') {
    throw new SqlError(SqlState.GROUPING_ERROR, 'aggregate functions are not allowed in GROUP BY', { position });
  }
  return t;
}

/** The select-list entry a bare column name refers to by its output name, if any. */
export function outputAlias(node: AstNode, targets: Target[], clause: string): Target | undefined {
  const fields = (node.ColumnRef as AstNode | undefined)?.fields as AstNode[] | undefined;
  if (!fields || fields.length !== 1 || !('String' in fields[0]!)) return undefined;
  const name = stringValue(fields[0]!);
  const matches = targets.filter((t) => t.name === name);
  if (matches.length > 1 && !matches.every((m) => sameExpr(m.expr, matches[0]!.expr))) {
    throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `${clause} "${name}" is ambiguous`, { position: positionOf(node.ColumnRef as AstNode) });
  }
  return matches[0];
}

/** A GROUP BY item: an ordinal, an input expression, or (failing that) an output column name. */
export function bindGroupItem(binder: ExprBinder, targets: Target[], node: AstNode): Expr {
  const [kind, body] = unwrap(node);
  if (kind === 'A_Const' && 'ival' in body) return targetByOrdinal(targets, intConst(node), 'GROUP BY', positionOf(body)).expr;
  if (kind === 'GroupingSet') throw featureNotSupported('GROUPING SETS, ROLLUP and CUBE');
  try {
    return binder.bind(node);
  } catch (e) {
    const alias = outputAlias(node, targets, 'GROUP BY');
    if (e instanceof SqlError && e.code === SqlState.UNDEFINED_COLUMN && alias) return alias.expr;
    throw e;
  }
}

export interface OrderItem {
  targetIndex?: number;
  expr?: Expr;
  descending: boolean;
  nullsFirst: boolean;
  position?: number;
}

/** ORDER BY items: output ordinals, output names, or expressions over the input. */
export function bindOrderItems(binder: ExprBinder, targets: Target[], list: AstNode[]): OrderItem[] {
  return list.map((item) => {
    const sortBy = item.SortBy as AstNode;
    const node = sortBy.node as AstNode;
    const descending = sortBy.sortby_dir === 'SORTBY_DESC';
    const nulls = sortBy.sortby_nulls as string;
    const nullsFirst = nulls === 'SORTBY_NULLS_FIRST' || (nulls !== 'SORTBY_NULLS_LAST' && descending);
    if (sortBy.useOp) throw featureNotSupported('ORDER BY … USING');
    const [kind, body] = unwrap(node);
    const position = positionOf(body);
    if (kind === 'A_Const' && 'ival' in body) {
      const t = targetByOrdinal(targets, intConst(node), 'ORDER BY', position);
      return { targetIndex: targets.indexOf(t), descending, nullsFirst, position };
    }
    const alias = outputAlias(node, targets, 'ORDER BY');
    if (alias) return { targetIndex: targets.indexOf(alias), descending, nullsFirst, position };
    return { expr: binder.bind(node), descending, nullsFirst, position };
  });
}

/** Rewrites an expression over FROM columns into one over the aggregate's output. */
export function toAggregateOutput(e: Expr, keys: readonly Expr[], scope: Scope): Expr {
  const k = keys.findIndex((key) => sameExpr(key, e));
  if (k >= 0) return { kind: 'column', index: k, type: e.type };
  if (e.kind === 'column') {
    if (e.index >= WINDOW_BASE) return e;
    if (e.index >= AGGREGATE_BASE) return { ...e, index: keys.length + e.index - AGGREGATE_BASE };
    const c = scope.columns[e.index];
    const name = c ? (c.qualifier ? `${c.qualifier}.${c.name}` : c.name) : `#${e.index}`;
    throw new SqlError(SqlState.GROUPING_ERROR, `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`);
  }
  return mapChildren(e, (x) => toAggregateOutput(x, keys, scope));
}
