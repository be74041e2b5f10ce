/**
 * Resolves a warehouse's storage profile (plus its decrypted secret) into
 * the adapters the catalog uses: object storage for metadata files and the
 * credential vendor for clients. Adapters are built once per profile
 * version and reused; secrets are decrypted only here and only in memory.
 * Each profile reaches its own storage only: a `file:` location is served
 * by a `file` profile alone (the server's filesystem is the platform's, see
 * docs/security.md), and the cloud adapters refuse other buckets/accounts.
 */
import type { CatalogStore, ObjectStorage, Warehouse } from '../catalog/ports/index.js';
import { CatalogError } from '../errors/catalog-error.js';
import type { SecretBox } from '../security/secret-box.js';
import { AzureObjectStorage } from './azure/azure-object-storage.js';
import { AzureSasCredentialVendor } from './azure/azure-sas-credential-vendor.js';
import { LocalFileStorage } from './file/local-file-storage.js';
import { GcsDownscopedCredentialVendor, type ServiceAccountKey, serviceAccountClient, sourceClientFor } from './gcs/gcs-downscoped-credential-vendor.js';
import { GcsObjectStorage } from './gcs/gcs-object-storage.js';
import {
  type AzureSecret,
  AzureSecretSchema,
  type GcsSecret,
  GcsSecretSchema,
  type S3Secret,
  S3SecretSchema,
  type StorageProfile,
  StorageProfileSchema,
  delegationOf,
} from './profile.js';
import { S3CredentialVendor } from './s3/s3-credential-vendor.js';
import { S3ObjectStorage } from './s3/s3-object-storage.js';
import { S3RequestSigner } from './s3/s3-request-signer.js';
import type { DelegationMechanism, RequestSigner } from '../catalog/ports/signing.js';
import { StorageRouter } from './storage-router.js';
import { withStorageSpans } from './traced-storage.js';
import type { Spans } from '../catalog/ports/tracing.js';
import type { CredentialVendor } from './vending.js';

interface Resolved {
  fingerprint: string;
  storage: ObjectStorage;
  vendor: CredentialVendor | undefined;
  /** Remote signing with the warehouse's own key (S3 with a stored key only). */
  signer?: RequestSigner | undefined;
  mechanisms: readonly DelegationMechanism[];
}

export class WarehouseStorage {
  private readonly resolved = new Map<string, Resolved>();
  /** Per warehouse record (the warehouse service hands out the same one until it changes): no fingerprint per request. */
  private readonly byRecord = new WeakMap<Warehouse, Resolved>();
  private readonly local = new LocalFileStorage();

  constructor(
    private readonly store: CatalogStore,
    private readonly box: SecretBox,
    /** A span per object-store call when tracing is on (traced-storage.ts). */
    private readonly spans?: Spans,
  ) {}

  async storageFor(warehouse: Warehouse): Promise<ObjectStorage> {
    return (await this.resolve(warehouse)).storage;
  }

  async vendorFor(warehouse: Warehouse): Promise<CredentialVendor | undefined> {
    return (await this.resolve(warehouse)).vendor;
  }

  /** The delegation mechanisms the warehouse's storage offers (storage/profile.ts delegationOf), in its order of preference. */
  async mechanisms(warehouse: Warehouse): Promise<readonly DelegationMechanism[]> {
    return (await this.resolve(warehouse)).mechanisms;
  }

  async signerFor(warehouse: Warehouse): Promise<RequestSigner | undefined> {
    return (await this.resolve(warehouse)).signer;
  }

  /** The warehouse's mechanisms and signer when resolve() would answer from what it holds for this record. */
  signingCached(warehouse: Warehouse): { readonly mechanisms: readonly DelegationMechanism[]; readonly signer?: RequestSigner | undefined } | undefined {
    const known = this.byRecord.get(warehouse);
    return known !== undefined && this.resolved.get(warehouse.name) === known ? known : undefined;
  }

  /** Seals a profile's secret for storage; the id is what the warehouse record keeps. */
  sealSecret(secretId: string, secret: unknown): string {
    return this.box.seal(JSON.stringify(secret), `secret:${secretId}`);
  }

  /** A warehouse's stored secret, opened (in memory only): a profile change that keeps it is checked against it. */
  async openSecret(warehouse: Warehouse): Promise<unknown> {
    return this.secret(warehouse, (v) => v);
  }

  private async resolve(warehouse: Warehouse): Promise<Resolved> {
    const known = this.byRecord.get(warehouse);
    if (known !== undefined && this.resolved.get(warehouse.name) === known) return known;
    const fingerprint = JSON.stringify([warehouse.storageProfile, warehouse.secretId ?? null]);
    const cached = this.resolved.get(warehouse.name);
    if (cached?.fingerprint === fingerprint) {
      this.byRecord.set(warehouse, cached);
      return cached;
    }
    const profile = StorageProfileSchema.parse(warehouse.storageProfile);
    const adapters = await this.build(warehouse, profile);
    const built = { fingerprint, ...adapters, storage: withStorageSpans(adapters.storage, this.spans) };
    this.resolved.set(warehouse.name, built);
    this.byRecord.set(warehouse, built);
    return built;
  }

  private async build(warehouse: Warehouse, profile: StorageProfile): Promise<Omit<Resolved, 'fingerprint'>> {
    switch (profile.type) {
      case 'file':
        return { storage: new StorageRouter([this.local]), vendor: undefined, mechanisms: ['vended-credentials'] };
      case 's3': {
        const secret = await this.secret<S3Secret>(warehouse, (v) => S3SecretSchema.parse(v));
        const credentials = secret && { accessKeyId: secret['access-key-id'], secretAccessKey: secret['secret-access-key'] };
        const storage = new S3ObjectStorage({ bucket: profile.bucket, endpoint: profile.endpoint, region: profile.region, pathStyle: profile['path-style-access'], credentials });
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
        const signer = credentials && new S3RequestSigner({ bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint, pathStyle: profile['path-style-access'], credentials, endpointMode: profile['remote-signing-endpoint'], headerGuard: profile['signing-header-guard'] });
        const mechanisms = delegationOf(profile).filter((m) => m !== 'remote-signing' || signer !== undefined);
        return { storage: new StorageRouter([storage]), vendor: mechanisms.includes('vended-credentials') ? vendor : undefined, signer, mechanisms };
      }
      case 'azure': {
        // Shared key only: the account key signs the SAS and authorizes the catalog's own requests.
        const secret = await this.secret<AzureSecret>(warehouse, (v) => AzureSecretSchema.parse(v));
        if (!secret) throw new CatalogError('ERR_UNAVAILABLE', `warehouse ${warehouse.name} has no storage secret: an azure profile needs the account key`);
        const accountKey = secret['account-key'];
        const storage = new AzureObjectStorage({ account: profile.account, container: profile.container, accountKey, endpoint: profile.endpoint });
        const vendor = new AzureSasCredentialVendor({
          account: profile.account,
          accountKey,
          container: profile.container,
          endpoint: profile.endpoint,
          scope: profile['sas-scope'],
          maxLifetimeSeconds: profile['credential-lifetime-seconds'],
        });
        return { storage: new StorageRouter([storage]), vendor, mechanisms: ['vended-credentials'] };
      }
      case 'gcs': {
        // Without a key, Application Default Credentials (for the catalog's own requests and as the source of downscoped tokens).
        const secret = await this.secret<GcsSecret>(warehouse, (v) => GcsSecretSchema.parse(v));
        const key = secret && (JSON.parse(secret['service-account-key']) as ServiceAccountKey);
        const vendor = new GcsDownscopedCredentialVendor({
          bucket: profile.bucket,
          serviceAccountKey: key,
          serviceAccount: profile['service-account'],
          endpoint: profile.endpoint,
          stsEndpoint: profile['sts-endpoint'],
        });
        // The catalog's own requests reuse one client (and its cached token).
        const storage = new GcsObjectStorage({ bucket: profile.bucket, endpoint: profile.endpoint, auth: key ? async () => serviceAccountClient(key) : sourceClientFor(undefined) });
        return { storage: new StorageRouter([storage]), vendor, mechanisms: ['vended-credentials'] };
      }
    }
  }

  private async secret<T>(warehouse: Warehouse, parse: (v: unknown) => T): Promise<T | undefined> {
    if (!warehouse.secretId) return undefined;
    const sealed = await this.store.repository.getSecret(warehouse.secretId);
    if (!sealed) throw new CatalogError('ERR_UNAVAILABLE', `the storage secret of warehouse ${warehouse.name} is missing`);
    return parse(JSON.parse(this.box.open(sealed, `secret:${warehouse.secretId}`)));
  }
}
