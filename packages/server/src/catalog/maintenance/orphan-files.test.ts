import { describe, expect, it } from 'vitest';
import { MemoryObjectStorage } from '../../storage/memory/memory-object-storage.js';
import { findOrphans } from './orphan-files.js';

const T = 'mem://wh/t';
const DAY = 86_400_000;
const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('orphan files: policy-enforced files', () => {
  it('removes a derived file once its data file is unreachable, and copies no side file names; keeps the rest and anything young', async () => {
    const storage = new MemoryObjectStorage();
    const put = async (uri: string, data: Uint8Array, ageDays: number) => {
      await storage.writeNew(uri, data);
      storage.objects.get(uri)!.lastModifiedMs = Date.now() - ageDays * DAY;
    };
    const v = `${T}/_lakegate/policy/version1`;
    await put(`${T}/data/live.parquet`, new Uint8Array(1), 10);
    await put(`${T}/data/gone.parquet`, new Uint8Array(1), 10);
    // Derived from a live data file: kept (both files), also when old.
    await put(`${v}/a.json`, text({ uri: `${v}/a.1.parquet`, source: `${T}/data/live.parquet` }), 10);
    await put(`${v}/a.1.parquet`, new Uint8Array(3), 10);
    // Derived from a data file no metadata reaches any more: both go.
    await put(`${v}/b.json`, text({ uri: `${v}/b.1.parquet`, source: `${T}/data/expired.parquet` }), 10);
    await put(`${v}/b.1.parquet`, new Uint8Array(3), 10);
    // A copy that lost a race (no side file names it): goes; a young one stays (a plan may be deriving it now).
    await put(`${v}/a.2.parquet`, new Uint8Array(3), 10);
    await put(`${v}/c.1.parquet`, new Uint8Array(3), 0);
    // A young side file of an unreachable source stays, with its file.
    await put(`${v}/d.json`, text({ uri: `${v}/d.1.parquet`, source: `${T}/data/expired.parquet` }), 0);
    await put(`${v}/d.1.parquet`, new Uint8Array(3), 10);
    const reachable = new Set([`${T}/data/live.parquet`]);
    const orphans = await findOrphans(storage, reachable, T, Date.now(), 3 * DAY);
    expect(orphans.map((o) => o.path).sort()).toEqual([`${T}/data/gone.parquet`, `${v}/a.2.parquet`, `${v}/b.1.parquet`, `${v}/b.json`].sort());
  });
});
