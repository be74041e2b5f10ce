import { describe, expect, it } from 'vitest';
import { atEndOfTurn, currentTurn, turnToken } from './end-of-turn.js';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('atEndOfTurn', () => {
  it('runs the turn\'s sends before its writes, each in the order given, after the current synchronous work', async () => {
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

  it('runs the rest of the turn\'s work when one throws, and lets the error surface as uncaught', async () => {
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
