/**
 * Roles, their members and grants, and explain, under /management/v1 (the access administration).
 */
import { Type } from '@sinclair/typebox';
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
import { manage, ok } from './manage.js';
import { parameters } from './types.js';

const byRole = parameters({ role: Type.String({ description: 'A role name' }) });
const tenantQuery = parameters({ tenant: Type.Optional(Type.String({ description: "Default: the caller's tenant" })) });
const accessTags = ['Lakegate management: access'];

/** In the order the OpenAPI document lists them, after the warehouses' operations. */
export const ACCESS_OPERATIONS = [
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
];
