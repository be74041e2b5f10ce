/**
 * The OAuth 2.0 token endpoint's wire model: form parameters of the client credentials (RFC 6749 §4.4),
 * refresh token (RFC 6749 §6) and token exchange (RFC 8693) grants, the token response and the RFC 6749
 * §5.2 error body. Clients authenticate with HTTP Basic (preferred) or with client_id/client_secret in the form.
 */
import { type Static, Type } from '@sinclair/typebox';
import { StringEnum, TaggedUnion } from '../schema/helpers.js';

/** RFC 8693 token type URIs. */
export const TOKEN_TYPES = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

/** The RFC 8693 grant type of token exchange. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

export const TokenType = StringEnum(Object.values(TOKEN_TYPES), { $id: 'TokenType', description: 'An RFC 8693 token type' });
export type TokenType = Static<typeof TokenType>;

const clientAuthentication = {
  client_id: Type.Optional(Type.String({ description: 'With client_secret, when the client does not use HTTP Basic' })),
  client_secret: Type.Optional(Type.String({ writeOnly: true })),
};
const scope = Type.Optional(Type.String({ description: 'Space-separated, from catalog, catalog:read, management. Default: catalog' }));
const targets = {
  audience: Type.Optional(Type.String({ description: 'RFC 8693: lakegate or a URL of this catalog (may repeat)' })),
  resource: Type.Optional(Type.String({ description: 'RFC 8707: an absolute URI of this catalog, without fragment (may repeat)' })),
};

export const OAuthClientCredentialsRequest = Type.Object(
  { grant_type: Type.Literal('client_credentials'), scope, ...targets, ...clientAuthentication },
  { $id: 'OAuthClientCredentialsRequest', description: 'RFC 6749 §4.4: a service principal signs in with its client id and secret' },
);
export type OAuthClientCredentialsRequest = Static<typeof OAuthClientCredentialsRequest>;

export const OAuthRefreshTokenRequest = Type.Object(
  { grant_type: Type.Literal('refresh_token'), refresh_token: Type.String({ writeOnly: true }), scope, ...targets, ...clientAuthentication },
  {
    $id: 'OAuthRefreshTokenRequest',
    description: 'RFC 6749 §6: a new access token and a new refresh token (single use) for a refresh token; the client authenticates',
  },
);
export type OAuthRefreshTokenRequest = Static<typeof OAuthRefreshTokenRequest>;

export const OAuthTokenExchangeRequest = Type.Object(
  {
    grant_type: Type.Literal(TOKEN_EXCHANGE_GRANT_TYPE),
    subject_token: Type.String({ writeOnly: true, description: 'The token of the subject (the user, or the expiring token to refresh)' }),
    subject_token_type: Type.Ref(TokenType),
    actor_token: Type.Optional(Type.String({ writeOnly: true, description: "The acting service principal's access token (delegation)" })),
    actor_token_type: Type.Optional(Type.Ref(TokenType)),
    requested_token_type: Type.Optional(Type.Ref(TokenType)),
    scope,
    ...targets,
    ...clientAuthentication,
  },
  {
    $id: 'OAuthTokenExchangeRequest',
    description: 'RFC 8693: refresh by exchanging a token for itself, or act for a subject with an actor_token (delegation policy decides)',
  },
);
export type OAuthTokenExchangeRequest = Static<typeof OAuthTokenExchangeRequest>;

/** The token endpoint's form body, by grant_type. Each parameter appears at most once. */
export const OAuthTokenRequest = TaggedUnion('grant_type', [OAuthClientCredentialsRequest, OAuthRefreshTokenRequest, OAuthTokenExchangeRequest], {
  $id: 'OAuthTokenRequest',
});
export type OAuthTokenRequest = Static<typeof OAuthTokenRequest>;

export const OAuthTokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.String({ description: 'Bearer (compared case-insensitively, RFC 6749 §7.1)' }),
    expires_in: Type.Optional(Type.Integer({ description: 'Seconds' })),
    refresh_token: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String()),
    issued_token_type: Type.Optional(Type.Ref(TokenType)),
  },
  { $id: 'OAuthTokenResponse' },
);
export type OAuthTokenResponse = Static<typeof OAuthTokenResponse>;

/** RFC 6749 §5.2 error codes, RFC 7009's unsupported_token_type, RFC 8707's invalid_target, RFC 8628's slow_down (and server_error, temporarily_unavailable for 5xx). */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_token_type',
  'invalid_scope',
  'invalid_target',
  'slow_down',
  'server_error',
  'temporarily_unavailable',
] as const;

export const OAuthErrorResponse = Type.Object(
  { error: Type.String({ examples: [...OAUTH_ERROR_CODES] }), error_description: Type.Optional(Type.String()), error_uri: Type.Optional(Type.String()) },
  { $id: 'OAuthErrorResponse' },
);
export type OAuthErrorResponse = Static<typeof OAuthErrorResponse>;

/** RFC 8414 authorization server metadata (`/.well-known/oauth-authorization-server`). */
export const AuthorizationServerMetadata = Type.Object(
  {
    issuer: Type.String(),
    token_endpoint: Type.String(),
    jwks_uri: Type.String(),
    grant_types_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Optional(Type.Array(Type.String())),
    token_endpoint_auth_signing_alg_values_supported: Type.Optional(Type.Array(Type.String())),
    response_types_supported: Type.Optional(Type.Array(Type.String())),
    scopes_supported: Type.Optional(Type.Array(Type.String())),
    revocation_endpoint: Type.Optional(Type.String()),
    revocation_endpoint_auth_methods_supported: Type.Optional(Type.Array(Type.String())),
    introspection_endpoint: Type.Optional(Type.String()),
    introspection_endpoint_auth_methods_supported: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'AuthorizationServerMetadata' },
);
export type AuthorizationServerMetadata = Static<typeof AuthorizationServerMetadata>;

/** RFC 7009 §2.1 / RFC 7662 §2.1: the token to revoke or describe. The client authenticates (Basic, form, or Bearer). */
export const OAuthTokenQuery = Type.Object(
  {
    token: Type.String({ writeOnly: true }),
    token_type_hint: Type.Optional(Type.String({ examples: ['access_token', 'refresh_token'] })),
    ...clientAuthentication,
  },
  { $id: 'OAuthTokenQuery', description: 'The form body of token revocation (RFC 7009) and introspection (RFC 7662)' },
);
export type OAuthTokenQuery = Static<typeof OAuthTokenQuery>;

/** RFC 7662 §2.2: whether a token is active and, if so (and the caller may see it), its claims. */
export const OAuthIntrospectionResponse = Type.Object(
  {
    active: Type.Boolean(),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    token_type: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    nbf: Type.Optional(Type.Integer()),
    sub: Type.Optional(Type.String()),
    aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    iss: Type.Optional(Type.String()),
    jti: Type.Optional(Type.String()),
  },
  { $id: 'OAuthIntrospectionResponse', description: 'Besides the RFC 7662 members: tenant, kind, sid, auth_time, act and idp of Lakegate tokens' },
);
export type OAuthIntrospectionResponse = Static<typeof OAuthIntrospectionResponse>;

/** RFC 7517 JSON Web Key Set of the issuer's public signing keys. */
export const JsonWebKeySet = Type.Object(
  {
    keys: Type.Array(
      Type.Object({ kty: Type.String(), kid: Type.Optional(Type.String()), alg: Type.Optional(Type.String()), use: Type.Optional(Type.String()) }),
    ),
  },
  { $id: 'JsonWebKeySet' },
);
export type JsonWebKeySet = Static<typeof JsonWebKeySet>;

/** Every named OAuth schema. */
export const OAUTH_SCHEMAS = [
  TokenType,
  OAuthClientCredentialsRequest,
  OAuthRefreshTokenRequest,
  OAuthTokenExchangeRequest,
  OAuthTokenRequest,
  OAuthTokenResponse,
  OAuthErrorResponse,
  AuthorizationServerMetadata,
  OAuthTokenQuery,
  OAuthIntrospectionResponse,
  JsonWebKeySet,
];
