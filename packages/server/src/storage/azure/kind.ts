/**
 * The `azure` storage kind: ADLS Gen2 and Blob storage (storage/kind.ts). The Azure SDK is imported when the first
 * azure warehouse is built, not at start: a server without one never loads it (docs/deployment.md, "Start-up").
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { AZURE_FACTS } from '../../catalog/ports/storage-kinds.js';
import { type StorageKind, rootInStorage, storageKind } from '../kind.js';
import { StorageRouter } from '../storage-router.js';
import { AZURE_SCHEMES } from './azure-location.js';
import { AzureProfileSchema, AzureSecretSchema } from './azure-profile.js';

const storageOf = (profile: { account: string; container: string }) => `abfss://${profile.container}@${profile.account}.dfs.core.windows.net`;

export const azureKind: StorageKind<typeof AzureProfileSchema, typeof AzureSecretSchema> = storageKind({
  type: 'azure',
  profileSchema: AzureProfileSchema,
  secretSchema: AzureSecretSchema,
  facts: AZURE_FACTS,
  schemes: AZURE_SCHEMES,
  local: false,
  platformFields: ['endpoint'],
  // An azure profile signs SAS tokens with the account key: it cannot work without one.
  secretRequired: 'an azure storage profile needs a storage-secret with the account-key',
  root: storageOf,
  checkRoot: (profile, root) => rootInStorage(storageOf(profile), root),
  async build(profile, secret, context) {
    // Shared key only: the account key signs the SAS and authorizes the catalog's own requests.
    if (!secret) throw new CatalogError('ERR_UNAVAILABLE', `warehouse ${context.warehouse} has no storage secret: an azure profile needs the account key`);
    const accountKey = secret['account-key'];
    const [{ AzureObjectStorage }, { AzureSasCredentialVendor }] = await Promise.all([
      import('./azure-object-storage.js'),
      import('./azure-sas-credential-vendor.js'),
    ]);
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
  },
});
