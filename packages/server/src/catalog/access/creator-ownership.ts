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
 */
import { createHash } from 'node:crypto';
import type { Caller, Warehouse } from '../ports/index.js';
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

/**
 * Grants the caller an owner's privileges on what it just created, unless the warehouse says not to, authentication
 * is off, or the caller has no subject of its own. Idempotent (role, membership and grants are each kept once).
 * Answers the role it granted through, or undefined.
 */
export async function grantCreator(control: AccessControl, nowMs: number, caller: Caller, warehouse: Warehouse, securable: SecurableRef): Promise<string | undefined> {
  if (caller.unrestricted || !creatorOwns(warehouse)) return undefined;
  const creator = caller.members.find((m) => m.kind !== 'group');
  if (creator === undefined) return undefined;
  const role = ownerRoleName(creator);
  const tenant = caller.tenant;
  await control.createRole({ tenant, name: role, description: `Owner grants of ${creator.kind} ${creator.name} (creator ownership, docs/authorization.md)`, createdAtMs: nowMs });
  await control.addMember({ tenant, role, member: creator, createdAtMs: nowMs });
  for (const privilege of ownerPrivileges(securable.kind)) {
    await control.grant({ tenant, role, privilege, securable: { ...securable, warehouse: warehouse.name }, createdAtMs: nowMs });
  }
  return role;
}
