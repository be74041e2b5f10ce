import { CATALOG_FOLDER } from '../ports/credentials.js';

/**
 * Where a table's policy-enforced files live (issue 53): one prefix per policy version, so the storage access a
 * restricted caller gets (vended credentials scoped to it, remote signing of its GETs) opens that version's derived
 * files and nothing else of the table. The planner writes there (planning/restricted.ts), the signer checks keys
 * against it (signing/sign-service.ts).
 */
export function derivedPrefix(tableLocation: string, policyVersion: string): string {
  return `${catalogFolder(tableLocation)}policy/${policyVersion}/`;
}

/**
 * The folder of the catalog's own files under a table's location (ports/credentials.ts CATALOG_FOLDER), with its
 * trailing "/": no vended credential and no signature writes under it (issue 53).
 */
export function catalogFolder(tableLocation: string): string {
  return `${tableLocation.replace(/\/+$/, '')}/${CATALOG_FOLDER}/`;
}

/** Whether a storage location is one derived data file of that prefix (not a side file, not a listing of it). */
export function isDerivedFile(location: string, prefix: string): boolean {
  if (!location.startsWith(prefix)) return false;
  const rest = location.slice(prefix.length);
  return /^[A-Za-z0-9_-]+\.[0-9a-f-]+\.parquet$/.test(rest);
}
