/**
 * What every store contract suite shares: each test opens a fresh store through the adapter's `open` and closes it
 * when the test ends, whether it passed or not.
 */

/** `withStore(fn)` is a test body: it opens a store, runs `fn` on it, and closes it. */
export function storeOpener<H extends { close(): Promise<void> }>(open: () => Promise<H>): (fn: (h: H) => Promise<void>) => () => Promise<void> {
  return (fn) => async () => {
    const h = await open();
    try {
      await fn(h);
    } finally {
      await h.close();
    }
  };
}
