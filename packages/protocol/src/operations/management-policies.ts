/**
 * Row-filter and column-mask policies of a table and the engines declared to enforce them (issues 53, 54),
 * under /management/v1.
 */
import { Type } from '@sinclair/typebox';
import { CreatePolicyRequest, EffectivePolicy, ListPoliciesResponse, TablePolicy, UpdatePolicyRequest } from '../management/policies.js';
import { ListPolicyEnforcersResponse, PolicyEnforcer, SetPolicyEnforcerRequest } from '../management/enforcers.js';
import { NamespaceParam, TableParam, ViewParam } from './iceberg-parameters.js';
import { manage, ok } from './manage.js';
import { parameters } from './types.js';

const policyTags = ['Lakegate management: policies'];
const byWarehouse = parameters({ warehouse: Type.String({ description: 'A warehouse name' }) });
const byEnforcer = parameters({
  warehouse: Type.String({ description: 'A warehouse name' }),
  clientId: Type.String({ minLength: 1, maxLength: 255, description: "The engine principal's client id" }),
});
const POLICIES = '/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}/policies';
const byTable = parameters({ warehouse: Type.String(), namespace: NamespaceParam, table: TableParam });
const byPolicy = parameters({ warehouse: Type.String(), namespace: NamespaceParam, table: TableParam, policyId: Type.String({ minLength: 1, maxLength: 64 }) });
const VIEW_POLICIES = '/warehouses/{warehouse}/namespaces/{namespace}/views/{view}/policies';
const byView = parameters({ warehouse: Type.String(), namespace: NamespaceParam, view: ViewParam });
const byViewPolicy = parameters({
  warehouse: Type.String(),
  namespace: NamespaceParam,
  view: ViewParam,
  policyId: Type.String({ minLength: 1, maxLength: 64 }),
});

/** Row-filter and column-mask policies of a table (issue 53): grants:manage on the table, except `effective`. */
export const POLICY_OPERATIONS = [
  manage({
    operationId: 'listTablePolicies',
    method: 'GET',
    path: POLICIES,
    summary: "A table's row-filter and column-mask policies",
    tags: policyTags,
    params: byTable,
    responses: { 200: ok('The policies', ListPoliciesResponse) },
    errors: [404],
  }),
  manage({
    operationId: 'createTablePolicy',
    method: 'POST',
    path: POLICIES,
    summary: 'Add a row-filter or column-mask policy to a table',
    tags: policyTags,
    params: byTable,
    body: CreatePolicyRequest,
    responses: { 201: ok('The policy (version 1)', TablePolicy) },
    errors: [404],
  }),
  manage({
    operationId: 'getTablePolicy',
    method: 'GET',
    path: `${POLICIES}/{policyId}`,
    summary: 'One policy of a table',
    tags: policyTags,
    params: byPolicy,
    responses: { 200: ok('The policy', TablePolicy) },
    errors: [404],
  }),
  manage({
    operationId: 'updateTablePolicy',
    method: 'PUT',
    path: `${POLICIES}/{policyId}`,
    summary: 'Replace a policy (its kind stays); its version goes up by one',
    tags: policyTags,
    params: byPolicy,
    body: UpdatePolicyRequest,
    responses: { 200: ok('The policy', TablePolicy) },
    errors: [404, 409],
  }),
  manage({
    operationId: 'deleteTablePolicy',
    method: 'DELETE',
    path: `${POLICIES}/{policyId}`,
    summary: 'Remove a policy',
    tags: policyTags,
    params: byPolicy,
    responses: { 204: { description: 'Removed' } },
    errors: [404],
  }),
  manage({
    operationId: 'listPolicyEnforcers',
    method: 'GET',
    path: '/warehouses/{warehouse}/policy-enforcers',
    summary: "The principals declared to enforce the warehouse's policies themselves (tenant administrators)",
    tags: policyTags,
    params: byWarehouse,
    responses: { 200: ok('The enforcers', ListPolicyEnforcersResponse) },
    errors: [404],
  }),
  manage({
    operationId: 'setPolicyEnforcer',
    method: 'PUT',
    path: '/warehouses/{warehouse}/policy-enforcers/{clientId}',
    summary: "Declare a principal (an engine) an enforcer of the warehouse's policies, and how it is told them",
    tags: policyTags,
    params: byEnforcer,
    body: SetPolicyEnforcerRequest,
    responses: { 200: ok('The enforcer', PolicyEnforcer) },
    errors: [404],
  }),
  manage({
    operationId: 'removePolicyEnforcer',
    method: 'DELETE',
    path: '/warehouses/{warehouse}/policy-enforcers/{clientId}',
    summary: 'Withdraw a declaration: the engine gets the catalog-enforced path again (within the authorization cache bound)',
    tags: policyTags,
    params: byEnforcer,
    responses: { 204: { description: 'Withdrawn' } },
    errors: [404],
  }),
  manage({
    operationId: 'getEffectivePolicy',
    method: 'GET',
    path: `/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}/effective-policy`,
    summary: "What the table's policies add up to for the caller, and which apply",
    tags: policyTags,
    params: byTable,
    responses: { 200: ok('The effective policy', EffectivePolicy) },
    errors: [404],
  }),
  ...viewPolicyOperations(),
];

/**
 * The same over a view's schema (field ids of the view's current version's schema): grants:manage on the view,
 * `effective` view:read. A view a policy restricts for a caller is loaded only through a declared enforcer.
 */
function viewPolicyOperations() {
  return [
    manage({
      operationId: 'listViewPolicies',
      method: 'GET',
      path: VIEW_POLICIES,
      summary: "A view's row-filter and column-mask policies",
      tags: policyTags,
      params: byView,
      responses: { 200: ok('The policies', ListPoliciesResponse) },
      errors: [404],
    }),
    manage({
      operationId: 'createViewPolicy',
      method: 'POST',
      path: VIEW_POLICIES,
      summary: "Add a row-filter or column-mask policy to a view, over the view's schema",
      tags: policyTags,
      params: byView,
      body: CreatePolicyRequest,
      responses: { 201: ok('The policy (version 1)', TablePolicy) },
      errors: [404],
    }),
    manage({
      operationId: 'getViewPolicy',
      method: 'GET',
      path: `${VIEW_POLICIES}/{policyId}`,
      summary: 'One policy of a view',
      tags: policyTags,
      params: byViewPolicy,
      responses: { 200: ok('The policy', TablePolicy) },
      errors: [404],
    }),
    manage({
      operationId: 'updateViewPolicy',
      method: 'PUT',
      path: `${VIEW_POLICIES}/{policyId}`,
      summary: "Replace a view's policy (its kind stays); its version goes up by one",
      tags: policyTags,
      params: byViewPolicy,
      body: UpdatePolicyRequest,
      responses: { 200: ok('The policy', TablePolicy) },
      errors: [404, 409],
    }),
    manage({
      operationId: 'deleteViewPolicy',
      method: 'DELETE',
      path: `${VIEW_POLICIES}/{policyId}`,
      summary: "Remove a view's policy",
      tags: policyTags,
      params: byViewPolicy,
      responses: { 204: { description: 'Removed' } },
      errors: [404],
    }),
    manage({
      operationId: 'getViewEffectivePolicy',
      method: 'GET',
      path: `/warehouses/{warehouse}/namespaces/{namespace}/views/{view}/effective-policy`,
      summary: "What the view's policies add up to for the caller, and which apply",
      tags: policyTags,
      params: byView,
      responses: { 200: ok('The effective policy', EffectivePolicy) },
      errors: [404],
    }),
  ] as const;
}
