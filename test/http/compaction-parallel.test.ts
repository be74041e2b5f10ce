/**
 * Compaction with `rewriteThreads` 2 (issue 59): the job keeps as many groups rewriting as the rewriter has threads,
 * in the server's real rewrite threads (the built thread module), and commits what one thread commits: the same rows,
 * one file per partition (results are taken in the groups' order).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DataFileRewriter } from '@lakegate/server';
import type { Send } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createFileLake } from '../support/lake-warehouse.js';
import { scanTable, tableWithSmallFiles } from '../support/small-files.js';

let cat: TestCatalog;
let send: Send;
let running = 0;
let mostAtOnce = 0;
const TABLES = '/v1/wh/namespaces/db/tables';

beforeAll(async () => {
  // The server's own rewriter (its two threads), counting the rewrites running at once.
  const rewriter = (_storage: unknown, real: DataFileRewriter): DataFileRewriter => ({
    parallelism: real.parallelism,
    async rewrite(request) {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        return await real.rewrite(request);
      } finally {
        running -= 1;
      }
    },
  });
  cat = await startInProcess({ LAKEGATE_REWRITE_THREADS: '2' }, { rewriter });
  send = injectSender(cat.lakegate.app);
  await createFileLake(send, cat, 'wh', ['db']);
});
afterAll(async () => {
  await cat?.close();
});

it('rewrites two groups at once with two rewrite threads, committing the same rows, a file per partition', async () => {
  const rows = await tableWithSmallFiles(send, TABLES, 't', { eu: 6, us: 5, ap: 4, sa: 3 });
  const res = await send('POST', '/management/v1/warehouses/wh/namespaces/db/tables/t/maintenance', { actions: ['rewrite-data-files'] });
  expect(res.status).toBe(200);
  expect(res.body.compaction).toMatchObject({ outcome: 'committed', groups: 4, 'rewritten-data-files': 18, 'added-data-files': 4 });
  expect(cat.lakegate.rewriteThreads?.threadIds).toHaveLength(2);
  // Before, the job waited for each group's rewrite before starting the next: one at a time whatever the threads.
  expect(mostAtOnce).toBe(2);
  const after = await scanTable(send, `${TABLES}/t`);
  expect(after.rows).toEqual(rows);
  expect(after.files).toHaveLength(4);
  expect(after.files.every((f) => f.endsWith('-compacted.parquet'))).toBe(true);
  const plan = (await send('GET', `${TABLES}/t`)).body.metadata;
  expect(plan.snapshots.at(-1).summary).toMatchObject({ operation: 'replace', 'added-data-files': '4', 'deleted-data-files': '18' });
});
