/** The built-in OAuth 2.0 issuer: the token endpoint (at Iceberg's /v1/oauth/tokens and at /oauth2/token), RFC 8414 metadata and the JWKS. */
import { Type } from '@sinclair/typebox';
import {
  AuthorizationServerMetadata,
  JsonWebKeySet,
  OAuthIntrospectionResponse,
  OAuthTokenQuery,
  OAuthTokenRequest,
  OAuthTokenResponse,
} from '../oauth/token.js';
import { defineOperation } from './types.js';

const tags = ['OAuth'];
const token = <const Id extends string>(operationId: Id, path: string, description: string) =>
  defineOperation({
    operationId,
    surface: 'oauth',
    method: 'POST',
    path,
    summary: 'Issue an access token (client credentials, refresh token, token exchange)',
    description,
    tags,
    body: { schema: Type.Ref(OAuthTokenRequest), required: true, contentType: 'application/x-www-form-urlencoded' },
    responses: { 200: { description: 'A token (Cache-Control: no-store)', schema: Type.Ref(OAuthTokenResponse) } },
    errors: [429],
    security: 'client',
  });

const form = { schema: Type.Ref(OAuthTokenQuery), required: true, contentType: 'application/x-www-form-urlencoded' } as const;
const revoke = <const Id extends string>(operationId: Id, path: string) =>
  defineOperation({
    operationId,
    surface: 'oauth',
    method: 'POST',
    path,
    summary: 'Revoke a token (RFC 7009): its whole session stops at its next use',
    tags,
    body: form,
    responses: { 200: { description: 'Revoked, or unknown (RFC 7009 §2.2)' } },
    errors: [429],
    security: 'client',
  });
const introspect = <const Id extends string>(operationId: Id, path: string) =>
  defineOperation({
    operationId,
    surface: 'oauth',
    method: 'POST',
    path,
    summary: 'Describe a token (RFC 7662): active or not, and its claims to its own client or an administrator',
    tags,
    body: form,
    responses: { 200: { description: 'The description (Cache-Control: no-store)', schema: Type.Ref(OAuthIntrospectionResponse) } },
    errors: [429],
    security: 'client',
  });

export const OAUTH_OPERATIONS = [
  token('getToken', '/v1/oauth/tokens', "Iceberg's token path (oauth2-server-uri defaults to it)."),
  token('issueToken', '/oauth2/token', 'The same endpoint at the path RFC 8414 metadata names for other clients.'),
  revoke('revokeToken', '/v1/oauth/revoke'),
  revoke('revokeToken2', '/oauth2/revoke'),
  introspect('introspectToken', '/v1/oauth/introspect'),
  introspect('introspectToken2', '/oauth2/introspect'),
  defineOperation({
    operationId: 'getAuthorizationServerMetadata',
    surface: 'oauth',
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    summary: 'RFC 8414 authorization server metadata',
    tags,
    responses: { 200: { description: 'The metadata', schema: Type.Ref(AuthorizationServerMetadata) } },
    security: 'none',
  }),
  defineOperation({
    operationId: 'getJwks',
    surface: 'oauth',
    method: 'GET',
    path: '/.well-known/jwks.json',
    summary: "The issuer's public signing keys",
    tags,
    responses: { 200: { description: 'The key set', schema: Type.Ref(JsonWebKeySet) } },
    security: 'none',
  }),
];
