/**
 * The access service's owner grants (access-service.ts creatorGrant, recoverOwnerGrants): a creator's grant built for
 * its create's transaction (creator-ownership.ts), and the recovery of those left pending where grants are outside the
 * catalog database (owner-grant-recovery.ts), each audited as `access.owner-granted` and clearing the decision caches.
 */
import { randomUUID } from 'node:crypto';
import type { AccessControl } from '../ports/access.js';
import type { AccessScope, CreatorGrant } from '../ports/access-decisions.js';
import type { AccessAudit, Caller, Clock } from '../ports/index.js';
import type { PendingOwnerGrantStore } from '../ports/owner-grants.js';
import { OwnerGrant } from './creator-ownership.js';
import { recoverOwnerGrants } from './owner-grant-recovery.js';

/** What of the access service's dependencies owner grants use (AccessServiceDeps has them). */
export interface OwnerGrantDeps {
  control: AccessControl;
  grantsInCatalog?: boolean | undefined;
  pendingOwnerGrants?: (() => PendingOwnerGrantStore) | undefined;
  audit: AccessAudit;
  clock: Clock;
}

/** The owner grant of a caller who may own what it creates (the caller checked mayOwn and is no administrator). */
export function ownerGrantOf(deps: OwnerGrantDeps, scope: AccessScope, invalidate: () => void): CreatorGrant {
  return new OwnerGrant({
    caller: scope.caller,
    warehouse: scope.warehouse,
    now: () => deps.clock.now(),
    newId: () => randomUUID(),
    external: deps.grantsInCatalog ? undefined : { control: deps.control, pending: pendingOwnerGrants(deps) },
    granted: async (role, securable, object) => {
      invalidate();
      await deps.audit.record(scope.caller, {
        type: 'access.owner-granted',
        decision: 'allow',
        action: `${securable.kind}:own`,
        object,
        detail: { role, securable: { ...securable, warehouse: scope.warehouse.name } },
      });
    },
    failed: (securable, object) =>
      deps.audit.record(scope.caller, {
        type: 'access.owner-grant-failed',
        decision: undefined,
        action: `${securable.kind}:own`,
        object,
        detail: { securable: { ...securable, warehouse: scope.warehouse.name } },
      }),
  });
}

/** Writes the pending owner grants older than `olderThanMs`; how many (none where grants are in the catalog database). */
export async function recoverPendingOwnerGrants(deps: OwnerGrantDeps, invalidate: () => void, olderThanMs: number): Promise<number> {
  if (deps.grantsInCatalog) return 0;
  return recoverOwnerGrants(
    {
      pending: pendingOwnerGrants(deps),
      control: deps.control,
      now: () => deps.clock.now(),
      granted: async (g, role) => {
        invalidate();
        const creator: Caller = {
          tenant: g.tenant,
          description: `${g.member.kind}:${g.member.name}`,
          key: '',
          members: [g.member],
          admin: false,
          unrestricted: false,
        };
        await deps.audit.record(creator, {
          type: 'access.owner-granted',
          decision: 'allow',
          action: `${g.securable.kind}:own`,
          object: g.object,
          detail: { role, securable: { ...g.securable, warehouse: g.warehouse }, recovered: true },
        });
      },
    },
    olderThanMs,
  );
}

function pendingOwnerGrants(deps: OwnerGrantDeps): PendingOwnerGrantStore {
  const store = deps.pendingOwnerGrants?.();
  if (store === undefined) throw new TypeError('AccessService: grants outside the catalog database need pendingOwnerGrants');
  return store;
}
