/**
 * Storage profiles: where a warehouse keeps its data and how the catalog
 * reaches it. A profile is a tagged union without secrets; the secret part
 * (keys, account key) is stored apart, encrypted, and referenced by id.
 */
import { z } from 'zod';

export const S3ProfileSchema = z.object({
  type: z.literal('s3'),
  bucket: z.string().min(3).max(63).regex(/^[a-z0-9][a-z0-9.-]+[a-z0-9]$/, 'not a valid bucket name'),
  region: z.string().min(1).default('us-east-1'),
  endpoint: z.string().url().optional(),
  'path-style-access': z.boolean().default(false),
  'sts-endpoint': z.string().url().optional(),
  'role-arn': z.string().min(1).optional(),
  'external-id': z.string().min(1).optional(),
  /** Lifetime of vended credentials; STS allows 900 s to 12 h. */
  'credential-lifetime-seconds': z.number().int().min(900).max(43_200).default(3600),
  /** false for stores without STS (R2, Wasabi, Ceph RGW without its STS module): then only remote signing is offered. */
  'sts-enabled': z.boolean().optional(),
  /**
   * The access delegation mechanisms offered to engines, in order of preference (the first one a client supports
   * wins). Default: vended-credentials then remote-signing, or remote-signing alone when sts-enabled is false.
   */
  delegation: z.array(z.enum(['vended-credentials', 'remote-signing'])).min(1).max(2).optional(),
  /**
   * With remote signing, the sign endpoint the table config names: the table's own (`table`, the default), or none
   * (`default`), so that clients call their default `v1/aws/s3/sign` and the server finds the table from the
   * request's bucket and key (for clients that cannot take a per-table endpoint).
   */
  'remote-signing-endpoint': z.enum(['table', 'default']).optional(),
  /**
   * With remote signing on an endpoint other than AWS S3's, how a signed write is kept from gaining headers the
   * signature does not cover (a copy source, object lock, tags), which MinIO acts on: `query` (the default) signs
   * them empty and delivers that in the URI's query string, for stores that read a signed header the request lacks
   * from there (MinIO); `refuse` signs no PutObject, UploadPart or CreateMultipartUpload (read-only signing), for a
   * store that does not, or is not known to (docs/compatibility.md). AWS S3 refuses unsigned x-amz-* headers itself.
   */
  'signing-header-guard': z.enum(['query', 'refuse']).optional(),
});

export const AzureProfileSchema = z.object({
  type: z.literal('azure'),
  /** Storage account name (3..24 lowercase letters and digits). */
  account: z.string().regex(/^[a-z0-9]{3,24}$/, 'not a valid storage account name'),
  /** Container (ADLS Gen2: file system) holding the warehouse. */
  container: z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'not a valid container name'),
  /**
   * Blob service URL of the account when it is not https://<account>.blob.core.windows.net,
   * e.g. Azurite's http://127.0.0.1:10000/<account>. Locations keep their canonical
   * abfss://<container>@<account>.dfs.core.windows.net/... form either way.
   */
  endpoint: z.string().url().optional(),
  /**
   * What a vended SAS covers. `directory` (ADLS Gen2 accounts with a hierarchical namespace):
   * a directory SAS (sr=d) on the table's location only. `container`: a container SAS (sr=c)
   * on the whole container, for accounts without a hierarchical namespace and for Azurite,
   * which has no directory SAS; every table of the container is then reachable.
   */
  'sas-scope': z.enum(['directory', 'container']).default('directory'),
  'credential-lifetime-seconds': z.number().int().min(60).max(86_400).default(3600),
});

export const GcsProfileSchema = z.object({
  type: z.literal('gcs'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'not a valid bucket name'),
  /** When set, the service account key's client_email must be this account. */
  'service-account': z.string().optional(),
  /** JSON API root when not Google's, e.g. an emulator's http://127.0.0.1:4443; vended as gcs.service.host. */
  endpoint: z.string().url().optional(),
  /** Security Token Service endpoint for the downscoping token exchange; Google's when unset. */
  'sts-endpoint': z.string().url().optional(),
  /** Downscoped tokens live as long as the source token (at most one hour); this bounds nothing more. */
  'credential-lifetime-seconds': z.number().int().min(60).max(3600).default(3600),
});

export const FileProfileSchema = z.object({ type: z.literal('file') });

export const StorageProfileSchema = z.discriminatedUnion('type', [S3ProfileSchema, AzureProfileSchema, GcsProfileSchema, FileProfileSchema]);

export type StorageProfile = z.infer<typeof StorageProfileSchema>;

/**
 * The profile as a warehouse's administrator may write it: every field is one of its type's, and an unknown key
 * (a typo such as `sts-enabeld`, or a field of another type) is refused with the key named instead of silently
 * dropped. A stored profile is read with the lenient StorageProfileSchema (it was checked when written).
 */
export const StrictStorageProfileSchema = z.discriminatedUnion('type', [S3ProfileSchema.strict(), AzureProfileSchema.strict(), GcsProfileSchema.strict(), FileProfileSchema.strict()]);
export type S3Profile = z.infer<typeof S3ProfileSchema>;
export type AzureProfile = z.infer<typeof AzureProfileSchema>;
export type GcsProfile = z.infer<typeof GcsProfileSchema>;

/** The secret part of a profile, by type. */
export const S3SecretSchema = z.object({ 'access-key-id': z.string().min(1), 'secret-access-key': z.string().min(1) });
export const AzureSecretSchema = z.object({ 'account-key': z.string().min(1) });
/** A service account key file (JSON) as Google issues it; its token_uri is where the source token is fetched. */
export const GcsSecretSchema = z.object({
  'service-account-key': z.string().refine((text) => {
    try {
      const key = JSON.parse(text) as Record<string, unknown>;
      return key.type === 'service_account' && typeof key.client_email === 'string' && typeof key.private_key === 'string';
    } catch {
      return false;
    }
  }, 'must be a service account key file (JSON with type, client_email and private_key)'),
});
export type S3Secret = z.infer<typeof S3SecretSchema>;
export type AzureSecret = z.infer<typeof AzureSecretSchema>;
export type GcsSecret = z.infer<typeof GcsSecretSchema>;

/** The secret schema a profile type takes (no other keys); undefined for types without secrets. */
export function secretSchemaFor(type: StorageProfile['type']): z.ZodType | undefined {
  switch (type) {
    case 's3':
      return S3SecretSchema.strict();
    case 'azure':
      return AzureSecretSchema.strict();
    case 'gcs':
      return GcsSecretSchema.strict();
    case 'file':
      return undefined;
  }
}

/** The storage root a profile implies (for S3: s3://bucket), used to check the warehouse root fits it. */
export function profileScheme(profile: StorageProfile): string {
  switch (profile.type) {
    case 's3':
      return `s3://${profile.bucket}`;
    case 'azure':
      return `abfss://${profile.container}@${profile.account}.dfs.core.windows.net`;
    case 'gcs':
      return `gs://${profile.bucket}`;
    case 'file':
      return 'file:';
  }
}

/** The delegation mechanisms an S3 profile offers, in its order of preference (see S3ProfileSchema.delegation). */
export function delegationOf(profile: S3Profile): Array<'vended-credentials' | 'remote-signing'> {
  if (profile.delegation) return [...new Set(profile.delegation)];
  return profile['sts-enabled'] === false ? ['remote-signing'] : ['vended-credentials', 'remote-signing'];
}
