/**
 * Helpers shared by the storage credential vendors (s3, azure, gcs). The
 * port they implement lives with the catalog (catalog/ports/credentials.ts)
 * and is re-exported here for them.
 */

export type { AccessMode, CredentialVendor, SealedObjects, VendedCredential, VendRequest } from '../catalog/ports/credentials.js';
export { CATALOG_FOLDER, LANCE_MANIFEST_SUFFIX } from '../catalog/ports/credentials.js';

/** Checks a vendor's configured credential lifetime bound against what its cloud allows; a typo fails at start-up. */
export function checkLifetimeBound(seconds: number, min: number, max: number): void {
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) throw new TypeError(`maxLifetimeSeconds must be an integer in ${min}..${max}`);
}
