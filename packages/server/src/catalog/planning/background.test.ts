import { describe, expect, it } from 'vitest';
import { BackgroundPlans } from './background.js';

/** A job that runs until released or aborted, counting the "manifests" it got through. */
function job(log: string[], name: string) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const work = async (signal: AbortSignal) => {
    log.push(`${name}:start`);
    for (let i = 0; i < 3; i++) {
      if (signal.aborted) {
        log.push(`${name}:aborted@${i}`);
        return;
      }
      await (i === 1 ? released : Promise.resolve());
    }
    log.push(`${name}:done`);
  };
  return { work, release };
}

/** One plan slot: plan a running (until released), plan b queued behind it. */
async function aRunningBQueued() {
  const log: string[] = [];
  const plans = new BackgroundPlans(1, 4);
  const a = job(log, 'a');
  plans.submit('a', a.work);
  plans.submit('b', job(log, 'b').work);
  await new Promise((r) => setImmediate(r));
  return { log, plans, a };
}

describe('BackgroundPlans', () => {
  it('runs one plan at a time, queues a bounded backlog and refuses past it', async () => {
    const log: string[] = [];
    const plans = new BackgroundPlans(1, 1);
    const a = job(log, 'a');
    const b = job(log, 'b');
    expect(plans.submit('a', a.work)).toBe(true);
    expect(plans.submit('b', b.work)).toBe(true);
    expect(plans.submit('c', job(log, 'c').work)).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a:start']);
    a.release();
    b.release();
    await plans.idle();
    expect(log).toEqual(['a:start', 'a:done', 'b:start', 'b:done']);
    expect(plans.size).toBe(0);
  });

  it('cancel aborts a running plan between steps, and a queued one never starts', async () => {
    const { log, plans, a } = await aRunningBQueued();
    plans.cancel('a');
    plans.cancel('b');
    a.release();
    await plans.idle();
    expect(log).toEqual(['a:start', 'a:aborted@2']);
  });

  it('stop aborts every plan and waits for them', async () => {
    const { log, plans, a } = await aRunningBQueued();
    const stopped = plans.stop();
    a.release();
    await stopped;
    expect(log).toEqual(['a:start', 'a:aborted@2']);
    expect(plans.size).toBe(0);
  });

  it('keeps running after a plan throws', async () => {
    const plans = new BackgroundPlans(1, 4);
    let ran = false;
    plans.submit('x', async () => {
      throw new Error('bug');
    });
    plans.submit('y', async () => {
      ran = true;
    });
    await plans.idle();
    expect(ran).toBe(true);
  });
});
