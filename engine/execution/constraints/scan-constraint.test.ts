import { describe, expect, it } from 'vitest';
import type { Batch } from '../batch/batch.js';
import type { Connector, Constraint, SplitRequest, TableMetadata } from '../../../connectors/spi/index.js';
import { openTestSession } from '../../testing/run-sql.js';
import { T } from '../../types/pg-type.js';

/** A table of no rows that records the constraint each scan's split request carried. */
function recordingConnector(seen: (Constraint | undefined)[]): Connector {
  const columns = [
    { name: 'd', type: T.date, nullable: true },
    { name: 'n', type: T.int4, nullable: true },
    { name: 's', type: T.text, nullable: true },
  ];
  const table: TableMetadata = { schema: 's', name: 't', columns, handle: null };
  return {
    name: 'rec',
    listSchemas: async () => ['s'],
    listTables: async () => ['t'],
    getTable: async (_s, schema, name) => (schema === 's' && name === 't' ? table : undefined),
    getSplits: async (_s, _t, request: SplitRequest) => {
      seen.push(request.constraint);
      return [{ info: null }];
    },
    async *scan(): AsyncIterable<Batch> {},
  };
}

async function constraintOf(where: string, params?: unknown[]): Promise<Record<string, unknown>> {
  const seen: (Constraint | undefined)[] = [];
  const s = openTestSession(new Map([['rec', recordingConnector(seen)]]), 'tester', 'rec');
  await s.query(`select * from s.t where ${where}`, params);
  const out: Record<string, unknown> = {};
  for (const d of seen[0]?.domains ?? []) {
    out[`${['d', 'n', 's'][d.column]}:${d.compareAs.name}`] = {
      nullAllowed: d.nullAllowed,
      ranges: d.ranges?.map((r) => [r.low ? `${r.low.inclusive ? '[' : '('}${String(r.low.value)}` : '(-', r.high ? `${String(r.high.value)}${r.high.inclusive ? ']' : ')'}` : '+)'].join(',')),
    };
  }
  return out;
}

describe('scan constraints from filters', () => {
  it('turns comparisons with constants into ranges, intersected per column', async () => {
    expect(await constraintOf('n >= 5 and n < 10 and 3 < n')).toEqual({ 'n:int4': { nullAllowed: false, ranges: ['[5,10)'] } });
    expect(await constraintOf("s = 'x'")).toEqual({ 's:text': { nullAllowed: false, ranges: ['[x,x]'] } });
    expect(await constraintOf('n > 5 and n < 3')).toEqual({ 'n:int4': { nullAllowed: false, ranges: [] } });
  });

  it('reads IN lists, IS NULL and parameters', async () => {
    expect(await constraintOf('n in (3, 1, 2)')).toEqual({ 'n:int4': { nullAllowed: false, ranges: ['[1,1]', '[2,2]', '[3,3]'] } });
    expect(await constraintOf('n is null')).toEqual({ 'n:int4': { nullAllowed: true, ranges: [] } });
    expect(await constraintOf('n is not null')).toEqual({ 'n:int4': { nullAllowed: false } });
    expect(await constraintOf('n = $1', [7])).toEqual({ 'n:int4': { nullAllowed: false, ranges: ['[7,7]'] } });
  });

  it('follows monotonic widening casts of the column, and widens statistics the same way', async () => {
    const seen: (Constraint | undefined)[] = [];
    const s = openTestSession(new Map([['rec', recordingConnector(seen)]]), 'tester', 'rec');
    await s.query("select * from s.t where d < date '1998-12-01' - interval '90' day");
    const [domain] = seen[0]!.domains;
    expect(domain!.column).toBe(0);
    expect(domain!.compareAs.name).toBe('timestamp');
    // 1998-09-02 as a date (days since 1970) widened to a timestamp compares below the bound
    const sept2 = Date.UTC(1998, 8, 2) / 86_400_000;
    expect(domain!.compare(domain!.widen(sept2), domain!.ranges![0]!.high!.value)).toBe(0);
  });

  it('leaves out what it cannot read: functions of the column, OR across columns', async () => {
    expect(await constraintOf('n + 1 > 5')).toEqual({});
    expect(await constraintOf('n > 5 or s = \'x\'')).toEqual({});
  });
});
