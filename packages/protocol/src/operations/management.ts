/**
 * Lakegate's management API at /management/v1: principals and their keys, warehouses, roles and grants,
 * the audit trail. Errors use the Iceberg envelope, so the SDK's error classes read them too. To add an
 * operation: describe its bodies in ../management/, then add one `manage({...})` (./manage.ts) to its list here, in
 * ./management-access.ts or ./management-policies.ts.
 */
import { Type } from '@sinclair/typebox';
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
import { NamespaceParam, TableParam } from './iceberg-parameters.js';
import { ACCESS_OPERATIONS } from './management-access.js';
import { manage, ok } from './manage.js';
import { parameters } from './types.js';


const byClient = parameters({ clientId: Type.String({ description: "A principal's client id" }) });
const byTenant = parameters({ tenant: Type.String({ description: 'A tenant' }) });

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
  ...ACCESS_OPERATIONS,
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
