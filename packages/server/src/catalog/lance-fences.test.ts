/**
 * Optimize's fences as other processes hear them (lance-fences.ts), between two workers joined by the real relay (in
 * memory, as `serve --workers 2` wires them): the raise holds the other worker's commits of that table and branch only;
 * a copy of a raise heard after its lowering (the replicas' channel and IPC are not ordered with each other) holds
 * nothing; a listener waits at most its own bound when the holder announced a longer one; a bound of 0 holds nothing.
 */
import { describe, expect, it } from 'vitest';
import { relayCluster } from '../../../../test/support/relay-cluster.js';
import { fenceUpNotice, LanceFences } from './lance-fences.js';
import { LanceCommitQueue } from './lance-commit-queue.js';
import type { Caller } from './ports/index.js';

const KEY = LanceCommitQueue.key('t1', '');
const OTHER = LanceCommitQueue.key('t2', '');
const writer = { key: 'user:w', description: 'user:w' } as Caller;
const job = { key: 'system:maintenance', description: 'system:maintenance for user:w' } as Caller;

/** Resolves once `check` holds (polled on the event loop: each relay hop is one setImmediate). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

describe('fences across two workers', () => {
  it("holds the other worker's commits of the fenced table until the fence comes down; other tables go on", async () => {
    const { links } = relayCluster(2);
    const [a, b] = [new LanceCommitQueue(links[0]!, 60_000), new LanceCommitQueue(links[1]!, 60_000)];
    const release = a.claim(KEY, job);
    await a.lost(KEY, job);
    await until(() => b.fences.up === 1);
    const order: string[] = [];
    const held = b.commit([KEY], writer, async () => void order.push('writer'));
    await b.commit([OTHER], writer, async () => void order.push('other table'));
    await a.commit([KEY], job, async () => void order.push('job'));
    a.landed(KEY, job);
    await held;
    expect(order).toEqual(['other table', 'job', 'writer']);
    expect(b.fences.up).toBe(0);
    release();
  });

  it('ignores a raise heard after its lowering, and a duplicate', async () => {
    const { links } = relayCluster(2);
    const b = new LanceFences(links[1]!, 60_000);
    links[0]!.announce('lance-fences', fenceUpNotice('f1', KEY, 60_000));
    links[0]!.announce('lance-fences', fenceUpNotice('f1', KEY, 60_000));
    await until(() => b.up === 1);
    links[0]!.announce('lance-fences', JSON.stringify({ f: 'f1', q: KEY, s: 'down' }));
    // The copy of the raise over the other channel, late: nothing is held by it.
    links[0]!.announce('lance-fences', fenceUpNotice('f1', KEY, 60_000));
    links[0]!.announce('lance-fences', fenceUpNotice('f2', OTHER, 60_000));
    await until(() => b.up === 1);
    await b.wait([KEY]);
    // Unreadable keys (and "everything changed", no key) raise nothing.
    links[0]!.announce('lance-fences', 'not json');
    links[0]!.announce('lance-fences');
    links[0]!.announce('lance-fences', JSON.stringify({ f: 'f3', q: KEY, s: 'up' }));
    links[0]!.announce('lance-fences', JSON.stringify({ f: 'f2', q: OTHER, s: 'down' }));
    await until(() => b.up === 0);
  });

  it("waits at most its own bound when the holder's is longer (a holder that died never lowers it); 0 waits not at all", async () => {
    const { links } = relayCluster(3);
    const short = new LanceFences(links[1]!, 50);
    const off = new LanceFences(links[2]!, 0);
    links[0]!.announce('lance-fences', fenceUpNotice('dead', KEY, 60_000));
    await until(() => short.up === 1);
    await short.wait([KEY]);
    expect(short.up).toBe(0);
    expect(off.up).toBe(0);
  });
});
