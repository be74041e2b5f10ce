/**
 * A client for Lakegate's own management API (`/management/v1`, not part of the Iceberg spec): service principals
 * and their keys, warehouses, roles, role members, grants, explain, the audit trail and metrics reports. It runs
 * on the SDK's one transport and auth-provider registry, so it authenticates exactly like {@link IcebergRestCatalog}
 * (OAuth2 client credentials, bearer, API key, SigV4, ...). The API answers errors in the Iceberg envelope, so
 * failures are {@link CatalogError}s and the predicates apply: `isForbidden` (not an administrator, or not a grant
 * manager of the securable), `isNotFound` (no such role, grant or warehouse), `isConflict` (the role exists, or is
 * still in use).
 */
import type * as protocol from '@lakegate/protocol';
import type { AuthProvider } from '../auth/provider.js';
import type { TableIdentifier } from '../iceberg/types.js';
import { buildTransport, type ClientOptions } from '../options.js';
import type { TransportRequest } from '../transport/http-transport.js';
import type { Explanation, ExplainRequest, Grant, GrantFilter, GrantRequest, CreateRoleRequest, Member, Role, RoleDetails } from './access-types.js';
import type {
  AccessKey,
  ApiKey,
  CreateApiKeyRequest,
  CreatedPrincipal,
  CreatePrincipalRequest,
  CreateWarehouseRequest,
  DelegationPolicy,
  DroppedObject,
  ManagementRequestOptions,
  TableMaintenanceJob,
  TableMaintenanceRequest,
  TableMaintenanceResult,
  MetricsReport,
  Principal,
  AccessKeyInfo,
  ApiKeyInfo,
  PrincipalSecret,
  TenantStorageGrant,
  UpdateWarehouseRequest,
  UpdateWarehouseStorageRequest,
  UpdateWarehouseFederationRequest,
  FederationStatus,
  ListFederationRemoteFailuresResponse,
  Warehouse,
} from './types.js';
import { ManagementEvents } from './events-client.js';
import { tenantQuery } from './base.js';
import { TablePolicies } from './policies.js';
import { ObjectLabels } from './labels.js';
import { ManagedFunctions } from './functions.js';
import { LEVEL_SEPARATOR, objectPath, segment } from './paths.js';

/**
 * Options of {@link LakegateManagement}: the server's base URI and how to authenticate, as for the catalog clients.
 *
 * @example
 * ```ts
 * const options: LakegateManagementOptions = { uri: 'http://127.0.0.1:8181', properties: { credential: 'id:secret', scope: 'catalog' } };
 * ```
 */
export type LakegateManagementOptions = ClientOptions;

export type { AuditPageOptions } from './events-client.js';

/**
 * A client for Lakegate's management API. Calls need an administrator of the tenant, except grants on a securable
 * (and explain), which holders of `grants:manage` on it may manage too.
 *
 * @example
 * ```ts
 * const management = new LakegateManagement({ uri: 'http://127.0.0.1:8181', properties: { credential: 'id:secret' } });
 * const reader = await management.createPrincipal({ name: 'reader' });
 * await management.createRole({ name: 'analyst' });
 * await management.grant({ role: 'analyst', privileges: ['namespace:list', 'table:list', 'table:read-data'], securable: { type: 'namespace', warehouse: 'default', namespace: ['sales'] } });
 * await management.addRoleMember('analyst', { kind: 'principal', name: reader['client-id'] });
 * for await (const event of management.auditEvents({ decision: 'deny' })) console.log(event.actor, event.action, event.object);
 * ```
 */
export class LakegateManagement extends ManagementEvents {
  /** Row-filter and column-mask policies of tables (policies.ts). */
  readonly policies: TablePolicies = new TablePolicies(this.lend);
  /** Catalog-supplied labels of tables and views, answered on their loads (labels.ts). */
  readonly labels: ObjectLabels = new ObjectLabels(this.lend);
  /** Functions (SQL UDFs): put, read and drop their metadata; engines read them with IcebergRestCatalog (functions.ts). */
  readonly functions: ManagedFunctions = new ManagedFunctions(this.lend);

  constructor(options: LakegateManagementOptions);
  /** @internal a view of `parent` that authenticates with another provider (see {@link withAuth}). */
  constructor(options: LakegateManagementOptions, parent: LakegateManagement, auth: AuthProvider);
  constructor(options: LakegateManagementOptions, parent?: LakegateManagement, auth?: AuthProvider) {
    super(parent && auth ? parent.transport.withAuth(auth) : buildTransport(options).transport);
  }

  /**
   * A client that shares this one's connection but authenticates every call with `auth`.
   *
   * @example
   * ```ts
   * const asTenantAdmin = management.withAuth(bearerAuth(tenantAdminToken));
   * ```
   */
  withAuth(auth: AuthProvider): LakegateManagement {
    return new LakegateManagement({}, this, auth);
  }

  // ---------------------------------------------------------------- principals

  /** The service principals of the caller's tenant (every tenant's, for a platform administrator). */
  async listPrincipals(options: { signal?: AbortSignal } = {}): Promise<Principal[]> {
    return (await this.call<{ principals: Principal[] }>('GET', 'principals', options)).principals;
  }

  /** Creates a service principal; its secret is in the answer, once. */
  async createPrincipal(request: CreatePrincipalRequest, options: { signal?: AbortSignal } = {}): Promise<CreatedPrincipal> {
    return this.call('POST', 'principals', { ...options, body: request });
  }

  /** Gives a principal a new secret (the old one stops working); the secret is in the answer, once. */
  async rotatePrincipalSecret(clientId: string, options: { signal?: AbortSignal } = {}): Promise<PrincipalSecret> {
    return this.call('POST', `principals/${segment(clientId)}/rotate-secret`, options);
  }

  /** Replaces whom the principal may act for (token exchange); omitted lists are emptied. */
  async setDelegation(
    clientId: string,
    policy: Partial<DelegationPolicy>,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ 'client-id': string; delegation: DelegationPolicy }> {
    return this.call('PUT', `principals/${segment(clientId)}/delegation`, { ...options, body: policy });
  }

  /** Disables a principal: its credentials, keys and tokens (and tokens held through it) are refused; its tokens so far are revoked. */
  async disablePrincipal(clientId: string, options: { signal?: AbortSignal } = {}): Promise<Principal> {
    return this.call('POST', `principals/${segment(clientId)}/disable`, options);
  }

  /** Enables a principal again (tokens issued before it was disabled stay refused). */
  async enablePrincipal(clientId: string, options: { signal?: AbortSignal } = {}): Promise<Principal> {
    return this.call('POST', `principals/${segment(clientId)}/enable`, options);
  }

  /** Revokes every token issued to (or through) the principal so far; its credentials keep working. */
  async revokePrincipalTokens(clientId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('POST', `principals/${segment(clientId)}/revoke-tokens`, options);
  }

  /** The principal's SigV4 access keys, revoked ones too (never their secrets). */
  async listAccessKeys(clientId: string, options: { signal?: AbortSignal } = {}): Promise<AccessKeyInfo[]> {
    return (await this.call<protocol.ListAccessKeysResponse>('GET', `principals/${segment(clientId)}/access-keys`, options))['access-keys'];
  }

  /** Revokes one of the principal's SigV4 access keys. */
  async revokeAccessKey(clientId: string, accessKeyId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', `principals/${segment(clientId)}/access-keys/${segment(accessKeyId)}`, options);
  }

  /** The principal's API keys, revoked and expired ones too (never the keys). */
  async listApiKeys(clientId: string, options: { signal?: AbortSignal } = {}): Promise<ApiKeyInfo[]> {
    return (await this.call<protocol.ListApiKeysResponse>('GET', `principals/${segment(clientId)}/api-keys`, options))['api-keys'];
  }

  /** Creates a SigV4 access key for the principal (the secret in the answer, once). */
  async createAccessKey(clientId: string, options: { signal?: AbortSignal } = {}): Promise<AccessKey> {
    return this.call('POST', `principals/${segment(clientId)}/access-keys`, options);
  }

  /** Creates an API key for the principal (the key in the answer, once). */
  async createApiKey(clientId: string, request: CreateApiKeyRequest, options: { signal?: AbortSignal } = {}): Promise<ApiKey> {
    return this.call('POST', `principals/${segment(clientId)}/api-keys`, { ...options, body: request });
  }

  /** Revokes an API key by its id. */
  async revokeApiKey(keyId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', `api-keys/${segment(keyId)}`, options);
  }

  // ---------------------------------------------------------------- warehouses

  /** The warehouses of the caller's tenant (every tenant's, for a platform administrator). */
  async listWarehouses(options: { signal?: AbortSignal } = {}): Promise<Warehouse[]> {
    return (await this.call<{ warehouses: Warehouse[] }>('GET', 'warehouses', options)).warehouses;
  }

  /** Creates a warehouse; its storage secret is stored encrypted and never shown again. */
  async createWarehouse(request: CreateWarehouseRequest, options: { signal?: AbortSignal } = {}): Promise<Warehouse> {
    return this.call('POST', 'warehouses', { ...options, body: request });
  }

  /** Changes a warehouse's settings (drop.retention-ms, maintenance.interval-ms, history.expire.*, compaction.*); answers the warehouse as changed. */
  async updateWarehouseProperties(warehouse: string, request: UpdateWarehouseRequest, options: { signal?: AbortSignal } = {}): Promise<Warehouse> {
    return this.call('POST', `warehouses/${segment(warehouse)}/properties`, { ...options, body: request });
  }

  /** Replaces a warehouse's storage profile (same type and bucket; `storage-secret` absent keeps the stored secret); answers the warehouse as changed. */
  async updateWarehouseStorageProfile(warehouse: string, request: UpdateWarehouseStorageRequest, options: { signal?: AbortSignal } = {}): Promise<Warehouse> {
    return this.call('PUT', `warehouses/${segment(warehouse)}/storage-profile`, { ...options, body: request });
  }

  /**
   * Rotates a federated warehouse's remote credential, or replaces its connection settings (same kind); the server
   * tests the remote with them before storing anything. Platform administrators only. Answers the warehouse as changed.
   */
  async updateWarehouseFederation(warehouse: string, request: UpdateWarehouseFederationRequest, options: { signal?: AbortSignal } = {}): Promise<Warehouse> {
    return this.call('PUT', `warehouses/${segment(warehouse)}/federation`, { ...options, body: request });
  }

  /**
   * Runs a federated warehouse's connection test with its stored settings and credential and answers the outcome: `ok`,
   * or the remote's refusal or failure in `error` (not thrown). Platform administrators only.
   */
  async getWarehouseFederationStatus(warehouse: string, options: { signal?: AbortSignal } = {}): Promise<FederationStatus> {
    return this.call('GET', `warehouses/${segment(warehouse)}/federation/status`, options);
  }

  /**
   * One page of a federated warehouse's remote failure history (every row kept; the status carries the newest 20),
   * newest first: pass the answer's `next-page-token` as `pageToken` for the next page.
   */
  async listWarehouseFederationFailures(
    warehouse: string,
    options: { pageToken?: string; pageSize?: number; signal?: AbortSignal } = {},
  ): Promise<ListFederationRemoteFailuresResponse> {
    return this.call('GET', `warehouses/${segment(warehouse)}/federation/failures`, {
      signal: options.signal,
      query: { pageToken: options.pageToken, pageSize: options.pageSize },
    });
  }

  /** The storage the platform granted a tenant's administrators for their warehouses (no roots: none). */
  async getTenantStorageGrant(tenant: string, options: { signal?: AbortSignal } = {}): Promise<TenantStorageGrant> {
    return this.call('GET', `tenants/${segment(tenant)}/storage-grant`, options);
  }

  /** Sets the storage a tenant's administrators may create warehouses in (platform administrators only). */
  async setTenantStorageGrant(tenant: string, grant: TenantStorageGrant, options: { signal?: AbortSignal } = {}): Promise<TenantStorageGrant> {
    return this.call('PUT', `tenants/${segment(tenant)}/storage-grant`, { ...options, body: grant });
  }

  /** The newest metrics reports clients posted for a table (`limit` 1..1000, default 100). */
  async listMetricsReports(warehouse: string, table: TableIdentifier, options: { limit?: number; signal?: AbortSignal } = {}): Promise<MetricsReport[]> {
    const path = `${objectPath(warehouse, table)}/metrics-reports`;
    return (await this.call<protocol.ListMetricsReportsResponse>('GET', path, { signal: options.signal, query: { limit: options.limit } })).reports;
  }

  // ---------------------------------------------------------------- dropped objects

  /** The warehouse's dropped tables, views and Lance tables still recoverable, oldest drop first (every page). */
  async listDroppedObjects(warehouse: string, options: { signal?: AbortSignal } = {}): Promise<DroppedObject[]> {
    const out: DroppedObject[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call<protocol.ListDroppedObjectsResponse>('GET', `warehouses/${segment(warehouse)}/dropped`, {
        signal: options.signal,
        query: { pageToken, pageSize: 1000 },
      });
      out.push(...page.dropped);
      pageToken = page['next-page-token'];
    } while (pageToken);
    return out;
  }

  /** Restores a dropped object under its name, or `to` (a conflict when the name is taken and no new one is given). */
  async undrop(
    warehouse: string,
    id: string,
    to: { namespace?: string[]; name?: string } = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<DroppedObject> {
    return this.call('POST', `warehouses/${segment(warehouse)}/dropped/${segment(id)}/undrop`, { ...options, body: to });
  }

  /**
   * Runs a table's maintenance now (snapshot expiry, orphan files; compaction, a manifest rewrite or a Lance table's
   * optimize when `actions` names them, docs/maintenance.md); with `dry-run`, reports what would be removed.
   */
  async runTableMaintenance(
    warehouse: string,
    table: TableIdentifier,
    request: TableMaintenanceRequest = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<TableMaintenanceResult> {
    const path = `${objectPath(warehouse, table)}/maintenance`;
    return this.call('POST', path, { ...options, body: request });
  }

  /** The table's maintenance job: running with its progress so far, or how the last one ended. */
  async getTableMaintenance(warehouse: string, table: TableIdentifier, options: { signal?: AbortSignal } = {}): Promise<TableMaintenanceJob> {
    const path = `${objectPath(warehouse, table)}/maintenance`;
    return this.call('GET', path, options);
  }

  // ---------------------------------------------------------------- roles and members

  /** The roles of the tenant, the built-in `admin` first. */
  async listRoles(options: ManagementRequestOptions = {}): Promise<Role[]> {
    return (await this.call<protocol.ListRolesResponse>('GET', 'roles', tenantQuery(options))).roles;
  }

  /** Creates a role; a conflict when it exists. */
  async createRole(request: CreateRoleRequest, options: { signal?: AbortSignal } = {}): Promise<Role> {
    return this.call('POST', 'roles', { ...options, body: request });
  }

  /** A role with its members and grants; not found when there is none. */
  async getRole(name: string, options: ManagementRequestOptions = {}): Promise<RoleDetails> {
    return this.call('GET', `roles/${segment(name)}`, tenantQuery(options));
  }

  /** Deletes a role; a conflict while it has members or grants (remove them first). */
  async deleteRole(name: string, options: ManagementRequestOptions = {}): Promise<void> {
    await this.call('DELETE', `roles/${segment(name)}`, tenantQuery(options));
  }

  /** Who holds a role. */
  async listRoleMembers(role: string, options: ManagementRequestOptions = {}): Promise<Member[]> {
    return (await this.call<{ members: Member[] }>('GET', `roles/${segment(role)}/members`, tenantQuery(options))).members;
  }

  /** Gives a role to a member; `created` is false when the member held it already. */
  async addRoleMember(role: string, member: Member, options: ManagementRequestOptions = {}): Promise<{ member: Member; created: boolean }> {
    const { status, body } = await this.send<Member>('POST', `roles/${segment(role)}/members`, { ...tenantQuery(options), body: member });
    return { member: body, created: status === 201 };
  }

  /** Takes a role from a member. */
  async removeRoleMember(role: string, member: Member, options: ManagementRequestOptions = {}): Promise<void> {
    await this.call('POST', `roles/${segment(role)}/members/remove`, { ...tenantQuery(options), body: member });
  }

  // ---------------------------------------------------------------- grants and explain

  /** Grants of the tenant: all, a role's, those on one securable, or both filters. */
  async listGrants(filter: GrantFilter = {}): Promise<Grant[]> {
    const { securable } = filter;
    const query: TransportRequest['query'] = { role: filter.role, tenant: filter.tenant };
    if (securable) {
      query['type'] = securable.type;
      query['warehouse'] = securable.warehouse;
      if (securable.type !== 'warehouse') query['namespace'] = securable.namespace.join(LEVEL_SEPARATOR);
      if (securable.type === 'table' || securable.type === 'view') query['name'] = securable.name;
    }
    return (await this.call<{ grants: Grant[] }>('GET', 'grants', { signal: filter.signal, query })).grants;
  }

  /** Grants privileges to a role on a securable (granting one it holds already changes nothing); the grants made. */
  async grant(request: GrantRequest, options: { signal?: AbortSignal } = {}): Promise<Grant[]> {
    return (await this.call<{ grants: Grant[] }>('POST', 'grants', { ...options, body: request })).grants;
  }

  /** Revokes privileges of a role on a securable; not found when the role holds none of them there. */
  async revoke(request: GrantRequest, options: { signal?: AbortSignal } = {}): Promise<{ revoked: number }> {
    return this.call('POST', 'grants/revoke', { ...options, body: request });
  }

  /**
   * May the subject do the privilege on the securable, and through which grant? Administrators and grant managers
   * of the securable may ask about anyone, every caller about itself.
   */
  async explain(request: ExplainRequest, options: { signal?: AbortSignal } = {}): Promise<Explanation> {
    return this.call('POST', 'explain', { ...options, body: request });
  }
}
