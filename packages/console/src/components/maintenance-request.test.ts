import { describe, expect, it } from 'vitest';
import { compactionFieldsError, maintenanceRequest, strategyHint } from './maintenance-request';

/** No target size and no fewest input files typed: the defaults. */
const none = { targetMiB: '', minInputFiles: '' };

describe('console maintenance requests', () => {
  it('sends expiry and orphan removal as before', () => {
    expect(maintenanceRequest('expire', { olderThanDays: 3, strategy: 'sort', ...none })).toEqual({ actions: ['expire-snapshots'] });
    expect(maintenanceRequest('orphans-dry-run', { olderThanDays: 3, strategy: 'sort', ...none })).toEqual({
      actions: ['remove-orphan-files'],
      'dry-run': true,
      'orphan-older-than-ms': 3 * 86_400_000,
    });
    expect(maintenanceRequest('orphans', { olderThanDays: 0.5, strategy: 'default', ...none })).toEqual({
      actions: ['remove-orphan-files'],
      'dry-run': false,
      'orphan-older-than-ms': 43_200_000,
    });
  });

  it('sends compaction with the strategy chosen, and none for the table default (the server decides)', () => {
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'default', ...none })).toEqual({ actions: ['rewrite-data-files'] });
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'sort', ...none })).toEqual({
      actions: ['rewrite-data-files'],
      strategy: 'sort',
    });
    expect(maintenanceRequest('compact-dry-run', { olderThanDays: 3, strategy: 'binpack', ...none })).toEqual({
      actions: ['rewrite-data-files'],
      'dry-run': true,
      strategy: 'binpack',
    });
  });

  it('sends the target file size in bytes and the fewest input files when typed, nothing when left empty', () => {
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'default', targetMiB: '128', minInputFiles: '4' })).toEqual({
      actions: ['rewrite-data-files'],
      'target-file-size-bytes': 128 * 1024 * 1024,
      'min-input-files': 4,
    });
    expect(maintenanceRequest('compact-dry-run', { olderThanDays: 3, strategy: 'sort', targetMiB: ' 1.5 ', minInputFiles: ' ' })).toEqual({
      actions: ['rewrite-data-files'],
      'dry-run': true,
      strategy: 'sort',
      'target-file-size-bytes': 1_572_864,
    });
    // Not compaction: the fields are not sent.
    expect(maintenanceRequest('expire', { olderThanDays: 3, strategy: 'default', targetMiB: '128', minInputFiles: '4' })).toEqual({
      actions: ['expire-snapshots'],
    });
  });

  it('refuses fields that are not numbers before sending; bounds are left to the server', () => {
    expect(compactionFieldsError({ strategy: 'default', ...none })).toBeUndefined();
    expect(compactionFieldsError({ strategy: 'default', targetMiB: '64', minInputFiles: '3' })).toBeUndefined();
    expect(compactionFieldsError({ strategy: 'default', targetMiB: 'big', minInputFiles: '' })).toMatch(/Target file size/);
    expect(compactionFieldsError({ strategy: 'default', targetMiB: '', minInputFiles: 'x' })).toMatch(/Min input files/);
    expect(compactionFieldsError({ strategy: 'default', targetMiB: '999999', minInputFiles: '1' })).toBeUndefined();
  });

  it("says which order the rows will be in, by the table's default sort order", () => {
    expect(strategyHint('sort', 'identity(id) desc nulls-last')).toContain('identity(id) desc nulls-last');
    expect(strategyHint('sort', undefined)).toMatch(/no default sort order: the server refuses sort/);
    expect(strategyHint('default', undefined)).toMatch(/bin-packs/);
    expect(strategyHint('default', 'identity(id) asc nulls-first')).toMatch(/sorts by the table's default sort order \(identity\(id\) asc nulls-first\)/);
    expect(strategyHint('binpack', 'identity(id) asc nulls-first')).toMatch(/keep the small files' order/);
  });
});

describe('console sort order', () => {
  const columns = [
    { id: 1, name: 'id' },
    { id: 2, name: 'region' },
  ];
  it('sends a typed sort order as the API sort fields (columns by name), and none for binpack or an empty field', () => {
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'default', ...none, sortText: 'id DESC, truncate(2, region)' }, columns)).toEqual({
      actions: ['rewrite-data-files'],
      'sort-order': {
        fields: [
          { transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-last' },
          { transform: 'truncate[2]', 'source-id': 2, direction: 'asc', 'null-order': 'nulls-first' },
        ],
      },
    });
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'binpack', ...none, sortText: 'id DESC' }, columns)).toEqual({
      actions: ['rewrite-data-files'],
      strategy: 'binpack',
    });
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'sort', ...none, sortText: '  ' }, columns)).toEqual({
      actions: ['rewrite-data-files'],
      strategy: 'sort',
    });
  });

  it('refuses a sort order it cannot read or that names a column the table lacks, before sending', () => {
    expect(compactionFieldsError({ strategy: 'default', ...none, sortText: 'id sideways' }, columns)).toMatch(/Sort order.*cannot read/);
    expect(compactionFieldsError({ strategy: 'sort', ...none, sortText: 'email' }, columns)).toMatch(/no column "email"/);
    expect(compactionFieldsError({ strategy: 'binpack', ...none, sortText: 'email' }, columns)).toBeUndefined();
    expect(strategyHint('default', 'identity(id) asc nulls-first', 'region desc')).toMatch(/order typed \(region desc\)/);
  });

  it("sends the file group size in bytes and Spark's partial progress with its max commits when chosen (issue 59)", () => {
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'default', ...none, groupMiB: '512', partialProgress: true, maxCommits: '4' })).toEqual({
      actions: ['rewrite-data-files'],
      'max-file-group-size-bytes': 512 * 1024 * 1024,
      'partial-progress': { enabled: true, 'max-commits': 4 },
    });
    // Partial progress without a max: Spark's default; max commits typed but partial progress off: nothing of it sent.
    expect(maintenanceRequest('compact-dry-run', { olderThanDays: 3, strategy: 'default', ...none, partialProgress: true, maxCommits: ' ' })).toEqual({
      actions: ['rewrite-data-files'],
      'dry-run': true,
      'partial-progress': { enabled: true },
    });
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'default', ...none, groupMiB: '', partialProgress: false, maxCommits: '4' })).toEqual({
      actions: ['rewrite-data-files'],
    });
    // Not a compaction: none of it.
    expect(maintenanceRequest('expire', { olderThanDays: 3, strategy: 'default', ...none, groupMiB: '8', partialProgress: true })).toEqual({
      actions: ['expire-snapshots'],
    });
  });

  it('refuses a file group size or max commits that is not a number, before sending', () => {
    expect(compactionFieldsError({ strategy: 'default', ...none, groupMiB: 'lots' })).toMatch(/"Max file group size" must be a number of MiB/);
    expect(compactionFieldsError({ strategy: 'default', ...none, partialProgress: true, maxCommits: '2.5' })).toMatch(/"Max commits" must be a whole number/);
    expect(compactionFieldsError({ strategy: 'default', ...none, partialProgress: false, maxCommits: '2.5' })).toBeUndefined();
    expect(compactionFieldsError({ strategy: 'default', ...none, groupMiB: '64', partialProgress: true, maxCommits: '3' })).toBeUndefined();
  });

  it("sends Iceberg's size range in bytes and the delete thresholds when typed (issue 59), nothing when left empty", () => {
    const typed = { minFileMiB: '0', maxFileMiB: ' 8 ', deleteFileThreshold: '2', deleteRatioThreshold: '0.5' };
    expect(maintenanceRequest('compact-dry-run', { olderThanDays: 3, strategy: 'default', ...none, ...typed })).toEqual({
      actions: ['rewrite-data-files'],
      'dry-run': true,
      'min-file-size-bytes': 0,
      'max-file-size-bytes': 8 * 1024 * 1024,
      'delete-file-threshold': 2,
      'delete-ratio-threshold': 0.5,
    });
    const empty = { minFileMiB: '', maxFileMiB: ' ', deleteFileThreshold: '', deleteRatioThreshold: '' };
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'default', ...none, ...empty })).toEqual({ actions: ['rewrite-data-files'] });
    expect(maintenanceRequest('expire', { olderThanDays: 3, strategy: 'default', ...none, ...typed })).toEqual({ actions: ['expire-snapshots'] });
  });

  it('refuses a size range or delete threshold that is not a number before sending; bounds are left to the server', () => {
    expect(compactionFieldsError({ strategy: 'default', ...none, minFileMiB: 'small' })).toMatch(/"Min file size" must be a number of MiB/);
    expect(compactionFieldsError({ strategy: 'default', ...none, maxFileMiB: 'big' })).toMatch(/"Max file size" must be a number of MiB/);
    expect(compactionFieldsError({ strategy: 'default', ...none, deleteFileThreshold: '1.5' })).toMatch(/"Delete file threshold" must be a whole number/);
    expect(compactionFieldsError({ strategy: 'default', ...none, deleteRatioThreshold: 'half' })).toMatch(/"Delete ratio threshold" must be a number/);
    // Out of the server's bounds, but numbers: sent, and the server's 400 shown.
    expect(compactionFieldsError({ strategy: 'default', ...none, minFileMiB: '99999', deleteRatioThreshold: '0' })).toBeUndefined();
  });
});
