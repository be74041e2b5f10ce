import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/config.js';
import { startSweeps } from './sweeps.js';

afterEach(() => vi.useRealTimers());

/** A task whose rounds the test ends by hand. */
function gatedTask(name: string) {
  const ends: Array<() => void> = [];
  let started = 0;
  return {
    task: { name, run: () => new Promise<void>((resolve) => ((started += 1), ends.push(resolve))) },
    started: () => started,
    finish: () => ends.shift()?.(),
  };
}

describe('the housekeeping sweep', () => {
  it('starts a round only when the previous one has settled', async () => {
    vi.useFakeTimers();
    const slow = gatedTask('slow');
    let quick = 0;
    const sweep = startSweeps([slow.task, { name: 'quick', run: async () => void (quick += 1) }], 1000, () => {});
    await vi.advanceTimersByTimeAsync(1000);
    expect([slow.started(), quick]).toEqual([1, 1]);
    // The slow task is still running: three more ticks start nothing.
    await vi.advanceTimersByTimeAsync(3000);
    expect([slow.started(), quick]).toEqual([1, 1]);
    slow.finish();
    await vi.advanceTimersByTimeAsync(1000);
    expect([slow.started(), quick]).toEqual([2, 2]);
    slow.finish();
    await sweep.stop(0);
  });

  it('logs a failed task with its name and goes on with the others and the next round', async () => {
    vi.useFakeTimers();
    const failures: string[] = [];
    let ran = 0;
    const sweep = startSweeps(
      [
        { name: 'broken', run: () => Promise.reject(new Error('store down')) },
        {
          name: 'throws',
          run: () => {
            throw new Error('sync');
          },
        },
        { name: 'fine', run: async () => void (ran += 1) },
      ],
      500,
      (err, task) => failures.push(`${task}: ${(err as Error).message}`),
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(ran).toBe(2);
    expect(failures.sort()).toEqual(['broken: store down', 'broken: store down', 'throws: sync', 'throws: sync']);
    await sweep.stop(0);
  });

  it('stop waits for the round in progress, up to its bound, and no round starts after it', async () => {
    vi.useFakeTimers();
    const slow = gatedTask('slow');
    const sweep = startSweeps([slow.task], 1000, () => {});
    await vi.advanceTimersByTimeAsync(1000);
    let stopped = false;
    const stopping = sweep.stop(10_000).then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    slow.finish();
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(slow.started()).toBe(1);

    // A round that never ends holds stop only for the bound.
    const stuck = gatedTask('stuck');
    const other = startSweeps([stuck.task], 1000, () => {});
    await vi.advanceTimersByTimeAsync(1000);
    const bounded = other.stop(2000);
    await vi.advanceTimersByTimeAsync(2000);
    await bounded;
    expect(stuck.started()).toBe(1);
  });
});

describe('sweepIntervalMs', () => {
  it('defaults to a minute, is read from LAKEGATE_SWEEP_INTERVAL_MS, and is bounded to 1 s .. 1 h', () => {
    expect(loadConfig({ env: {} }).sweepIntervalMs).toBe(60_000);
    expect(loadConfig({ env: { LAKEGATE_SWEEP_INTERVAL_MS: '1000' } }).sweepIntervalMs).toBe(1000);
    expect(loadConfig({ env: { LAKEGATE_SWEEP_INTERVAL_MS: '3600000' } }).sweepIntervalMs).toBe(3_600_000);
    for (const bad of ['999', '0', '3600001', '-5', '1.5s']) {
      expect(() => loadConfig({ env: { LAKEGATE_SWEEP_INTERVAL_MS: bad } }), bad).toThrow(/sweepIntervalMs|LAKEGATE_SWEEP_INTERVAL_MS/);
    }
  });
});
