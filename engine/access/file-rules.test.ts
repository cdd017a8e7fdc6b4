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

  it('refuses EXECUTE on a native query to anyone a filter, mask or hidden column governs in that catalog', () => {
    const logged: string[] = [];
    const etl = { user: 'x', groups: ['etl'] };
    for (const policy of [{ filter: "region = 'EU'" }, { columns: [{ name: 'email', mask: "'***'" }] }, { columns: [{ name: 'ssn', allow: false }] }]) {
      const r = new FileRules(1, JSON.stringify({
        catalogs: [{ allow: 'all' }],
        tables: [{ group: 'etl', catalog: 'pg', table: 'customers', privileges: ['SELECT'], ...policy }, { privileges: ['SELECT'] }],
        functions: [{ group: 'etl', function: 'query', privileges: ['EXECUTE'] }],
      }), (m) => logged.push(m));
      expect(r.canExecute(etl, 'pg', 'system', 'query'), JSON.stringify(policy)).toBe(false);
      // Another catalog, where no such rule matches the identity, keeps the grant.
      expect(r.canExecute(etl, 'mysql', 'system', 'query')).toBe(true);
      expect(r.canExecute({ user: 'y', groups: ['etl2'] }, 'pg', 'system', 'query')).toBe(false);
    }
    expect(logged).toEqual(Array(3).fill('EXECUTE on pg.system.query refused to user "x": row filters, masks or hidden columns apply to them in catalog "pg"'));
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
