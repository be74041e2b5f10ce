import { describe, expect, it } from 'vitest';
import { forEachBounded, mapBounded } from './bounded.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('bounded concurrency', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachBounded(
      Array.from({ length: 100 }, (_, i) => i),
      async (i) => {
        running += 1;
        peak = Math.max(peak, running);
        await tick();
        if (i % 3 === 0) await tick();
        seen.push(i);
        running -= 1;
      },
      7,
    );
    expect(peak).toBe(7);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('keeps the order of the items in mapBounded, whatever order the calls end in', async () => {
    const out = await mapBounded(
      [5, 1, 4, 2, 3],
      async (n) => {
        for (let i = 0; i < n; i++) await tick();
        return n * 10;
      },
      3,
    );
    expect(out).toEqual([50, 10, 40, 20, 30]);
  });

  it('rejects with the first failure and takes no further items', async () => {
    const started: number[] = [];
    const run = forEachBounded(
      Array.from({ length: 50 }, (_, i) => i),
      async (i) => {
        started.push(i);
        await tick();
        if (i === 3) throw new Error('boom at 3');
      },
      4,
    );
    await expect(run).rejects.toThrow('boom at 3');
    // Items 0-3 ran in the first wave; after the failure at most the workers already past their check take one more.
    expect(started.length).toBeLessThan(10);
  });

  it('refuses a limit below one (a caller bug)', async () => {
    await expect(forEachBounded([1], async () => undefined, 0)).rejects.toThrow(TypeError);
  });

  it('handles no items', async () => {
    expect(await mapBounded([], async () => 1)).toEqual([]);
  });
});
