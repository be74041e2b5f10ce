/**
 * A long loop on the request thread gives the event loop a turn every slice of its work. A compaction of a table of
 * 10^5 files reads, groups and writes 10^5 manifest entries between rewrite groups; decoded one at a time through
 * async iterators, that is still one unbroken stretch for the event loop (promise continuations are microtasks: no
 * socket is read until the loop ends). `await pace()` in such a loop costs a clock read until the slice is spent,
 * then waits one setImmediate (which runs after the poll phase that reads sockets), so a request that arrives
 * meanwhile waits about one slice, not the whole loop. The work done, its order and its results are the same.
 */

/** Milliseconds of work between two turns of the event loop. */
export const LOOP_SLICE_MS = 10;

export type Pace = () => Promise<void> | undefined;

/** One turn of the event loop: resolves from a setImmediate, after the poll phase has read what arrived meanwhile. */
export const yieldToRequests = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** A pacer for one loop (or one job): `await pace()` once per item. `sliceMs` 0 yields at every call (tests). */
export function loopPacer(sliceMs = LOOP_SLICE_MS): Pace {
  let since = performance.now();
  return () => {
    if (sliceMs > 0 && performance.now() - since < sliceMs) return undefined;
    return yieldToRequests().then(() => {
      since = performance.now();
    });
  };
}

/**
 * Work written once as a step generator (it yields between slices: every few hundred items) runs either at once
 * (runSteps) or paced (runStepsPaced, awaiting `pace` at each step): the same work, in the same order, to the same result.
 */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function runStepsPaced<T>(steps: Generator<void, T>, pace: Pace): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pace();
  }
}
