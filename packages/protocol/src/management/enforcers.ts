/**
 * Trusted policy enforcers (issue 54): a principal an administrator declares able to enforce a warehouse's
 * row-filter and column-mask policies itself (an engine's service principal, e.g. Trino's). Acting for a user
 * (RFC 8693 delegation, Trino's USER sessions), such an engine gets table-wide storage access to a table a policy
 * restricts for that user, and is told the user's policies: through Lakegate's OPA decision endpoints (`trino-opa`)
 * or loadTable's `read-restrictions` (`read-restrictions`). Anyone else keeps the catalog-enforced path.
 */
import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from '../schema/helpers.js';

/** How an enforcer receives the user's policies. */
export const ENFORCER_MECHANISMS = ['trino-opa', 'read-restrictions'] as const;

export const SetPolicyEnforcerRequest = Type.Object(
  {
    mechanism: StringEnum([...ENFORCER_MECHANISMS], {
      description:
        "trino-opa: a Trino whose OPA access control asks Lakegate's decision endpoints; read-restrictions: an engine that enforces loadTable's read-restrictions",
    }),
    'trino-catalog': Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^[a-z0-9_]+$',
        description: "trino-opa: the warehouse's catalog name in that Trino (default: the warehouse name, lower-cased)",
      }),
    ),
  },
  { $id: 'SetPolicyEnforcerRequest', additionalProperties: false, examples: [{ mechanism: 'trino-opa', 'trino-catalog': 'lake' }] },
);
export type SetPolicyEnforcerRequest = Static<typeof SetPolicyEnforcerRequest>;

export const PolicyEnforcer = Type.Object(
  {
    warehouse: Type.String(),
    'client-id': Type.String({ description: "The engine's service principal" }),
    mechanism: StringEnum([...ENFORCER_MECHANISMS]),
    'trino-catalog': Type.Optional(Type.String()),
    'created-by': Type.String({ description: 'Who declared it, as the audit trail names callers' }),
    'created-at-ms': Type.Integer(),
  },
  { $id: 'PolicyEnforcer' },
);
export type PolicyEnforcer = Static<typeof PolicyEnforcer>;

export const ListPolicyEnforcersResponse = Type.Object({ enforcers: Type.Array(Type.Ref(PolicyEnforcer)) }, { $id: 'ListPolicyEnforcersResponse' });
export type ListPolicyEnforcersResponse = Static<typeof ListPolicyEnforcersResponse>;

/** Named schemas of this file. */
export const MANAGEMENT_ENFORCER_SCHEMAS = [SetPolicyEnforcerRequest, PolicyEnforcer, ListPolicyEnforcersResponse];
