// Groups from a file (Trino's file group provider format): parsing, reload without a restart,
// the last good mapping kept when the file breaks, and groups reaching the rules for a user
// whose sign-in brings none (a password user), also after SET ROLE to another user.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryConnector } from '../../connectors/memory/memory-connector.js';
import { openTestSession } from '../testing/run-sql.js';
import { FileAccessControl } from './file-access-control.js';
import { FileGroupProvider, parseGroupFile } from './file-group-provider.js';

const dir = mkdtempSync(join(tmpdir(), 'lakegate-groups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the group file', () => {
  it('maps users to groups; comments and blank lines are ignored', () => {
    const mapping = parseGroupFile('# who is who\nanalyst: ann, bob\n\nadmins:root,ann # leads too\nempty:\n', 'groups.txt');
    expect(Object.fromEntries(mapping)).toEqual({ ann: ['analyst', 'admins'], bob: ['analyst'], root: ['admins'] });
  });

  it('refuses a line that is not group:users, naming it', () => {
    for (const bad of ['analyst ann', ':ann', 'a b:ann', 'analyst:ann bob', 'analyst:a:b']) {
      expect(() => parseGroupFile(`ok:x\n${bad}`, 'groups.txt'), bad).toThrow('groups.txt:2: expected "group:user1,user2,…"');
    }
  });

  it('is reloaded without a restart; a broken version keeps the last good groups and is logged', () => {
    const path = join(dir, 'reload.txt');
    writeFileSync(path, 'analyst:ann\n');
    const logged: string[] = [];
    const provider = new FileGroupProvider({ path, refreshMs: 0, log: (m) => logged.push(m) });
    expect(provider.groupsOf('ann')).toEqual(['analyst']);
    writeFileSync(path, 'analyst:bob\nops:ann\n');
    expect(provider.groupsOf('ann')).toEqual(['ops']);
    writeFileSync(path, 'this is not a group line\n');
    expect(provider.groupsOf('ann')).toEqual(['ops']);
    expect(logged).toEqual([`group file ${path} cannot be used, keeping the last good groups: ${path}:1: expected "group:user1,user2,…"`]);
    expect(() => new FileGroupProvider({ path: join(dir, 'missing.txt'), log: () => undefined })).toThrow(/group file .*missing\.txt cannot be read/);
  });

  it("gives a password user (no groups at sign-in) the group's row filter; SET ROLE to another user takes that user's groups", async () => {
    const groups = join(dir, 'groups.txt');
    writeFileSync(groups, 'analyst:ann,carl\nadmins:root\n');
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({
      catalogs: [{ allow: 'all' }],
      tables: [
        { group: 'admins', privileges: ['SELECT', 'INSERT', 'OWNERSHIP'] },
        { group: 'analyst', table: 't', privileges: ['SELECT'], filter: "region = 'EU'" },
        { user: 'ann', table: 't', privileges: ['SELECT'] },
      ],
      impersonation: [{ original_user: 'root', new_user: 'carl' }],
    }));
    const control = new FileAccessControl({ path: rules, refreshMs: 0, log: () => undefined });
    const groupProvider = new FileGroupProvider({ path: groups, refreshMs: 0, log: () => undefined });
    const catalogs = new Map([['memory', new MemoryConnector()]]);
    const session = (user: string) => openTestSession(catalogs, user, 'memory', { accessControl: control, groupProvider });
    const root = session('root');
    await root.query("create table t (id int, region text); insert into t values (1, 'EU'), (2, 'US')");
    expect((await session('ann').query('select id from t order by id')).rows).toEqual([['1']]);
    expect((await root.query('select id from t order by id')).rows).toEqual([['1'], ['2']]);
    await root.query('set role carl');
    expect((await root.query('select current_user, id from t order by id')).rows).toEqual([['carl', '1']]);
    // Taken out of the group: the rule for the user alone applies (no filter).
    writeFileSync(groups, 'admins:root\n');
    expect((await session('ann').query('select id from t order by id')).rows).toEqual([['1'], ['2']]);
  });
});
