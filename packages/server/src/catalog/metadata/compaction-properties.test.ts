import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import { checkCompactionProperties, scheduledCompaction, scheduledLanceOptimize } from './compaction-properties.js';

const code = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return e instanceof CatalogError ? e.code : 'other';
  }
  return undefined;
};

describe('scheduled compaction settings', () => {
  it('are off unless compaction.enabled is true on the table or, failing that, its warehouse', () => {
    expect(scheduledCompaction(undefined, {})).toBeUndefined();
    expect(scheduledCompaction({}, { 'compaction.enabled': 'true' })).toEqual({ minInputFiles: 5, minSmallFileRatio: 0, manifestsMinCount: 100 });
    expect(scheduledCompaction({ 'compaction.enabled': 'false' }, { 'compaction.enabled': 'true' })).toBeUndefined();
    expect(scheduledCompaction({ 'compaction.enabled': 'true' }, {})).toEqual({ minInputFiles: 5, minSmallFileRatio: 0, manifestsMinCount: 100 });
  });

  it('take compaction.manifests.min-count from the table, else the warehouse', () => {
    const warehouse = { 'compaction.enabled': 'true', 'compaction.manifests.min-count': '50' };
    expect(scheduledCompaction({}, warehouse)?.manifestsMinCount).toBe(50);
    expect(scheduledCompaction({ 'compaction.manifests.min-count': '2' }, warehouse)?.manifestsMinCount).toBe(2);
  });

  it('take each threshold from the table, else the warehouse; a stored invalid value counts as unset', () => {
    const warehouse = { 'compaction.enabled': 'true', 'compaction.min-input-files': '8', 'compaction.min-small-file-ratio': '0.3' };
    expect(scheduledCompaction({ 'compaction.min-input-files': '3' }, warehouse)).toEqual({ minInputFiles: 3, minSmallFileRatio: 0.3, manifestsMinCount: 100 });
    expect(scheduledCompaction({ 'compaction.min-input-files': 'lots', 'compaction.min-small-file-ratio': '.75' }, warehouse)).toEqual({
      minInputFiles: 8,
      minSmallFileRatio: 0.75,
      manifestsMinCount: 100,
    });
    expect(scheduledCompaction({ 'compaction.enabled': 'yes' }, warehouse)).toEqual({ minInputFiles: 8, minSmallFileRatio: 0.3, manifestsMinCount: 100 });
  });

  it('refuse absurd values with ERR_ILLEGAL_ARGUMENT and leave other properties alone', () => {
    for (const [k, v] of [
      ['compaction.enabled', 'TRUE'],
      ['compaction.min-input-files', '1'],
      ['compaction.min-input-files', '100001'],
      ['compaction.min-input-files', '2.5'],
      ['compaction.min-small-file-ratio', '1.01'],
      ['compaction.min-small-file-ratio', 'NaN'],
      ['compaction.min-small-file-ratio', ''],
      ['compaction.manifests.min-count', '1'],
      ['compaction.manifests.min-count', '10000000'],
      ['compaction.manifests.min-count', 'many'],
      ['compaction.lance.min-fragments', '1'],
      ['compaction.lance.min-fragments', '10000000'],
      ['compaction.lance.min-fragments', '32.0'],
    ] as const) {
      expect(
        code(() => checkCompactionProperties({ [k]: v })),
        `${k}=${v}`,
      ).toBe('ERR_ILLEGAL_ARGUMENT');
    }
    for (const [k, v] of [
      ['compaction.enabled', 'false'],
      ['compaction.min-input-files', '2'],
      ['compaction.min-input-files', '100000'],
      ['compaction.min-small-file-ratio', '0'],
      ['compaction.min-small-file-ratio', '1'],
      ['compaction.min-small-file-ratio', '0.125'],
      ['compaction.lance.min-fragments', '2'],
      ['compaction.lance.min-fragments', '1000000'],
      ['compaction.other', 'x'],
      ['write.target-file-size-bytes', 'x'],
    ] as const) {
      expect(
        code(() => checkCompactionProperties({ [k]: v })),
        `${k}=${v}`,
      ).toBeUndefined();
    }
  });

  it("turn a Lance table's scheduled optimize on as they do compaction, with compaction.lance.min-fragments (default 32)", () => {
    expect(scheduledLanceOptimize(undefined, {})).toBeUndefined();
    expect(scheduledLanceOptimize({}, { 'compaction.enabled': 'true' })).toEqual({ minFragments: 32 });
    expect(scheduledLanceOptimize({ 'compaction.enabled': 'false' }, { 'compaction.enabled': 'true' })).toBeUndefined();
    expect(scheduledLanceOptimize({ 'compaction.enabled': 'true', 'compaction.lance.min-fragments': '8' }, { 'compaction.lance.min-fragments': '50' })).toEqual(
      {
        minFragments: 8,
      },
    );
    expect(scheduledLanceOptimize({ 'compaction.enabled': 'true', 'compaction.lance.min-fragments': 'x' }, { 'compaction.lance.min-fragments': '50' })).toEqual(
      {
        minFragments: 50,
      },
    );
  });
});

describe("Iceberg's rewrite_data_files options as compaction.* properties", () => {
  it('are taken from the table, else the warehouse, and checked with the request bounds', () => {
    const warehouse = { 'compaction.enabled': 'true', 'compaction.max-file-size-bytes': '268435456', 'compaction.delete-ratio-threshold': '0.2' };
    expect(scheduledCompaction({ 'compaction.min-file-size-bytes': '0', 'compaction.delete-file-threshold': '4' }, warehouse)).toEqual({
      minInputFiles: 5,
      minSmallFileRatio: 0,
      manifestsMinCount: 100,
      minFileSizeBytes: 0,
      maxFileSizeBytes: 268435456,
      deleteFileThreshold: 4,
      deleteRatioThreshold: 0.2,
    });
    for (const [key, value] of [
      ['compaction.max-file-size-bytes', '1000'],
      ['compaction.min-file-size-bytes', '-1'],
      ['compaction.delete-file-threshold', '1.5'],
      ['compaction.delete-ratio-threshold', '0'],
      ['compaction.delete-ratio-threshold', '1.5'],
    ] as const)
      expect(
        code(() => checkCompactionProperties({ [key]: value })),
        `${key}=${value}`,
      ).toBe('ERR_ILLEGAL_ARGUMENT');
    expect(code(() => checkCompactionProperties({ 'compaction.delete-ratio-threshold': '1', 'compaction.max-file-size-bytes': '1048576' }))).toBeUndefined();
  });
});
