/**
 * That a store serialises two transactions appending to one event stream: the second one's append waits on the
 * stream's counter row until the first commits, so the stream's sequence order is commit order.
 */
import { expect } from 'vitest';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `first`, which appends and then holds its transaction open until `held` resolves; 200 ms later `second`,
 * which appends and then calls `appended()` inside its transaction. Asserts that `second` has not appended 500 ms
 * later (it waits on the lock `first` holds until its commit), that it appended only once `first` was released, and
 * that both committed. Not asserted: that this process saw `first`'s commit answer before `second`'s append answer.
 * The database releases the lock when it commits, so it may answer the waiting transaction before it answers the
 * COMMIT, and the two sockets' reads can come in either order. Asserting that order made the test flaky under load.
 */
export async function expectAppendWaitsForCommit(
  first: (held: Promise<void>) => Promise<unknown>,
  second: (appended: () => void) => Promise<unknown>,
): Promise<void> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let released = false;
  let secondAppended = false;
  let releasedWhenSecondAppended: boolean | undefined;
  const t1 = first(held);
  await sleep(200);
  const t2 = second(() => {
    secondAppended = true;
    releasedWhenSecondAppended = released;
  });
  await sleep(500);
  expect(secondAppended).toBe(false);
  released = true;
  release();
  await Promise.all([t1, t2]);
  // Its number was given only once the first transaction could commit: it was blocked until then.
  expect(releasedWhenSecondAppended).toBe(true);
}
