/**
 * That a store serialises two transactions appending to one event stream: the second one's append waits on the
 * stream's counter row until the first commits, so the stream's sequence order is commit order.
 */
import { expect } from 'vitest';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `first`, which appends and then holds its transaction open until `held` resolves; 200 ms later `second`,
 * which appends and then calls `appended()` inside its transaction. Asserts that `second` has not appended 500 ms
 * later, and that, once released, it appended only after `first` had committed.
 */
export async function expectAppendWaitsForCommit(
  first: (held: Promise<void>) => Promise<unknown>,
  second: (appended: () => void) => Promise<unknown>,
): Promise<void> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let firstDone = false;
  let secondAppended = false;
  let firstDoneWhenSecondAppended: boolean | undefined;
  const t1 = first(held).then(() => (firstDone = true));
  await sleep(200);
  const t2 = second(() => {
    secondAppended = true;
    firstDoneWhenSecondAppended = firstDone;
  });
  await sleep(500);
  expect(secondAppended).toBe(false);
  release();
  await Promise.all([t1, t2]);
  // Its number was given only once the first transaction had committed.
  expect(firstDoneWhenSecondAppended).toBe(true);
}
