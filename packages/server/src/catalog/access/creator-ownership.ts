/**
 * Creators can use what they create (issue 52). A principal granted `namespace:create` could make a namespace and
 * then not create a table in it without a second grant; engines (Spark's CREATE NAMESPACE then CREATE TABLE, dbt)
 * expect the creator to be the owner, as Lakekeeper makes it. So when a warehouse's `access.creator-owns` is not
 * "false" (the default is on), the creator of a namespace, table or view is granted an owner's privileges on it:
 * an explicit, visible grant recorded at creation, through the AccessControl port, so both authorizers (the
 * built-in one and OpenFGA) decide with it and an administrator can see it, explain it and revoke it.
 *
 * The grant goes to one role per creator, `owner-<digest>` (the digest of the member's kind, issuer and name), of
 * which the creator is the only member. An owner holds every privilege grantable on the object's kind except
 * `table:purge-immediately`, which skips the warehouse's recovery window and stays an explicit grant. Groups never
 * own: the subject (a principal or a user) does, whoever it acts through.
 *
 * Atomic with the create (OwnerGrant below): where the grants live in the catalog database (the built-in
 * authorizer), the role, membership and grants are written in the create's own transaction, before its events (the
 * outbox append stays its last write), so no crash, lost connection or failure leaves an object without its owner,
 * and no reader sees one. Where they live elsewhere (OpenFGA) they cannot join that transaction: the create's
 * transaction records a pending owner grant instead (ports/owner-grants.ts), written there after the commit and, when
 * that fails or the process dies first, by the recovery (owner-grant-recovery.ts): late, but never lost.
 */
import { createHash } from 'node:crypto';
import type { Caller, TransactionPorts, Warehouse } from '../ports/index.js';
import type { CreatorGrant } from '../ports/access-decisions.js';
import type { PendingOwnerGrant, PendingOwnerGrantStore } from '../ports/owner-grants.js';
import type { AccessControl, Member, SecurableRef } from '../ports/access.js';
import { type Privilege, privilegesOn } from '../privileges.js';

/** The warehouse property that switches creator ownership off ("false"); on when unset. */
export const CREATOR_OWNS_PROPERTY = 'access.creator-owns';

/** Whether creators of the warehouse's objects are granted an owner's privileges on them. */
export const creatorOwns = (warehouse: Warehouse): boolean => warehouse.properties[CREATOR_OWNS_PROPERTY] !== 'false';

/** What an owner holds on an object of that kind. */
export function ownerPrivileges(kind: SecurableRef['kind']): Privilege[] {
  return privilegesOn(kind).filter((p) => p !== 'table:purge-immediately');
}

/** The role holding a member's owner grants. */
export function ownerRoleName(member: Member): string {
  return `owner-${createHash('sha256').update(`${member.kind}\n${member.issuer}\n${member.name}`).digest('hex').slice(0, 24)}`;
}

/** Grants the member an owner's privileges on the securable, through its role. Idempotent (role, membership and grants are each kept once). */
export async function grantOwner(
  control: AccessControl,
  nowMs: number,
  tenant: string,
  warehouse: string,
  member: Member,
  securable: SecurableRef,
): Promise<string> {
  const role = ownerRoleName(member);
  await control.createRole({
    tenant,
    name: role,
    description: `Owner grants of ${member.kind} ${member.name} (creator ownership, docs/authorization.md)`,
    createdAtMs: nowMs,
  });
  await control.addMember({ tenant, role, member, createdAtMs: nowMs });
  for (const privilege of ownerPrivileges(securable.kind)) {
    await control.grant({ tenant, role, privilege, securable: { ...securable, warehouse }, createdAtMs: nowMs });
  }
  return role;
}

/** The subject a caller's owner grants go to: its principal or user, never a group; undefined when it owns nothing here. */
function creatorOf(caller: Caller, warehouse: Warehouse): Member | undefined {
  if (caller.unrestricted || !creatorOwns(warehouse)) return undefined;
  return caller.members.find((m) => m.kind !== 'group');
}

/** What an OwnerGrant needs of the access service: who acts, where, and what to do once the grants are in. */
export interface OwnerGrantDeps {
  caller: Caller;
  warehouse: Warehouse;
  now: () => number;
  newId: () => string;
  /**
   * Where the grants are when they are not in the catalog database (OpenFGA), with the store of the owner grants
   * committed but not yet written there; undefined when they are in the catalog database.
   */
  external: { control: AccessControl; pending: PendingOwnerGrantStore } | undefined;
  /** After the commit, per object owned: cache invalidation and the audit record (access.owner-granted). */
  granted: (role: string, securable: SecurableRef, object: string) => Promise<void>;
  /** After the commit, when writing the grant outside the catalog database failed: the audit record (access.owner-grant-failed). */
  failed: (securable: SecurableRef, object: string) => Promise<void>;
}

/**
 * One create's owner grants (a create transaction may make several tables). record() inside the create's transaction,
 * before its events; committed() once it committed. A transaction that rolls back never reaches committed(), so
 * nothing is audited for it; a retried one takes a new OwnerGrant per attempt. With grants outside the catalog
 * database, record() writes a pending owner grant in the transaction and committed() writes the grant and removes
 * it; if that fails (or the process dies first) the recovery writes it later (owner-grant-recovery.ts).
 */
export class OwnerGrant implements CreatorGrant {
  private readonly owned: Array<{ role: string | undefined; pending: PendingOwnerGrant | undefined; securable: SecurableRef; object: string }> = [];

  constructor(private readonly deps: OwnerGrantDeps) {}

  async record(ports: TransactionPorts, securable: SecurableRef, object: string): Promise<void> {
    const { caller, warehouse, now, external } = this.deps;
    const creator = creatorOf(caller, warehouse);
    if (creator === undefined) return;
    if (external === undefined) {
      // The grants are in the catalog database: written in this transaction, they commit with the object or not at all.
      const role = await grantOwner(ports.access, now(), caller.tenant, warehouse.name, creator, securable);
      this.owned.push({ role, pending: undefined, securable, object });
      return;
    }
    // Elsewhere: what to grant commits with the object, and is written there once it committed.
    const pending: PendingOwnerGrant = {
      id: this.deps.newId(),
      tenant: caller.tenant,
      warehouse: warehouse.name,
      member: creator,
      securable,
      object,
      createdAtMs: now(),
    };
    await ports.ownerGrants.add(pending);
    this.owned.push({ role: undefined, pending, securable, object });
  }

  async committed(): Promise<void> {
    const { now, external } = this.deps;
    for (const { role, pending, securable, object } of this.owned.splice(0)) {
      let granted = role;
      if (external !== undefined && pending !== undefined) {
        try {
          granted = await grantOwner(external.control, now(), pending.tenant, pending.warehouse, pending.member, pending.securable);
        } catch (e) {
          // The object committed before its owner grant: the recovery writes it; say so where an administrator looks, and fail the request.
          await this.deps.failed(securable, object).catch(() => undefined);
          throw e;
        }
        await external.pending.remove(pending.id);
      }
      if (granted !== undefined) await this.deps.granted(granted, securable, object);
    }
  }
}

/** The grant of a create whose creator owns nothing (an administrator, authentication off, or switched off). */
export const NO_OWNER_GRANT: CreatorGrant = { record: async () => undefined, committed: async () => undefined };

/** Whether a creator would be granted anything (before asking whether it administers its tenant). */
export const mayOwn = (caller: Caller, warehouse: Warehouse): boolean =>
  !caller.unrestricted && creatorOwns(warehouse) && caller.members.some((m) => m.kind !== 'group');
