/**
 * The manifest reader (catalog/manifests/) on files written by real PyIceberg 0.12: a v2 table partitioned by
 * identity and day, three appends and a delete that rewrote a file (peers/python/manifest_corpus.py). The set of
 * live data files, their record counts, partition values and lower bounds read by the server equal PyIceberg's
 * own client-side plan of a full scan. A manifest outside the table's location and a corrupt one are refused
 * with a clear CatalogError.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManifestReader } from '../../packages/server/src/catalog/manifests/manifest-reader.js';
import type { ManifestSource } from '../../packages/server/src/catalog/ports/manifests.js';
import type { Schema } from '../../packages/server/src/catalog/metadata/types.js';
import { bindFilter } from '../../packages/server/src/catalog/kit/expression.js';
import { planFiles } from '../../packages/server/src/catalog/planning/plan-files.js';
import { CatalogError } from '../../packages/server/src/errors/catalog-error.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT } from '../support/server-process.js';
import { runAsync, tempDir } from '../support/temp.js';

interface Oracle {
  manifestList: string;
  location: string;
  files: Array<{ path: string; records: number; partition: unknown[]; lower_id: string | null }>;
  idAtLeast30: string[];
}

const files: ManifestSource = { read: async (uri) => new Uint8Array(await readFile(fileURLToPath(uri))) };
let tmp: ReturnType<typeof tempDir>;
let oracle: Oracle;

beforeAll(async () => {
  tmp = tempDir('lakegate-manifests-');
  const r = await runAsync(pyicebergPython(), [path.join(REPO_ROOT, 'peers/python/manifest_corpus.py'), tmp.dir], { timeoutMs: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  oracle = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Oracle;
}, 300_000);
afterAll(() => tmp?.cleanup());

it("reads PyIceberg's manifest list and manifests: the live data files equal PyIceberg's own plan", async () => {
  const reader = new ManifestReader(files, [oracle.location]);
  const manifests = await reader.readManifestList(oracle.manifestList);
  expect(manifests.length).toBeGreaterThan(0);
  expect(manifests.every((m) => m.partitionSpecId === 0 && m.content === 0)).toBe(true);
  const read: Oracle['files'] = [];
  for (const m of manifests) {
    for await (const e of reader.readManifest(m)) {
      expect(e.sequenceNumber).not.toBeNull();
      const lower = e.file.lowerBounds?.get(1);
      read.push({
        path: e.file.filePath,
        records: e.file.recordCount,
        partition: e.file.partition,
        lower_id: lower ? Buffer.from(lower).toString('hex') : null,
      });
    }
  }
  const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
  expect(read.sort(byPath)).toEqual([...oracle.files].sort(byPath));
  // The delete rewrote a file: 5 data files live, 24 rows.
  expect(read.length).toBe(5);
  expect(read.reduce((n, f) => n + f.records, 0)).toBe(24);
});

it('refuses a manifest list outside the allowed locations, and a corrupt one, with a clear error', async () => {
  const outside = new ManifestReader(files, [`${oracle.location}-other`]);
  await expect(outside.readManifestList(oracle.manifestList)).rejects.toMatchObject({
    code: 'ERR_VALIDATION',
    message: expect.stringMatching(/outside the table's location/),
  });
  const corrupt = path.join(tmp.dir, 'warehouse/ns/t/metadata/corrupt.avro');
  await writeFile(corrupt, Buffer.from('Obj\u0001 not really avro'));
  const reader = new ManifestReader(files, [oracle.location]);
  const error = await reader.readManifestList(`file://${corrupt}`).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CatalogError);
  expect((error as CatalogError).message).toMatch(/^Cannot read manifest file/);
  const missing = await reader.readManifestList(`${oracle.location}/metadata/missing.avro`).catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(Error);
});

it("plans a filtered scan as PyIceberg's own client-side plan does, pruning by column metrics", async () => {
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] } as Schema;
  const reader = new ManifestReader(files, [oracle.location]);
  const plan = await planFiles(reader, oracle.manifestList, bindFilter({ type: 'gt-eq', term: 'id', value: 30 }, schema, true));
  expect(plan.tasks.map((t) => t.file.filePath).sort()).toEqual(oracle.idAtLeast30);
  expect(plan.filesScanned).toBe(5);
  expect(plan.filesPruned).toBe(3);
  expect(plan.tasks.every((t) => t.deletes.length === 0)).toBe(true);
  const all = await planFiles(reader, oracle.manifestList, bindFilter(true, schema, true));
  expect(all.tasks.length).toBe(5);
});
