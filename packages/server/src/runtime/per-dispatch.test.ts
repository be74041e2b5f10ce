import { describe, expect, it } from 'vitest';
import { atDispatch } from './end-of-turn.js';
import { oncePerDispatch } from './per-dispatch.js';

/** Runs `fn` as a request of the next dispatch would run, and gives what it returns. */
const inDispatch = <T>(fn: () => T): Promise<T> => new Promise((resolve, reject) => atDispatch(() => Promise.resolve().then(fn).then(resolve, reject)));

describe('oncePerDispatch', () => {
  it('checks once for every request of a dispatch, again in the next dispatch and on every call outside one', async () => {
    let checks = 0;
    let epoch = 0;
    const version = oncePerDispatch(
      () => ++checks,
      () => epoch,
    );
    const answers = await Promise.all([inDispatch(version), inDispatch(version), inDispatch(() => [version(), version()])]);
    expect(answers).toEqual([1, 1, [1, 1]]);
    expect(await inDispatch(version)).toBe(2);
    // Code resumed by a request's answer still runs in that dispatch's microtasks: leave it through a timer (I/O).
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect([version(), version()]).toEqual([3, 4]);
    expect(checks).toBe(4);
  });

  it("checks again within a dispatch once this process's own epoch moved (its own write)", async () => {
    let checks = 0;
    let epoch = 0;
    const version = oncePerDispatch(
      () => ++checks,
      () => epoch,
    );
    const seen = await inDispatch(() => {
      const before = [version(), version()];
      epoch += 1;
      return [...before, version(), version()];
    });
    expect(seen).toEqual([1, 1, 2, 2]);
  });
});
