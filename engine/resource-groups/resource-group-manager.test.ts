/**
 * Resource groups without a server (CHECKLIST-reliability.md b.4 items 76, 77, 80, 81): the
 * running limit, the queue, rejection at once, withdrawal of queued queries, hierarchy,
 * per-user groups, memory shares and reloads.
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/index.js';
import type { AdmissionRequest } from './admission-control.js';
import { parseResourceGroups, type ResourceGroupsConfig } from './config.js';
import { ResourceGroupManager } from './resource-group-manager.js';

const GiB = 2 ** 30;

let nextId = 0;
const request = (user = 'alice', groups: string[] = [], source = ''): AdmissionRequest => ({ queryId: `q${++nextId}`, user, groups, source });

function manager(json: unknown): { rg: ResourceGroupManager; set: (json: unknown) => void } {
  let config: ResourceGroupsConfig = parseResourceGroups(JSON.stringify(json), 16 * GiB);
  return { rg: new ResourceGroupManager(() => config), set: (j) => (config = parseResourceGroups(JSON.stringify(j), 16 * GiB)) };
}

const oneSlot = {
  rootGroups: [{ name: 'global', hardConcurrencyLimit: 1, maxQueued: 1 }],
  selectors: [{ group: 'global' }],
};

/** Whether the promise has settled after the pending callbacks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('ResourceGroupManager', () => {
  it('one running slot and a queue of one: the third query is refused at once; releasing the first starts the second', async () => {
    const { rg } = manager(oneSlot);
    const q1 = request();
    const q2 = request();
    const g1 = await rg.admit(q1, new AbortController().signal);
    expect(g1).toEqual({ queryId: q1.queryId, group: 'global', queryMaxMemoryBytes: null });
    const second = rg.admit(q2, new AbortController().signal);
    const third = rg.admit(request(), new AbortController().signal);
    await expect(third).rejects.toMatchObject({
      code: '53000',
      message: 'too many queued queries for resource group "global"',
      detail: 'Resource group "global" runs at most 1 and queues at most 1 queries.',
    });
    expect(await settled(second)).toBe(false);
    expect(rg.stats()).toEqual([{ group: 'global', running: 1, queued: 1, hardConcurrencyLimit: 1, maxQueued: 1 }]);
    rg.release(q1.queryId);
    await expect(second).resolves.toMatchObject({ queryId: q2.queryId, group: 'global' });
    rg.release(q2.queryId);
    expect(rg.stats()).toEqual([]);
  });

  it('a queued query withdrawn by its signal fails with the signal reason and leaves the queue', async () => {
    const { rg } = manager(oneSlot);
    const q1 = request();
    await rg.admit(q1, new AbortController().signal);
    const c = new AbortController();
    const queued = rg.admit(request(), c.signal);
    const timeout = new SqlError('57014' as never, 'canceling statement due to statement timeout');
    c.abort(timeout);
    await expect(queued).rejects.toBe(timeout);
    expect(rg.stats()).toEqual([{ group: 'global', running: 1, queued: 0, hardConcurrencyLimit: 1, maxQueued: 1 }]);
    const d = new AbortController();
    const next = rg.admit(request(), d.signal);
    d.abort('user');
    await expect(next).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    rg.release(q1.queryId);
    rg.release(q1.queryId);
    expect(rg.stats()).toEqual([]);
  });

  it('refuses an already aborted request and a query that matches no selector', async () => {
    const { rg } = manager({
      rootGroups: [{ name: 'etl', hardConcurrencyLimit: 5, maxQueued: 5 }],
      selectors: [{ user: 'etl-.*', group: 'etl' }],
    });
    const c = new AbortController();
    c.abort();
    await expect(rg.admit(request('etl-1'), c.signal)).rejects.toMatchObject({ code: '57014' });
    await expect(rg.admit(request('bob'), new AbortController().signal)).rejects.toMatchObject({
      code: '53000', message: 'query of user "bob" matches no resource group selector',
    });
    expect(rg.stats()).toEqual([]);
  });

  it('starts queued queries first in first out, and a new query does not overtake them', async () => {
    const { rg } = manager({ rootGroups: [{ name: 'g', hardConcurrencyLimit: 2, maxQueued: 10 }], selectors: [{ group: 'g' }] });
    const running = [request(), request()];
    for (const r of running) await rg.admit(r, new AbortController().signal);
    const order: string[] = [];
    const waiting = [request(), request(), request()].map((r) => rg.admit(r, new AbortController().signal).then((g) => order.push(g.queryId)));
    rg.release(running[0]!.queryId);
    rg.release(running[1]!.queryId);
    await Promise.all(waiting.slice(0, 2));
    expect(order).toEqual([`q${nextId - 2}`, `q${nextId - 1}`]);
    expect(await settled(waiting[2]!)).toBe(false);
  });

  it('counts sub-groups against their parents; selectors match user, group and application name; ${USER} makes a group per user', async () => {
    const { rg } = manager({
      rootGroups: [{
        name: 'global', hardConcurrencyLimit: 3, maxQueued: 2, softMemoryLimit: '50%',
        subGroups: [
          { name: 'bi', hardConcurrencyLimit: 3, maxQueued: 5, softMemoryLimit: '1GB' },
          { name: 'adhoc_${USER}', hardConcurrencyLimit: 1, maxQueued: 1 },
        ],
      }],
      selectors: [
        { source: 'tableau.*', group: 'global.bi' },
        { userGroup: 'analysts', group: 'global.bi' },
        { user: '.*', group: 'global.adhoc_${USER}' },
      ],
    });
    const tableau = await rg.admit(request('x', [], 'tableau 2024'), new AbortController().signal);
    expect(tableau).toMatchObject({ group: 'global.bi', queryMaxMemoryBytes: GiB });
    const analyst = await rg.admit(request('y', ['staff', 'analysts']), new AbortController().signal);
    expect(analyst.group).toBe('global.bi');
    const alice = await rg.admit(request('alice'), new AbortController().signal);
    expect(alice).toMatchObject({ group: 'global.adhoc_alice', queryMaxMemoryBytes: 8 * GiB });
    // global is full (3 running): bob waits although his own group is empty.
    const bob = rg.admit(request('bob'), new AbortController().signal);
    const carol = rg.admit(request('carol'), new AbortController().signal);
    await expect(rg.admit(request('dave'), new AbortController().signal)).rejects.toMatchObject({
      message: 'too many queued queries for resource group "global"',
    });
    expect(rg.stats().map((s) => [s.group, s.running, s.queued])).toEqual([
      ['global', 3, 2], ['global.adhoc_alice', 1, 0], ['global.adhoc_bob', 0, 1], ['global.adhoc_carol', 0, 1], ['global.bi', 2, 0],
    ]);
    rg.release(tableau.queryId);
    await expect(bob).resolves.toMatchObject({ group: 'global.adhoc_bob' });
    expect(await settled(carol)).toBe(false);
  });

  it('applies reloaded limits to running groups and starts waiting queries the new limits allow', async () => {
    const { rg, set } = manager(oneSlot);
    await rg.admit(request(), new AbortController().signal);
    const waiting = rg.admit(request(), new AbortController().signal);
    set({ rootGroups: [{ name: 'global', hardConcurrencyLimit: 2, maxQueued: 1 }], selectors: [{ group: 'global' }] });
    const third = rg.admit(request(), new AbortController().signal);
    await expect(waiting).resolves.toMatchObject({ group: 'global' });
    expect(await settled(third)).toBe(false);
    expect(rg.stats()).toEqual([{ group: 'global', running: 2, queued: 1, hardConcurrencyLimit: 2, maxQueued: 1 }]);
  });

  it('counters return to 0 after many admissions, rejections, withdrawals and releases', async () => {
    const { rg } = manager(oneSlot);
    const started: { id: string; controller: AbortController; outcome: Promise<unknown> }[] = [];
    for (let i = 0; i < 1000; i++) {
      const controller = new AbortController();
      const r = request();
      started.push({ id: r.queryId, controller, outcome: rg.admit(r, controller.signal).catch(() => undefined) });
      if (i % 3 === 0) controller.abort();
      if (i % 5 === 0) rg.release(started[Math.max(0, i - 2)]!.id);
    }
    for (const s of started) s.controller.abort();
    for (const s of started) rg.release(s.id);
    await Promise.all(started.map((s) => s.outcome));
    expect(rg.stats()).toEqual([]);
  });
});
