/**
 * Helpers shared by the storage credential vendors (s3, azure, gcs). The
 * port they implement lives with the catalog (catalog/ports/credentials.ts)
 * and is re-exported here for them.
 */

export type { AccessMode, CredentialVendor, VendedCredential, VendRequest } from '../catalog/ports/credentials.js';

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
