/**
 * The contract every RemoteFailureStore passes (memory, SQLite, PostgreSQL): a federated warehouse's remote failure
 * history (issue 57). One row per (operation, error, window) with its count and first and last times; newest first;
 * a warehouse keeps REMOTE_FAILURES_KEPT rows; the last answer only moves forward; a count held back is added whole;
 * paging walks every row once, in one total order.
 */
import { describe, expect, it } from 'vitest';
import {
  REMOTE_FAILURES_KEPT,
  type RemoteFailure,
  type RemoteFailureStore,
  type RemoteOperation,
  compareFailures,
} from '../../packages/server/src/catalog/ports/remote-failures.js';

const WINDOW = 60_000;
const T = 1_700_000_000_000 - (1_700_000_000_000 % WINDOW);

export function remoteFailureContract(name: string, open: () => Promise<{ failures: RemoteFailureStore; close: () => Promise<void> }>): void {
  describe(`${name} remote failures`, () => {
    it('counts the same failure within a window into one row; another window, operation or error is another row', async () => {
      const { failures, close } = await open();
      try {
        const down = {
          warehouse: 'w',
          operation: 'load-table' as const,
          code: 'ERR_UNAVAILABLE',
          message: 'The remote catalog is unavailable: it answered 503',
        };
        await Promise.all([T + 5, T + 1, T + 9].map((atMs) => failures.record({ ...down, atMs }, WINDOW)));
        await failures.record({ ...down, operation: 'list-tables', atMs: T + 10 }, WINDOW);
        await failures.record({ ...down, message: 'The remote catalog is unavailable: connection failed', atMs: T + 11 }, WINDOW);
        await failures.record({ ...down, atMs: T + WINDOW + 1 }, WINDOW);
        await failures.record({ ...down, warehouse: 'other', atMs: T + 3 }, WINDOW);
        const rows = await failures.recent('w', 20);
        const other = 'The remote catalog is unavailable: connection failed';
        expect(rows.map((r) => [r.operation, r.message, r.count, r.firstAtMs - T, r.lastAtMs - T])).toEqual([
          ['load-table', down.message, 1, WINDOW + 1, WINDOW + 1],
          ['load-table', other, 1, 11, 11],
          ['list-tables', down.message, 1, 10, 10],
          ['load-table', down.message, 3, 1, 9],
        ]);
        expect(rows[3]).toMatchObject({ warehouse: 'w', code: 'ERR_UNAVAILABLE', message: down.message });
        expect(await failures.recent('w', 2)).toHaveLength(2);
        expect((await failures.recent('other', 20)).map((r) => r.count)).toEqual([1]);
        expect(await failures.recent('none', 20)).toEqual([]);
      } finally {
        await close();
      }
    });

    it('keeps a warehouse to its newest rows however many different failures come', async () => {
      const { failures, close } = await open();
      try {
        for (let i = 0; i < REMOTE_FAILURES_KEPT + 15; i++)
          await failures.record({ warehouse: 'w', operation: 'check', code: 'ERR_REMOTE_INVALID', message: `answer ${i}`, atMs: T + i }, WINDOW);
        const rows = await failures.recent('w', 10_000);
        expect(rows).toHaveLength(REMOTE_FAILURES_KEPT);
        expect(rows[0]!.message).toBe(`answer ${REMOTE_FAILURES_KEPT + 14}`);
        expect(rows.at(-1)!.message).toBe('answer 15');
      } finally {
        await close();
      }
    });

    it('adds a count held back (repeats written as one) to its row, the first time the earliest', async () => {
      const { failures, close } = await open();
      try {
        const down = { warehouse: 'w', operation: 'commit-table' as const, code: 'ERR_UNAVAILABLE', message: 'down' };
        await failures.record({ ...down, atMs: T + 20, count: 5, firstAtMs: T + 4 }, WINDOW);
        await failures.record({ ...down, atMs: T + 30 }, WINDOW);
        await failures.record({ ...down, atMs: T + 25, count: 3, firstAtMs: T + 2 }, WINDOW);
        expect((await failures.recent('w', 20)).map((r) => [r.count, r.firstAtMs - T, r.lastAtMs - T])).toEqual([[9, 2, 30]]);
      } finally {
        await close();
      }
    });

    it('pages through the history in one total order (ties on the last time too), every row once', async () => {
      const { failures, close } = await open();
      try {
        const operations: RemoteOperation[] = ['load-table', 'check', 'list-tables'];
        // 30 rows, three to a last time, across two windows: the order past the last time decides.
        for (let i = 0; i < 30; i++)
          await failures.record(
            { warehouse: 'w', operation: operations[i % 3]!, code: 'ERR_UNAVAILABLE', message: `m${i % 7}`, atMs: T + (i % 2) * WINDOW + Math.floor(i / 6) },
            WINDOW,
          );
        await failures.record({ warehouse: 'other', operation: 'check', code: 'ERR_UNAVAILABLE', message: 'm0', atMs: T }, WINDOW);
        const all = await failures.page('w', 1000);
        expect(all).toHaveLength(30);
        expect([...all].sort(compareFailures)).toEqual(all);
        const walked: RemoteFailure[] = [];
        let after: RemoteFailure | undefined;
        do {
          const page = await failures.page('w', 7, after);
          expect(page.length).toBeLessThanOrEqual(7);
          walked.push(...page);
          after = page.length === 7 ? page.at(-1) : undefined;
        } while (after);
        expect(walked).toEqual(all);
        expect(await failures.recent('w', 5)).toEqual(all.slice(0, 5));
      } finally {
        await close();
      }
    });

    it('remembers when the remote last answered, never moving back', async () => {
      const { failures, close } = await open();
      try {
        expect(await failures.lastAnswered('w')).toBeUndefined();
        await failures.answered('w', T + 10);
        await failures.answered('w', T + 5);
        expect(await failures.lastAnswered('w')).toBe(T + 10);
        await failures.answered('w', T + 20);
        expect(await failures.lastAnswered('w')).toBe(T + 20);
        expect(await failures.lastAnswered('other')).toBeUndefined();
      } finally {
        await close();
      }
    });
  });
}
