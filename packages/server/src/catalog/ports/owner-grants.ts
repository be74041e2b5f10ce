/**
 * Pending owner grants (issue 52): the owner grant of a create whose grants live outside the catalog database
 * (OpenFGA). It cannot commit with the create, so the create's transaction records it here instead; once the create
 * committed, the grant is written to the authorizer (idempotently) and the record removed. A crash, an outage or a
 * failure in between leaves the record: the recovery (access/owner-grant-recovery.ts, at start and on every
 * housekeeping round) writes the grant and removes it then. So a committed object always gets its owner grant.
 */
import type { Member, SecurableRef } from './access.js';

export interface PendingOwnerGrant {
  /** A UUID. */
  id: string;
  tenant: string;
  warehouse: string;
  /** The creator (never a group). */
  member: Member;
  securable: SecurableRef;
  /** The object as the audit trail names it ("lake/sales.orders"). */
  object: string;
  createdAtMs: number;
}

export interface PendingOwnerGrantStore {
  /** Records one; inside a transaction (CatalogStore.transaction's ports), with that transaction. */
  add(grant: PendingOwnerGrant): Promise<void>;
  /** Removes one: false when it was removed already (by another process's recovery). */
  remove(id: string): Promise<boolean>;
  /** Those recorded before `beforeMs`, oldest first, at most `limit`. */
  pending(beforeMs: number, limit: number): Promise<PendingOwnerGrant[]>;
}
