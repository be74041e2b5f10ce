import { describe, expect, it } from 'vitest';
import { MemoryObjectStorage } from '../../storage/memory/memory-object-storage.js';
import { DELETE_CHUNK, deleteFiles } from './delete-files.js';
import { JobProgress } from './progress.js';
import type { DeletableFile } from './reachable-files.js';

const clock = { now: () => 0 };

async function table(storage: MemoryObjectStorage, n: number): Promise<DeletableFile[]> {
  const files: DeletableFile[] = [];
  for (let i = 0; i < n; i++) {
    const path = `mem://b/wh/t/data/${i}.parquet`;
    await storage.writeNew(path, new Uint8Array(3));
    files.push({ path, kind: 'data', bytes: 3 });
  }
  return files;
}

describe('deleteFiles (maintenance through the bulk delete)', () => {
  it('sends no further chunk once its signal is aborted (the job lost its lease), and rejects with the reason', async () => {
    const storage = new MemoryObjectStorage();
    const files = await table(storage, DELETE_CHUNK * 8);
    const lost = new AbortController();
    const reason = new Error('lease lost');
    const deleteMany = storage.deleteMany.bind(storage);
    storage.deleteMany = async (uris) => {
      const out = await deleteMany(uris);
      lost.abort(reason);
      return out;
    };
    await expect(deleteFiles(storage, files, JobProgress.none(clock), { signal: lost.signal })).rejects.toBe(reason);
    // Only the chunks sent before the abort (at most one per call in flight) were deleted; the rest are still there.
    const sent = storage.deleteManyCalls.length;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThan(8);
    expect(storage.objects.size).toBe(files.length - sent * DELETE_CHUNK);
  });

  it('deletes nothing when its signal is already aborted', async () => {
    const storage = new MemoryObjectStorage();
    const files = await table(storage, 10);
    await expect(deleteFiles(storage, files, JobProgress.none(clock), { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
    expect(storage.deleteManyCalls).toEqual([]);
    expect(storage.objects.size).toBe(10);
  });

  it('deletes in chunks of DELETE_CHUNK through deleteMany, counting the progress of each', async () => {
    const storage = new MemoryObjectStorage();
    const files = await table(storage, DELETE_CHUNK * 2 + 5);
    const reports: number[] = [];
    const progress = new JobProgress(async (p) => void reports.push(p['files-deleted']), clock, 0);
    const out = await deleteFiles(storage, files, progress);
    expect(out.deleted).toHaveLength(files.length);
    expect(out.failed).toEqual([]);
    expect(storage.objects.size).toBe(0);
    expect(storage.deleteManyCalls.sort((a, b) => a - b)).toEqual([5, DELETE_CHUNK, DELETE_CHUNK]);
    expect(progress.current['files-deleted']).toBe(files.length);
    expect(progress.current['bytes-deleted']).toBe(files.length * 3);
    expect(reports.at(-1)).toBe(files.length);
  });

  it('reports what the store refused as failed with its reason, leaves it, and never counts it deleted', async () => {
    const storage = new MemoryObjectStorage({ refuseDelete: (uri) => (/\/(7|1500)\.parquet$/.test(uri) ? 'AccessDenied' : undefined) });
    const files = await table(storage, 2000);
    const progress = JobProgress.none(clock);
    const out = await deleteFiles(storage, files, progress);
    expect(out.failed.map((f) => [f.path, f.kind, f.bytes])).toEqual([
      ['mem://b/wh/t/data/7.parquet', 'data', 3],
      ['mem://b/wh/t/data/1500.parquet', 'data', 3],
    ]);
    for (const f of out.failed) expect(f.error).toContain('AccessDenied');
    expect(out.deleted).toHaveLength(1998);
    expect(out.deleted.some((f) => f.path.endsWith('/7.parquet'))).toBe(false);
    expect([...storage.objects.keys()].sort()).toEqual(['mem://b/wh/t/data/1500.parquet', 'mem://b/wh/t/data/7.parquet']);
    expect(progress.current).toMatchObject({ 'files-deleted': 1998, 'bytes-deleted': 1998 * 3, 'files-failed': 2 });
  });

  it('counts a file the storage answered for in neither list as failed', async () => {
    const storage = new MemoryObjectStorage();
    const files = await table(storage, 3);
    const forgetful = Object.assign(Object.create(storage) as MemoryObjectStorage, {
      deleteMany: async (uris: readonly string[]) => ({ deleted: uris.slice(1), missing: [], failed: [] }),
    });
    const out = await deleteFiles(forgetful, files, JobProgress.none(clock));
    expect(out.deleted.map((f) => f.path)).toEqual(files.slice(1).map((f) => f.path));
    expect(out.failed).toEqual([{ ...files[0], error: 'ERR_STORAGE: the storage did not report this file deleted' }]);
  });

  it('reports a file that was not there as missing, never as deleted (issue 52)', async () => {
    const storage = new MemoryObjectStorage();
    const files = await table(storage, 3);
    const ghost: DeletableFile = { path: 'mem://b/wh/t/data/region=%C3%A9/ghost.parquet', kind: 'data', bytes: 5 };
    const progress = JobProgress.none(clock);
    const out = await deleteFiles(storage, [...files, ghost], progress);
    expect(out.deleted).toEqual(files);
    expect(out.missing).toEqual([ghost]);
    expect(out.failed).toEqual([]);
    expect(progress.current).toMatchObject({ 'files-deleted': 3, 'bytes-deleted': 9 });
  });

  it('on a store that cannot tell (S3), lists the location first: a file it did not find is missing and not sent', async () => {
    const storage = new MemoryObjectStorage({ handlesAll: true });
    const files = await table(storage, 3);
    const ghost: DeletableFile = { path: 'mem://b/wh/t/data/ghost.parquet', kind: 'data', bytes: 5 };
    const sent: string[] = [];
    const s3Like = Object.assign(Object.create(storage) as MemoryObjectStorage, {
      existsIsCheap: () => false,
      deleteMany: async (uris: readonly string[]) => {
        sent.push(...uris);
        for (const u of uris) storage.objects.delete(u);
        return { deleted: [...uris], missing: [], failed: [] };
      },
    });
    const out = await deleteFiles(s3Like, [...files, ghost], JobProgress.none(clock), { location: 'mem://b/wh/t' });
    expect(out.deleted).toEqual(files);
    expect(out.missing).toEqual([ghost]);
    expect(sent).toEqual(files.map((f) => f.path));
    // Files just listed (orphans) are not listed again.
    const again = await deleteFiles(s3Like, [ghost], JobProgress.none(clock), { location: 'mem://b/wh/t', listed: true });
    expect(again.deleted).toEqual([ghost]);
  });
});
