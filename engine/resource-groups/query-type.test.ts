// Statements reach the resource groups with Trino's queryType: a group that admits nothing
// (no slot, no queue) for writes refuses INSERT, CREATE TABLE AS, DELETE and TRUNCATE at once,
// while SELECT, COPY … TO, EXPLAIN ANALYZE and ANALYZE go to another group.
import { describe, expect, it } from 'vitest';
import { MemoryConnector } from '../../connectors/memory/memory-connector.js';
import { createEngine } from '../index.js';
import { openTestSession } from '../testing/run-sql.js';
import { parseResourceGroups } from './config.js';
import { ResourceGroupManager } from './resource-group-manager.js';

describe('queryType selectors', () => {
  it('route writes and reads to their own groups', async () => {
    const config = parseResourceGroups(JSON.stringify({
      rootGroups: [{ name: 'g', hardConcurrencyLimit: 10, maxQueued: 10, subGroups: [
        { name: 'writes', hardConcurrencyLimit: 0, maxQueued: 0 }, { name: 'reads', hardConcurrencyLimit: 10, maxQueued: 10 },
      ] }],
      selectors: [{ queryType: 'INSERT', group: 'g.writes' }, { queryType: 'DELETE', group: 'g.writes' }, { group: 'g.reads' }],
    }));
    const catalogs = new Map([['memory', new MemoryConnector()]]);
    const engine = createEngine({ catalogs, admission: new ResourceGroupManager(() => config) });
    const s = openTestSession(catalogs, 'u', 'memory', { engine });
    await s.query('create table t (a int)');
    for (const write of ['insert into t values (1)', 'create table u as select 1 as a', 'delete from t', 'truncate t']) {
      await expect(s.query(write), write).rejects.toMatchObject({ code: '53000', message: 'too many queued queries for resource group "g.writes"' });
    }
    for (const read of ['select count(*) from t', 'copy t to stdout', 'explain analyze select 1', 'analyze t']) {
      await expect(s.query(read), read).resolves.toBeDefined();
    }
  });
});
