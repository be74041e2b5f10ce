/**
 * The `gcs` storage kind: Google Cloud Storage (storage/kind.ts). google-auth-library is imported when the first gcs
 * warehouse is built, not at start: a server without one never loads it (docs/deployment.md, "Start-up").
 */
import { GCS_FACTS } from '../../catalog/ports/storage-kinds.js';
import { type StorageKind, rootInStorage, storageKind } from '../kind.js';
import { StorageRouter } from '../storage-router.js';
import type { ServiceAccountKey } from './gcs-downscoped-credential-vendor.js';
import { GCS_SCHEMES } from './gcs-location.js';
import { GcsProfileSchema, GcsSecretSchema } from './gcs-profile.js';

export const gcsKind: StorageKind<typeof GcsProfileSchema, typeof GcsSecretSchema> = storageKind({
  type: 'gcs',
  profileSchema: GcsProfileSchema,
  secretSchema: GcsSecretSchema,
  facts: GCS_FACTS,
  schemes: GCS_SCHEMES,
  local: false,
  platformFields: ['endpoint', 'sts-endpoint'],
  root: (profile) => `gs://${profile.bucket}`,
  checkRoot: (profile, root) => rootInStorage(`gs://${profile.bucket}`, root),
  checkSecret(profile, secret) {
    if (profile['service-account'] === undefined) return undefined;
    const key = JSON.parse(secret['service-account-key']) as { client_email: string };
    return key.client_email !== profile['service-account'] ? 'storage-secret is the key of another service account than the profile names' : undefined;
  },
  async build(profile, secret) {
    // Without a key, Application Default Credentials (for the catalog's own requests and as the source of downscoped tokens).
    const key = secret && (JSON.parse(secret['service-account-key']) as ServiceAccountKey);
    const [{ GcsDownscopedCredentialVendor, serviceAccountClient, sourceClientFor }, { GcsObjectStorage }] = await Promise.all([
      import('./gcs-downscoped-credential-vendor.js'),
      import('./gcs-object-storage.js'),
    ]);
    const vendor = new GcsDownscopedCredentialVendor({
      bucket: profile.bucket,
      serviceAccountKey: key,
      serviceAccount: profile['service-account'],
      endpoint: profile.endpoint,
      stsEndpoint: profile['sts-endpoint'],
    });
    // The catalog's own requests reuse one client (and its cached token).
    const storage = new GcsObjectStorage({
      bucket: profile.bucket,
      endpoint: profile.endpoint,
      auth: key ? async () => serviceAccountClient(key) : sourceClientFor(undefined),
    });
    return { storage: new StorageRouter([storage]), vendor, mechanisms: ['vended-credentials'] };
  },
});
