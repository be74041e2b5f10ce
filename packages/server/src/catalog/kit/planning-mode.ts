/**
 * The scan planning mode the server recommends: `scan-planning-mode` = `client` | `server`, a warehouse property
 * (every table of the warehouse) that a table property of the same name overrides. Iceberg Java 1.11 reads it
 * from loadTable's `config` (RESTCatalogProperties.SCAN_PLANNING_MODE, which wins over the client's own setting);
 * PyIceberg 0.12 reads it from the catalog's properties only, so GET /v1/config carries the warehouse's value in
 * `defaults` (a client may still override it). Anything else than the two values is ignored.
 */
import type { Warehouse } from '../ports/index.js';

export const SCAN_PLANNING_MODE = 'scan-planning-mode';

const valid = (v: string | undefined): 'client' | 'server' | undefined => (v === 'client' || v === 'server' ? v : undefined);

/** The warehouse's recommendation, for GET /v1/config. */
export function warehousePlanningMode(warehouse: Warehouse): 'client' | 'server' | undefined {
  return valid(warehouse.properties[SCAN_PLANNING_MODE]?.trim().toLowerCase());
}

/** The table's recommendation (its property, else the warehouse's), for loadTable's config. */
export function tablePlanningMode(warehouse: Warehouse, metadataJson: string): 'client' | 'server' | undefined {
  // Most tables have no such property: parse nothing for them.
  if (metadataJson.includes(`"${SCAN_PLANNING_MODE}"`)) {
    const match = /"scan-planning-mode"\s*:\s*"(client|server)"/i.exec(metadataJson);
    const own = valid(match?.[1]?.toLowerCase());
    if (own) return own;
  }
  return warehousePlanningMode(warehouse);
}
