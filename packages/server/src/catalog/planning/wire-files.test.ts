import { describe, expect, it } from 'vitest';
import type { ContentFile } from '../ports/manifests.js';
import { boundJson, scanTasksJson, singleValueJson } from './wire-files.js';

const le = (n: bigint, bytes: 4 | 8) => {
  const b = Buffer.alloc(bytes);
  if (bytes === 4) b.writeInt32LE(Number(n));
  else b.writeBigInt64LE(n);
  return new Uint8Array(b);
};

describe("values in the spec's single-value JSON", () => {
  it.each([
    ['date', 20455, '2026-01-02'],
    ['date', -1, '1969-12-31'],
    ['timestamp', 1_767_355_200_123_456n, '2026-01-02T12:00:00.123456'],
    ['timestamptz', 1_767_355_200_000_001n, '2026-01-02T12:00:00.000001+00:00'],
    ['timestamptz_ns', 1_767_355_200_000_000_789n, '2026-01-02T12:00:00.000000789+00:00'],
    ['time', 3_723_000_004n, '01:02:03.000004'],
    ['long', 7n, 7],
    ['long', 1n << 62n, 1n << 62n],
    ['int', 5, 5],
    ['string', 'a', 'a'],
    ['binary', new Uint8Array([0x78, 0x79, 0x7a]), '78797A'],
    ['fixed[3]', new Uint8Array([0x0a, 0xff, 0x00]), '0AFF00'],
    ['uuid', new Uint8Array(Buffer.from('eb26bdb1a1d84aa6990eda940875492c', 'hex')), 'eb26bdb1-a1d8-4aa6-990e-da940875492c'],
    ['decimal(9,4)', new Uint8Array([0x01, 0x2d, 0x7d, 0xb4]), '1975.8516'],
    ['decimal(9,2)', new Uint8Array([0xff, 0x38]), '-2.00'],
    ['decimal(9,0)', new Uint8Array([0x02]), '2'],
    ['string', null, null],
  ])('%s #%#', (type, value, expected) => {
    expect(singleValueJson(type, value)).toEqual(expected);
  });

  it('decodes bounds (Iceberg binary single-value serialization) by the column type', () => {
    expect(boundJson('long', le(-5n, 8))).toBe(-5);
    expect(boundJson('int', le(42n, 4))).toBe(42);
    expect(boundJson('date', le(20455n, 4))).toBe('2026-01-02');
    expect(boundJson('timestamptz', le(0n, 8))).toBe('1970-01-01T00:00:00.000000+00:00');
    expect(boundJson('double', new Uint8Array(Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x3f])))).toBe(1.5);
    expect(boundJson('string', new Uint8Array(Buffer.from('apple')))).toBe('apple');
    expect(boundJson('boolean', new Uint8Array([1]))).toBe(true);
    // A bound of the wrong width is not decoded (left out of the answer), never misread.
    expect(boundJson('long', le(1n, 4))).toBeUndefined();
  });
});

describe('delete files of an answer', () => {
  const content = (filePath: string, c: 0 | 1, extra: Partial<ContentFile> = {}) =>
    ({
      content: c,
      filePath,
      fileFormat: 'parquet',
      partition: [],
      recordCount: 1,
      fileSizeInBytes: 10,
      keyMetadata: null,
      splitOffsets: null,
      sortOrderId: null,
      firstRowId: null,
      referencedDataFile: null,
      contentOffset: null,
      contentSizeInBytes: null,
      equalityIds: null,
      ...extra,
    }) as ContentFile;
  const ctx = { specs: new Map([[0, { 'spec-id': 0, fields: [] }]]), fields: new Map(), statsIds: new Set<number>() };

  it('lists each deletion vector of one Puffin file once, and every task references its own (path and offset)', () => {
    const dv = (data: string, offset: number) =>
      content('s3://b/t/dv.puffin', 1, { fileFormat: 'puffin', referencedDataFile: data, contentOffset: offset, contentSizeInBytes: 40 });
    const pos = content('s3://b/t/pos.parquet', 1);
    const tasks = [
      { file: content('s3://b/t/a.parquet', 0), specId: 0, dataSequenceNumber: 1, deletes: [dv('s3://b/t/a.parquet', 4)] },
      { file: content('s3://b/t/b.parquet', 0), specId: 0, dataSequenceNumber: 1, deletes: [dv('s3://b/t/b.parquet', 44), pos] },
      { file: content('s3://b/t/c.parquet', 0), specId: 0, dataSequenceNumber: 1, deletes: [pos] },
    ];
    const answer = scanTasksJson(tasks, ctx, undefined) as { 'file-scan-tasks': Record<string, unknown>[]; 'delete-files': Record<string, unknown>[] };
    const deletes = answer['delete-files'];
    expect(deletes.map((d) => [d['file-path'], d['referenced-data-file'], d['content-offset']])).toEqual([
      ['s3://b/t/dv.puffin', 's3://b/t/a.parquet', 4],
      ['s3://b/t/dv.puffin', 's3://b/t/b.parquet', 44],
      ['s3://b/t/pos.parquet', undefined, undefined],
    ]);
    expect(answer['file-scan-tasks'].map((t) => t['delete-file-references'])).toEqual([[0], [1, 2], [2]]);
  });
});
