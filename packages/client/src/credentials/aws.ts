/**
 * Vended S3 credentials as an AWS SDK v3 credential provider. The SDK memoizes what a provider returns until shortly
 * before its `expiration`, so the provider reports the vended expiry and the SDK comes back for a refreshed one.
 * The identity types are declared here structurally (they match `AwsCredentialIdentity(Provider)` of
 * `@smithy/types`), so the SDK is not a dependency of this package.
 */
import { CatalogError } from '../errors.js';
import { VendedCredentials, type VendedCredentialsOptions } from './vended.js';

/**
 * AWS credentials as the AWS SDK v3 takes them (`AwsCredentialIdentity`).
 *
 * @example
 * ```ts
 * const { accessKeyId, expiration } = await vendedAwsCredentials({ catalog, table, loaded })();
 * ```
 */
export interface VendedAwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When the credentials stop working; the SDK asks the provider again shortly before. */
  expiration?: Date;
}

/**
 * An AWS SDK v3 credential provider (`AwsCredentialIdentityProvider`): pass it as `credentials` to any client.
 *
 * @example
 * ```ts
 * const s3 = new S3Client({ ...s3ClientConfig(loaded.config ?? {}), credentials: vendedAwsCredentials({ catalog, table, loaded }) });
 * ```
 */
export type VendedAwsCredentialProvider = () => Promise<VendedAwsCredentialIdentity>;

/**
 * Whether FileIO properties are an S3 credential (they carry `s3.access-key-id`).
 *
 * @example
 * ```ts
 * const s3Only = new VendedCredentials({ catalog, table, loaded }, isS3Credential);
 * ```
 */
export const isS3Credential = (config: Record<string, string>): boolean => typeof config['s3.access-key-id'] === 'string';

/**
 * An AWS SDK v3 credential provider for a table's vended S3 credentials, refreshed through the catalog's
 * loadCredentials ahead of expiry. Pass options (the provider then considers `s3.*` credentials only) or a
 * {@link VendedCredentials} you already have.
 *
 * @example
 * ```ts
 * import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
 * const table = { namespace: ['db'], name: 'events' };
 * const loaded = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
 * const credential = loaded['storage-credentials']![0]!;
 * const s3 = new S3Client({ ...s3ClientConfig(credential.config), credentials: vendedAwsCredentials({ catalog, table, loaded }) });
 * await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: 'wh/db/events/data/a.parquet', Body: bytes }));
 * ```
 */
export function vendedAwsCredentials(source: VendedCredentialsOptions | VendedCredentials): VendedAwsCredentialProvider {
  const credentials = source instanceof VendedCredentials ? source : new VendedCredentials(source, isS3Credential);
  return async () => {
    const { config, expiresAtMs } = await credentials.current();
    const accessKeyId = config['s3.access-key-id'];
    const secretAccessKey = config['s3.secret-access-key'];
    if (!accessKeyId || !secretAccessKey) {
      throw new CatalogError({
        message: `the storage credential for ${credentials.location} has no s3.access-key-id and s3.secret-access-key`,
        status: 0,
        type: 'NoStorageCredential',
        protocol: 'iceberg',
        request: 'GET loadCredentials',
      });
    }
    const sessionToken = config['s3.session-token'];
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiresAtMs !== undefined ? { expiration: new Date(expiresAtMs) } : {}),
    };
  };
}

/**
 * The S3 client settings vended FileIO properties name.
 *
 * @example
 * ```ts
 * const settings: S3ClientSettings = s3ClientConfig(credential.config); // { endpoint, region, forcePathStyle }
 * ```
 */
export interface S3ClientSettings {
  /** `s3.endpoint` (absent for AWS itself). */
  endpoint?: string;
  /** `client.region`, else `s3.region`. */
  region?: string;
  /** `s3.path-style-access`. */
  forcePathStyle?: boolean;
}

/**
 * Endpoint, region and addressing style for `new S3Client(...)` from vended FileIO properties (a storage
 * credential's `config`, or a LoadTableResult's `config`). Holds no secret.
 *
 * @example
 * ```ts
 * const s3 = new S3Client({ ...s3ClientConfig(credential.config), credentials: vendedAwsCredentials({ catalog, table, loaded }) });
 * ```
 */
export function s3ClientConfig(config: Readonly<Record<string, string>>): S3ClientSettings {
  const out: S3ClientSettings = {};
  const endpoint = config['s3.endpoint'];
  if (endpoint) out.endpoint = endpoint;
  const region = config['client.region'] ?? config['s3.region'];
  if (region) out.region = region;
  const pathStyle = config['s3.path-style-access'];
  if (pathStyle !== undefined) out.forcePathStyle = pathStyle.trim().toLowerCase() === 'true';
  return out;
}
