/**
 * Writes the owner grants of committed creates that never reached an authorizer outside the catalog database
 * (OpenFGA): the request that made the object failed to write them, or its process died after the commit
 * (catalog/ports/owner-grants.ts). Runs at start and on every housekeeping round. Only grants older than
 * `olderThanMs` are taken, so a request still writing its own is left to finish; writing a grant twice is harmless
 * (idempotent), and only the process that removes the pending record audits it.
 */
import type { AccessControl } from '../ports/access.js';
import type { PendingOwnerGrant, PendingOwnerGrantStore } from '../ports/owner-grants.js';
import { grantOwner } from './creator-ownership.js';

export interface OwnerGrantRecoveryDeps {
  pending: PendingOwnerGrantStore;
  control: AccessControl;
  now: () => number;
  /** Once one is written and its record removed (by this process): cache invalidation and the audit record. */
  granted: (grant: PendingOwnerGrant, role: string) => Promise<void>;
}

/** One pass; how many owner grants it wrote. A failure (the authorizer still unreachable) ends the pass: the next round retries. */
export async function recoverOwnerGrants(deps: OwnerGrantRecoveryDeps, olderThanMs: number, batchSize = 100): Promise<number> {
  let written = 0;
  const before = deps.now() - olderThanMs;
  for (;;) {
    const page = await deps.pending.pending(before, batchSize);
    for (const grant of page) {
      const role = await grantOwner(deps.control, deps.now(), grant.tenant, grant.warehouse, grant.member, grant.securable);
      if (await deps.pending.remove(grant.id)) {
        written += 1;
        await deps.granted(grant, role);
      }
    }
    if (page.length < batchSize) return written;
  }
}
