/** The `s3` storage kind: AWS S3 and S3-compatible stores (storage/kind.ts). */
import { S3_FACTS } from '../../catalog/ports/storage-kinds.js';
import { type StorageKind, rootInStorage, storageKind } from '../kind.js';
import { StorageRouter } from '../storage-router.js';
import { S3CredentialVendor } from './s3-credential-vendor.js';
import { S3_SCHEMES } from './s3-location.js';
import { S3ObjectStorage } from './s3-object-storage.js';
import { S3ProfileSchema, S3SecretSchema, delegationOf } from './s3-profile.js';
import { S3RequestSigner } from './s3-request-signer.js';

export const s3Kind: StorageKind<typeof S3ProfileSchema, typeof S3SecretSchema> = storageKind({
  type: 's3',
  profileSchema: S3ProfileSchema,
  secretSchema: S3SecretSchema,
  facts: S3_FACTS,
  schemes: S3_SCHEMES,
  local: false,
  platformFields: ['endpoint', 'sts-endpoint', 'role-arn', 'external-id'],
  root: (profile) => `s3://${profile.bucket}`,
  checkRoot: (profile, root) => rootInStorage(`s3://${profile.bucket}`, root),
  build(profile, secret) {
    const credentials = secret && { accessKeyId: secret['access-key-id'], secretAccessKey: secret['secret-access-key'] };
    const storage = new S3ObjectStorage({
      bucket: profile.bucket,
      endpoint: profile.endpoint,
      region: profile.region,
      pathStyle: profile['path-style-access'],
      credentials,
    });
    const vendor = new S3CredentialVendor({
      bucket: profile.bucket,
      stsEndpoint: profile['sts-endpoint'] ?? profile.endpoint,
      roleArn: profile['role-arn'],
      externalId: profile['external-id'],
      region: profile.region,
      s3Endpoint: profile.endpoint,
      pathStyle: profile['path-style-access'],
      maxLifetimeSeconds: profile['credential-lifetime-seconds'],
      credentials,
    });
    // Signing needs a key of the warehouse's own (the default provider chain's may rotate under a signer).
    const signer =
      credentials &&
      new S3RequestSigner({
        bucket: profile.bucket,
        region: profile.region,
        endpoint: profile.endpoint,
        pathStyle: profile['path-style-access'],
        credentials,
        endpointMode: profile['remote-signing-endpoint'],
        headerGuard: profile['signing-header-guard'],
      });
    const mechanisms = delegationOf(profile).filter((m) => m !== 'remote-signing' || signer !== undefined);
    return { storage: new StorageRouter([storage]), vendor: mechanisms.includes('vended-credentials') ? vendor : undefined, signer, mechanisms };
  },
});
