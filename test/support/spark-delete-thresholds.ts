/**
 * The delete-threshold scenario of managed compaction on a table Spark writes (peers/spark/compaction.py), shared by
 * the catalog's own compaction (test/interop/compaction-spark.test.ts) and the Spark executor's
 * (test/interop/compaction-spark-executor.test.ts), which must pick the same files:
 *  1. 12 INSERTs, insert i holding ids 10i to 10i+3 (one file each), then a merge-on-read DELETE of id % 7 = 0: a
 *     position delete file for inserts 0, 2, 4, 6, 7, 9, 11, a quarter of each one's rows; inserts 1, 3, 5, 8, 10 none.
 *  2. delete-file-threshold 1 (delete-ratio-threshold 1 takes none: a quarter deleted) rewrites the 7 files with a
 *     delete file into 2 (one a region), not the 5 without.
 *  3. A DELETE of ids 10, 11 (half of insert 1) and 30 (a quarter of insert 3); delete-ratio-threshold 0.2 rewrites both
 *     into 1 (both in region us), not inserts 5, 8, 10 nor the two files step 2 wrote.
 * Every request keeps all files in range (far below the target, min-file-size-bytes 0), so only deletes make a
 * candidate. Each file adds its own checks between the steps (what a stricter threshold leaves, who made a snapshot).
 */
import { expect } from 'vitest';
import type { Send } from './iceberg-http.js';
import type { SparkSession } from './spark-session.js';

const show = (body: unknown) => JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v));

/** A rewrite-data-files request that keeps every file of the scenario in range: only its deletes make a candidate. */
const IN_RANGE = {
  actions: ['rewrite-data-files'],
  'target-file-size-bytes': 1024 * 1024,
  'min-file-size-bytes': 0,
  'max-file-size-bytes': 2 * 1024 * 1024,
};

/** Step 1 written (`table` as Spark names it, `maintenance` its maintenance path); steps 2 and 3 as methods, run in that order. */
export async function deleteThresholdTable(spark: SparkSession, send: Send, table: string, maintenance: string) {
  const written = await spark.run({ cmd: 'write', table, inserts: 12 });
  expect(written.data_files).toBe(12);
  const filesOf = async () => new Map<number, string>((await spark.run({ cmd: 'files', table })).data);
  const before = await filesOf();
  expect(before.size).toBe(12);
  /** The data files of these inserts as step 1 wrote them. */
  const pathsOf = (inserts: number[]) => inserts.map((i) => before.get(10 * i)!);
  let kept: string[] = [];
  let deletedRows: unknown[] = [];
  return {
    written,
    /** A rewrite-data-files of the table with these thresholds, every file in range. */
    rewrite: (thresholds: Record<string, number>) => send('POST', maintenance, { ...IN_RANGE, ...thresholds }),
    /** Step 2: its compaction's snapshot id. */
    async byCount(): Promise<string> {
      const byCount = await send('POST', maintenance, { ...IN_RANGE, 'delete-file-threshold': 1, 'delete-ratio-threshold': 1 });
      expect(byCount.status, show(byCount.body)).toBe(200);
      expect(byCount.body.compaction).toMatchObject({ outcome: 'committed', 'rewritten-data-files': 7, 'added-data-files': 2 });
      const after = await spark.run({ cmd: 'read', table });
      expect(after.rows).toEqual(written.rows);
      expect(after.snapshot).toBe(byCount.body.compaction['snapshot-id']);
      expect(after.data_files).toBe(5 + 2);
      kept = [...(await filesOf()).values()];
      expect(kept).toEqual(expect.arrayContaining(pathsOf([1, 3, 5, 8, 10])));
      for (const gone of pathsOf([0, 2, 4, 6, 7, 9, 11])) expect(kept).not.toContain(gone);
      return byCount.body.compaction['snapshot-id'];
    },
    /** Step 3's DELETE. */
    async deleteMore(): Promise<void> {
      const deleted = await spark.run({ cmd: 'delete', table, where: 'id IN (10, 11, 30)' });
      expect(deleted.rows.length).toBe(written.rows.length - 3);
      deletedRows = deleted.rows;
    },
    /** Step 3's compaction, after deleteMore: Spark reads the rows it read after the DELETE. */
    async byRatio(): Promise<void> {
      const byRatio = await send('POST', maintenance, { ...IN_RANGE, 'delete-ratio-threshold': 0.2 });
      expect(byRatio.status, show(byRatio.body)).toBe(200);
      expect(byRatio.body.compaction).toMatchObject({ outcome: 'committed', 'rewritten-data-files': 2, 'added-data-files': 1 });
      const after = await spark.run({ cmd: 'read', table });
      expect(after.rows).toEqual(deletedRows);
      expect(after.data_files).toBe(7 - 2 + 1);
      const rated = [...(await filesOf()).values()];
      expect(rated).toEqual(expect.arrayContaining([...pathsOf([5, 8, 10]), ...kept.filter((p) => !pathsOf([1, 3]).includes(p))]));
      for (const gone of pathsOf([1, 3])) expect(rated).not.toContain(gone);
    },
  };
}
