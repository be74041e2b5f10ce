/**
 * Ports of the access model (see privileges.ts for the rules). Two adapters
 * implement them: the built-in one (roles and grants in the catalog
 * database, auth/authz/rbac/) and OpenFGA (auth/authz/openfga/). Both pass
 * test/access/access-control-contract.ts and the permission-matrix suite.
 *
 * Securables are named by id: a warehouse by its (immutable, globally
 * unique) name, a namespace, table or view by the catalog id of its row. A
 * renamed object keeps its grants; a dropped and re-created one starts with
 * none.
 */
import type { Privilege, SecurableKind } from '../privileges.js';
import type { WithEvents } from './outbox.js';

/** Who access rules match: a service principal, a user of an issuer, or an IdP group of an issuer. */
export type MemberKind = 'principal' | 'user' | 'group';

export interface Member {
  kind: MemberKind;
  /** For users and groups: the issuer that vouched for them (an IdP's issuer URL, or "asserted"); "" for principals. */
  issuer: string;
  /** Client id, user subject or group name. */
  name: string;
}

/** A securable with its ancestry, outermost first, as the authorizer needs it to apply inheritance. */
export interface SecurablePath {
  warehouse: string;
  /** Ids of the enclosing namespaces, outermost first (ending with the namespace itself when it is the securable). */
  namespaces: readonly string[];
  /** The table or view itself, when the securable is one. */
  object?: { kind: 'table' | 'view'; id: string } | undefined;
}

export interface SecurableRef {
  kind: SecurableKind;
  id: string;
}

/** The securables of a path, outermost first; the last one is the securable itself. */
export function pathElements(path: SecurablePath): SecurableRef[] {
  const out: SecurableRef[] = [{ kind: 'warehouse', id: path.warehouse }, ...path.namespaces.map((id) => ({ kind: 'namespace' as const, id }))];
  if (path.object) out.push(path.object);
  return out;
}

/** "any": holds at least one privilege on the securable (directly or inherited). */
export type AccessQuery = { privilege: Privilege | 'any'; path: SecurablePath };

export interface RoleRecord {
  tenant: string;
  name: string;
  description: string;
  createdAtMs: number;
}

export interface RoleAssignment {
  tenant: string;
  role: string;
  member: Member;
  createdAtMs: number;
}

export interface GrantRecord {
  tenant: string;
  role: string;
  privilege: Privilege;
  securable: SecurableRef & { warehouse: string };
  createdAtMs: number;
}

export interface GrantQuery {
  tenant: string;
  role?: string | undefined;
  warehouse?: string | undefined;
  securable?: SecurableRef | undefined;
}

/**
 * The administration side: roles, who holds them, and what they hold. withEvents runs a change together with its
 * tenant or grant events (catalog/outbox/tenant-events.ts): in one database transaction for the built-in adapter.
 */
export interface AccessControl extends WithEvents<AccessControl> {
  /** false when the role exists already. */
  createRole(role: RoleRecord): Promise<boolean>;
  getRole(tenant: string, name: string): Promise<RoleRecord | undefined>;
  /** Every role, or those of one tenant. */
  listRoles(tenant?: string): Promise<RoleRecord[]>;
  /** Deletes a role that has no members and no grants. */
  deleteRole(tenant: string, name: string): Promise<'deleted' | 'missing' | 'in-use'>;
  /** false when the member holds the role already. */
  addMember(assignment: RoleAssignment): Promise<boolean>;
  /** false when the member did not hold the role. */
  removeMember(tenant: string, role: string, member: Member): Promise<boolean>;
  listMembers(tenant: string, role: string): Promise<RoleAssignment[]>;
  /** The roles any of the members holds. */
  rolesOf(tenant: string, members: readonly Member[]): Promise<string[]>;
  /** false when that grant exists already. */
  grant(grant: GrantRecord): Promise<boolean>;
  /** false when there was no such grant. */
  revoke(tenant: string, role: string, privilege: Privilege, securable: SecurableRef): Promise<boolean>;
  listGrants(query: GrantQuery): Promise<GrantRecord[]>;
  /** The grants the roles hold on any of the securables (one batched lookup). */
  grantsOn(tenant: string, roles: readonly string[], securables: readonly SecurableRef[]): Promise<GrantRecord[]>;
  /** Removes every grant on a securable that no longer exists (a dropped object). */
  forgetSecurable(securable: SecurableRef): Promise<void>;
}

/**
 * What the checks of one operation (a listing's page: several check calls, one per chunk) may share: values an
 * authorizer read about the caller (e.g. its roles' grants), kept for that operation and the same caller's next
 * listing requests within the authorization cache's bound, and forgotten when access changes meanwhile
 * (catalog/access/check-memo.ts, grant-reads.ts). An authorizer may only use it to spare reads, never to allow.
 */
export interface CheckMemo {
  /** The value kept under key, else read() (kept once it succeeds; concurrent callers share one read). */
  remember<T>(key: string, read: () => Promise<T>): Promise<T>;
}

/** The decision side. */
export interface Authorizer {
  /** Batched: one answer per query, in order. `memo`: the operation's shared reads (see CheckMemo), when it makes several calls. */
  check(tenant: string, members: readonly Member[], queries: readonly AccessQuery[], memo?: CheckMemo): Promise<boolean[]>;
  /** Member of the tenant's built-in `admin` role: holds every privilege in the tenant and manages it. */
  isAdmin(tenant: string, members: readonly Member[]): Promise<boolean>;
  /** The grants through which the members hold the privilege on the path (empty when they do not). */
  explain(tenant: string, members: readonly Member[], privilege: Privilege, path: SecurablePath): Promise<GrantRecord[]>;
}

/** The built-in role whose members administer their tenant. */
export const ADMIN_ROLE_NAME = 'admin';
