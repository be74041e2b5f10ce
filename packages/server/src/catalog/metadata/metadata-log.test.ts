import { describe, it, expect } from 'vitest';
import { metadataFileName, nextMetadataLocation, parseMetadataVersion, withMetadataLog } from './metadata-log.js';
import { applyTableUpdates, newTableMetadata } from './table-metadata-builder.js';

const T0 = 1_700_000_000_000;
const base = newTableMetadata({
  schema: { type: 'struct', fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
  location: 's3://b/t',
  nowMs: T0,
});
const change = (md: typeof base, i: number) =>
  applyTableUpdates(md, [{ action: 'set-properties', updates: { n: String(i) } }], { nowMs: T0 + i * 1000, newUuid: () => 'x' });

describe('metadata file names', () => {
  it('formats and parses versions', () => {
    expect(metadataFileName(3, 'abc')).toBe('00003-abc.metadata.json');
    expect(parseMetadataVersion('s3://b/t/metadata/00042-9f1e.metadata.json')).toBe(42);
    expect(parseMetadataVersion('s3://b/t/metadata/v3.metadata.json')).toBe(-1);
    expect(parseMetadataVersion('s3://b/t/metadata/abc-def.metadata.json')).toBe(-1);
  });

  it('places the next file under the table or write.metadata.path', () => {
    expect(nextMetadataLocation(base, null, 'u')).toBe('s3://b/t/metadata/00000-u.metadata.json');
    expect(nextMetadataLocation(base, 's3://b/t/metadata/00007-z.metadata.json', 'u')).toBe('s3://b/t/metadata/00008-u.metadata.json');
    expect(nextMetadataLocation({ ...base, properties: { 'write.metadata.path': 's3://m/' } }, null, 'u')).toBe('s3://m/00000-u.metadata.json');
  });
});

describe('withMetadataLog', () => {
  it('appends the previous file with its last-updated-ms', () => {
    const next = change(base, 1);
    const logged = withMetadataLog(base, 's3://b/t/metadata/00000-a.metadata.json', next);
    expect(logged['metadata-log']).toEqual([{ 'timestamp-ms': T0, 'metadata-file': 's3://b/t/metadata/00000-a.metadata.json' }]);
    expect(withMetadataLog(base, 'x', base)).toBe(base);
  });

  it('keeps at most write.metadata.previous-versions-max entries', () => {
    let md = applyTableUpdates(base, [{ action: 'set-properties', updates: { 'write.metadata.previous-versions-max': '2' } }], {
      nowMs: T0 + 1,
      newUuid: () => 'x',
    });
    md = withMetadataLog(base, 'f0', md);
    for (let i = 1; i <= 4; i++) md = withMetadataLog(md, `f${i}`, change(md, i));
    expect(md['metadata-log'].map((e) => e['metadata-file'])).toEqual(['f3', 'f4']);
  });
});
