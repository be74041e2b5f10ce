import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { LagGovernor, lowerOwnThreadPriority, setThreadPolicy, type ThreadPolicy } from './thread-priority.js';

/** A field of this process's threads' /proc/self/task/TID/stat by task id (19: niceness, 41: scheduling policy). */
function statField(field: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[field - 3]));
  }
  return out;
}
const niceness = () => statField(19);
const policy = () => statField(41);
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/** A worker thread that lowers its own niceness to 7, reports its task id and stays (until afterEach ends it). */
async function nicedWorker(): Promise<number> {
  // The module is loaded from source through the test runner's own loader.
  const module = fileURLToPath(new URL('./thread-priority.ts', import.meta.url));
  worker = new Worker(
    `const { parentPort } = require('node:worker_threads'); setInterval(() => {}, 60_000); import(${JSON.stringify(module)}).then((m) => parentPort.postMessage(m.lowerOwnThreadPriority(7)), (e) => parentPort.postMessage(String(e)));`,
    { eval: true, execArgv: ['--experimental-strip-types', '--no-warnings'] },
  );
  const tid = await new Promise((resolve) => worker!.once('message', resolve));
  expect(typeof tid, String(tid)).toBe('number');
  return tid as number;
}

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

describe('lowerOwnThreadPriority', () => {
  it("lowers the calling thread's priority alone; the others keep the process's", async () => {
    const before = niceness();
    expect([...before.values()].every((n) => n === 0)).toBe(true);
    const tid = await nicedWorker();
    const after = niceness();
    expect(after.get(tid as number)).toBe(7);
    for (const [other, n] of after) if (other !== tid) expect(n, `thread ${other}`).toBe(0);
  });

  it('puts one thread under SCHED_IDLE and back under SCHED_OTHER at its niceness; the others keep theirs', async () => {
    const tid = await nicedWorker();
    expect(await setThreadPolicy(tid, 'idle', 7)).toBe(true);
    expect(policy().get(tid)).toBe(SCHED_IDLE);
    for (const [other, p] of policy()) if (other !== tid) expect(p, `thread ${other}`).toBe(SCHED_OTHER);
    expect(await setThreadPolicy(tid, 'normal', 9)).toBe(true);
    expect(policy().get(tid)).toBe(SCHED_OTHER);
    expect(niceness().get(tid)).toBe(9);
    expect(niceness().get(process.pid)).toBe(0);
    // A task that does not exist: refused, no throw.
    expect(await setThreadPolicy(2 ** 22 + 12345, 'idle', 7)).toBe(false);
  });
});

describe('LagGovernor', () => {
  const settle = () => new Promise((r) => setImmediate(r));
  function governor(accept = true) {
    const calls: ThreadPolicy[] = [];
    const changes: [ThreadPolicy, number][] = [];
    const g = new LagGovernor({
      set: async (p) => (calls.push(p), accept),
      raiseAtSeconds: 2,
      lowerBelowSeconds: 0.5,
      changed: (p, lag) => changes.push([p, lag]),
    });
    return { g, calls, changes };
  }

  it('starts idle, raises at the upper bound, lowers below the lower one, and holds between them', async () => {
    const { g, calls, changes } = governor();
    expect(await g.start()).toBe(true);
    expect(g.current).toBe('idle');
    for (const lag of [0.1, 1.9, 0.4]) g.observe(lag);
    await settle();
    expect(calls).toEqual(['idle']);
    g.observe(2);
    await settle();
    expect(g.current).toBe('normal');
    // Between the bounds, and at the lower bound itself: stays.
    for (const lag of [5, 1, 0.5]) g.observe(lag);
    await settle();
    expect(g.current).toBe('normal');
    g.observe(0.49);
    await settle();
    expect(g.current).toBe('idle');
    expect(calls).toEqual(['idle', 'normal', 'idle']);
    expect(changes).toEqual([
      ['idle', 0],
      ['normal', 2],
      ['idle', 0.49],
    ]);
  });

  it('changes nothing where the system refuses the first policy', async () => {
    const { g, calls, changes } = governor(false);
    expect(await g.start()).toBe(false);
    expect(g.current).toBeUndefined();
    g.observe(10);
    await settle();
    expect(calls).toEqual(['idle']);
    expect(changes).toEqual([]);
  });
});
