import { describe, expect, it } from 'vitest';
import { type PrepareOutcome, PrepareQueue } from './prepare-queue.js';

/** A job that runs until released (or aborted), recording that it ran. */
function gated(ran: string[], name: string) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const work = async (signal: AbortSignal) => {
    ran.push(name);
    await Promise.race([released, new Promise((r) => signal.addEventListener('abort', r))]);
    signal.throwIfAborted();
  };
  return { work, release: () => release() };
}

describe('PrepareQueue', () => {
  it('runs one job at a time and coalesces repeated requests of a waiting key', async () => {
    const ran: string[] = [];
    const outcomes: PrepareOutcome[] = [];
    const q = new PrepareQueue(8, (o) => outcomes.push(o));
    const a = gated(ran, 'a');
    q.schedule('a', a.work);
    for (let i = 0; i < 5; i++) q.schedule('b', async () => void ran.push(`b${i}`));
    expect(q.size).toBe(2);
    expect(ran).toEqual(['a']);
    a.release();
    await q.idle();
    // Only the latest request of b ran, once.
    expect(ran).toEqual(['a', 'b4']);
    expect(outcomes).toEqual(['completed', 'completed']);
  });

  it('aborts a running job asked for again, and runs it once more from the start', async () => {
    const ran: string[] = [];
    const outcomes: PrepareOutcome[] = [];
    const q = new PrepareQueue(8, (o) => outcomes.push(o));
    const first = gated(ran, 'first');
    q.schedule('t', first.work);
    await Promise.resolve();
    q.schedule('t', async () => void ran.push('second'));
    await q.idle();
    expect(ran).toEqual(['first', 'second']);
    expect(outcomes).toEqual(['superseded', 'completed']);
  });

  it('counts a job that found its work no longer current as superseded', async () => {
    const outcomes: PrepareOutcome[] = [];
    const q = new PrepareQueue(8, (o) => outcomes.push(o));
    q.schedule('stale', async () => 'superseded');
    q.schedule('failing', async () => {
      throw new Error('storage down');
    });
    await q.idle();
    expect(outcomes).toEqual(['superseded', 'failed']);
  });

  it('drops a request past a full backlog, and stops (aborting what runs, dropping what waits) on shutdown', async () => {
    const ran: string[] = [];
    const outcomes: PrepareOutcome[] = [];
    const q = new PrepareQueue(1, (o) => outcomes.push(o));
    const running = gated(ran, 'running');
    expect(q.schedule('a', running.work)).toBe(true);
    expect(q.schedule('b', async () => void ran.push('b'))).toBe(true);
    expect(q.schedule('c', async () => void ran.push('c'))).toBe(false);
    await q.stop();
    expect(ran).toEqual(['running']);
    expect(outcomes).toEqual(['dropped', 'superseded']);
    expect(q.schedule('d', async () => void ran.push('d'))).toBe(false);
    expect(q.size).toBe(0);
  });

  it('offers a job only for a key neither running nor waiting, leaving the request there unaborted', async () => {
    const ran: string[] = [];
    const outcomes: PrepareOutcome[] = [];
    const q = new PrepareQueue(8, (o) => outcomes.push(o));
    const running = gated(ran, 'commit-a');
    q.schedule('a', running.work);
    q.schedule('b', async () => void ran.push('commit-b'));
    expect(q.offer('a', async () => void ran.push('startup-a'))).toBe(true);
    expect(q.offer('b', async () => void ran.push('startup-b'))).toBe(true);
    expect(q.offer('c', async () => void ran.push('startup-c'))).toBe(true);
    expect(q.size).toBe(3);
    running.release();
    await q.idle();
    expect(ran).toEqual(['commit-a', 'commit-b', 'startup-c']);
    expect(outcomes).toEqual(['completed', 'completed', 'completed']);
    await q.stop();
    expect(q.offer('d', async () => void ran.push('d'))).toBe(false);
  });

  it('follows a running job of the key unaborted, merges into a waiting one, and drops past a full backlog', async () => {
    const ran: string[] = [];
    const outcomes: PrepareOutcome[] = [];
    const q = new PrepareQueue(2, (o) => outcomes.push(o));
    const running = gated(ran, 'commit-a');
    q.schedule('a', running.work);
    await Promise.resolve();
    expect(q.follow('a', async () => void ran.push('membership-a'))).toBe(true);
    expect(q.follow('a', async () => void ran.push('membership-a-again'))).toBe(true);
    q.schedule('b', async () => void ran.push('commit-b'));
    expect(q.follow('b', async () => void ran.push('membership-b'))).toBe(true);
    expect(q.follow('c', async () => void ran.push('membership-c'))).toBe(false);
    expect(q.size).toBe(3);
    running.release();
    await q.idle();
    // The running job completed (not aborted); the key ran once more after it; the waiting b stood.
    expect(ran).toEqual(['commit-a', 'membership-a', 'commit-b']);
    expect(outcomes).toEqual(['dropped', 'completed', 'completed', 'completed']);
    await q.stop();
    expect(q.follow('d', async () => void ran.push('d'))).toBe(false);
  });
});
