import { describe, expect, it } from 'vitest';
import { FileRules, RulesError } from './file-rules.js';

const rules = (json: unknown) => new FileRules(1, JSON.stringify(json));
const ann = { user: 'ann', groups: ['analyst'] };
const ref = (table: string, schema = 'public', catalog = 'memory') => ({ catalog, schema, table });

describe('FileRules', () => {
  it('takes the first matching rule, with patterns matching whole names', () => {
    const r = rules({
      catalogs: [{ catalog: 'memory', allow: 'all' }],
      tables: [
        { group: 'analyst', table: 'orders', privileges: [] },
        { user: 'an', table: '.*', privileges: ['SELECT'] },
        { group: 'analy', table: '.*', privileges: ['DELETE'] },
        { table: 'ord.*', privileges: ['SELECT', 'INSERT'] },
      ],
    });
    expect([...r.tableAccess(ann, ref('orders')).privileges]).toEqual([]);
    expect([...r.tableAccess(ann, ref('order_items')).privileges]).toEqual(['SELECT', 'INSERT']);
    expect(r.tableAccess(ann, ref('orders', 'public', 'tpch')).privileges.size).toBe(0);
  });

  it('limits a read-only catalog to SELECT and gives schema ownership only with full access', () => {
    const r = rules({
      catalogs: [{ catalog: 'tpch', allow: 'read-only' }, { allow: true }],
      schemas: [{ owner: true }],
      tables: [{ privileges: ['SELECT', 'INSERT', 'OWNERSHIP'] }],
    });
    expect([...r.tableAccess(ann, ref('t', 'tiny', 'tpch')).privileges]).toEqual(['SELECT']);
    expect(r.isSchemaOwner(ann, 'tpch', 'tiny')).toBe(false);
    expect(r.isSchemaOwner(ann, 'memory', 'public')).toBe(true);
  });

  it('matches impersonation with groups captured from the original user', () => {
    const r = rules({ impersonation: [{ original_user: 'admin', new_user: 'bob', allow: false }, { original_user: '(.*)-admin', new_user: '$1-.*' }, { original_user: 'admin', new_user: '.*' }] });
    expect(r.canImpersonate({ user: 'admin', groups: [] }, 'alice')).toBe(true);
    expect(r.canImpersonate({ user: 'admin', groups: [] }, 'bob')).toBe(false);
    expect(r.canImpersonate({ user: 'eu-admin', groups: [] }, 'eu-ann')).toBe(true);
    expect(r.canImpersonate({ user: 'eu-admin', groups: [] }, 'us-ann')).toBe(false);
    expect(r.canImpersonate({ user: 'ann', groups: [] }, 'alice')).toBe(false);
  });

  it('grants EXECUTE on functions (native-query passthrough) only by a rule', () => {
    const r = rules({ catalogs: [{ allow: 'all' }], functions: [{ group: 'etl', catalog: 'pg', function: 'query', privileges: ['EXECUTE'] }] });
    expect(r.canExecute({ user: 'x', groups: ['etl'] }, 'pg', 'system', 'query')).toBe(true);
    expect(r.canExecute(ann, 'pg', 'system', 'query')).toBe(false);
  });

  it('refuses what it does not understand, so that nothing is silently dropped', () => {
    for (const bad of [
      '{', '[]', { tables: {} }, { system_session_properties: [] }, { tables: [{ privileges: ['READ'] }] },
      { tables: [{ privileges: ['SELECT'], filter_environment: { user: 'x' } }] }, { tables: [{ privileges: ['SELECT'], filter: 'a = (select 1)' }] },
      { tables: [{ privileges: ['SELECT'], filter: 'a = 1; drop table t' }] }, { tables: [{ privileges: ['SELECT'], filter: 'a = $1' }] },
      { tables: [{ privileges: ['SELECT'], columns: [{ name: 'a', allow: false, mask: 'null' }] }] }, { catalogs: [{ allow: 'some' }] },
      { catalogs: [{ user: '(', allow: 'all' }] },
    ]) {
      expect(() => new FileRules(1, typeof bad === 'string' ? bad : JSON.stringify(bad)), JSON.stringify(bad)).toThrow(RulesError);
    }
  });
});
