/**
 * Bounded concurrency for I/O fanned out over many items: maintenance's storage reads and deletes, and the OpenFGA
 * adapter's tuple reads. For maintenance: a table of 10^4 snapshots has 10^4 manifest lists, tens of
 * thousands of manifests and 10^5 files to delete, and one request at a time leaves the job waiting on round trips
 * (an object store's tens of milliseconds each; even a local disk's thread-pool hop per file). At most `limit`
 * calls run at once, so memory stays bounded by `limit` manifests in flight however large the table.
 * Hand-written (a dozen lines) rather than a dependency: the workspace has no concurrency-limiter package, and this
 * one needs only a shared iterator pulled by `limit` workers; the first failure stops the others from taking more.
 * The one such helper of the server: use it rather than another worker pool.
 */

/** Storage requests in flight at once (reads of manifests and manifest lists, deletes). */
export const MAINTENANCE_IO_CONCURRENCY = 16;

/** Calls `fn` on every item, at most `limit` at once; rejects with the first failure (after the calls in flight end). */
export async function forEachBounded<T>(items: Iterable<T>, fn: (item: T) => Promise<void>, limit = MAINTENANCE_IO_CONCURRENCY): Promise<void> {
  if (!(limit >= 1)) throw new TypeError('forEachBounded needs limit >= 1');
  const it = items[Symbol.iterator]();
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let next = it.next(); !next.done && !failed; next = it.next()) {
      try {
        await fn(next.value);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: limit }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** `fn` of every item, in the items' order, at most `limit` at once. */
export async function mapBounded<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, limit = MAINTENANCE_IO_CONCURRENCY): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachBounded(
    items.keys(),
    async (i) => {
      out[i] = await fn(items[i]!);
    },
    limit,
  );
  return out;
}
