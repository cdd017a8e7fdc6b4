import { describe, expect, it } from 'vitest';
import { T } from '../../../engine/types/pg-type.js';

import type { ConnectorExpression, TableMetadata } from '../../spi/index.js';
import { type SqlDialect, describeStatement, nativeQueryNode, scanStatement, sqlPushdown, standardCall, tableNode } from './index.js';

/** A PostgreSQL-like dialect, as small as the tests need. */
const dialect: SqlDialect = {
  name: 'test',
  quoteIdentifier: (n) => `"${n.replaceAll('"', '""')}"`,
  placeholder: (n) => `$${n}`,
  constant: (text, type, p) => ({ sql: `${p}::${type.name}`, value: text }),
  comparable: () => true,
  binaryText: (s) => `${s} COLLATE "C"`,
  call: (name, args) => standardCall(name, args),
  cast: (s, _from, to) => `CAST(${s} AS ${to.name})`,
  aggregate: (name, args, _t, distinct) => (name === 'count' && args.length === 0 ? 'count(*)' : `${name}(${distinct ? 'DISTINCT ' : ''}${args.join(', ')})`),
  sortKey: (s, desc, nullsFirst) => `${s} ${desc ? 'DESC' : 'ASC'} NULLS ${nullsFirst ? 'FIRST' : 'LAST'}`,
};
const session = { user: 'u', queryId: 'q' };
const table = (name: string): TableMetadata => {
  const columns = [{ name: 'id', type: T.int4, nullable: false }, { name: 'na"me', type: T.text, nullable: true }];
  return { schema: 'public', name, columns, handle: { node: tableNode('public', name, columns) } };
};
const col = (column: number, type = T.int4): ConnectorExpression => ({ kind: 'column', column, type });
const num = (text: string): ConnectorExpression => ({ kind: 'constant', text, type: T.int4 });
const str = (text: string): ConnectorExpression => ({ kind: 'constant', text, type: T.text });
const call = (name: string, ...args: ConnectorExpression[]): ConnectorExpression => ({ kind: 'call', name, args, type: T.bool });
const push = sqlPushdown(dialect);

describe('SQL generator', () => {
  it('binds every value and quotes every identifier', () => {
    const t = push.applyFilter(session, table('a"b'), [call('=', col(1, T.text), str("x' OR 1=1 --")), call('>', call('-', col(0), num('-1')), num('-1'))])!;
    expect(t.accepted).toEqual([true, true]);
    const s = scanStatement(dialect, t.table, [0, 1]);
    expect(s.sql).toBe('SELECT "id", "na""me" FROM "public"."a""b" WHERE (("na""me" COLLATE "C") = ($1::text COLLATE "C")) AND ((("id") - ($2::int4)) > ($3::int4))');
    expect(s.params).toEqual(["x' OR 1=1 --", '-1', '-1']);
    expect(s.sql).not.toContain('--');
  });

  it('declines what the dialect cannot render, keeping the rest', () => {
    const r = push.applyFilter(session, table('t'), [call('unknown_fn', col(0)), call('=', col(0), num('1'))])!;
    expect(r.accepted).toEqual([false, true]);
    expect(push.applyFilter(session, table('t'), [call('unknown_fn', col(0))])).toBeUndefined();
  });

  it('aggregates, then orders and limits the groups', () => {
    const agg = push.applyAggregation(session, table('t'), [1], [{ name: 'count', args: [], distinct: false, type: T.int8 }, { name: 'sum', args: [col(0)], distinct: false, type: T.int8 }])!;
    expect(agg.columns.map((c) => c.name)).toEqual(['na"me', '_agg0', '_agg1']);
    const top = push.applyTopN(session, agg, [{ column: 1, descending: true, nullsFirst: true }], 5)!;
    expect(scanStatement(dialect, top, [0, 1, 2]).sql).toBe(
      'SELECT "na""me" COLLATE "C", count(*), sum("id") FROM "public"."t" GROUP BY "na""me" COLLATE "C" ORDER BY count(*) DESC NULLS FIRST LIMIT 5');
  });

  it('filters above a limit in a subquery', () => {
    const limited = push.applyLimit(session, table('t'), 10)!;
    const filtered = push.applyFilter(session, limited, [call('<', col(0), num('3'))])!;
    expect(scanStatement(dialect, filtered.table, [0]).sql).toBe(
      'SELECT "t1"."c0" FROM (SELECT "id" AS "c0", "na""me" AS "c1" FROM "public"."t" LIMIT 10) "t1" WHERE (("t1"."c0") < ($1::int4))');
    expect(push.applyLimit(session, table('t'), -1)).toBeUndefined();
    expect(push.applyLimit(session, table('t'), 1.5)).toBeUndefined();
  });

  it('joins two tables of one source', () => {
    const j = push.applyJoin(session, 'left', table('a'), table('b'), call('=', col(0), col(2)))!;
    expect(j.columns.map((c) => [c.name, c.nullable])).toEqual([['id', false], ['na"me', true], ['id', true], ['na"me', true]]);
    expect(scanStatement(dialect, j, [1, 3]).sql).toBe(
      'SELECT "t1"."c1", "t2"."c1" FROM (SELECT "id" AS "c0", "na""me" AS "c1" FROM "public"."a") "t1" LEFT JOIN (SELECT "id" AS "c0", "na""me" AS "c1" FROM "public"."b") "t2" ON ("t1"."c0") = ("t2"."c0")');
    expect(push.applyJoin(session, 'full', table('a'), table('b'), call('=', col(0), col(2)))).toBeUndefined();
  });

  it('adds the runtime constraint and the split condition', () => {
    const compare = (a: unknown, b: unknown) => (a as number) - (b as number);
    const constraint = {
      domains: [{
        column: 0, compareAs: T.int4, compare, widen: (v: unknown) => v, nullAllowed: false,
        ranges: [{ low: { value: 1, inclusive: true }, high: { value: 1, inclusive: true } }, { low: { value: 7, inclusive: true }, high: { value: 7, inclusive: true } }, { low: { value: 100, inclusive: false } }],
      }],
    };
    const s = scanStatement(dialect, table('t'), [], { constraint, splitCondition: (bind) => `ctid >= ${bind('(0,0)')}::tid` });
    expect(s.sql).toBe('SELECT 1 FROM "public"."t" WHERE (ctid >= $1::tid) AND ((("id") IN ($2::int4, $3::int4)) OR (("id") > ($4::int4)))');
    expect(s.params).toEqual(['(0,0)', '1', '7', '100']);
  });

  it('leaves a LIKE pattern ending in an unpaired backslash to the engine (PostgreSQL raises 22025)', () => {
    const like = (pattern: string) => ({ kind: 'call', name: '~~', args: [col(1, T.text), str(pattern)], type: T.bool }) as ConnectorExpression;
    const r = push.applyFilter(session, table('t'), [like('ab\\'), like('ab\\\\'), like('a%')])!;
    expect(r.accepted).toEqual([false, true, true]);
  });

  it('ends native query text with a line break, so a trailing comment cannot swallow what follows', () => {
    const columns = [{ name: 'x', type: T.int4 }];
    const t: TableMetadata = { schema: 'system', name: 'query', columns: columns.map((c) => ({ ...c, nullable: true })), handle: { node: nativeQueryNode('SELECT 1 AS x -- note', columns) } };
    const filtered = push.applyFilter(session, t, [call('=', col(0), num('1'))])!.table;
    expect(scanStatement(dialect, filtered, [0]).sql).toBe('SELECT "t1"."x" FROM (SELECT 1 AS x -- note\n) "t1" WHERE (("t1"."x") = ($1::int4))');
  });

  it('describes the statement with its parameters', () => {
    const t = push.applyFilter(session, table('t'), [call('=', col(0), num('42'))])!.table;
    expect(describeStatement(dialect, t)).toBe(`SELECT "id", "na""me" FROM "public"."t" WHERE (("id") = ($1::int4)) [$1='42']`);
  });
});
