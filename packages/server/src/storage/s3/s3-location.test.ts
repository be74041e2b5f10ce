import { describe, expect, it } from 'vitest';
import { directoryPrefix, isS3Uri, parseS3Location } from './s3-location.js';

describe('parseS3Location', () => {
  it('splits bucket and key for s3, s3a and s3n', () => {
    expect(parseS3Location('s3://bucket/wh/ns/t1')).toEqual({ bucket: 'bucket', key: 'wh/ns/t1' });
    expect(parseS3Location('s3a://my.bucket-1/a/b/')).toEqual({ bucket: 'my.bucket-1', key: 'a/b/' });
    expect(parseS3Location('S3N://bkt/x%20y')).toEqual({ bucket: 'bkt', key: 'x%20y' });
    expect(parseS3Location('s3://bucket')).toEqual({ bucket: 'bucket', key: '' });
    expect(parseS3Location('s3://bucket/')).toEqual({ bucket: 'bucket', key: '' });
  });

  it.each([
    'file:///tmp/x',
    '/tmp/x',
    'gs://bucket/x',
    's3:/bucket/x',
    's3://',
    's3://Bucket/x',
    's3://ab/x',
    's3://-bucket/x',
    's3://bu..cket/x',
    's3://bucket//x',
    's3://bucket/a\nb',
    `s3://bucket/${'k'.repeat(1025)}`,
  ])('rejects %j with ERR_VALIDATION', (uri) => {
    expect(() => parseS3Location(uri)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
  });

  it('recognises the schemes', () => {
    expect(isS3Uri('s3a://b/k')).toBe(true);
    expect(isS3Uri('file:///b/k')).toBe(false);
  });
});

describe('directoryPrefix', () => {
  it('ends a non-empty key with exactly one slash', () => {
    expect(directoryPrefix('wh/t1')).toBe('wh/t1/');
    expect(directoryPrefix('wh/t1//')).toBe('wh/t1/');
    expect(directoryPrefix('')).toBe('');
  });
});
