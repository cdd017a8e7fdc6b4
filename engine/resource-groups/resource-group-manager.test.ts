/**
 * Resource groups without a server (CHECKLIST-reliability.md b.4 items 76, 77, 78, 80, 81): the
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

/** A manager over `json`; percentages are shares of a `poolBytes` memory pool. */
function manager(json: unknown, poolBytes = 16 * GiB): { rg: ResourceGroupManager; set: (json: unknown) => void } {
  let config: ResourceGroupsConfig = parseResourceGroups(JSON.stringify(json), poolBytes);
  return { rg: new ResourceGroupManager(() => config), set: (j) => (config = parseResourceGroups(JSON.stringify(j), poolBytes)) };
}

/** Statistics without the limits: group, running, queued, memory usage. */
const usage = (rg: ResourceGroupManager) => rg.stats().map((s) => [s.group, s.running, s.queued, s.memoryUsageBytes]);

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
    expect(g1).toEqual({ queryId: q1.queryId, group: 'global' });
    const second = rg.admit(q2, new AbortController().signal);
    const third = rg.admit(request(), new AbortController().signal);
    await expect(third).rejects.toMatchObject({
      code: '53000',
      message: 'too many queued queries for resource group "global"',
      detail: 'Resource group "global" runs at most 1 and queues at most 1 queries.',
    });
    expect(await settled(second)).toBe(false);
    expect(rg.stats()).toEqual([{ group: 'global', running: 1, queued: 1, hardConcurrencyLimit: 1, maxQueued: 1, memoryUsageBytes: 0, softMemoryLimitBytes: null }]);
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
    expect(usage(rg)).toEqual([['global', 1, 0, 0]]);
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
    expect(tableau.group).toBe('global.bi');
    const analyst = await rg.admit(request('y', ['staff', 'analysts']), new AbortController().signal);
    expect(analyst.group).toBe('global.bi');
    const alice = await rg.admit(request('alice'), new AbortController().signal);
    expect(alice.group).toBe('global.adhoc_alice');
    expect(rg.stats().map((s) => [s.group, s.softMemoryLimitBytes])).toEqual([['global', 8 * GiB], ['global.adhoc_alice', null], ['global.bi', GiB]]);
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
    expect(rg.stats()).toMatchObject([{ group: 'global', running: 2, queued: 1, hardConcurrencyLimit: 2, maxQueued: 1 }]);
  });

  it('counters and memory usage return to exactly 0 after 10 000 admissions, rejections, withdrawals, memory reports and releases', async () => {
    const { rg } = manager({
      rootGroups: [{
        name: 'global', hardConcurrencyLimit: 6, maxQueued: 4, softMemoryLimit: 1000,
        subGroups: [{ name: 'adhoc_${USER}', hardConcurrencyLimit: 3, maxQueued: 2, softMemoryLimit: 600 }],
      }],
      selectors: [{ group: 'global.adhoc_${USER}' }],
    });
    // One query per user runs throughout and reports nothing, so its groups stay to be looked at.
    const sentinels = ['ann', 'bob', 'cy'].map((user) => request(user));
    for (const r of sentinels) await rg.admit(r, new AbortController().signal);
    const started: { id: string; controller: AbortController; outcome: Promise<unknown> }[] = [];
    const running: string[] = [];
    let waitsForMemory = 0;
    for (let i = 0; i < 10_000; i++) {
      const controller = new AbortController();
      const r = request(['ann', 'bob', 'cy'][i % 3]);
      started.push({ id: r.queryId, controller, outcome: rg.admit(r, controller.signal).then((g) => running.push(g.queryId), () => undefined) });
      if (i % 4 === 0) controller.abort();
      if (running.length > 0) rg.memoryReserved(running[(i * 7) % running.length]!, (i * 37) % 700);
      if (i % 11 === 0) rg.memoryReserved(started[Math.max(0, i - 5)]!.id, 50);
      if (i % 3 === 0 && running.length > 0) rg.release(running.shift()!);
      const stats = rg.stats();
      waitsForMemory += stats.filter((s) => s.queued > 0 && s.running < s.hardConcurrencyLimit && s.memoryUsageBytes >= s.softMemoryLimitBytes!).length;
      // Every query runs in a sub-group: the root's share is the sum of theirs.
      const [root, ...leaves] = stats;
      expect(root?.memoryUsageBytes ?? 0).toBe(leaves.reduce((n, s) => n + s.memoryUsageBytes, 0));
      await null;
    }
    expect(waitsForMemory).toBeGreaterThan(0);
    for (const s of started) s.controller.abort();
    for (const s of started) rg.release(s.id);
    await Promise.all(started.map((s) => s.outcome));
    expect(usage(rg)).toEqual([['global', 3, 0, 0], ['global.adhoc_ann', 1, 0, 0], ['global.adhoc_bob', 1, 0, 0], ['global.adhoc_cy', 1, 0, 0]]);
    for (const r of sentinels) rg.release(r.queryId);
    expect(rg.stats()).toEqual([]);
  });
});

describe('ResourceGroupManager: memory share (softMemoryLimit)', () => {
  const limited = (softMemoryLimit: number | string, maxQueued = 5) => ({
    rootGroups: [{ name: 'g', hardConcurrencyLimit: 5, maxQueued, softMemoryLimit }],
    selectors: [{ group: 'g' }],
  });

  it('queues new queries while the running ones hold the limit or more, within maxQueued; giving memory back or ending starts them', async () => {
    const { rg } = manager(limited(1000, 1));
    const q1 = request();
    const q2 = request();
    await rg.admit(q1, new AbortController().signal);
    rg.memoryReserved(q1.queryId, 999);
    await expect(rg.admit(q2, new AbortController().signal)).resolves.toMatchObject({ queryId: q2.queryId });
    rg.memoryReserved(q2.queryId, 1);
    const third = rg.admit(request(), new AbortController().signal);
    expect(await settled(third)).toBe(false);
    await expect(rg.admit(request(), new AbortController().signal)).rejects.toMatchObject({
      code: '53000', message: 'too many queued queries for resource group "g"',
    });
    expect(rg.stats()).toEqual([{ group: 'g', running: 2, queued: 1, hardConcurrencyLimit: 5, maxQueued: 1, memoryUsageBytes: 1000, softMemoryLimitBytes: 1000 }]);
    // Reporting more keeps it waiting; giving one byte back starts it.
    rg.memoryReserved(q2.queryId, 50);
    expect(await settled(third)).toBe(false);
    rg.memoryReserved(q2.queryId, 0);
    await expect(third).resolves.toMatchObject({ group: 'g' });
    expect(usage(rg)).toEqual([['g', 3, 0, 999]]);

    rg.memoryReserved(q1.queryId, 5000);
    const fourth = rg.admit(request(), new AbortController().signal);
    expect(await settled(fourth)).toBe(false);
    expect(usage(rg)).toEqual([['g', 3, 1, 5000]]);
    rg.release(q1.queryId);
    await expect(fourth).resolves.toMatchObject({ group: 'g' });
    expect(usage(rg)).toEqual([['g', 3, 0, 0]]);
    // A report that arrives after the release (an operator closing late) is ignored.
    rg.memoryReserved(q1.queryId, 123);
    expect(usage(rg)).toEqual([['g', 3, 0, 0]]);
  });

  it('one query alone always runs, however much it holds, even when the limit is smaller than any query', async () => {
    // 1% of a 50-byte pool rounds down to 0 bytes: the group is always at its limit.
    const { rg } = manager(limited('1%'), 50);
    const q1 = request();
    await expect(rg.admit(q1, new AbortController().signal)).resolves.toMatchObject({ group: 'g' });
    rg.memoryReserved(q1.queryId, 10 * GiB);
    const second = rg.admit(request(), new AbortController().signal);
    rg.memoryReserved(q1.queryId, 0);
    expect(await settled(second)).toBe(false);
    expect(rg.stats()).toMatchObject([{ running: 1, queued: 1, memoryUsageBytes: 0, softMemoryLimitBytes: 0 }]);
    rg.release(q1.queryId);
    await expect(second).resolves.toMatchObject({ group: 'g' });
  });

  it('a query waiting for memory leaves the queue when its signal aborts', async () => {
    const { rg } = manager(limited(1000));
    const q1 = request();
    await rg.admit(q1, new AbortController().signal);
    rg.memoryReserved(q1.queryId, 2000);
    const c = new AbortController();
    const waiting = rg.admit(request(), c.signal);
    expect(usage(rg)).toEqual([['g', 1, 1, 2000]]);
    const timeout = new SqlError('57014' as never, 'canceling statement due to statement timeout');
    c.abort(timeout);
    await expect(waiting).rejects.toBe(timeout);
    expect(usage(rg)).toEqual([['g', 1, 0, 2000]]);
    rg.memoryReserved(q1.queryId, 0);
    expect(usage(rg)).toEqual([['g', 1, 0, 0]]);
    rg.release(q1.queryId);
    expect(rg.stats()).toEqual([]);
  });

  it("counts sub-groups' memory against their parents: a parent over its limit queues queries of an idle sibling", async () => {
    const { rg } = manager({
      rootGroups: [{
        name: 'global', hardConcurrencyLimit: 10, maxQueued: 10, softMemoryLimit: 1000,
        subGroups: [
          { name: 'a', hardConcurrencyLimit: 10, maxQueued: 10 },
          { name: 'b', hardConcurrencyLimit: 10, maxQueued: 10, softMemoryLimit: 300 },
        ],
      }],
      selectors: [{ user: 'a', group: 'global.a' }, { user: 'b', group: 'global.b' }],
    });
    const a1 = request('a');
    const b1 = request('b');
    await rg.admit(a1, new AbortController().signal);
    rg.memoryReserved(a1.queryId, 600);
    await rg.admit(b1, new AbortController().signal);
    rg.memoryReserved(b1.queryId, 400);
    // global holds 1000 (its limit), b holds 400 (over its own 300); a has no limit of its own.
    const order: string[] = [];
    const a2 = rg.admit(request('a'), new AbortController().signal).then((g) => order.push(g.group));
    const b2 = rg.admit(request('b'), new AbortController().signal).then((g) => order.push(g.group));
    expect(await settled(a2)).toBe(false);
    expect(usage(rg)).toEqual([['global', 2, 2, 1000], ['global.a', 1, 1, 600], ['global.b', 1, 1, 400]]);
    // Below the parent's limit but b still over its own: only a's query starts.
    rg.memoryReserved(b1.queryId, 350);
    await a2;
    expect(await settled(b2)).toBe(false);
    expect(usage(rg)).toEqual([['global', 3, 1, 950], ['global.a', 2, 0, 600], ['global.b', 1, 1, 350]]);
    rg.memoryReserved(b1.queryId, 100);
    await b2;
    expect(order).toEqual(['global.a', 'global.b']);
    expect(usage(rg)).toEqual([['global', 4, 0, 700], ['global.a', 2, 0, 600], ['global.b', 2, 0, 100]]);
  });
});
