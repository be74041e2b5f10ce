/**
 * Google Cloud Storage locations: gs://bucket/object-name. Names are taken
 * literally (no percent-decoding), as Iceberg's GCSFileIO does, so the name
 * a client writes and the name a Credential Access Boundary names are the
 * same string.
 */
import { validation } from '../../errors/catalog-error.js';

export const GCS_SCHEMES = ['gs'] as const;

export interface GcsLocation {
  bucket: string;
  /** The object name or name prefix, without a leading slash; '' for the bucket itself. */
  name: string;
}

const SCHEME = /^gs:\/\//i;
// GCS bucket naming: lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const MAX_NAME_BYTES = 1024;

/** True when the URI has the gs:// scheme (it may still be malformed). */
export const isGcsUri = (uri: string): boolean => SCHEME.test(uri);

/** Parses gs://bucket/name; anything else is ERR_VALIDATION. */
export function parseGcsLocation(uri: string): GcsLocation {
  if (typeof uri !== 'string' || !SCHEME.test(uri)) throw validation(`location ${JSON.stringify(String(uri).split(':')[0])} is not a gs:// location`);
  if (/[\u0000-\u001f\u007f]/.test(uri)) throw validation('GCS location must not contain control characters');
  const rest = uri.replace(SCHEME, '');
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const name = slash === -1 ? '' : rest.slice(slash + 1);
  const dotted = bucket.split('.');
  if (!BUCKET.test(bucket) || bucket.includes('..') || (dotted.length === 1 && bucket.length > 63) || dotted.some((p) => p.length > 63)) {
    throw validation(`GCS location has an invalid bucket name: ${JSON.stringify(bucket)}`);
  }
  if (name.startsWith('/')) throw validation('GCS location must not have an empty first name segment (gs://bucket//...)');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) throw validation(`GCS object name is longer than ${MAX_NAME_BYTES} bytes`);
  return { bucket, name };
}
