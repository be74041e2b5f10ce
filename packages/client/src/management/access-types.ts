/**
 * The access part of Lakegate's management API as the server sends and reads it: privileges, securables, role
 * members, roles, grants and explain.
 */
import type * as protocol from '@lakegate/protocol';
import { PRIVILEGES as WIRE_PRIVILEGES } from '@lakegate/protocol/constants';
import type { ManagementRequestOptions } from './types.js';

/**
 * Every privilege of Lakegate's access model (the server's `catalog/privileges.ts`).
 *
 * @example
 * ```ts
 * const readable = PRIVILEGES.filter((p) => p.endsWith(':read-data'));
 * ```
 */
export const PRIVILEGES: typeof WIRE_PRIVILEGES = WIRE_PRIVILEGES;

/**
 * A privilege, e.g. `table:read-data`. Privileges on objects granted on a container cover every such object in it.
 *
 * @example
 * ```ts
 * const reader: Privilege[] = ['namespace:list', 'table:list', 'table:read-data'];
 * ```
 */
export type Privilege = (typeof PRIVILEGES)[number];

/**
 * What a grant is on: a warehouse, a namespace (its levels), or a table or view in a namespace.
 *
 * @example
 * ```ts
 * const sales: Securable = { type: 'namespace', warehouse: 'lake', namespace: ['sales'] };
 * const orders: Securable = { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'orders' };
 * ```
 */
export type Securable =
  | { type: 'warehouse'; warehouse: string }
  | { type: 'namespace'; warehouse: string; namespace: string[] }
  | { type: 'table' | 'view'; warehouse: string; namespace: string[]; name: string };

/**
 * Who holds a role: a service principal (by client id), or a user or group of a trusted issuer (by name, with the
 * issuer's URL, or `asserted` for names an engine asserts).
 *
 * @example
 * ```ts
 * const engine: Member = { kind: 'principal', name: clientId };
 * const analysts: Member = { kind: 'group', issuer: 'https://idp.example.com/realms/lake', name: 'analysts' };
 * ```
 */
export type Member = { kind: 'principal'; name: string } | { kind: 'user' | 'group'; name: string; issuer: string };

// ------------------------------------------------------------------ roles and grants

/**
 * A role. Every tenant has the built-in `admin` role.
 *
 * @example
 * ```ts
 * const role: Role = await management.createRole({ name: 'analyst', description: 'reads sales' });
 * ```
 */
export type Role = protocol.Role;

/**
 * A new role.
 *
 * @example
 * ```ts
 * const request: CreateRoleRequest = { name: 'analyst', description: 'reads sales' };
 * ```
 */
export type CreateRoleRequest = protocol.CreateRoleRequest;

/**
 * A role with who holds it and what it holds.
 *
 * @example
 * ```ts
 * const { members, grants }: RoleDetails = await management.getRole('analyst');
 * ```
 */
export interface RoleDetails {
  role: Role;
  members: Member[];
  grants: Grant[];
}

/**
 * One privilege a role holds on a securable.
 *
 * @example
 * ```ts
 * const onSales = (await management.listGrants({ role: 'analyst' })).filter((g: Grant) => g.securable.type === 'namespace');
 * ```
 */
export interface Grant {
  role: string;
  privilege: Privilege;
  securable: Securable;
  'created-at-ms': number;
}

/**
 * A grant or revoke: privileges of a role on a securable.
 *
 * @example
 * ```ts
 * const request: GrantRequest = { role: 'analyst', privileges: ['table:read-data'], securable: { type: 'namespace', warehouse: 'lake', namespace: ['sales'] } };
 * await management.grant(request);
 * ```
 */
export interface GrantRequest {
  role: string;
  privileges: Privilege[];
  securable: Securable;
  tenant?: string;
}

/**
 * Which grants to list: a role's, those on one securable (grant managers of it may ask), or both.
 *
 * @example
 * ```ts
 * const filter: GrantFilter = { securable: { type: 'warehouse', warehouse: 'lake' } };
 * ```
 */
export interface GrantFilter extends ManagementRequestOptions {
  role?: string;
  securable?: Securable;
}

/**
 * The subject of an explain: a principal, a user (with the groups its token would carry), or a group.
 *
 * @example
 * ```ts
 * const alice: ExplainSubject = { kind: 'user', issuer: 'https://idp.example.com/realms/lake', name: 'alice', groups: ['analysts'] };
 * ```
 */
export type ExplainSubject = Member & { groups?: string[] };

/**
 * "May this subject do this privilege on this securable?"
 *
 * @example
 * ```ts
 * const request: ExplainRequest = { subject: { kind: 'principal', name: clientId }, privilege: 'table:read-data', securable: orders };
 * ```
 */
export interface ExplainRequest {
  subject: ExplainSubject;
  privilege: Privilege;
  securable: Securable;
  tenant?: string;
}

/**
 * The answer of an explain: allowed or not, why (`admin`, `grant`, `none`), the grants that give it, and a sentence.
 *
 * @example
 * ```ts
 * const { allowed, summary }: Explanation = await management.explain(request);
 * console.log(summary); // "principal … can table:read-data on lake/sales.orders through role analyst granted table:read-data on namespace lake/sales"
 * ```
 */
export interface Explanation {
  allowed: boolean;
  reason: 'admin' | 'grant' | 'none';
  via: Array<{ role: string; privilege: Privilege; securable: Securable; member: Member }>;
  summary: string;
  /** About a table: the row-filter and column-mask policies that restrict the subject there, with the subject's roles each binds. */
  policies?: protocol.Explanation['policies'];
}
