import { describe, expect, it } from 'vitest';
import { isGcsUri, parseGcsLocation } from './gcs-location.js';

describe('parseGcsLocation', () => {
  it('splits bucket and object name', () => {
    expect(parseGcsLocation('gs://lake/wh/ns/t1')).toEqual({ bucket: 'lake', name: 'wh/ns/t1' });
    expect(parseGcsLocation('GS://my_bucket.example.com/a/')).toEqual({ bucket: 'my_bucket.example.com', name: 'a/' });
    expect(parseGcsLocation('gs://lake')).toEqual({ bucket: 'lake', name: '' });
    expect(parseGcsLocation('gs://lake/x%20y')).toEqual({ bucket: 'lake', name: 'x%20y' });
  });

  it.each([
    's3://lake/x',
    'gs:/lake/x',
    'gs://',
    'gs://Lake/x',
    'gs://ab/x',
    'gs://-lake/x',
    'gs://la..ke/x',
    `gs://${'b'.repeat(64)}/x`,
    'gs://lake//x',
    'gs://lake/a\nb',
    `gs://lake/${'k'.repeat(1025)}`,
  ])('rejects %j with ERR_VALIDATION', (uri) => {
    expect(() => parseGcsLocation(uri)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
  });

  it('recognises the scheme', () => {
    expect(isGcsUri('gs://b/k')).toBe(true);
    expect(isGcsUri('gcs://b/k')).toBe(false);
  });
});
