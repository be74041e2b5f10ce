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
import type { KindAdapters } from './kind.js';
import { kindOf } from './kinds.js';
import { type StorageProfile, StorageProfileSchema } from './profile.js';
import type { DelegationMechanism, RequestSigner } from '../catalog/ports/signing.js';
import { withStorageSpans } from './traced-storage.js';
import type { Spans } from '../catalog/ports/tracing.js';
import type { CredentialVendor } from './vending.js';

interface Resolved extends KindAdapters {
  fingerprint: string;
}

/**
 * What another thread needs to open a warehouse's storage itself (a Parquet rewrite thread, compose/rewrite-threads.ts):
 * the profile and its opened secret, and an id that changes when either does (the thread keeps what it built by it).
 * Held in memory beside the adapters built from it, which hold the same credentials; never logged.
 */
export interface StorageRecipe {
  id: string;
  warehouse: string;
  profile: StorageProfile;
  secret: unknown;
}

export class WarehouseStorage {
  private readonly resolved = new Map<string, Resolved>();
  /** Per warehouse record (the warehouse service hands out the same one until it changes): no fingerprint per request. */
  private readonly byRecord = new WeakMap<Warehouse, Resolved>();
  /** Adapters a storage kind shares between warehouses (BuildContext.shared), by kind. */
  private readonly sharedByKind = new Map<string, unknown>();
  /** The recipe of each object storage this resolved (recipeOf). */
  private readonly recipes = new WeakMap<ObjectStorage, StorageRecipe>();
  private built = 0;

  constructor(
    private readonly store: CatalogStore,
    private readonly box: SecretBox,
    /** A span per object-store call when tracing is on (traced-storage.ts). */
    private readonly spans?: Spans,
  ) {}

  async storageFor(warehouse: Warehouse): Promise<ObjectStorage> {
    return (await this.resolve(warehouse)).storage;
  }

  /** How the storage storageFor() answered was built, for a thread that opens its own; undefined for any other object. */
  recipeOf(storage: ObjectStorage): StorageRecipe | undefined {
    return this.recipes.get(storage);
  }

  async vendorFor(warehouse: Warehouse): Promise<CredentialVendor | undefined> {
    return (await this.resolve(warehouse)).vendor;
  }

  /** The delegation mechanisms the warehouse's storage offers (storage/s3/s3-profile.ts delegationOf for S3), in its order of preference. */
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
    const { adapters, secret } = await this.build(warehouse, profile);
    const built = { fingerprint, ...adapters, storage: withStorageSpans(adapters.storage, this.spans) };
    this.recipes.set(built.storage, { id: `${warehouse.name}#${++this.built}`, warehouse: warehouse.name, profile, secret });
    this.resolved.set(warehouse.name, built);
    this.byRecord.set(warehouse, built);
    return built;
  }

  /** The adapters of the profile's storage kind (storage/kinds.ts), with the secret opened when the kind has one. */
  private async build(warehouse: Warehouse, profile: StorageProfile): Promise<{ adapters: KindAdapters; secret: unknown }> {
    const kind = kindOf(profile.type);
    const schema = kind.secretSchema;
    const secret = schema && (await this.secret(warehouse, (v) => schema.parse(v)));
    const adapters = await kind.build(profile, secret, { warehouse: warehouse.name, shared: (make) => this.shared(profile.type, make) });
    return { adapters, secret };
  }

  private shared<T>(type: string, make: () => T): T {
    if (!this.sharedByKind.has(type)) this.sharedByKind.set(type, make());
    return this.sharedByKind.get(type) as T;
  }

  private async secret<T>(warehouse: Warehouse, parse: (v: unknown) => T): Promise<T | undefined> {
    if (!warehouse.secretId) return undefined;
    const sealed = await this.store.repository.getSecret(warehouse.secretId);
    if (!sealed) throw new CatalogError('ERR_UNAVAILABLE', `the storage secret of warehouse ${warehouse.name} is missing`);
    return parse(JSON.parse(this.box.open(sealed, `secret:${warehouse.secretId}`)));
  }
}
