/**
 * The one database behind a Lakegate process, as the composition root sees it: the catalog's store (catalog/ports/index.ts)
 * plus the identity side's repositories (auth/ports.ts, auth/sessions/ports.ts). Kept out of catalog/, which knows
 * nothing of auth's internals; the persistence adapters implement it.
 */
import type { IdentityRepository } from './auth/ports.js';
import type { SessionRepository } from './auth/sessions/ports.js';
import type { CatalogStore } from './catalog/ports/index.js';
import type { StorageGrantStore } from './catalog/ports/storage-grants.js';
import type { LabelStore } from './catalog/ports/labels.js';
import type { FunctionStore } from './catalog/ports/functions.js';

export interface LakegateStore extends CatalogStore {
  /** Service principals, keys, token sessions and the audit trail. */
  readonly identity: IdentityRepository;
  /** Web console sign-in sessions. */
  readonly sessions: SessionRepository;
  /** The storage the platform granted each tenant (catalog/ports/storage-grants.ts). */
  readonly storageGrants: StorageGrantStore;
  /**
   * Catalog-supplied labels of tables and views (catalog/ports/labels.ts). Here rather than in CatalogStore: loads
   * read them with the object's row (CatalogObjectRecord.labelsJson); only their administration writes them.
   */
  readonly labels: LabelStore;
  /** Functions (SQL UDFs, catalog/ports/functions.ts): read by loadFunction and listFunctions, written by administrators. */
  readonly functions: FunctionStore;
}
