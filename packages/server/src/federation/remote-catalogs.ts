/**
 * The federated warehouses' remote catalogs (catalog/ports/remote-catalog.ts RemoteCatalogs): one descriptor per kind in a
 * registry, the credential sealed with the server's SecretBox under its own secret id (the associated data binds each
 * ciphertext to that id, so a sealed value moved to another row does not open), opened only to call the remote.
 * Connections are kept per warehouse while its settings stay the same: the OAuth2 token and the remote's prefix are
 * then fetched once, not on every request.
 */
import { randomUUID } from 'node:crypto';
import { CatalogError } from '../errors/catalog-error.js';
import { BoundedMap } from '../catalog/bounded-map.js';
import { isAllowedLocation } from '../catalog/location-policy.js';
import type { FederationSettings, RemoteCatalog, RemoteCatalogKind, RemoteCatalogs, RemoteCredential } from '../catalog/ports/remote-catalog.js';
import type { ObjectStorage, Warehouse } from '../catalog/ports/index.js';
import type { SecretBox } from '../security/secret-box.js';
import { icebergRestKind } from './iceberg-rest-remote.js';
import { lazyKind } from './lazy-kind.js';

/** Every kind of remote catalog this server federates to; Glue's and Hive's modules load on first use (lazy-kind.ts). */
export const REMOTE_CATALOG_KINDS: readonly RemoteCatalogKind[] = [
  icebergRestKind,
  lazyKind('glue', async () => (await import('./glue/glue-remote.js')).glueKind),
  lazyKind('hive', async () => (await import('./hive/hive-remote.js')).hiveKind),
];

interface SecretStore {
  putSecret(id: string, ciphertext: string, createdAtMs: number): Promise<void>;
  getSecret(id: string): Promise<string | undefined>;
}

const aad = (id: string) => `federation-secret:${id}`;

export class SealedRemoteCatalogs implements RemoteCatalogs {
  private readonly connections = new BoundedMap<string, { key: string; remote: RemoteCatalog }>({ maxEntries: 1000 });

  constructor(
    private readonly secrets: () => SecretStore,
    private readonly box: SecretBox,
    /** The warehouse's storage, where the kinds that keep only a pointer (Glue, Hive) have Lakegate write metadata files. */
    private readonly storageFor: (warehouse: Warehouse) => Promise<ObjectStorage> = async () => {
      throw new CatalogError('ERR_NOT_IMPLEMENTED', 'This server gives federation no storage');
    },
    private readonly kinds: readonly RemoteCatalogKind[] = REMOTE_CATALOG_KINDS,
  ) {}

  connect(settings: FederationSettings, credential: RemoteCredential): RemoteCatalog {
    return this.kindOf(settings).connect(settings, credential);
  }

  private kindOf(settings: FederationSettings): RemoteCatalogKind {
    const kind = this.kinds.find((k) => k.kind === settings.kind);
    if (!kind)
      throw new CatalogError(
        'ERR_VALIDATION',
        `federation.kind ${JSON.stringify(String(settings.kind).slice(0, 50))} is not one of: ${this.kinds.map((k) => k.kind).join(', ')}`,
      );
    return kind;
  }

  async of(warehouse: Warehouse & { federation: FederationSettings }): Promise<RemoteCatalog> {
    const key = JSON.stringify([warehouse.federation, warehouse.storageRoot, warehouse.storageProfile, warehouse.secretId]);
    const kept = this.connections.get(warehouse.name);
    if (kept?.key === key) return kept.remote;
    const kind = this.kindOf(warehouse.federation);
    const files = {
      root: warehouse.storageRoot,
      allows: (location: string) => isAllowedLocation(warehouse, location),
      storage: () => this.storageFor(warehouse),
    };
    const remote = kind.connect(warehouse.federation, await this.open(warehouse.federation.secretId), files);
    this.connections.set(warehouse.name, { key, remote });
    return remote;
  }

  async seal(credential: RemoteCredential): Promise<string> {
    const id = randomUUID();
    await this.secrets().putSecret(id, this.box.seal(JSON.stringify(credential), aad(id)), Date.now());
    return id;
  }

  async open(secretId: string | undefined): Promise<RemoteCredential> {
    if (secretId === undefined) return {};
    const sealed = await this.secrets().getSecret(secretId);
    if (sealed === undefined) throw new CatalogError('ERR_UNAVAILABLE', "The federated warehouse's remote credential is missing");
    return JSON.parse(this.box.open(sealed, aad(secretId))) as RemoteCredential;
  }
}
