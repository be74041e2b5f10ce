/**
 * The storage side of creating a warehouse and of changing its profile: a profile and its secret checked against the
 * root, and the secret sealed.
 */
import { CatalogError } from '../errors/catalog-error.js';
import type { StorageProfiles } from '../catalog/management/warehouse-admin.js';
import type { Warehouse } from '../catalog/ports/index.js';
import type { z } from 'zod';
import { kindOf } from './kinds.js';
import { type StorageProfile, StrictStorageProfileSchema } from './profile.js';
import type { WarehouseStorage } from './warehouse-storage.js';

const invalid = (message: string) => new CatalogError('ERR_VALIDATION', message);

export class ProfileAdmin implements StorageProfiles {
  constructor(private readonly storage: WarehouseStorage) {}

  check(input: { root: string; profile: unknown; secret: unknown }) {
    const checked = this.checkProfile(input);
    return { ...checked, platformOnly: platformOnly(checked.profile, input.secret !== undefined) };
  }

  storedSecret(warehouse: Warehouse): Promise<unknown> {
    return this.storage.openSecret(warehouse);
  }

  private checkProfile(input: { root: string; profile: unknown; secret: unknown }) {
    const parsed = StrictStorageProfileSchema.safeParse(input.profile);
    if (!parsed.success) throw invalid(`Invalid warehouse: ${issues('storage-profile', parsed.error.issues)}`);
    const profile = parsed.data;
    const kind = kindOf(profile.type);
    const wrongRoot = kind.checkRoot(profile, input.root);
    if (wrongRoot !== undefined) throw invalid(wrongRoot);
    if (kind.secretRequired !== undefined && input.secret === undefined) throw invalid(kind.secretRequired);
    if (input.secret === undefined) return { profile, local: kind.local };
    const secret = kind.secretSchema?.strict().safeParse(input.secret);
    if (!secret?.success) throw invalid(`storage-secret does not fit the storage profile: ${issues('storage-secret', secret?.error.issues ?? [])}`);
    const wrongSecret = kind.checkSecret?.(profile, secret.data);
    if (wrongSecret !== undefined) throw invalid(wrongSecret);
    return { profile, local: kind.local, seal: (secretId: string) => this.storage.sealSecret(secretId, secret.data) };
  }
}

/**
 * Zod's issues as `storage-profile.region: …` lines; an unknown key is named (`storage-profile.sts-enabeld is not a
 * field of this storage type`), a value never echoed (a secret's field may hold one).
 */
function issues(what: string, list: readonly z.core.$ZodIssue[]): string {
  return list
    .flatMap((i) => {
      const at = [what, ...i.path.map(String)].join('.');
      if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${at}.${k} is not a field of this storage type`);
      return [`${at}: ${i.message}`];
    })
    .join('; ');
}

/**
 * What in a profile only the platform may choose (docs/security.md, "Storage authority"): the server's own
 * filesystem, the server's ambient cloud credentials (a cloud profile without a secret: the AWS SDK's default
 * chain, Google Application Default Credentials), and where the catalog sends its credentials or whom it asks
 * to act (endpoints, STS endpoints, role ARNs and external ids). Each entry is a reason a tenant administrator is told.
 */
export function platformOnly(profile: StorageProfile, hasSecret: boolean): string[] {
  const kind = kindOf(profile.type);
  const reasons: string[] = [];
  if (kind.local) return ['the local filesystem'];
  if (!hasSecret) reasons.push("the server's own cloud credentials (a storage-profile without a storage-secret)");
  const fields: Record<string, unknown> = profile;
  for (const field of kind.platformFields) {
    if (fields[field] !== undefined) reasons.push(`storage-profile.${field}`);
  }
  return reasons;
}
