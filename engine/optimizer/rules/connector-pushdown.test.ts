// connector_pushdown through the whole engine, with a small source that evaluates what it
// accepts itself: equality filters on one column, count(*) grouped by one column, LIMIT. The
// results must not change; what the source took must leave the plan, the rest must stay.
import { describe, expect, it } from 'vitest';
import type {
  AggregateItem, Batch, Connector, ConnectorExpression, PushdownConnector, ScanRequest, TableMetadata,
} from '../../../connectors/spi/index.js';
import { vectorFromDatums } from '../../execution/batch/vector.js';
import { openTestSession } from '../../testing/run-sql.js';
import { T } from '../../types/pg-type.js';

interface Handle {
  readonly equal: readonly { column: number; value: number }[];
  readonly countBy?: number;
  readonly limit?: number;
}

const ROWS: readonly (readonly [number, number])[] = Array.from({ length: 100 }, (_v, i) => [i, i % 4]);
const COLUMNS = [{ name: 'id', type: T.int4, nullable: false }, { name: 'grp', type: T.int4, nullable: false }];

class PushdownSource implements Connector, PushdownConnector {
  readonly name = 'pushdown-test';
  readonly asked: string[] = [];
  async listSchemas() { return ['s']; }
  async listTables() { return ['t']; }
  async getTable(_s: unknown, schema: string, table: string): Promise<TableMetadata | undefined> {
    return schema === 's' && table === 't' ? { schema, name: table, columns: COLUMNS, handle: { equal: [] } } : undefined;
  }
  async getSplits() { return [{ info: null }]; }
  async *scan(_s: unknown, request: ScanRequest): AsyncIterable<Batch> {
    const h = request.table.handle as unknown as Handle;
    let rows: number[][] = ROWS.filter((r) => h.equal.every((e) => r[e.column] === e.value)).map((r) => [...r]);
    if (h.countBy !== undefined) {
      const counts = new Map<number, number>();
      for (const r of rows) counts.set(r[h.countBy]!, (counts.get(r[h.countBy]!) ?? 0) + 1);
      rows = [...counts].map(([k, n]) => [k, n]);
    }
    if (h.limit !== undefined) rows = rows.slice(0, h.limit);
    const types = request.table.columns.map((c) => c.type);
    yield {
      length: rows.length,
      columns: request.columns.map((c) => vectorFromDatums(types[c]!, rows.map((r) => (types[c] === T.int8 ? BigInt(r[c]!) : r[c])))),
    };
  }
  applyFilter(_s: unknown, table: TableMetadata, conjuncts: readonly ConnectorExpression[]) {
    const accepted = conjuncts.map((c) => c.kind === 'call' && c.name === '=' && c.args[0]?.kind === 'column' && c.args[1]?.kind === 'constant');
    this.asked.push(`filter ${accepted.join(',')}`);
    if (!accepted.some(Boolean)) return undefined;
    const h = table.handle as unknown as Handle;
    const equal = [...h.equal, ...conjuncts.filter((_c, i) => accepted[i]).map((c) => {
      const [column, value] = (c as { args: readonly ConnectorExpression[] }).args as [{ column: number }, { text: string }];
      return { column: column.column, value: Number(value.text) };
    })];
    return { table: { ...table, handle: { ...h, equal } }, accepted };
  }
  applyAggregation(_s: unknown, table: TableMetadata, groupBy: readonly number[], aggregates: readonly AggregateItem[]) {
    this.asked.push(`aggregate ${groupBy.join(',')} ${aggregates.map((a) => `${a.name}(${a.args.length})`).join(',')}`);
    if (groupBy.length !== 1 || aggregates.length !== 1 || aggregates[0]!.name !== 'count' || aggregates[0]!.args.length > 0) return undefined;
    return { ...table, columns: [table.columns[groupBy[0]!]!, { name: 'n', type: T.int8, nullable: false }], handle: { ...(table.handle as object), countBy: groupBy[0]! } };
  }
  applyLimit(_s: unknown, table: TableMetadata, count: number) {
    return { ...table, handle: { ...(table.handle as object), limit: count } };
  }
  describeTable(table: TableMetadata) {
    return JSON.stringify(table.handle);
  }
}

const session = () => {
  const source = new PushdownSource();
  return { source, s: openTestSession(new Map<string, Connector>([['src', source]]), 'tester', 'src') };
};
const plan = async (s: ReturnType<typeof session>['s'], sql: string) => (await s.query(`EXPLAIN ${sql}`)).rows.map((r) => r[0]).join('\n');

describe('connector_pushdown', () => {
  it('hands accepted conjuncts to the source and keeps the others', async () => {
    const { source, s } = session();
    const sql = 'SELECT id FROM s.t WHERE grp = 2 AND id > 50 ORDER BY id';
    expect((await s.query(sql)).rows).toEqual(ROWS.filter(([id, g]) => g === 2 && id > 50).map(([id]) => [String(id)]));
    expect(source.asked).toContain('filter true,false');
    const text = await plan(s, sql);
    expect(text).toContain('Source Query: {"equal":[{"column":1,"value":2}]}');
    expect(text).toMatch(/Filter: \(?id > 50/);
    expect(text).not.toMatch(/Filter:.*grp/);
  });

  it('replaces an aggregation the source computes with a scan of its result', async () => {
    const { s } = session();
    const sql = 'SELECT grp, count(*) FROM s.t GROUP BY grp ORDER BY grp';
    expect((await s.query(sql)).rows).toEqual([['0', '25'], ['1', '25'], ['2', '25'], ['3', '25']]);
    expect(await plan(s, sql)).not.toContain('HashAggregate');
  });

  it('keeps an aggregation the source declines', async () => {
    const { s } = session();
    const sql = 'SELECT grp, sum(id) FROM s.t GROUP BY grp ORDER BY grp';
    expect((await s.query(sql)).rows).toEqual([['0', '1200'], ['1', '1225'], ['2', '1250'], ['3', '1275']]);
    expect(await plan(s, sql)).toContain('HashAggregate');
  });

  it('passes LIMIT to the source and still applies it', async () => {
    const { s } = session();
    expect((await s.query('SELECT id FROM s.t WHERE grp = 1 LIMIT 3')).rows).toEqual([['1'], ['5'], ['9']]);
    expect(await plan(s, 'SELECT id FROM s.t LIMIT 3')).toContain('"limit":3');
  });

  it('offers nothing that depends on a parameter', async () => {
    const { source, s } = session();
    expect((await s.query('SELECT count(*) FROM s.t WHERE grp = $1', [3])).rows).toEqual([['25']]);
    expect(source.asked.filter((a) => a.startsWith('filter'))).toEqual([]);
  });
});
