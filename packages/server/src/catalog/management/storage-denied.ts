/**
 * A warehouse change refused for its storage or its remote catalog (a federated warehouse, extra location roots, a
 * storage authority breach) is audited the same way wherever it is refused: `warehouse.storage.denied`, with the
 * warehouse, its tenant and the reason the caller is told.
 */
import type { AccessAudit, Caller } from '../ports/index.js';

export function recordStorageDenied(
  audit: AccessAudit,
  caller: Caller,
  action: string,
  warehouse: { tenant: string; name: string },
  reason: string,
): Promise<void> {
  return audit.record(caller, {
    type: 'warehouse.storage.denied',
    decision: 'deny',
    action,
    object: warehouse.name,
    detail: { tenant: warehouse.tenant, warehouse: warehouse.name, reason },
  });
}
