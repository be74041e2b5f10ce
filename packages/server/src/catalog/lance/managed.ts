/**
 * Whether a Lance table's versions are managed by the catalog (`managed_versioning: true` in DescribeTable and
 * DeclareTable): recorded in the table's stored metadata when it is declared. New tables get it unless their
 * warehouse's `lance.managed-versioning` property is "false". A registered dataset keeps managing its own versions
 * (its existing history is in its `_versions/` directory, not in the catalog).
 */
import type { CatalogObjectRecord, Warehouse } from '../ports/index.js';
import { type LanceVersionStore, MAIN_BRANCH } from '../ports/lance-versions.js';

export const MANAGED_VERSIONING_PROPERTY = 'lance.managed-versioning';

export const managedByDefault = (warehouse: Warehouse): boolean => warehouse.properties[MANAGED_VERSIONING_PROPERTY] !== 'false';

export function isManaged(record: CatalogObjectRecord): boolean {
  try {
    return (JSON.parse(record.metadataJson) as { managedVersioning?: unknown }).managedVersioning === true;
  } catch {
    return false;
  }
}

/** A managed table that is only declared: the catalog holds no version of its main branch yet (so no dataset exists). */
export async function managedAwaitingFirstVersion(versions: LanceVersionStore, record: CatalogObjectRecord): Promise<boolean> {
  return isManaged(record) && (await versions.head(record.id, MAIN_BRANCH)) === undefined;
}
