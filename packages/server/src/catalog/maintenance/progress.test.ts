import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import { failureReason, JobProgress } from './progress.js';
import type { MaintenanceProgress } from '../ports/maintenance.js';

describe('JobProgress', () => {
  it('writes each phase at once and counts at most once per interval, then the end state', async () => {
    let now = 1_000;
    const writes: MaintenanceProgress[] = [];
    const p = new JobProgress(async (x) => void writes.push(x), { now: () => now }, 100);
    await p.phase('listing-orphans');
    for (let i = 0; i < 50; i++) await p.filesScanned(1);
    expect(writes.map((w) => [w.phase, w['files-scanned']])).toEqual([['listing-orphans', 0]]);
    now += 100;
    await p.filesScanned(1);
    await p.manifestScanned();
    expect(writes.at(-1)).toMatchObject({ 'files-scanned': 51, 'manifests-scanned': 0, 'updated-at-ms': 1_100 });
    await p.phase('deleting-orphans');
    await p.deleted(7);
    await p.phase('done');
    expect(writes.at(-1)).toMatchObject({ phase: 'done', 'manifests-scanned': 1, 'files-scanned': 51, 'files-deleted': 1, 'bytes-deleted': 7 });
    expect(writes).toHaveLength(4);
  });

  it('never fails the job when a progress write fails', async () => {
    const p = new JobProgress(async () => Promise.reject(new Error('database gone')), { now: () => 0 }, 0);
    await expect(p.phase('expiring-snapshots')).resolves.toBeUndefined();
    await expect(p.deleted(3)).resolves.toBeUndefined();
    expect(p.current).toMatchObject({ phase: 'expiring-snapshots', 'files-deleted': 1, 'bytes-deleted': 3 });
  });

  it('reports a client-facing reason as it is, a server-side one by its code only', () => {
    expect(failureReason(new CatalogError('ERR_VALIDATION', 'Cannot read manifest file s3://b/t/m.avro'))).toBe('Cannot read manifest file s3://b/t/m.avro');
    const storage = failureReason(new CatalogError('ERR_STORAGE', 'S3 DeleteObject s3://b/k failed: AccessDenied key=AKIA…'));
    expect(storage).toBe('the job failed on the server (ERR_STORAGE); the server log has the reason');
    expect(failureReason(new TypeError('x is undefined at /srv/app.js:10'))).toBe('the job failed on the server; the server log has the reason');
  });
});
