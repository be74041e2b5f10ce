/**
 * The totals DescribeTable's detailed metadata answers (stats and metadata), read from a manifest file, against Lance's
 * own: LanceDB 0.39 writes a dataset (a create, an append, a delete, a delete of a whole fragment's rows), and for each
 * version the summary the catalog reads from that version's manifest equals the metadata LanceDB's version listing
 * carries (Lance's ManifestSummary of the same manifest).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, expect, it } from 'vitest';
import { manifestSummary } from './manifest-file.js';
import { manifestName } from './manifest-paths.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

it("reads each version's totals from its manifest as Lance's own summary of it", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lakegate-summary-'));
  dirs.push(dir);
  const db = await lancedb.connect(dir);
  const table = await db.createTable(
    't',
    [1, 2, 3, 4].map((id) => ({ id, name: `n${id}` })),
  );
  await table.add([5, 6].map((id) => ({ id, name: `n${id}` })));
  await table.delete('id = 2');
  await table.delete('id >= 5');
  const listed = await table.listVersions();
  table.close();
  db.close();
  const names = new Set(await readdir(path.join(dir, 't.lance', '_versions')));
  expect(listed.map((v) => v.version)).toEqual([1, 2, 3, 4]);
  for (const v of listed) {
    const name = [manifestName(v.version, 'V2'), manifestName(v.version, 'V1')].find((n) => names.has(n))!;
    const s = manifestSummary(new Uint8Array(await readFile(path.join(dir, 't.lance', '_versions', name))));
    const lance = Object.fromEntries(Object.entries(v.metadata).map(([k, value]) => [k, Number(value)]));
    expect(lance, `version ${v.version}`).toEqual({
      total_fragments: s.totalFragments,
      total_data_files: s.totalDataFiles,
      total_files_size: s.totalFilesSize,
      total_deletion_files: s.totalDeletionFiles,
      total_data_file_rows: s.totalDataFileRows,
      total_deletion_file_rows: s.totalDeletionFileRows,
      total_rows: s.totalRows,
    });
  }
  // The last version: the second fragment's rows all deleted (Lance drops such a fragment), one row of the first.
  expect(listed.at(-1)!.metadata).toMatchObject({ total_rows: '3', total_deletion_file_rows: '1', total_fragments: '1' });
});
