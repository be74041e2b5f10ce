import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { lowerOwnThreadPriority } from './thread-priority.js';

/** Niceness of this process's threads by task id (/proc/self/task/TID/stat, field 19). */
function niceness(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return out;
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
    // A worker thread calls it on itself (the module is loaded from source through the test runner's own loader).
    const module = fileURLToPath(new URL('./thread-priority.ts', import.meta.url));
    worker = new Worker(
      `const { parentPort } = require('node:worker_threads'); import(${JSON.stringify(module)}).then((m) => parentPort.postMessage(m.lowerOwnThreadPriority(7)), (e) => parentPort.postMessage(String(e)));`,
      { eval: true, execArgv: ['--experimental-strip-types', '--no-warnings'] },
    );
    const tid = await new Promise((resolve) => worker!.once('message', resolve));
    expect(typeof tid, String(tid)).toBe('number');
    const after = niceness();
    expect(after.get(tid as number)).toBe(7);
    for (const [other, n] of after) if (other !== tid) expect(n, `thread ${other}`).toBe(0);
  });
});
