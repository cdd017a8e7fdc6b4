/** Expressions as EXPLAIN prints them, close to PostgreSQL's deparsed form. */
import { scalarById } from '../functions/registry.js';
import type { Expr } from './expr.js';

const NUMERIC_CATEGORY = 'N';

export function formatExpr(e: Expr, names: readonly string[]): string {
  const f = (x: Expr) => formatExpr(x, names);
  switch (e.kind) {
    case 'column':
      return names[e.index] ?? `#${e.index}`;
    case 'literal':
      if (e.text === null) return 'NULL';
      return e.type.category === NUMERIC_CATEGORY ? e.text : `'${e.text.replace(/'/g, "''")}'::${e.type.name}`;
    case 'param':
      return `$${e.index + 1}`;
    case 'init_plan':
      return `$InitPlan${e.id}`;
    case 'call': {
      const name = scalarById(e.fn)?.name ?? e.fn;
      const symbolic = !/^[a-z_]/i.test(name);
      if (symbolic && e.args.length === 2) return `(${f(e.args[0]!)} ${name} ${f(e.args[1]!)})`;
      if (symbolic && e.args.length === 1) return `(${name} ${f(e.args[0]!)})`;
      return `${name}(${e.args.map(f).join(', ')})`;
    }
    case 'cast':
      return `(${f(e.arg)})::${e.type.name}`;
    case 'and':
    case 'or':
      return `(${e.args.map(f).join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${f(e.arg)})`;
    case 'isnull':
      return `(${f(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${f(w.when)} THEN ${f(w.then)}`).join(' ')}${e.otherwise ? ` ELSE ${f(e.otherwise)}` : ''} END`;
    case 'coalesce':
      return `COALESCE(${e.args.map(f).join(', ')})`;
    case 'array':
      return `ARRAY[${e.elements.map(f).join(', ')}]`;
    case 'subscript':
      return `${f(e.arg)}[${f(e.index)}]`;
    case 'quantified':
      return `(${f(e.arg)} ${e.op} ${e.all ? 'ALL' : 'ANY'} (${f(e.array)}))`;
  }
}
