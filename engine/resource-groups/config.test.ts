import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResourceGroups, selectGroup } from './config.js';
import { FileResourceGroups } from './file-resource-groups.js';

const file = (json: unknown) => JSON.stringify(json);
const group = (extra: Record<string, unknown> = {}) => ({ name: 'g', hardConcurrencyLimit: 1, maxQueued: 1, ...extra });

describe('parseResourceGroups', () => {
  it('reads groups, sub-groups, memory shares and selectors', () => {
    const config = parseResourceGroups(file({
      rootGroups: [group({ softMemoryLimit: '25%', subGroups: [group({ name: 'a', softMemoryLimit: '512MB' }), group({ name: 'u_${USER}', softMemoryLimit: 1000 })] })],
      selectors: [{ user: 'bob', group: 'g.a' }, { group: 'g.u_${USER}' }],
    }), 4096);
    expect(config.rootGroups[0]!.memoryLimitBytes).toBe(1024);
    expect(config.rootGroups[0]!.subGroups.map((g) => g.memoryLimitBytes)).toEqual([512 * 2 ** 20, 1000]);
    expect(selectGroup(config, { user: 'bob', groups: [], source: '' })!.map((l) => l.name)).toEqual(['g', 'g.a']);
    expect(selectGroup(config, { user: 'bobby', groups: [], source: '' })!.map((l) => l.name)).toEqual(['g', 'g.u_bobby']);
  });

  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['an unknown top-level key', file({ rootGroups: [group()], selectors: [{ group: 'g' }], cpuQuotaPeriod: '1h' }), 'unknown key "cpuQuotaPeriod"'],
    ['a misspelt limit', file({ rootGroups: [{ name: 'g', hardConcurencyLimit: 1, maxQueued: 1 }], selectors: [{ group: 'g' }] }), 'unknown key "hardConcurencyLimit"'],
    ['a missing limit', file({ rootGroups: [{ name: 'g', maxQueued: 1 }], selectors: [{ group: 'g' }] }), 'hardConcurrencyLimit must be a non-negative integer'],
    ['no groups', file({ rootGroups: [], selectors: [] }), 'at least one group'],
    ['no selectors', file({ rootGroups: [group()], selectors: [] }), 'at least one selector'],
    ['two groups of one name', file({ rootGroups: [group(), group()], selectors: [{ group: 'g' }] }), 'two groups are named "g"'],
    ['an unknown template', file({ rootGroups: [group({ name: 'x_${SOURCE}' })], selectors: [{ group: 'x_${SOURCE}' }] }), 'unknown template ${SOURCE}'],
    ['a selector naming no group', file({ rootGroups: [group()], selectors: [{ group: 'g.x' }] }), 'no group "g.x"'],
    ['a selector naming a parent group', file({ rootGroups: [group({ subGroups: [group({ name: 'a' })] })], selectors: [{ group: 'g' }] }), 'has sub-groups'],
    ['an invalid pattern', file({ rootGroups: [group()], selectors: [{ user: '(', group: 'g' }] }), 'invalid regular expression'],
    ['a bad memory share', file({ rootGroups: [group({ softMemoryLimit: '150%' })], selectors: [{ group: 'g' }] }), 'softMemoryLimit must be bytes'],
    ['an unknown query type', file({ rootGroups: [group()], selectors: [{ queryType: 'select', group: 'g' }] }), 'queryType must be one of SELECT, EXPLAIN, INSERT, DELETE, ANALYZE'],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseResourceGroups(text)).toThrow(message);
  });

  it('a userGroup selector never matches an identity without groups; patterns match whole names', () => {
    const config = parseResourceGroups(file({ rootGroups: [group()], selectors: [{ userGroup: 'analyst', user: 'a.*', group: 'g' }] }));
    expect(selectGroup(config, { user: 'ann', groups: [], source: '' })).toBeNull();
    expect(selectGroup(config, { user: 'ann', groups: ['analysts'], source: '' })).toBeNull();
    expect(selectGroup(config, { user: 'ann', groups: ['x', 'analyst'], source: '' })).not.toBeNull();
  });

  it('a queryType selector routes by the kind of statement', () => {
    const config = parseResourceGroups(file({
      rootGroups: [group({ subGroups: [group({ name: 'writes' }), group({ name: 'reads' })] })],
      selectors: [{ queryType: 'INSERT', group: 'g.writes' }, { queryType: 'DELETE', group: 'g.writes' }, { group: 'g.reads' }],
    }));
    const leaf = (queryType: string) => selectGroup(config, { user: 'u', groups: [], source: '', queryType } as Parameters<typeof selectGroup>[1])!.at(-1)!.name;
    expect(['INSERT', 'DELETE', 'SELECT', 'EXPLAIN', 'ANALYZE'].map(leaf)).toEqual(['g.writes', 'g.writes', 'g.reads', 'g.reads', 'g.reads']);
  });
});

describe('FileResourceGroups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-'));
  const path = join(dir, 'resource-groups.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with an invalid file; reloads a changed file; keeps the last good configuration on a bad edit', () => {
    writeFileSync(path, '{}');
    expect(() => new FileResourceGroups({ path, log: () => {} })).toThrow(`resource groups file ${path}: "rootGroups" must be an array`);
    writeFileSync(path, file({ rootGroups: [group()], selectors: [{ group: 'g' }] }));
    let now = 0;
    const logged: string[] = [];
    const source = new FileResourceGroups({ path, refreshMs: 1000, log: (m) => logged.push(m), now: () => now });
    const first = source.config();
    expect(first.rootGroups[0]!.hardConcurrencyLimit).toBe(1);
    writeFileSync(path, file({ rootGroups: [group({ hardConcurrencyLimit: 7 })], selectors: [{ group: 'g' }] }));
    expect(source.config()).toBe(first);
    now = 1000;
    expect(source.config().rootGroups[0]!.hardConcurrencyLimit).toBe(7);
    writeFileSync(path, file({ rootGroups: [group({ hardConcurrencyLimit: -1 })], selectors: [{ group: 'g' }] }));
    now = 2000;
    expect(source.config().rootGroups[0]!.hardConcurrencyLimit).toBe(7);
    expect(logged).toEqual([expect.stringContaining('is invalid, keeping the last good configuration')]);
    rmSync(path);
    now = 3000;
    expect(source.config().rootGroups[0]!.hardConcurrencyLimit).toBe(7);
    expect(logged[1]).toContain('cannot be read, keeping the last good configuration');
  });
});
