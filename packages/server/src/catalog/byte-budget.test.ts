import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget.js';

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  it('lets holders in while they fit, then in order as bytes come back', async () => {
    const budget = new ByteBudget(100);
    const a = await budget.hold(60);
    const order: string[] = [];
    const b = budget.hold(60).then((h) => (order.push('b'), h));
    const c = budget.hold(10).then((h) => (order.push('c'), h));
    await settled();
    // c would fit, but does not pass b, which came first.
    expect(order).toEqual([]);
    expect(budget.inUse).toBe(60);
    a.release();
    const hb = await b;
    const hc = await c;
    expect(order).toEqual(['b', 'c']);
    expect(budget.inUse).toBe(70);
    hb.release();
    hc.release();
    hc.release();
    expect(budget.inUse).toBe(0);
  });

  it('lets one holder larger than the whole budget in when it is alone, and shrinks a hold to what was used', async () => {
    const budget = new ByteBudget(100);
    const big = await budget.hold(500);
    expect(budget.inUse).toBe(500);
    let second = false;
    const next = budget.hold(100).then((h) => ((second = true), h));
    await settled();
    expect(second).toBe(false);
    big.shrink(0);
    (await next).release();
    expect(second).toBe(true);
    const read = await budget.hold(100);
    let small = false;
    const other = budget.hold(40).then((h) => ((small = true), h));
    await settled();
    expect(small).toBe(false);
    read.shrink(10);
    (await other).release();
    expect(small).toBe(true);
    expect(budget.inUse).toBe(10);
    read.shrink(50);
    expect(budget.inUse).toBe(10);
    read.release();
    expect(budget.inUse).toBe(0);
  });
});
