/**
 * A v2 table partitioned by identity(region) with one manifest per append (its entries' data files are named, never
 * written: manifest rewrites and scan plans are metadata only), for the manifest rewrite's tests.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { appendUpdates, peopleSchema, type Send } from './iceberg-http.js';
import { type TestEntry, type TestManifest, writeManifest, writeManifestList } from './manifest-writer.js';

export const REGIONS = ['us', 'eu', 'ap'];

/**
 * A table under `tables` with `appends` append snapshots, each adding one manifest of one data file per region
 * (records = append number + 1); of format version 2, or `formatVersion` 1 (v1 manifests and lists; no deletes).
 */
export async function tableWithManyManifests(
  send: Send,
  tables: string,
  name: string,
  appends: number,
  formatVersion: 1 | 2 = 2,
): Promise<{ location: string; snapshots: string[]; append: (deletes?: boolean) => Promise<string> }> {
  const created = await send('POST', tables, {
    name,
    schema: peopleSchema(['id', 'region']),
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] },
    properties: { 'format-version': String(formatVersion) },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const location: string = created.body.metadata.location;
  mkdirSync(fileURLToPath(`${location}/metadata`), { recursive: true });
  const manifests: TestManifest[] = [];
  const snapshots: string[] = [];
  let deleted = 0;
  /** One append: a data manifest of a file per region, or (deletes) a delete manifest of a position delete per region, on an earlier append's files. */
  const append = async (deletes = false): Promise<string> => {
    const i = snapshots.length;
    const metadata = (await send('GET', `${tables}/${name}`)).body.metadata;
    const list = `${location}/metadata/snap-append-${i}.avro`;
    const c = appendUpdates(metadata, list);
    const target = deletes ? deleted++ : i;
    const entries: TestEntry[] = REGIONS.map((region) => ({
      status: 1,
      snapshotId: c.snapshotId,
      sequenceNumber: null,
      file: deletes
        ? {
            path: `${location}/data/${region}-${i}-deletes.parquet`,
            content: 1,
            partition: [region],
            records: 1,
            referencedDataFile: `${location}/data/${region}-${target}.parquet`,
          }
        : { path: `${location}/data/${region}-${i}.parquet`, partition: [region], records: i + 1, longBounds: [[1, i * 10, i * 10 + 9]] },
    }));
    const path = `${location}/metadata/append-${i}-m0.avro`;
    const seq = (metadata['last-sequence-number'] ?? 0) + 1;
    const content = deletes ? 1 : 0;
    manifests.unshift({
      path,
      length: await writeManifest(path, ['region'], entries, content, formatVersion),
      content,
      sequenceNumber: seq,
      addedSnapshotId: c.snapshotId,
    });
    await writeManifestList(list, manifests, formatVersion);
    const committed = await send('POST', `${tables}/${name}`, { requirements: c.requirements, updates: c.updates });
    expect(committed.status, stringifyJson(committed.body)).toBe(200);
    snapshots.push(String(c.snapshotId));
    return String(c.snapshotId);
  };
  for (let i = 0; i < appends; i++) await append();
  return { location, snapshots, append };
}
