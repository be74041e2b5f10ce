/**
 * The oversized-file scenario of managed compaction on a table Spark writes (peers/spark/compaction.py, write_big),
 * shared by the catalog's own compaction (test/interop/compaction-spark.test.ts) and the Spark executor's
 * (test/interop/compaction-spark-executor.test.ts), which must both split it:
 *  1. One INSERT of one Spark task writes ROWS rows into an unpartitioned table: one data file of about 5 MiB (each
 *     payload 128 bytes of SHA-512 digests in base64, which Parquet's dictionary and compression barely shrink), far
 *     above the request's `max-file-size-bytes`.
 *  2. rewrite-data-files with `target-file-size-bytes` TARGET (1 MiB, the least Lakegate takes: compaction-properties.ts
 *     MIN_TARGET_BYTES) and `max-file-size-bytes` MAX (1.5 MiB; Iceberg and Lakegate both want it above the target):
 *     the file is the partition's one candidate (above MAX), rewritten alone into several files.
 * Checked: the input gone, at least ceil(input / MAX) files added, each at most MAX (the bound either rewriter keeps:
 * Iceberg's Spark writer rolls a file at target + (max - target) / 2, SizeBasedFileRewritePlanner.writeMaxFileSize,
 * checked every 1000 rows; Lakegate's rolls near the target, estimated from the bytes a row took, rolling-write.ts;
 * no output is itself above max-file-size-bytes, so none is split again), every row read back the same (count and two
 * checksums over all rows by Spark SQL), the `replace` snapshot's summary naming what was rewritten, and a second
 * request with nothing left to do.
 */
import { expect } from 'vitest';
import type { Send } from './iceberg-http.js';
import type { SparkSession } from './spark-session.js';

const show = (body: unknown) => JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v));

export const ROWS = 40_000;
export const TARGET = 1024 * 1024;
export const MAX = 1.5 * 1024 * 1024;

/** A data file as big_read lists it: path, bytes, records. */
type DataFile = [string, number, number];

/**
 * Steps 1 and 2 on `table` as Spark names it (`rest` its Iceberg REST path, `maintenance` its maintenance path):
 * the replace snapshot's summary and the sizes written, for each file's own checks.
 */
export async function splitOversizedFile(
  spark: SparkSession,
  send: Send,
  table: string,
  paths: { rest: string; maintenance: string },
): Promise<{ summary: Record<string, string>; inputBytes: number; sizes: number[] }> {
  const written = await spark.run({ cmd: 'write_big', table, rows: ROWS });
  expect(written.count).toBe(ROWS);
  expect(written.files).toHaveLength(1);
  const [inputPath, inputBytes, inputRecords] = (written.files as DataFile[])[0]!;
  expect(inputRecords).toBe(ROWS);
  expect(inputBytes).toBeGreaterThan(3 * MAX);

  const request = { actions: ['rewrite-data-files'], 'target-file-size-bytes': TARGET, 'max-file-size-bytes': MAX };
  const done = await send('POST', paths.maintenance, request);
  expect(done.status, show(done.body)).toBe(200);
  expect(done.body.compaction).toMatchObject({
    outcome: 'committed',
    'rewritten-data-files': 1,
    'rewritten-bytes': inputBytes,
    'target-file-size-bytes': TARGET,
  });

  const after = await spark.run({ cmd: 'big_read', table });
  expect(after.operation).toBe('replace');
  expect(after.snapshot).toBe(done.body.compaction['snapshot-id']);
  expect(after.count).toBe(ROWS);
  expect(after.checksum).toEqual(written.checksum);
  const files = after.files as DataFile[];
  const sizes = files.map((f) => f[1]);
  const shown = show({ inputBytes, sizes });
  expect(files.map((f) => f[0])).not.toContain(inputPath);
  expect(files.length, shown).toBe(done.body.compaction['added-data-files']);
  expect(files.length, shown).toBeGreaterThanOrEqual(Math.ceil(inputBytes / MAX));
  for (const size of sizes) expect(size, shown).toBeLessThanOrEqual(MAX);
  expect(files.reduce((n, f) => n + f[2], 0)).toBe(ROWS);
  const addedBytes = sizes.reduce((n, s) => n + s, 0);
  expect(done.body.compaction['added-bytes']).toBe(addedBytes);

  const metadata = (await send('GET', paths.rest)).body.metadata;
  const snapshot = (metadata.snapshots as Array<{ 'snapshot-id': unknown; summary: Record<string, string> }>).find(
    (s) => String(s['snapshot-id']) === done.body.compaction['snapshot-id'],
  );
  expect(snapshot?.summary, show(snapshot?.summary)).toMatchObject({
    operation: 'replace',
    'deleted-data-files': '1',
    'added-data-files': String(files.length),
    'deleted-records': String(ROWS),
    'added-records': String(ROWS),
    'removed-files-size': String(inputBytes),
    'added-files-size': String(addedBytes),
    'total-data-files': String(files.length),
    'total-records': String(ROWS),
  });

  // Every file written is in range or a lone small one: nothing left to rewrite.
  const again = await send('POST', paths.maintenance, request);
  expect(again.status, show(again.body)).toBe(200);
  expect(again.body.compaction.outcome).toBe('nothing-to-do');
  return { summary: snapshot!.summary, inputBytes, sizes };
}
