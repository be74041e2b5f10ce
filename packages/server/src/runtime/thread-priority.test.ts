import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { lowerThreadPriority } from './thread-priority.js';

/** Niceness of this process's threads by task name (/proc/self/task/TID/stat, field 19). */
function niceness(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const tid of readdirSync('/proc/self/task')) {
    const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the parenthesised name: state is field 3, niceness field 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(comm, [...(out.get(comm) ?? []), Number(fields[16])]);
  }
  return out;
}

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

describe('lowerThreadPriority', () => {
  it("lowers the named worker thread's priority alone, the others keep the process's", async () => {
    const name = 'lakegate-test-background-thread';
    worker = new Worker('setTimeout(() => {}, 60_000)', { eval: true, name });
    await new Promise((resolve) => worker!.once('online', resolve));
    const before = niceness();
    expect(before.get(name.slice(0, 15))).toEqual([0]);
    expect(lowerThreadPriority(name, 7)).toBe(1);
    const after = niceness();
    expect(after.get(name.slice(0, 15))).toEqual([7]);
    for (const [comm, values] of after) if (comm !== name.slice(0, 15)) expect(values.every((v) => v === 0), comm).toBe(true);
    expect(lowerThreadPriority('no-such-thread-name', 7)).toBe(0);
  });
});
