/** Picks the authorization adapter from configuration: the built-in one (roles and grants in the catalog database) or OpenFGA. */
import type { AccessPorts } from '../catalog/services.js';
import type { CatalogStore, Clock } from '../catalog/ports/index.js';
import type { LakegateConfig } from '../config/config.js';
import { RbacAuthorizer } from '../auth/authz/rbac/rbac-authorizer.js';
import { IntentRecovery } from '../catalog/outbox/intent-recovery.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export interface ComposedAccess extends AccessPorts {
  close?: () => Promise<void>;
  /** With OpenFGA: resolves the events of member and grant changes a crash interrupted (run at start and by the sweep). */
  intentRecovery?: IntentRecovery;
}

/**
 * Age from which a pending intent counts as interrupted: above the longest an OpenFGA write can take (the client's
 * 10 s timeout, tried up to three times with back-off: about 31 s), so the sweep never reads a tuple before a write
 * still in flight lands.
 */
export const INTENT_RECOVERY_AFTER_MS = 120_000;

export async function createAccessPorts(config: LakegateConfig, store: CatalogStore, clock: Clock): Promise<ComposedAccess> {
  const cacheTtlMs = config.authzCacheSeconds * 1000;
  if (config.authorizer === 'openfga') {
    const { OpenFgaAccess } = await import('../auth/authz/openfga/openfga-access.js');
    // Role definitions stay in the catalog database; assignments and grants live in OpenFGA (see openfga-access.ts).
    const fga = await OpenFgaAccess.connect({
      url: config.openfgaUrl,
      storeId: config.openfgaStoreId,
      token: config.openfgaToken,
      roles: store.access,
      maxBatchCheck: config.openfgaBatchCheckSize,
      intents: store.eventIntents,
      now: () => clock.now(),
    });
    const intentRecovery = new IntentRecovery({
      intents: store.eventIntents,
      resolver: fga,
      leases: store.outbox,
      holder: `${hostname()}:${process.pid}:${randomUUID()}`,
      now: () => clock.now(),
      olderThanMs: INTENT_RECOVERY_AFTER_MS,
      leaseTtlMs: INTENT_RECOVERY_AFTER_MS,
    });
    return { authorizer: fga, control: fga, cacheTtlMs, intentRecovery };
  }
  // The built-in authorizer caches role memberships and the access service caches the decisions made from them:
  // the two stack (a decision made from a cached membership may outlive it), so each gets half of the bound
  // within which a change made through another replica must be seen here.
  const rolesTtlMs = Math.floor(cacheTtlMs / 2);
  return {
    authorizer: new RbacAuthorizer(store.access, rolesTtlMs, () => clock.now()),
    control: store.access,
    grantsInCatalog: true,
    cacheTtlMs: cacheTtlMs - rolesTtlMs,
  };
}
