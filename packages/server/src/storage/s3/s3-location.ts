/**
 * S3 locations: s3://bucket/key, and the Hadoop spellings s3a:// and s3n://
 * that Iceberg accepts for the same objects. Keys are taken literally (no
 * percent-decoding), as Iceberg's S3FileIO does, so the key a client writes
 * and the key a session policy names are the same string.
 */
import { validation } from '../../errors/catalog-error.js';

export const S3_SCHEMES = ['s3', 's3a', 's3n'] as const;

export interface S3Location {
  bucket: string;
  /** The object key or key prefix, without a leading slash; '' for the bucket itself. */
  key: string;
}

const SCHEME = /^(s3|s3a|s3n):\/\//i;
// S3's bucket naming rules (MinIO applies the same ones).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

/** True when the URI has one of the S3 schemes (it may still be malformed). */
export const isS3Uri = (uri: string): boolean => SCHEME.test(uri);

/** Parses s3://bucket/key (or s3a://, s3n://); anything else is ERR_VALIDATION. */
export function parseS3Location(uri: string): S3Location {
  if (typeof uri !== 'string' || !SCHEME.test(uri)) throw validation(`location ${JSON.stringify(String(uri).split(':')[0])} is not an s3:// location`);
  if (/[\u0000-\u001f\u007f]/.test(uri)) throw validation('S3 location must not contain control characters');
  const rest = uri.replace(SCHEME, '');
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket) || bucket.includes('..')) throw validation(`S3 location has an invalid bucket name: ${JSON.stringify(bucket)}`);
  if (key.startsWith('/')) throw validation('S3 location must not have an empty first key segment (s3://bucket//...)');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw validation(`S3 key is longer than ${MAX_KEY_BYTES} bytes`);
  return { bucket, key };
}

/** A directory-like key prefix: the key with exactly one trailing slash ('' for the bucket root). */
export function directoryPrefix(key: string): string {
  const trimmed = key.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}
