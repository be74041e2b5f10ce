/** The built-in OAuth 2.0 issuer: the token endpoint (at Iceberg's /v1/oauth/tokens and at /oauth2/token), RFC 8414 metadata and the JWKS. */
import { Type } from '@sinclair/typebox';
import { AuthorizationServerMetadata, JsonWebKeySet, OAuthTokenRequest, OAuthTokenResponse } from '../oauth/token.js';
import { defineOperation } from './types.js';

const tags = ['OAuth'];
const token = (operationId: string, path: string, description: string) =>
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

export const OAUTH_OPERATIONS = [
  token('getToken', '/v1/oauth/tokens', "Iceberg's token path (oauth2-server-uri defaults to it)."),
  token('issueToken', '/oauth2/token', 'The same endpoint at the path RFC 8414 metadata names for other clients.'),
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
