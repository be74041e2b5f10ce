/**
 * The inline session policy of a vended S3 credential. It is the only thing
 * that scopes the credential: STS intersects it with the parent's own
 * permissions, so everything outside the table prefix must stay unreachable.
 *
 * - Objects: `arn:aws:s3:::bucket/prefix/*` only; the trailing slash keeps
 *   `t1` from reaching its sibling `t10`.
 * - Listing: ListBucket on the bucket, limited by `s3:prefix` to `prefix/*`
 *   (which also matches `prefix/`); not the bare `prefix`, which S3 matches
 *   as a string prefix and would reveal sibling names such as `prefix0/`.
 * - Keys holding `*`, `?` or `$` are refused: in an ARN or a StringLike value
 *   they would be wildcards or policy variables and widen the grant.
 * - The policy is never empty: MinIO reads an empty session policy as "inherit
 *   the parent's permissions". When nothing is allowed, an explicit Deny.
 * - STS caps an inline policy at 2048 characters (MinIO: bytes); a location too long to fit
 *   is a validation error, never a silently wider policy.
 * - Sealed Lance manifests (VendRequest.sealed, a table of catalog-managed versions), read-write:
 *   - PutObject (which covers multipart uploads and the target of a copy) and AbortMultipartUpload are denied on
 *     `prefix/*.manifest`, every published manifest of the table and its branches; an explicit Deny wins over the
 *     Allow. The staged manifests Lance writes for CreateTableVersion (`<n>.manifest-<uuid>`) and every other file
 *     stay writable.
 *   - DeleteObject is granted only on `prefix/_refs/*` (the tags and branch references Lance clients keep on storage)
 *     and on staged manifests (`prefix/*.manifest-*`), not on the rest of the prefix. A file of the table is removed
 *     only by the catalog (optimize, with its own access), never by a writer: pylance's own `cleanup_old_versions`
 *     (also run by LanceDB's `optimize`) deleted the data files of versions the catalog still lists once it could no
 *     longer delete their manifests, so those versions could no longer be read
 *     (test/interop/lance-sealed-manifests.test.ts).
 */
import { validation } from '../../errors/catalog-error.js';
import { type AccessMode, CATALOG_FOLDER, LANCE_MANIFEST_SUFFIX, type SealedObjects } from '../vending.js';
import type { S3Location } from './s3-location.js';

/** STS's limit for an inline session policy (AWS counts characters, MinIO bytes: bytes is the stricter). */
export const MAX_SESSION_POLICY_BYTES = 2048;

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

const OBJECT_ACTIONS: Record<AccessMode, string[]> = {
  read: ['s3:GetObject', 's3:GetObjectVersion'],
  'read-write': ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
};

/**
 * Bucket-wide actions: only locating the bucket. Not ListBucketMultipartUploads: S3 offers no prefix condition for it,
 * so it showed the keys of every upload in progress in the whole bucket (other tables', other warehouses' sharing
 * the bucket) to whoever may write one table. Writers do not need it: Iceberg's S3FileIO, PyArrow, Trino, DuckDB and
 * Lance complete or abort their own uploads by upload id (AbortMultipartUpload and ListMultipartUploadParts stay
 * granted under the prefix).
 */
const BUCKET_ACTIONS: Record<AccessMode, string[]> = {
  read: ['s3:GetBucketLocation'],
  'read-write': ['s3:GetBucketLocation'],
};

export const DENY_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] }],
};

/**
 * What a sealed read-write credential may not do to a sealed object: create or overwrite it (also by multipart or
 * copy). Deleting it is not granted in the first place (only `_refs/` and staged manifests may be deleted).
 */
export const SEALED_OBJECT_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'];

/** What no vended credential may do under CATALOG_FOLDER: create or overwrite (also by multipart or copy), delete. */
export const CATALOG_FOLDER_DENIED = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

/** The session policy granting `mode` under the location's key prefix, less writes of the `sealed` objects. */
export function buildSessionPolicy(location: S3Location, mode: AccessMode, sealed?: SealedObjects): PolicyDocument {
  const prefix = location.key.replace(/\/+$/, '');
  if (prefix === '') throw validation('a vended S3 credential must be scoped to a key prefix, not a whole bucket');
  if (/[*?$]/.test(prefix)) throw validation('S3 locations with "*", "?" or "$" in the key cannot be scoped by a session policy');
  const bucketArn = `arn:aws:s3:::${location.bucket}`;
  const objectActions = OBJECT_ACTIONS[mode] ?? [];
  const bucketActions = BUCKET_ACTIONS[mode] ?? [];
  const statements: PolicyStatement[] = [];
  const sealedWrite = sealed === 'lance-manifests' && objectActions.includes('s3:PutObject');
  if (objectActions.length > 0) {
    if (sealedWrite) {
      statements.push({ Effect: 'Allow', Action: objectActions.filter((a) => a !== 's3:DeleteObject'), Resource: [`${bucketArn}/${prefix}/*`] });
      statements.push({
        Effect: 'Allow',
        Action: ['s3:DeleteObject'],
        Resource: [`${bucketArn}/${prefix}/_refs/*`, `${bucketArn}/${prefix}/*${LANCE_MANIFEST_SUFFIX}-*`],
      });
    } else {
      statements.push({ Effect: 'Allow', Action: objectActions, Resource: [`${bucketArn}/${prefix}/*`] });
    }
    statements.push({
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [bucketArn],
      // Only "prefix/…": allowing the bare prefix would let a LIST of "t1" show the names under "t10/".
      Condition: { StringLike: { 's3:prefix': [`${prefix}/*`] } },
    });
  }
  if (bucketActions.length > 0) statements.push({ Effect: 'Allow', Action: bucketActions, Resource: [bucketArn] });
  if (sealedWrite) statements.push({ Effect: 'Deny', Action: SEALED_OBJECT_ACTIONS, Resource: [`${bucketArn}/${prefix}/*${LANCE_MANIFEST_SUFFIX}`] });
  if (objectActions.includes('s3:PutObject'))
    statements.push({ Effect: 'Deny', Action: CATALOG_FOLDER_DENIED, Resource: [`${bucketArn}/${prefix}/${CATALOG_FOLDER}/*`] });
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : DENY_ALL;
}

/** The policy as sent to STS: compact JSON, checked against the inline size limit. */
export function serializeSessionPolicy(policy: PolicyDocument): string {
  const json = JSON.stringify(policy);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_SESSION_POLICY_BYTES) {
    throw validation(`the location is too long to be scoped by an STS session policy (${bytes} > ${MAX_SESSION_POLICY_BYTES} bytes)`);
  }
  return json;
}

/** Builds and serializes in one step. */
export const sessionPolicyFor = (location: S3Location, mode: AccessMode, sealed?: SealedObjects): string =>
  serializeSessionPolicy(buildSessionPolicy(location, mode, sealed));
