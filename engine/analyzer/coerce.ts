/**
 * Implicit coercion and overload resolution, following PostgreSQL's rules closely enough that
 * the chosen operator and result type match: unknown literals take the type they are compared
 * with, numeric types promote along int2 → int4 → int8 → numeric → float4 → float8, string
 * types meet at text, date/time types at the wider one.
 */
import { SqlError, SqlState } from '../errors/index.js';
import type { Expr } from '../plan/expr.js';
import { commonType as resolveCommonType } from '../types/cast.js';
import { T, sameType, type PgType } from '../types/pg-type.js';

const numericRank: Record<string, number> = { int2: 0, int4: 1, int8: 2, numeric: 3, float4: 4, float8: 5 };
const stringRank: Record<string, number> = { char: 0, name: 0, bpchar: 0, varchar: 0, text: 1 };
const datetimeRank: Record<string, number> = { date: 0, timestamp: 1, timestamptz: 2 };

/**
 * Cost of implicitly converting `from` to `to`: 0 for the same type, a small positive number
 * for an allowed implicit cast (farther → larger), null when not allowed.
 */
export function implicitCost(from: PgType, to: PgType): number | null {
  if (sameType(from, to)) return 0;
  if (from.oid === T.unknown.oid) return to.category === 'S' ? 1 : 2;
  for (const ranks of [numericRank, stringRank, datetimeRank]) {
    const a = ranks[from.name];
    const b = ranks[to.name];
    if (a !== undefined && b !== undefined) return b > a ? b - a : b === a && ranks === stringRank ? 1 : null;
  }
  if (to.oid === T.text.oid && (from.oid === T.json.oid)) return null;
  if (from.oid === T.oid.oid && (to.name === 'int8' || to.name === 'numeric' || to.name === 'float8')) return 3;
  if ((from.name === 'int2' || from.name === 'int4' || from.name === 'int8') && ['oid', 'regclass', 'regtype', 'regproc'].includes(to.name)) return 4;
  // oid and the reg* types are binary coercible both ways (pg_partition_ancestors(pg_trigger.tgrelid))
  if ([from.name, to.name].includes('oid') && ['oid', 'regclass', 'regtype', 'regproc'].includes(from.name) && ['oid', 'regclass', 'regtype', 'regproc'].includes(to.name)) return 1;
  return null;
}

/** Wraps `e` so it has type `to`; unknown literals and parameters are retyped in place. */
export function coerceTo(e: Expr, to: PgType, params?: ParamTypes): Expr {
  if (sameType(e.type, to) && e.type.typmod === to.typmod) return e;
  if (e.kind === 'literal' && e.type.oid === T.unknown.oid) return { ...e, type: to };
  if (e.kind === 'param' && e.type.oid === T.unknown.oid && params) {
    params.assign(e.index, to);
    return { ...e, type: to };
  }
  if (sameType(e.type, to) && to.typmod === -1) return e;
  return { kind: 'cast', arg: e, type: to };
}

/** Parameter types of a statement being bound: given by the client, or inferred from use. */
export class ParamTypes {
  private readonly types: PgType[];
  constructor(given: readonly PgType[]) {
    this.types = [...given];
  }
  /** The type of $index+1 so far; also records that the parameter is used. */
  get(index: number): PgType {
    while (this.types.length <= index) this.types.push(T.unknown);
    return this.types[index]!;
  }
  assign(index: number, type: PgType): void {
    while (this.types.length <= index) this.types.push(T.unknown);
    if (this.types[index]!.oid === T.unknown.oid) this.types[index] = { ...type, typmod: -1 };
  }
  /** Final types: anything never inferred is text, as in PostgreSQL. */
  resolved(count: number): PgType[] {
    const out: PgType[] = [];
    for (let i = 0; i < Math.max(count, this.types.length); i++) {
      const t = this.types[i] ?? T.unknown;
      out.push(t.oid === T.unknown.oid ? T.text : t);
    }
    return out;
  }
}

/** The preferred type of each type category (pg_type.typispreferred). */
const PREFERRED = new Set(['float8', 'text', 'timestamptz', 'interval', 'bool', 'oid']);

const compareScores = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]! ? 1 : -1;
  return 0;
};

export interface Candidate {
  readonly args: readonly PgType[];
  readonly variadic?: PgType;
}

/**
 * Picks the candidate whose parameter types the arguments convert to most cheaply.
 * For binary operators with one unknown argument, the unknown side takes the other side's type
 * first (PostgreSQL's rule). Throws 42725 when two candidates tie.
 */
export function selectCandidate<C extends Candidate>(name: string, candidates: readonly C[], argTypes: readonly PgType[], isOperator: boolean): C | undefined {
  const unknown = T.unknown.oid;
  if (isOperator && argTypes.length === 2) {
    const [l, r] = argTypes as [PgType, PgType];
    const known = l.oid === unknown ? r : r.oid === unknown ? l : null;
    if (known && known.oid !== unknown) {
      const exact = candidates.find((c) => c.args.length === 2 && sameType(c.args[0]!, known) && sameType(c.args[1]!, known));
      if (exact) return exact;
    }
  }
  // PostgreSQL's rules, in order: the most exact matches, then the most preferred types where a
  // conversion is needed (float8, text, timestamptz, interval), then the cheapest conversions.
  let best: C[] = [];
  let bestScore: [number, number, number] | null = null;
  for (const { c, params } of preferStringsForUnknowns(candidates, argTypes)) {
    let exact = 0;
    let preferred = 0;
    let cost = 0;
    for (let i = 0; i < argTypes.length && cost !== Infinity; i++) {
      const p = params[i]!;
      const a = argTypes[i]!;
      if (p.oid === unknown) continue;
      const k = implicitCost(a, p);
      if (k === null) cost = Infinity;
      else if (k === 0 && a.oid !== unknown) exact++;
      else {
        cost += k;
        if (PREFERRED.has(p.name)) preferred++;
      }
    }
    if (cost === Infinity) continue;
    const score: [number, number, number] = [exact, preferred, -cost];
    const cmp = bestScore === null ? 1 : compareScores(score, bestScore);
    if (cmp > 0) {
      bestScore = score;
      best = [c];
    } else if (cmp === 0) best.push(c);
  }
  if (best.length > 1) {
    const preferred = best.filter((c) => c.args.every((a) => a.oid === T.text.oid || a.oid === T.float8.oid || a.oid === T.timestamptz.oid || a.oid === T.unknown.oid));
    if (preferred.length === 1) return preferred[0];
    throw new SqlError(SqlState.AMBIGUOUS_FUNCTION, `${isOperator ? 'operator' : 'function'} ${name}(${argTypes.map((t) => t.name).join(', ')}) is not unique`, {
      hint: `Could not choose a best candidate ${isOperator ? 'operator' : 'function'}. You might need to add explicit type casts.`,
    });
  }
  return best[0];
}

/**
 * The candidates the arguments can convert to. Where an argument is an unknown literal and some
 * of them take a string type there, only those stay (PostgreSQL assumes an unknown literal is a
 * string): `varchar || 'x'` is text concatenation, not an array append.
 */
function preferStringsForUnknowns<C extends Candidate>(candidates: readonly C[], argTypes: readonly PgType[]): { c: C; params: readonly PgType[] }[] {
  let viable = candidates.flatMap((c) => {
    const params = expandParams(c, argTypes.length);
    return params && params.every((p, i) => p.oid === T.unknown.oid || implicitCost(argTypes[i]!, p) !== null) ? [{ c, params }] : [];
  });
  argTypes.forEach((a, i) => {
    if (a.oid !== T.unknown.oid) return;
    const isString = (p: PgType) => p.category === 'S' && !p.elem;
    if (viable.some((v) => isString(v.params[i]!))) viable = viable.filter((v) => isString(v.params[i]!) || v.params[i]!.oid === T.unknown.oid);
  });
  return viable;
}

function expandParams(c: Candidate, count: number): readonly PgType[] | null {
  if (c.args.length === count) return c.args;
  if (c.variadic && count >= c.args.length) return [...c.args, ...Array<PgType>(count - c.args.length).fill(c.variadic)];
  return null;
}

/** PostgreSQL's select_common_type for CASE, COALESCE, VALUES and UNION columns; 42804 when none. */
export function commonType(types: readonly PgType[], context: string): PgType {
  const result = resolveCommonType(types);
  if (result) return result;
  const names = [...new Set(types.filter((t) => t.oid !== T.unknown.oid).map((t) => t.name))];
  throw new SqlError(SqlState.DATATYPE_MISMATCH, `${context} types ${names[0]} and ${names[1] ?? names[0]} cannot be matched`);
}
