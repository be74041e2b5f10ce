/**
 * Row-filter and column-mask policies of a table or a view (`management.policies`): what the members of some roles
 * may see of its rows and columns. Every method addresses a table unless its options say `kind: 'view'` (a view's
 * policies name columns of the view's schema). Managing them needs `grants:manage` on the object; anyone who may
 * load it may ask for their own effective policy. Errors are {@link CatalogError}s: `isBadRequest` (an unknown column, a mask
 * action that does not suit the column's type, an unknown role), `isForbidden`, `isNotFound`, `isConflict` (the
 * policy moved since the version given).
 */
import type * as protocol from '@lakegate/protocol';
import type { TableIdentifier } from '../iceberg/types.js';
import type { TransportRequest } from '../transport/http-transport.js';
import { objectPath } from './paths.js';

/** A new policy: its kind, the roles it restricts, and a row filter (Iceberg expression JSON) or column masks. */
export type CreatePolicyRequest = protocol.CreatePolicyRequest;
/** A policy's new content (its kind stays); `version`: the one the change is based on. */
export type UpdatePolicyRequest = protocol.UpdatePolicyRequest;
/**
 * A policy as stored, with its version (1 when created, +1 per update).
 *
 * @example
 * ```ts
 * const p = await management.policies.create('lake', { namespace: ['sales'], name: 'orders' }, { kind: 'row-filter', roles: ['analysts-eu'], filter: { type: 'eq', term: 'region', value: 'eu' } });
 * ```
 */
export type TablePolicy = protocol.TablePolicy;
/** What a table's policies add up to for the caller: its row filter, masks, and which policies apply through which roles. */
export type EffectivePolicy = protocol.EffectivePolicy;

/** How a declared enforcer is told the user's policies, and (trino-opa) its catalog name in Trino. */
export type SetPolicyEnforcerRequest = protocol.SetPolicyEnforcerRequest;
/** A principal (an engine) declared to enforce a warehouse's policies itself (issue 54; tenant administrators). */
export type PolicyEnforcer = protocol.PolicyEnforcer;

/** What carries policies: a table (the default) or a view. */
export type PolicyObjectKind = 'table' | 'view';
/** Options of every policy call: `kind: 'view'` addresses a view of that identifier instead of a table. */
export interface PolicyCallOptions {
  kind?: PolicyObjectKind;
  signal?: AbortSignal;
}

type Call = <T>(method: TransportRequest['method'], path: string, request?: { body?: unknown; signal?: AbortSignal | undefined }) => Promise<T>;

const tablePath = (warehouse: string, table: TableIdentifier, kind: PolicyObjectKind = 'table') =>
  objectPath(warehouse, table, kind === 'view' ? 'views' : 'tables');
const signalOf = (options: PolicyCallOptions) => (options.signal ? { signal: options.signal } : {});

export class TablePolicies {
  /** @internal */
  constructor(private readonly call: Call) {}

  /** The table's (view's) policies, oldest first. */
  async list(warehouse: string, table: TableIdentifier, options: PolicyCallOptions = {}): Promise<TablePolicy[]> {
    return (await this.call<protocol.ListPoliciesResponse>('GET', `${tablePath(warehouse, table, options.kind)}/policies`, signalOf(options))).policies;
  }

  async get(warehouse: string, table: TableIdentifier, id: string, options: PolicyCallOptions = {}): Promise<TablePolicy> {
    return this.call('GET', `${tablePath(warehouse, table, options.kind)}/policies/${encodeURIComponent(id)}`, signalOf(options));
  }

  async create(warehouse: string, table: TableIdentifier, request: CreatePolicyRequest, options: PolicyCallOptions = {}): Promise<TablePolicy> {
    return this.call('POST', `${tablePath(warehouse, table, options.kind)}/policies`, { ...signalOf(options), body: request });
  }

  async update(warehouse: string, table: TableIdentifier, id: string, request: UpdatePolicyRequest, options: PolicyCallOptions = {}): Promise<TablePolicy> {
    return this.call('PUT', `${tablePath(warehouse, table, options.kind)}/policies/${encodeURIComponent(id)}`, { ...signalOf(options), body: request });
  }

  async delete(warehouse: string, table: TableIdentifier, id: string, options: PolicyCallOptions = {}): Promise<void> {
    await this.call('DELETE', `${tablePath(warehouse, table, options.kind)}/policies/${encodeURIComponent(id)}`, signalOf(options));
  }

  /** The caller's own effective policy on the table (view), and why each policy applies. */
  async effective(warehouse: string, table: TableIdentifier, options: PolicyCallOptions = {}): Promise<EffectivePolicy> {
    return this.call('GET', `${tablePath(warehouse, table, options.kind)}/effective-policy`, signalOf(options));
  }

  /** The principals declared to enforce the warehouse's policies themselves (tenant administrators). */
  async enforcers(warehouse: string, options: { signal?: AbortSignal } = {}): Promise<PolicyEnforcer[]> {
    return (await this.call<protocol.ListPolicyEnforcersResponse>('GET', `warehouses/${encodeURIComponent(warehouse)}/policy-enforcers`, options)).enforcers;
  }

  /** Declares a principal (an engine) an enforcer of the warehouse's policies: its user sessions get storage access to restricted tables. */
  async setEnforcer(warehouse: string, clientId: string, request: SetPolicyEnforcerRequest, options: { signal?: AbortSignal } = {}): Promise<PolicyEnforcer> {
    return this.call('PUT', `warehouses/${encodeURIComponent(warehouse)}/policy-enforcers/${encodeURIComponent(clientId)}`, { ...options, body: request });
  }

  /** Withdraws a declaration: the engine's sessions get the catalog-enforced path again. */
  async removeEnforcer(warehouse: string, clientId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', `warehouses/${encodeURIComponent(warehouse)}/policy-enforcers/${encodeURIComponent(clientId)}`, options);
  }
}
