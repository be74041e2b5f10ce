/**
 * Lakegate's management API for authorization: roles, their members (principals, IdP users and groups by
 * issuer), grants of privileges on securables (warehouse down to table and view), and explain.
 */
import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from '../schema/helpers.js';

export const Securable = Type.Object(
  {
    type: StringEnum(['warehouse', 'namespace', 'table', 'view']),
    warehouse: Type.String({ minLength: 1 }),
    namespace: Type.Optional(Type.Array(Type.String(), { description: 'For a namespace, table or view' })),
    name: Type.Optional(Type.String({ description: 'For a table or view' })),
  },
  { $id: 'Securable', additionalProperties: false, examples: [{ type: 'namespace', warehouse: 'lake', namespace: ['sales'] }] },
);
export type Securable = Static<typeof Securable>;

const memberProperties = {
  kind: StringEnum(['principal', 'user', 'group']),
  name: Type.String({ minLength: 1, maxLength: 255 }),
  issuer: Type.Optional(Type.String({ maxLength: 1000, description: 'For users and groups: the issuer that vouches for them' })),
};

export const RoleMember = Type.Object(memberProperties, {
  $id: 'RoleMember',
  additionalProperties: false,
  examples: [{ kind: 'group', issuer: 'https://idp/realms/x', name: 'analysts' }],
});
export type RoleMember = Static<typeof RoleMember>;

export const CreateRoleRequest = Type.Object(
  { name: Type.String(), description: Type.Optional(Type.String({ maxLength: 1000 })), tenant: Type.Optional(Type.String()) },
  { $id: 'CreateRoleRequest', additionalProperties: false },
);
export type CreateRoleRequest = Static<typeof CreateRoleRequest>;

export const Role = Type.Object({ tenant: Type.String(), name: Type.String(), description: Type.String(), 'created-at-ms': Type.Integer() }, { $id: 'Role' });
export type Role = Static<typeof Role>;

export const Grant = Type.Object(
  { role: Type.String(), privilege: Type.String(), securable: Type.Ref(Securable), 'created-at-ms': Type.Integer() },
  { $id: 'Grant' },
);
export type Grant = Static<typeof Grant>;

export const ListRolesResponse = Type.Object({ roles: Type.Array(Type.Ref(Role)) }, { $id: 'ListRolesResponse' });
export type ListRolesResponse = Static<typeof ListRolesResponse>;

export const RoleDetails = Type.Object(
  { role: Type.Ref(Role), members: Type.Array(Type.Ref(RoleMember)), grants: Type.Array(Type.Ref(Grant)) },
  { $id: 'RoleDetails' },
);
export type RoleDetails = Static<typeof RoleDetails>;

export const ListRoleMembersResponse = Type.Object({ members: Type.Array(Type.Ref(RoleMember)) }, { $id: 'ListRoleMembersResponse' });
export type ListRoleMembersResponse = Static<typeof ListRoleMembersResponse>;

const privileges = Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1, maxItems: 50 })], {
  description: 'One or several privileges, e.g. table:read-data (docs/authorization.md lists them)',
});

export const GrantRequest = Type.Object(
  {
    role: Type.String(),
    tenant: Type.Optional(Type.String()),
    securable: Type.Ref(Securable),
    privilege: Type.Optional(privileges),
    privileges: Type.Optional(privileges),
  },
  { $id: 'GrantRequest', additionalProperties: false, description: 'Also the body of revoke' },
);
export type GrantRequest = Static<typeof GrantRequest>;

export const GrantsResponse = Type.Object({ grants: Type.Array(Type.Ref(Grant)) }, { $id: 'GrantsResponse' });
export type GrantsResponse = Static<typeof GrantsResponse>;

export const RevokeResponse = Type.Object({ revoked: Type.Integer() }, { $id: 'RevokeResponse' });
export type RevokeResponse = Static<typeof RevokeResponse>;

export const ExplainRequest = Type.Object(
  {
    tenant: Type.Optional(Type.String()),
    subject: Type.Object(
      {
        ...memberProperties,
        groups: Type.Optional(
          Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
            maxItems: 1000,
            description:
              "A user's groups. About yourself: omitted, the groups your token carries; a group your token does not carry needs grants:manage on the securable (403 otherwise)",
          }),
        ),
      },
      { additionalProperties: false },
    ),
    privilege: Type.String(),
    securable: Type.Ref(Securable),
  },
  { $id: 'ExplainRequest', additionalProperties: false },
);
export type ExplainRequest = Static<typeof ExplainRequest>;

export const Explanation = Type.Object(
  {
    allowed: Type.Boolean(),
    reason: StringEnum(['admin', 'grant', 'none']),
    via: Type.Array(Type.Object({ role: Type.String(), privilege: Type.String(), securable: Type.Ref(Securable), member: Type.Ref(RoleMember) })),
    summary: Type.String(),
    policies: Type.Optional(
      Type.Array(
        Type.Object({ id: Type.String(), kind: StringEnum(['row-filter', 'column-mask']), version: Type.Integer(), roles: Type.Array(Type.String()) }),
        {
          description: 'About a table: the row-filter and column-mask policies that restrict the subject there, with the roles of the subject each binds',
        },
      ),
    ),
  },
  { $id: 'Explanation' },
);
export type Explanation = Static<typeof Explanation>;

/** Named schemas of this file. */
export const MANAGEMENT_ACCESS_SCHEMAS = [
  Securable,
  RoleMember,
  CreateRoleRequest,
  Role,
  Grant,
  ListRolesResponse,
  RoleDetails,
  ListRoleMembersResponse,
  GrantRequest,
  GrantsResponse,
  RevokeResponse,
  ExplainRequest,
  Explanation,
];
