import type { CatalogDeps } from './context.js';
import { CredentialService, type CredentialServiceDeps } from './credentials.js';
import { LanceNamespaceService } from './lance/lance-namespaces.js';
import { LanceTableService } from './lance/lance-tables.js';
import { NamespaceService } from './namespaces.js';
import { TableService } from './tables.js';
import { ViewService } from './views.js';
import { WarehouseService } from './warehouses.js';

/** Every catalog service, built over one set of ports. */
export interface CatalogServices {
  warehouses: WarehouseService;
  namespaces: NamespaceService;
  tables: TableService;
  views: ViewService;
  credentials: CredentialService;
  /** The Lance REST Namespace API over the same namespaces (catalog/lance/). */
  lance: { namespaces: LanceNamespaceService; tables: LanceTableService };
}

export function createCatalogServices(
  deps: CatalogDeps,
  defaultWarehouse: string,
  vending: Omit<CredentialServiceDeps, 'tables' | 'clock'>,
): CatalogServices {
  const namespaces = new NamespaceService(deps);
  const tables = new TableService(deps, namespaces);
  const credentials = new CredentialService({ ...vending, tables, clock: deps.clock });
  const lanceTables = new LanceTableService(deps, namespaces, tables, credentials);
  return {
    warehouses: new WarehouseService(deps, defaultWarehouse),
    namespaces,
    tables,
    views: new ViewService(deps, namespaces, tables),
    credentials,
    lance: { namespaces: new LanceNamespaceService(deps, namespaces, lanceTables), tables: lanceTables },
  };
}
