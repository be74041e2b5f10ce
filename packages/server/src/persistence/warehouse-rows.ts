/** A warehouse as a row of `warehouses` and back (kysely-repository.ts): its settings are JSON columns, its secrets ids only. */
import type { Insertable, Selectable } from 'kysely';
import type { Warehouse } from '../catalog/ports/index.js';
import { num } from './kysely-records.js';
import type { WarehousesTable } from './schema.js';

export const toWarehouse = (r: Selectable<WarehousesTable>): Warehouse => ({
  name: r.name,
  tenant: r.tenant,
  storageRoot: r.storage_root,
  properties: JSON.parse(r.properties) as Record<string, string>,
  createdAtMs: num(r.created_at),
  storageProfile: JSON.parse(r.storage_profile) as Record<string, unknown>,
  secretId: r.secret_id ?? undefined,
  ...(r.federation ? { federation: JSON.parse(r.federation) as Warehouse['federation'] } : {}),
});

export const warehouseRow = (w: Warehouse): Insertable<WarehousesTable> => ({
  name: w.name,
  tenant: w.tenant,
  storage_root: w.storageRoot,
  properties: JSON.stringify(w.properties),
  created_at: w.createdAtMs,
  storage_profile: JSON.stringify(w.storageProfile),
  secret_id: w.secretId ?? null,
  federation: w.federation ? JSON.stringify(w.federation) : null,
});
