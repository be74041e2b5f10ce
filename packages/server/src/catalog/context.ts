import type { AccessAudit, CatalogStore, Clock, ObjectStorage, Warehouse } from './ports.js';
import type { CatalogEvents } from './events.js';

/** Settings the catalog service reads; all have defaults in config/. */
export interface CatalogSettings {
  /** How long a stage-created table stays resolvable before it must be committed. */
  stagedTableTtlMs: number;
  /** How many times a commit is re-applied on a fresh base after losing a compare-and-swap race. */
  commitRetries: number;
}

/** What every catalog service needs: its ports, a clock and settings. */
export interface CatalogDeps {
  store: CatalogStore;
  /** Object storage as the given warehouse's storage profile reaches it. */
  storageFor(warehouse: Warehouse): Promise<ObjectStorage>;
  clock: Clock;
  newUuid: () => string;
  events: CatalogEvents;
  /** Records refused access (a warehouse of another tenant). */
  audit: AccessAudit;
  settings: CatalogSettings;
}

/** The warehouse a request addresses, resolved once per request. */
export interface RequestScope {
  warehouse: Warehouse;
}
