import { describe, expect, it } from 'vitest';
import { atDispatch, atEndOfTurn, currentBatch, currentTurn, turnToken } from './end-of-turn.js';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('atEndOfTurn', () => {
  it("runs the turn's sends before its writes, each in the order given, after the current synchronous work", async () => {
    const order: string[] = [];
    atEndOfTurn('write', () => order.push('write 1'));
    atEndOfTurn('send', () => order.push('send 1'));
    atEndOfTurn('write', () => order.push('write 2'));
    atEndOfTurn('send', () => order.push('send 2'));
    order.push('sync');
    await Promise.resolve();
    expect(order).toEqual(['sync']);
    await nextTurn();
    expect(order).toEqual(['sync', 'send 1', 'send 2', 'write 1', 'write 2']);
  });

  it('leaves work added while the queue runs for the next run', async () => {
    const order: string[] = [];
    atEndOfTurn('write', () => {
      order.push('write');
      atEndOfTurn('send', () => order.push('late send'));
    });
    await nextTurn();
    expect(order).toEqual(['write']);
    await nextTurn();
    expect(order).toEqual(['write', 'late send']);
  });

  it("runs the rest of the turn's work when one throws, and lets the error surface as uncaught", async () => {
    const order: string[] = [];
    const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    atEndOfTurn('send', () => {
      throw new Error('boom');
    });
    atEndOfTurn('write', () => order.push('write after the throw'));
    expect(((await uncaught) as Error).message).toBe('boom');
    expect(order).toEqual(['write after the throw']);
  });

  it('gives one turn token until the end of the turn, and none after it until one is taken again', async () => {
    const first = turnToken();
    expect(turnToken()).toBe(first);
    expect(currentTurn()).toBe(first);
    let seenByWork: object | undefined = first;
    atEndOfTurn('send', () => (seenByWork = currentTurn()));
    await nextTurn();
    expect(seenByWork).toBeUndefined();
    expect(currentTurn()).toBeUndefined();
    const second = turnToken();
    expect(second).not.toBe(first);
    await nextTurn();
  });
});

describe('atDispatch', () => {
  it("hands over the turn's requests one after the other, runs their microtasks, then the turn's sends and writes", async () => {
    const order: string[] = [];
    atEndOfTurn('write', () => order.push('write'));
    atEndOfTurn('send', () => order.push('send'));
    atDispatch(() => {
      order.push('request 1');
      void Promise.resolve()
        .then(() => order.push('request 1 resumed'))
        .then(() => atEndOfTurn('write', () => order.push('request 1 answered')));
    });
    atDispatch(() => order.push('request 2'));
    order.push('sync');
    await Promise.resolve();
    expect(order).toEqual(['sync']);
    await nextTurn();
    expect(order).toEqual(['sync', 'request 1', 'request 2', 'request 1 resumed', 'send', 'write', 'request 1 answered']);
  });

  it('names one batch for a dispatch and the microtasks of its requests, a new one for the next, none outside', async () => {
    const seen: Array<object | undefined> = [];
    const resumed = new Promise<object | undefined>((resolve) => {
      atDispatch(() => {
        seen.push(currentBatch());
        // Resuming after real I/O (a timer here) is outside any dispatch: what was checked before may have changed.
        setTimeout(() => resolve(currentBatch()), 1);
        void Promise.resolve().then(() => seen.push(currentBatch()));
      });
    });
    atDispatch(() => seen.push(currentBatch()));
    let inSends: object | undefined = {};
    atEndOfTurn('send', () => (inSends = currentBatch()));
    expect(currentBatch()).toBeUndefined();
    await nextTurn();
    expect(seen[0]).toBeDefined();
    expect(seen).toEqual([seen[0], seen[0], seen[0]]);
    expect(inSends).toBeUndefined();
    expect(currentBatch()).toBeUndefined();
    expect(await resumed).toBeUndefined();
    let next: object | undefined;
    atDispatch(() => (next = currentBatch()));
    await nextTurn();
    expect(next).toBeDefined();
    expect(next).not.toBe(seen[0]);
  });

  it('dispatches the other requests when one throws, and lets the error surface as uncaught', async () => {
    const order: string[] = [];
    const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    atDispatch(() => {
      throw new Error('bad request handler');
    });
    atDispatch(() => order.push('next request'));
    atEndOfTurn('write', () => order.push('write'));
    expect(((await uncaught) as Error).message).toBe('bad request handler');
    await nextTurn();
    expect(order).toEqual(['next request', 'write']);
  });
});
