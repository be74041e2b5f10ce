/**
 * Lakegate's management API at /management/v1: principals and their keys, warehouses, roles and grants,
 * the audit trail. Errors use the Iceberg envelope, so the SDK's error classes read them too. To add an
 * operation: describe its bodies in ../management/, then add one `manage({...})` here.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import {
  CreateRoleRequest,
  ExplainRequest,
  Explanation,
  GrantRequest,
  GrantsResponse,
  ListRoleMembersResponse,
  ListRolesResponse,
  RevokeResponse,
  Role,
  RoleDetails,
  RoleMember,
} from '../management/access.js';
import {
  AccessKey,
  ApiKey,
  CreateApiKeyRequest,
  CreatePrincipalRequest,
  DelegationPolicy,
  ListAccessKeysResponse,
  ListApiKeysResponse,
  ListAuditResponse,
  ListPrincipalsResponse,
  Principal,
  PrincipalCredentials,
  SetDelegationResponse,
} from '../management/principals.js';
import { CreateWarehouseRequest, ListMetricsReportsResponse, ListWarehousesResponse, TenantStorageGrant, UpdateWarehouseRequest, UpdateWarehouseStorageRequest, Warehouse } from '../management/warehouses.js';
import { ListDroppedObjectsResponse, DroppedObject, TableMaintenanceJob, TableMaintenanceRequest, TableMaintenanceResult, UndropRequest } from '../management/dropped.js';
import { CreatePolicyRequest, EffectivePolicy, ListPoliciesResponse, TablePolicy, UpdatePolicyRequest } from '../management/policies.js';
import { ListPolicyEnforcersResponse, PolicyEnforcer, SetPolicyEnforcerRequest } from '../management/enforcers.js';
import { NamespaceParam, TableParam } from './iceberg-parameters.js';
import { type HttpMethod, type OperationSpec, defineOperation, jsonBodyMember, parameters } from './types.js';

const PREFIX = '/management/v1';

interface ManagementOperation extends Omit<OperationSpec, 'surface' | 'security' | 'tags' | 'body' | 'method'> {
  method: HttpMethod;
  tags?: readonly string[];
  body?: TSchema;
}

export const manage = <const O extends ManagementOperation>(o: O) => {
  const { body: _body, tags, path, ...rest } = o;
  return defineOperation({ ...rest, path: `${PREFIX}${path}`, surface: 'management', security: 'authenticated', tags: tags ?? ['Lakegate management'], ...jsonBodyMember(o, true) });
};

export const ok = (description: string, schema: Parameters<typeof Type.Ref>[0]) => ({ description, schema: Type.Ref(schema) });
const byClient = parameters({ clientId: Type.String({ description: "A principal's client id" }) });
const byTenant = parameters({ tenant: Type.String({ description: 'A tenant' }) });
const byRole = parameters({ role: Type.String({ description: 'A role name' }) });
const tenantQuery = parameters({ tenant: Type.Optional(Type.String({ description: "Default: the caller's tenant" })) });
const accessTags = ['Lakegate management: access'];
const policyTags = ['Lakegate management: policies'];
const byWarehouse = parameters({ warehouse: Type.String({ description: 'A warehouse name' }) });
const byEnforcer = parameters({ warehouse: Type.String({ description: 'A warehouse name' }), clientId: Type.String({ minLength: 1, maxLength: 255, description: "The engine principal's client id" }) });
const POLICIES = '/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}/policies';
const byTable = parameters({ warehouse: Type.String(), namespace: NamespaceParam, table: TableParam });
const byPolicy = parameters({ warehouse: Type.String(), namespace: NamespaceParam, table: TableParam, policyId: Type.String({ minLength: 1, maxLength: 64 }) });

/** Row-filter and column-mask policies of a table (issue 53): grants:manage on the table, except `effective`. */
export const POLICY_OPERATIONS = [
  manage({ operationId: 'listTablePolicies', method: 'GET', path: POLICIES, summary: "A table's row-filter and column-mask policies", tags: policyTags, params: byTable, responses: { 200: ok('The policies', ListPoliciesResponse) }, errors: [404] }),
  manage({ operationId: 'createTablePolicy', method: 'POST', path: POLICIES, summary: 'Add a row-filter or column-mask policy to a table', tags: policyTags, params: byTable, body: CreatePolicyRequest, responses: { 201: ok('The policy (version 1)', TablePolicy) }, errors: [404] }),
  manage({ operationId: 'getTablePolicy', method: 'GET', path: `${POLICIES}/{policyId}`, summary: 'One policy of a table', tags: policyTags, params: byPolicy, responses: { 200: ok('The policy', TablePolicy) }, errors: [404] }),
  manage({ operationId: 'updateTablePolicy', method: 'PUT', path: `${POLICIES}/{policyId}`, summary: 'Replace a policy (its kind stays); its version goes up by one', tags: policyTags, params: byPolicy, body: UpdatePolicyRequest, responses: { 200: ok('The policy', TablePolicy) }, errors: [404, 409] }),
  manage({ operationId: 'deleteTablePolicy', method: 'DELETE', path: `${POLICIES}/{policyId}`, summary: 'Remove a policy', tags: policyTags, params: byPolicy, responses: { 204: { description: 'Removed' } }, errors: [404] }),
  manage({ operationId: 'listPolicyEnforcers', method: 'GET', path: '/warehouses/{warehouse}/policy-enforcers', summary: "The principals declared to enforce the warehouse's policies themselves (tenant administrators)", tags: policyTags, params: byWarehouse, responses: { 200: ok('The enforcers', ListPolicyEnforcersResponse) }, errors: [404] }),
  manage({ operationId: 'setPolicyEnforcer', method: 'PUT', path: '/warehouses/{warehouse}/policy-enforcers/{clientId}', summary: "Declare a principal (an engine) an enforcer of the warehouse's policies, and how it is told them", tags: policyTags, params: byEnforcer, body: SetPolicyEnforcerRequest, responses: { 200: ok('The enforcer', PolicyEnforcer) }, errors: [404] }),
  manage({ operationId: 'removePolicyEnforcer', method: 'DELETE', path: '/warehouses/{warehouse}/policy-enforcers/{clientId}', summary: 'Withdraw a declaration: the engine gets the catalog-enforced path again (within the authorization cache bound)', tags: policyTags, params: byEnforcer, responses: { 204: { description: 'Withdrawn' } }, errors: [404] }),
  manage({ operationId: 'getEffectivePolicy', method: 'GET', path: `/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}/effective-policy`, summary: "What the table's policies add up to for the caller, and which apply", tags: policyTags, params: byTable, responses: { 200: ok('The effective policy', EffectivePolicy) }, errors: [404] }),
];

export const MANAGEMENT_OPERATIONS = [
  manage({ operationId: 'listPrincipals', method: 'GET', path: '/principals', summary: 'List service principals', responses: { 200: ok('The principals', ListPrincipalsResponse) } }),
  manage({ operationId: 'createPrincipal', method: 'POST', path: '/principals', summary: 'Create a service principal', body: CreatePrincipalRequest, responses: { 201: ok('Its credentials (the secret is shown once)', PrincipalCredentials) }, errors: [409] }),
  manage({ operationId: 'rotatePrincipalSecret', method: 'POST', path: '/principals/{clientId}/rotate-secret', summary: "Rotate a principal's secret (its refresh tokens end)", params: byClient, responses: { 200: ok('The new credentials', PrincipalCredentials) } }),
  manage({ operationId: 'setDelegation', method: 'PUT', path: '/principals/{clientId}/delegation', summary: 'Set whom a principal may act for', params: byClient, body: DelegationPolicy, responses: { 200: ok('The policy set', SetDelegationResponse) } }),
  manage({ operationId: 'disablePrincipal', method: 'POST', path: '/principals/{clientId}/disable', summary: 'Disable a principal: its credentials, keys and tokens (and tokens held through it) are refused; its tokens so far are revoked', params: byClient, responses: { 200: ok('The principal', Principal) }, errors: [404] }),
  manage({ operationId: 'enablePrincipal', method: 'POST', path: '/principals/{clientId}/enable', summary: 'Enable a principal again (tokens issued before stay refused)', params: byClient, responses: { 200: ok('The principal', Principal) }, errors: [404] }),
  manage({ operationId: 'revokePrincipalTokens', method: 'POST', path: '/principals/{clientId}/revoke-tokens', summary: 'Revoke every token issued to (or through) a principal so far; its credentials keep working', params: byClient, responses: { 204: { description: 'Revoked' } }, errors: [404] }),
  manage({ operationId: 'listAccessKeys', method: 'GET', path: '/principals/{clientId}/access-keys', summary: "List a principal's access keys", params: byClient, responses: { 200: ok('The keys', ListAccessKeysResponse) }, errors: [404] }),
  manage({ operationId: 'revokeAccessKey', method: 'DELETE', path: '/principals/{clientId}/access-keys/{keyId}', summary: 'Revoke an access key', params: parameters({ clientId: Type.String({ description: "A principal's client id" }), keyId: Type.String() }), responses: { 204: { description: 'Revoked' } }, errors: [404] }),
  manage({ operationId: 'listApiKeys', method: 'GET', path: '/principals/{clientId}/api-keys', summary: "List a principal's API keys", params: byClient, responses: { 200: ok('The keys', ListApiKeysResponse) }, errors: [404] }),
  manage({ operationId: 'createAccessKey', method: 'POST', path: '/principals/{clientId}/access-keys', summary: 'Create a SigV4 access key for a principal', params: byClient, responses: { 201: ok('The key (the secret is shown once)', AccessKey) } }),
  manage({ operationId: 'createApiKey', method: 'POST', path: '/principals/{clientId}/api-keys', summary: 'Create an API key for a principal', params: byClient, body: CreateApiKeyRequest, responses: { 201: ok('The key (shown once)', ApiKey) } }),
  manage({ operationId: 'revokeApiKey', method: 'DELETE', path: '/api-keys/{keyId}', summary: 'Revoke an API key', params: parameters({ keyId: Type.String() }), responses: { 204: { description: 'Revoked' } }, errors: [404] }),
  manage({ operationId: 'listWarehouses', method: 'GET', path: '/warehouses', summary: 'List warehouses', responses: { 200: ok('The warehouses', ListWarehousesResponse) } }),
  manage({ operationId: 'createWarehouse', method: 'POST', path: '/warehouses', summary: 'Create a warehouse', body: CreateWarehouseRequest, responses: { 201: ok('The warehouse', Warehouse) }, errors: [409] }),
  manage({
    operationId: 'updateWarehouseProperties',
    method: 'POST',
    path: '/warehouses/{warehouse}/properties',
    summary: "Change a warehouse's settings (its properties: drop retention, maintenance interval, expiry defaults), checked as at creation",
    params: parameters({ warehouse: Type.String({ description: 'A warehouse name' }) }),
    body: UpdateWarehouseRequest,
    responses: { 200: ok('The warehouse as changed', Warehouse) },
    errors: [404],
  }),
  manage({
    operationId: 'updateWarehouseStorageProfile',
    method: 'PUT',
    path: '/warehouses/{warehouse}/storage-profile',
    summary: "Replace a warehouse's storage profile (and optionally its secret), checked as at creation; its type and the storage its root lies in stay (docs/storage.md)",
    params: parameters({ warehouse: Type.String({ description: 'A warehouse name' }) }),
    body: UpdateWarehouseStorageRequest,
    responses: { 200: ok('The warehouse as changed (never the secret)', Warehouse) },
    errors: [404],
  }),
  manage({ operationId: 'getTenantStorageGrant', method: 'GET', path: '/tenants/{tenant}/storage-grant', summary: "The storage the platform granted a tenant's administrators for their warehouses", params: byTenant, responses: { 200: ok('The grant (no roots: none granted)', TenantStorageGrant) } }),
  manage({ operationId: 'setTenantStorageGrant', method: 'PUT', path: '/tenants/{tenant}/storage-grant', summary: "Set the storage a tenant's administrators may create warehouses in (platform administrators only)", params: byTenant, body: TenantStorageGrant, responses: { 200: ok('The grant set', TenantStorageGrant) } }),
  manage({
    operationId: 'listMetricsReports',
    method: 'GET',
    path: '/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}/metrics-reports',
    summary: 'The metrics reports engines sent for a table, newest first',
    params: parameters({ warehouse: Type.String(), namespace: NamespaceParam, table: TableParam }),
    query: parameters({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
    responses: { 200: ok('The reports', ListMetricsReportsResponse) },
    errors: [404],
  }),
  manage({ operationId: 'listRoles', method: 'GET', path: '/roles', summary: 'List the roles of a tenant', tags: accessTags, query: tenantQuery, responses: { 200: ok('The roles', ListRolesResponse) } }),
  manage({ operationId: 'createRole', method: 'POST', path: '/roles', summary: 'Create a role', tags: accessTags, body: CreateRoleRequest, responses: { 201: ok('The role', Role) }, errors: [409] }),
  manage({ operationId: 'getRole', method: 'GET', path: '/roles/{role}', summary: 'A role with its members and grants', tags: accessTags, params: byRole, query: tenantQuery, responses: { 200: ok('The role', RoleDetails) }, errors: [404] }),
  manage({ operationId: 'deleteRole', method: 'DELETE', path: '/roles/{role}', summary: 'Delete a role without members', tags: accessTags, params: byRole, query: tenantQuery, responses: { 204: { description: 'Deleted' } }, errors: [404, 409] }),
  manage({ operationId: 'listRoleMembers', method: 'GET', path: '/roles/{role}/members', summary: 'The members of a role', tags: accessTags, params: byRole, query: tenantQuery, responses: { 200: ok('The members', ListRoleMembersResponse) }, errors: [404] }),
  manage({
    operationId: 'addRoleMember',
    method: 'POST',
    path: '/roles/{role}/members',
    summary: 'Add a principal, IdP user or IdP group to a role',
    tags: accessTags,
    params: byRole,
    query: tenantQuery,
    body: RoleMember,
    responses: { 200: ok('Already a member', RoleMember), 201: ok('Added', RoleMember) },
    errors: [404],
  }),
  manage({ operationId: 'removeRoleMember', method: 'POST', path: '/roles/{role}/members/remove', summary: 'Remove a member from a role', tags: accessTags, params: byRole, query: tenantQuery, body: RoleMember, responses: { 204: { description: 'Removed' } }, errors: [404] }),
  manage({
    operationId: 'listGrants',
    method: 'GET',
    path: '/grants',
    summary: "List grants, of a role or on a securable (type, warehouse, namespace levels joined by %1F, name)",
    tags: accessTags,
    query: parameters({
      role: Type.Optional(Type.String()),
      tenant: Type.Optional(Type.String()),
      type: Type.Optional(Type.String({ description: 'warehouse, namespace, table or view' })),
      warehouse: Type.Optional(Type.String()),
      namespace: Type.Optional(Type.String()),
      name: Type.Optional(Type.String()),
    }),
    responses: { 200: ok('The grants', GrantsResponse) },
  }),
  manage({ operationId: 'grant', method: 'POST', path: '/grants', summary: 'Grant privileges on a securable to a role', tags: accessTags, body: GrantRequest, responses: { 201: ok('The grants', GrantsResponse) }, errors: [404] }),
  manage({ operationId: 'revoke', method: 'POST', path: '/grants/revoke', summary: 'Revoke privileges on a securable from a role', tags: accessTags, body: GrantRequest, responses: { 200: ok('How many grants ended', RevokeResponse) }, errors: [404] }),
  manage({ operationId: 'explain', method: 'POST', path: '/explain', summary: 'Explain whether a subject holds a privilege on a securable, and through which grants', tags: accessTags, body: ExplainRequest, responses: { 200: ok('The explanation', Explanation) } }),
  manage({
    operationId: 'listAudit',
    method: 'GET',
    path: '/audit',
    summary: 'The audit trail, newest first',
    query: parameters({
      tenant: Type.Optional(Type.String()),
      actor: Type.Optional(Type.String({ maxLength: 500 })),
      object: Type.Optional(Type.String({ maxLength: 500 })),
      action: Type.Optional(Type.String({ maxLength: 500 })),
      type: Type.Optional(Type.String({ maxLength: 500 })),
      decision: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('deny')])),
      since: Type.Optional(Type.String({ description: 'Epoch milliseconds or an ISO 8601 time' })),
      until: Type.Optional(Type.String({ description: 'Epoch milliseconds or an ISO 8601 time' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      before: Type.Optional(Type.String({ description: 'The next cursor of the previous page' })),
    }),
    responses: { 200: ok('A page of events', ListAuditResponse) },
  }),
  manage({
    operationId: 'listDroppedObjects',
    method: 'GET',
    path: '/warehouses/{warehouse}/dropped',
    summary: "The warehouse's dropped tables, views, Lance tables and namespaces (those a cascading drop took) still in their retention, oldest drop first (warehouse:list-dropped)",
    params: parameters({ warehouse: Type.String() }),
    query: parameters({ pageToken: Type.Optional(Type.String({ maxLength: 400 })), pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
    responses: { 200: ok('A page of dropped objects', ListDroppedObjectsResponse) },
    errors: [404],
  }),
  manage({
    operationId: 'undropObject',
    method: 'POST',
    path: '/warehouses/{warehouse}/dropped/{id}/undrop',
    summary: 'Restore a dropped object under its name, or a new one given in the body (warehouse:undrop); a namespace with everything its drop took; 409 when the name is taken',
    params: parameters({ warehouse: Type.String(), id: Type.String({ maxLength: 200 }) }),
    body: UndropRequest,
    responses: { 200: ok('The restored object, where it is now', DroppedObject) },
    errors: [404, 409],
  }),
  manage({
    operationId: 'runTableMaintenance',
    method: 'POST',
    path: '/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}/maintenance',
    summary: "Expire a table's snapshots and delete the files only they reached, now (table:maintain); dry-run reports what would go",
    params: parameters({ warehouse: Type.String(), namespace: NamespaceParam, table: TableParam }),
    body: TableMaintenanceRequest,
    responses: { 200: ok('What was (or would be) removed', TableMaintenanceResult) },
    errors: [404, 409],
  }),
  manage({
    operationId: 'getTableMaintenance',
    method: 'GET',
    path: '/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}/maintenance',
    summary: "The table's maintenance job, from any replica: running with its progress so far, or how the last one ended (table:maintain)",
    params: parameters({ warehouse: Type.String(), namespace: NamespaceParam, table: TableParam }),
    responses: { 200: ok('The job: state, lease and progress', TableMaintenanceJob) },
    errors: [404],
  }),
];
