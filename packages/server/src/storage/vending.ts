/**
 * Storage credential vending: the port every cloud adapter implements.
 * A vendor turns (storage profile + secret, table location, access mode,
 * principal) into one short-lived credential scoped to that location. The
 * catalog decides *whether* and *with which mode* to vend; a vendor only
 * decides *how*, and never widens the scope it was given.
 */

/** read: get and list under the prefix. read-write: also put, multipart upload and delete under it. */
export type AccessMode = 'read' | 'read-write';

export interface VendRequest {
  /** The table location the credential is scoped to, e.g. s3://bucket/wh/ns/t-<uuid>. */
  location: string;
  mode: AccessMode;
  /** Who the credential is for; appears in the cloud's audit trail (e.g. the STS session name). */
  principal: string;
  /** Requested lifetime; vendors may shorten it to what the cloud allows. */
  lifetimeSeconds: number;
}

/** One Iceberg StorageCredential: a prefix and the FileIO properties that go with it. */
export interface VendedCredential {
  prefix: string;
  config: Record<string, string>;
  expiresAtMs: number;
}

export interface CredentialVendor {
  /** Vends a credential; throws CatalogError ERR_UNAVAILABLE (503) when the cloud's token service fails. */
  vend(request: VendRequest): Promise<VendedCredential>;
}

/** Keys of vended config whose values are secrets: never logged, never in an error message. */
export const SECRET_CONFIG_KEYS = [
  's3.access-key-id',
  's3.secret-access-key',
  's3.session-token',
  'gcs.oauth2.token',
  'adls.sas-token',
];

export const isSecretConfigKey = (key: string): boolean => SECRET_CONFIG_KEYS.some((k) => key === k || key.startsWith(`${k}.`));

/** Checks a vendor's configured credential lifetime bound against what its cloud allows; a typo fails at start-up. */
export function checkLifetimeBound(seconds: number, min: number, max: number): void {
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) throw new TypeError(`maxLifetimeSeconds must be an integer in ${min}..${max}`);
}
