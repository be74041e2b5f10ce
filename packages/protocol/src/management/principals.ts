/**
 * Lakegate's management API: service principals, their keys and the audit trail. The management services
 * own the rules (who may create what); these schemas are the shapes they accept and return.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../schema/helpers.js';

const name = Type.String({ minLength: 1, maxLength: 255 });

/** A user or group named with the issuer that vouches for it. */
export const IssuedName = Type.Object(
  {
    issuer: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'A trusted IdP\'s issuer URL, or "asserted" for names an assert-identity engine asserts',
    }),
    name: Type.String({ minLength: 1, maxLength: 255, description: '"*": every user of that issuer (never asserted names)' }),
  },
  { $id: 'IssuedName', additionalProperties: false },
);
export type IssuedName = Static<typeof IssuedName>;

const entry = Type.Union([name, Type.Ref(IssuedName)]);

export const DelegationPolicy = Type.Object(
  {
    users: Type.Optional(
      Type.Array(entry, {
        maxItems: 1000,
        description:
          'Subjects the principal may act for, each with the issuer that vouches for it; a bare name matches only a name an assert-identity engine asserts or a service principal\'s client id ("*": every verified subject)',
      }),
    ),
    groups: Type.Optional(
      Type.Array(entry, {
        maxItems: 1000,
        description: 'IdP groups whose members the principal may act for, with their issuer (bare names are refused; stored ones match nothing)',
      }),
    ),
    'assert-identity': Type.Optional(
      Type.Boolean({ description: 'May act for a user named by an unsigned token (an engine that authenticated the user itself)' }),
    ),
  },
  { $id: 'DelegationPolicy', additionalProperties: false },
);
export type DelegationPolicy = Static<typeof DelegationPolicy>;

export const CreatePrincipalRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    tenant: Type.Optional(Type.String({ description: "Default: the caller's tenant" })),
    roles: Type.Optional(Type.Array(Type.Literal('admin'), { description: 'admin: administers its tenant' })),
    delegation: Type.Optional(Type.Ref(DelegationPolicy)),
  },
  { $id: 'CreatePrincipalRequest', additionalProperties: false },
);
export type CreatePrincipalRequest = Static<typeof CreatePrincipalRequest>;

export const PrincipalCredentials = Type.Object(
  { 'client-id': Type.String(), 'client-secret': Type.String({ description: 'Shown once' }), tenant: Type.Optional(Type.String()) },
  { $id: 'PrincipalCredentials', description: 'The answer of createPrincipal and rotatePrincipalSecret' },
);
export type PrincipalCredentials = Static<typeof PrincipalCredentials>;

export const Principal = Type.Object(
  {
    'client-id': Type.String(),
    name: Type.String(),
    tenant: Type.String(),
    roles: Type.Array(Type.String()),
    delegation: Type.Ref(DelegationPolicy),
    disabled: Type.Boolean(),
    'created-at-ms': Type.Integer(),
  },
  { $id: 'Principal' },
);
export type Principal = Static<typeof Principal>;

export const ListPrincipalsResponse = Type.Object({ principals: Type.Array(Type.Ref(Principal)) }, { $id: 'ListPrincipalsResponse' });
export type ListPrincipalsResponse = Static<typeof ListPrincipalsResponse>;

export const SetDelegationResponse = Type.Object({ 'client-id': Type.String(), delegation: Type.Ref(DelegationPolicy) }, { $id: 'SetDelegationResponse' });
export type SetDelegationResponse = Static<typeof SetDelegationResponse>;

export const AccessKey = Type.Object(
  { 'access-key-id': Type.String(), 'secret-access-key': Type.String({ description: 'Shown once' }) },
  { $id: 'AccessKey', description: 'A SigV4 access key of a principal' },
);
export type AccessKey = Static<typeof AccessKey>;

export const CreateApiKeyRequest = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), 'expires-in-seconds': Type.Optional(Type.Integer({ minimum: 60, maximum: 366 * 86400 })) },
  { $id: 'CreateApiKeyRequest', additionalProperties: false },
);
export type CreateApiKeyRequest = Static<typeof CreateApiKeyRequest>;

export const ApiKey = Type.Object(
  { 'key-id': Type.String(), 'api-key': Type.String({ description: 'Shown once; send it as x-api-key' }), 'expires-at-ms': Nullable(Type.Integer()) },
  { $id: 'ApiKey' },
);
export type ApiKey = Static<typeof ApiKey>;

export const ListAccessKeysResponse = Type.Object(
  { 'access-keys': Type.Array(Type.Object({ 'access-key-id': Type.String(), 'created-at-ms': Type.Integer(), 'revoked-at-ms': Nullable(Type.Integer()) })) },
  { $id: 'ListAccessKeysResponse', description: "A principal's SigV4 access keys (never their secrets), revoked ones too" },
);
export type ListAccessKeysResponse = Static<typeof ListAccessKeysResponse>;

export const ListApiKeysResponse = Type.Object(
  {
    'api-keys': Type.Array(
      Type.Object({
        'key-id': Type.String(),
        name: Type.String(),
        'created-at-ms': Type.Integer(),
        'expires-at-ms': Nullable(Type.Integer()),
        'revoked-at-ms': Nullable(Type.Integer()),
      }),
    ),
  },
  { $id: 'ListApiKeysResponse', description: "A principal's API keys (never the keys themselves), revoked and expired ones too" },
);
export type ListApiKeysResponse = Static<typeof ListApiKeysResponse>;

export const AuditEvent = Type.Object(
  {
    id: Type.String(),
    atMs: Type.Integer(),
    type: Type.String({ examples: ['principal.created', 'warehouse.access.denied'] }),
    actor: Type.String({ examples: ['service:lakegate-admin', 'user:alice via service:trino'] }),
    detail: Type.Record(Type.String(), Type.Unknown()),
    tenant: Type.String(),
    decision: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('deny')])),
    action: Type.Optional(Type.String()),
    object: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'AuditEvent' },
);
export type AuditEvent = Static<typeof AuditEvent>;

export const ListAuditResponse = Type.Object(
  { events: Type.Array(Type.Ref(AuditEvent)), next: Nullable(Type.String({ description: 'Pass as before= for the next (older) page' })) },
  { $id: 'ListAuditResponse' },
);
export type ListAuditResponse = Static<typeof ListAuditResponse>;

/** Named schemas of this file. */
export const MANAGEMENT_PRINCIPAL_SCHEMAS = [
  IssuedName,
  DelegationPolicy,
  CreatePrincipalRequest,
  PrincipalCredentials,
  Principal,
  ListPrincipalsResponse,
  SetDelegationResponse,
  AccessKey,
  CreateApiKeyRequest,
  ApiKey,
  ListAccessKeysResponse,
  ListApiKeysResponse,
  AuditEvent,
  ListAuditResponse,
];
